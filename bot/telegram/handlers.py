"""Telegram update handlers: thin glue between people, the engine and storage.

No matching and no SQL here: the engine answers, ``bot.storage`` remembers,
``render`` and ``keyboards`` shape what is sent. Every handler replies with a
well-formed message, whatever the input.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram import User as TelegramUser
from telegram.constants import ChatType
from telegram.error import TimedOut
from telegram.ext import ContextTypes

from bot.content.knowledge import GLOSSARY_TOPIC, Entry, glossary_id
from bot.engine import FOLLOW_UP_WINDOW_S, Reply, Suggestion
from bot.storage import feedback, questions, users
from bot.telegram import keyboards
from bot.telegram.presses import offered, pressed
from bot.telegram.render import answer_html, esc, plain_html, sources_html
from bot.telegram.sending import send_html
from bot.telegram.services import Services, argument, services
from bot.telegram.update_log import note_outcome

log = logging.getLogger(__name__)

TOPIC_PAGE_SIZE = 6
INLINE_RESULTS = 5
SEARCH_RESULTS = 5
MAX_REGION_LENGTH = 80
LAST_ANSWER = "last_answer"  # chat_data: (entry id, time.monotonic()) of the last answer, for follow-ups
REGISTERED_AT = "registered_at"  # user_data key: when the person was last registered/refreshed
REGISTRATION_REFRESH_S = 600.0


# --- subscription ---------------------------------------------------------------------------


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_subscription(update, context, True)


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_subscription(update, context, False)


async def _set_subscription(update: Update, context: ContextTypes.DEFAULT_TYPE, on: bool) -> None:
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    await users.set_subscribed(s.db, user.id, on)
    await message.reply_html(esc(s.text("tg_subscribe_on" if on else "tg_subscribe_off")))


# --- help, topics, glossary, search, sources ---------------------------------------------


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message:
        await send_html(update.effective_message, plain_html(services(context).text("tg_help")))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    if update.effective_message:
        await update.effective_message.reply_html(esc(s.text("tg_topics_intro")), reply_markup=_topics_markup(s))


def _topics_markup(s: Services):
    pairs = [(t.id, t.title) for t in s.engine.content.topics]
    return keyboards.topics_keyboard(s.version, pairs)


async def show_topic(message: Message, s: Services, topic_id: str, page: int, edit: bool) -> None:
    entries = [e for e in s.engine.entries if e.topic == topic_id]
    topic = next((t for t in s.engine.content.topics if t.id == topic_id), None)
    if topic is None or not entries:
        await message.reply_html(esc(s.text("tg_topics_intro")), reply_markup=_topics_markup(s))
        return
    pages = max(1, math.ceil(len(entries) / TOPIC_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = entries[(page - 1) * TOPIC_PAGE_SIZE : page * TOPIC_PAGE_SIZE]
    texts = {k: s.text(f"tg_button_{k}") for k in ("next", "previous", "topics")}
    markup = keyboards.topic_page_keyboard(s.version, topic_id, shown, page, pages, texts)
    text = esc(s.text("tg_topic_questions", title=topic.title, page=page, pages=pages))
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.reply_html(text, reply_markup=markup)


async def glossary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    term = argument(context)
    if not term:
        names = ", ".join(t.term for t in s.engine.content.glossary)
        await send_html(message, plain_html(s.text("tg_glossary_list", terms=names)))
        return
    entry = _glossary_entry(s, term)
    if entry is None:
        await message.reply_html(esc(s.text("tg_glossary_unknown", term=term[:60])))
        return
    await _send_entry(update, context, entry, question_id=None)


def _glossary_entry(s: Services, term: str) -> Entry | None:
    wanted = term.casefold()
    for glossary_term in s.engine.content.glossary:
        names = [glossary_term.term, *glossary_term.aliases]
        if any(name.casefold() == wanted for name in names):
            return s.engine.by_id.get(glossary_id(glossary_term.term))
    reply = s.engine.ask(f"apa itu {term}")
    return reply.entry if reply.entry and reply.entry.topic == GLOSSARY_TOPIC else None


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    query = argument(context)
    if not query:
        await message.reply_html(esc(s.text("tg_search_usage")))
        return
    found = s.matches(query, limit=SEARCH_RESULTS)
    if not found:
        await message.reply_html(esc(s.text("tg_search_empty", query=query[:100])))
        return
    markup = keyboards.suggestion_keyboard(s.version, found)
    await message.reply_html(esc(s.text("tg_search_results", query=query[:100])), reply_markup=markup)


async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    entry_id = (context.user_data or {}).get("last_entry") or await questions.last_answered_entry(s.db, user.id)
    entry = s.engine.by_id.get(entry_id or "")
    if entry is None:
        await message.reply_html(esc(s.text("tg_source_none")))
        return
    await send_html(message, sources_html(entry, s.engine.messages))


# --- questions ------------------------------------------------------------------------------


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await answer_question(update, context, message.text)


NOT_TEXT_KINDS = ("voice", "audio", "video_note", "photo", "video", "sticker", "location", "document", "contact")
# The kinds with a reply of their own in messages.yaml (tg_not_text_<kind>); the others get tg_not_text_other.
OWN_REPLY_KINDS = frozenset({"voice", "audio", "video_note", "photo", "sticker", "location"})
HANDOFF_MEDIA = {"voice": "v", "photo": "p"}  # kinds a person may pass to a responder (bot.telegram.handoff)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A voice note, photo, sticker, location … in a private chat: the bot reads only text, so it says
    so kindly; a caption is read as the question. A voice note or photo may be passed to a person."""
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    kind = next((k for k in NOT_TEXT_KINDS if getattr(message, k, None)), "other")
    key = f"tg_not_text_{kind}" if kind in OWN_REPLY_KINDS else "tg_not_text_other"
    if message.caption and message.caption.strip():
        await message.reply_html(esc(s.text("tg_not_text_caption")))
        await answer_question(update, context, message.caption)
        return
    markup = None
    if kind in HANDOFF_MEDIA:  # forwarded only if the person presses the button (their consent)
        button = keyboards.handoff_button(s.text("tg_handoff_media_button"), "media", message.message_id, HANDOFF_MEDIA[kind])
        markup = InlineKeyboardMarkup([[button]])
    await message.reply_html(esc(s.text(key)), reply_markup=markup)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have, in a private chat: say so and point to /bantuan."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].split("@")[0][:40]
    await message.reply_html(esc(services(context).text("tg_unknown_command", command=command)))


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups the bot answers only when mentioned or replied to."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    username = f"@{context.bot.username}".casefold()
    replied_to_bot = bool(message.reply_to_message and message.reply_to_message.from_user
                          and message.reply_to_message.from_user.id == context.bot.id)
    mentioned = username in message.text.casefold()
    if not (mentioned or replied_to_bot):
        return
    text = message.text
    start = text.casefold().find(username)
    if start >= 0:
        text = text[:start] + text[start + len(username):]
    if not text.strip():
        await message.reply_html(esc(services(context).text("tg_group_hint", username=context.bot.username)))
        return
    await answer_question(update, context, text)


async def ensure_registered(s: Services, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser) -> None:
    """Register (or refresh) the person at most every few minutes: questions are the hot path,
    and a storage round trip per question halves throughput under load (docs/benchmarks.md)."""
    now = time.monotonic()
    seen = context.user_data.get(REGISTERED_AT) if context.user_data is not None else None
    if seen is not None and now - seen < REGISTRATION_REFRESH_S:
        return
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    if context.user_data is not None:
        context.user_data[REGISTERED_AT] = now


FLOOD_WINDOW_S = 10.0
FLOOD_QUESTIONS = 10  # questions one person may ask per window; beyond, they are asked to slow down
ASKED_AT = "asked_at"  # user_data: time.monotonic() of this person's recent questions
SLOWED = "slowed_at"  # user_data: when they were last asked to slow down


def flooding(context: ContextTypes.DEFAULT_TYPE, now: float | None = None) -> bool:
    """Whether this person asked more than ``FLOOD_QUESTIONS`` in the last ``FLOOD_WINDOW_S`` seconds
    (each question costs matching time on the event loop: one person must not slow everyone down)."""
    if context.user_data is None:
        return False
    now = time.monotonic() if now is None else now
    recent = [t for t in context.user_data.get(ASKED_AT, ()) if now - t < FLOOD_WINDOW_S]
    if len(recent) >= FLOOD_QUESTIONS:
        context.user_data[ASKED_AT] = recent
        return True
    context.user_data[ASKED_AT] = [*recent, now]
    return False


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    s = services(context)
    user, message, chat = update.effective_user, update.effective_message, update.effective_chat
    assert message is not None
    if flooding(context):
        last = context.user_data.get(SLOWED) if context.user_data is not None else None
        if context.user_data is not None and (last is None or time.monotonic() - last >= FLOOD_WINDOW_S):
            context.user_data[SLOWED] = time.monotonic()
            await message.reply_html(esc(s.text("tg_slow_down")))  # once per window, then silence
        log.info("flood: a question in update %s not matched", update.update_id)
        return
    # Danger signs first: the referral goes out before any other reply.
    referral = s.engine.urgency.referral_for(text) if s.engine.urgency is not None else None
    reply = s.engine.ask(text, previous=recent_answer(context))
    note_outcome(reply.status)  # the per-update log line (bot.telegram.update_log), never the text
    if user is not None:
        await ensure_registered(s, context, user)
    question_id = None
    if not reply.empty and reply.small_talk is None:
        question_id = await s.log_question(
            user.id if user else None, chat.type if chat else None, text, reply.status,
            reply.entry.id if reply.entry else None, reply.score, urgent=referral is not None,
        )  # fmt: skip
    if referral is not None:
        log.info("danger-sign referral sent in update %s", update.update_id)  # never the text
        markup = None
        if question_id is not None and _private(update):  # "Minta bantuan petugas sekarang"
            markup = InlineKeyboardMarkup([[keyboards.handoff_button(s.text("tg_handoff_urgent_button"), "now", question_id)]])
        await send_html(message, plain_html(referral), reply_markup=markup)
    if referral is None or reply.status != "none":  # after a referral, no "not covered" as well
        await send_reply(update, context, reply, question_id)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def ask_rows(s: Services, update: Update, question_id: int | None) -> list[list]:
    """ "Tanyakan ke petugas" under a reply that may not help (private chats: the answer comes there)."""
    if question_id is None or not _private(update):
        return []
    return [[keyboards.handoff_button(s.text("tg_handoff_ask_button"), "ask", question_id)]]


def recent_answer(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The entry answered last in this chat, while a follow-up may still refer to it."""
    last = (context.chat_data or {}).get(LAST_ANSWER)
    if last and time.monotonic() - last[1] <= FOLLOW_UP_WINDOW_S:
        return last[0]
    return None


async def send_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply, question_id: int | None) -> None:
    s = services(context)
    message = update.effective_message
    assert message is not None
    if reply.small_talk:
        await message.reply_html(esc(s.text(f"small_talk_{reply.small_talk}")))
    elif reply.follow_up == "source" and reply.entry is not None:
        await send_html(message, sources_html(reply.entry, s.engine.messages, intro=s.text("follow_up_source_intro")))
    elif reply.follow_up == "more":
        entries = [s.engine.by_id[x.entry_id] for x in reply.suggestions]
        text = "\n\n".join(p for p in (reply.clarification, s.text("follow_up_more_intro") if entries else None) if p)
        markup = keyboards.suggestion_keyboard(s.version, entries) if entries else None
        await message.reply_html(esc(text), reply_markup=markup)
    elif reply.status == "answer" and reply.entry is not None:
        await _send_entry(update, context, reply.entry, question_id, reply.next_questions)
    elif reply.status == "suggest":
        entries = [s.engine.by_id[x.entry_id] for x in reply.suggestions]
        rows = keyboards.question_buttons(s.version, entries) + ask_rows(s, update, question_id)
        await message.reply_html(esc(s.text("suggest_intro")), reply_markup=InlineKeyboardMarkup(rows))
    elif reply.empty:
        await message.reply_html(esc(s.text("empty_question")))
    else:
        rows = ask_rows(s, update, question_id)
        hint = s.text("tg_none_ask_hint" if rows else "none_hint")
        await send_html(message, plain_html(s.text("none_answer"), s.text("tg_none_logged"), hint),
                        reply_markup=InlineKeyboardMarkup(rows) if rows else None)  # fmt: skip


async def _send_entry(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    entry: Entry,
    question_id: int | None,
    offered: Sequence[Suggestion] | None = None,
) -> None:
    """The answer, with the questions offered under it as buttons (the reply's next questions: those
    that came close to it, then its related ones; from a button, the related ones), and 👍/👎."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    if context.user_data is not None:
        context.user_data["last_entry"] = entry.id
    if context.chat_data is not None:
        context.chat_data[LAST_ANSWER] = (entry.id, time.monotonic())
    if offered is None:
        entries = s.engine.next_questions(entry)
    else:
        entries = [s.engine.by_id[x.entry_id] for x in offered if x.entry_id in s.engine.by_id]
    buttons = keyboards.question_buttons(s.version, entries)
    markup = keyboards.answer_keyboard(s.version, buttons, question_id, entry.id)
    await send_html(message, s.answer_parts(entry), reply_markup=markup)


# --- buttons --------------------------------------------------------------------------------


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button no handler of its own takes (unreadable data, an unknown kind, wrong arguments, a
    message gone): it is outdated."""
    if update.callback_query is not None:
        await update.callback_query.answer(services(context).text("tg_stale_button"), show_alert=True)


async def answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question's button: its answer, logged as asked."""
    s = services(context)
    query = update.callback_query
    args, message = pressed(update)
    entry = s.engine.by_id.get(args[0]) if args else None
    if query is None or message is None or entry is None:  # no entry: the button is from an older content set
        await stale_button(update, context)
        return
    await query.answer()
    user = update.effective_user
    question_id = await s.log_question(
        user.id if user else None, message.chat.type, entry.question, "answer", entry.id, 100.0
    )
    await _send_entry(update, context, entry, question_id)


async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 / 👎 under an answer."""
    args, message = pressed(update)
    if message is None or len(args) != 3:
        await stale_button(update, context)
        return
    await _feedback(update, context, args)


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic, or another page of its questions: the topic list message is edited in place."""
    query = update.callback_query
    args, message = pressed(update)
    if query is None or message is None or len(args) != 2 or not keyboards.is_id(args[1]):
        await stale_button(update, context)
        return
    await query.answer()
    await show_topic(message, services(context), args[0], int(args[1]), edit=True)


async def topics_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Back to the topic list."""
    s = services(context)
    query = update.callback_query
    _, message = pressed(update)
    if query is None or message is None:
        await stale_button(update, context)
        return
    await query.answer()
    await message.edit_text(esc(s.text("tg_topics_intro")), reply_markup=_topics_markup(s))


async def _feedback(update: Update, context: ContextTypes.DEFAULT_TYPE, args: tuple[str, ...]) -> None:
    s = services(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None
    question_id, value, entry_id = args
    if not keyboards.is_id(question_id) or value not in {"+1", "-1"} or user is None or not offered(update):
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    await s.flush_questions()  # the question row must exist before its feedback
    # The question may be gone (older than the retention, or its asker deleted their data); its id
    # may even have been handed out again after a restart, hence the entry check.
    asked = await questions.get_question(s.db, int(question_id))
    if asked is None or asked.entry_id != entry_id:
        await query.answer(s.text("tg_feedback_gone"), show_alert=True)
        return
    if asked.chat_type == ChatType.PRIVATE and asked.telegram_id != user.id:  # a private question: its asker's vote
        log.warning("refused a vote by %s on question %s of someone else", user.id, asked.id)
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    await feedback.record_feedback(s.db, int(question_id), user.id, entry_id, 1 if value == "+1" else -1)
    await query.answer(s.text("tg_feedback_thanks_up" if value == "+1" else "tg_feedback_thanks_down"))
    message = query.message if isinstance(query.message, Message) else None
    rows = ask_rows(s, update, asked.id) if value == "-1" and asked.telegram_id == user.id else []
    if rows and message is not None:  # the asker's own 👎: a person may know better
        await message.reply_html(esc(s.text("tg_handoff_offer_after_down")), reply_markup=InlineKeyboardMarkup(rows))


# --- inline mode ----------------------------------------------------------------------------


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    entries = s.matches(text, limit=INLINE_RESULTS) if text else []
    results = [
        InlineQueryResultArticle(
            id=entry.id,
            title=keyboards.label(entry.question),
            description=entry.answer[:120],
            input_message_content=InputTextMessageContent(
                answer_html(entry, s.engine.messages)[0]
            ),
        )
        for entry in entries
    ]
    # With nothing to show, a button above the (empty) results says why and opens the bot.
    hint = None if results else s.text("tg_inline_none_title" if text else "tg_inline_empty_title")
    button = InlineQueryResultsButton(text=hint, start_parameter="inline") if hint else None
    await query.answer(results, cache_time=30, is_personal=False, button=button)


# --- privileged commands and errors ----------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, TimedOut):
        # The reply may well have arrived (Telegram answered late): an error message after it would
        # contradict it, and resending could give it twice.
        log.warning("a reply to update %s timed out; it may or may not have been delivered", update_id)
        note_outcome("error")
        return
    log.error("error while handling update %s", update_id, exc_info=context.error)
    note_outcome("error")
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_html(esc(services(context).text("tg_error")))
        except Exception:  # the reply itself failed (network, blocked): already logged above
            log.warning("could not tell user about the error in update %s", update_id)
