"""Coordinator broadcasts in Telegram: the /siaran draft, /batal, read confirmations, stopping a
running or scheduled broadcast ("Batalkan siaran" on the progress message, or /batal_siaran ID),
and the progress reporter that edits the coordinator's progress message and sends the final report.

The draft lives in ``user_data[DRAFT]``; a text step ("broadcast_text", "broadcast_region",
"broadcast_time") waits through ``bot.telegram.waiting``, which hands its text to ``on_text``.
Permission (coordinator or admin, and a scoped coordinator's regions)
is checked on every command, text step and button, not only at /siaran. Delivery itself is the
sender's job (``bot.broadcast.sender``): confirming only queues the broadcast
(``create_broadcast`` snapshots the recipients) and wakes the sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.broadcast import when
from bot.broadcast.sender import Compose
from bot.regions.places import within
from bot.regions.zones import WIB, Zone
from bot.storage import ROLES, Database, broadcasts, users
from bot.storage.broadcasts import Audience, Broadcast
from bot.telegram import keyboards, waiting
from bot.telegram.handoff import ANSWERING as handoff_answering
from bot.telegram.handoff import STEP as handoff_step
from bot.telegram.refusal import is_admin, refuse
from bot.telegram.render import esc, plain_html
from bot.telegram.sending import send_html
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

# The preview shows links as the broadcast sender's own Bot sends them (it has no Defaults): with a preview.
AS_SENT = LinkPreviewOptions(is_disabled=False)
DRAFT = "broadcast_draft"  # user_data key: the /siaran draft being composed
MAX_REGIONS_TEXT = 1000
PROGRESS_INTERVAL = 2.0  # seconds between edits of one progress message
REPORT_PROBLEMS_SHOWN = 10
REASON_LENGTH = 200  # characters of each reason in the report, so it stays one message
ACK_NAMES_SHOWN = 30
CANCEL_SETTLE = 30.0  # seconds a cancelled broadcast's report waits for the message in flight, at most


def number(value: int) -> str:
    """Indonesian thousands separators: 4000 -> "4.000"."""
    return f"{value:,}".replace(",", ".")


def describe(s: Services, audience: Audience) -> str:
    if audience.everyone:
        return s.text("tg_broadcast_everyone")
    parts = []
    if audience.roles:
        parts.append(s.text("tg_broadcast_audience_roles", names=", ".join(s.text(f"tg_role_{r}") for r in audience.roles)))
    if audience.kabupaten:
        parts.append(s.text("tg_broadcast_audience_kabupaten", names=", ".join(audience.kabupaten)))
    if audience.kecamatan:
        parts.append(s.text("tg_broadcast_audience_kecamatan", names=", ".join(audience.kecamatan)))
    if audience.regions:
        parts.append(s.text("tg_broadcast_audience_regions", names=_listed(s, [region_name(s, c) for c in audience.regions])))
    return "; ".join(parts)


NAMES_LISTED = 20  # region names spelled out in a message (an audience of 450 kabupaten must still fit in one)


def _listed(s: Services, names: Sequence[str]) -> str:
    if len(names) <= NAMES_LISTED:
        return "; ".join(names)
    return s.text("tg_broadcast_audience_more", names="; ".join(names[:NAMES_LISTED]), count=len(names) - NAMES_LISTED)


async def sender_zone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Zone:
    """The sender's time zone, from the province of their region (WIB when it is unknown)."""
    s = services(context)
    user = update.effective_user
    stored = await users.get_user(s.db, user.id) if user is not None else None
    if s.catalogue is None:
        return WIB
    return s.catalogue.zone(stored.region_code if stored else None)


def _when(s: Services, moment: datetime, zone: Zone) -> str:
    """The moment in words in that zone ("Senin, 7 Desember 2026 pukul 08.00 WITA")."""
    words = s.engine.content.calendar
    if words is None:
        return moment.astimezone(zone.zoneinfo).strftime("%Y-%m-%d %H:%M ") + zone.name
    return when.describe(when.Understood(moment.astimezone(zone.zoneinfo), zone), words)


async def _time_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict, text: str) -> None:
    """The time typed for a scheduled broadcast, read in the sender's zone (unless the text names one)
    and echoed back in words for confirmation; past, ambiguous or unreadable times are refused with an
    example of what works."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    zone = await sender_zone(update, context)
    words = s.engine.content.calendar
    if words is None:
        result: when.Understood | when.Refused = when.Refused("unreadable")
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(" ".join(text.split()))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=zone.zoneinfo)
            result = when.Understood(moment, zone) if moment > datetime.now(UTC) else when.Refused("past")
    else:
        result = when.parse_when(text[:200], datetime.now(UTC), zone, words)
    if isinstance(result, when.Refused):
        await message.reply_html(esc(s.text(f"tg_broadcast_time_{result.reason}", zone=zone.name)))
        return
    draft["send_at"] = result.moment.isoformat()
    draft["send_zone"], draft["send_tz"] = result.zone.name, result.zone.tz
    waiting.stop(context.user_data)
    v, b = s.version, keyboards.broadcast_button
    markup = InlineKeyboardMarkup([
        [b(v, s.text("tg_broadcast_button_schedule_ok"), "schedok")],
        [b(v, s.text("tg_broadcast_button_schedule_change"), "sched"), b(v, s.text("tg_broadcast_button_cancel"), "x")],
    ])  # fmt: skip
    await message.reply_html(
        esc(s.text("tg_broadcast_time_confirm", when=_when(s, result.moment, result.zone))), reply_markup=markup
    )


def region_name(s: Services, code: str) -> str:
    return s.catalogue.short_label(code) if s.catalogue is not None else code


async def _regions_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict, text: str) -> None:
    """Regions typed for the audience: sure ones are added (if the sender may reach them), names of
    several places come back as buttons, unknown names are said so."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    allowed_to = await permission(update, context)
    if s.catalogue is None or allowed_to is None or len(text) > MAX_REGIONS_TEXT:
        await message.reply_html(esc(s.text("tg_broadcast_region_invalid")))
        return
    found = await asyncio.to_thread(s.catalogue.find_many, text)
    added: list[str] = []
    outside: list[str] = []
    unknown: list[str] = []
    for typed, result in found:
        place = result.place
        if place is None:
            if not result.places:
                unknown.append(typed)
            continue
        (added if allowed_to.covers(place.code) else outside).append(place.code)
    draft["regions"] = list(dict.fromkeys([*draft["regions"], *added]))
    if outside:
        await _refuse_outside(update, context, allowed_to, outside)
    if unknown:
        await message.reply_html(esc(s.text("tg_broadcast_region_unknown", names=", ".join(unknown)[:300])))
    unsure = [(typed, result) for typed, result in found if result.place is None and result.places]
    if unsure:  # one at a time: buttons for the first, the others can be typed again
        typed, result = unsure[0]
        v = s.version
        rows = [[keyboards.broadcast_button(v, keyboards.label(s.catalogue.short_label(p.code)), "reg", p.code)]
                for p in result.places]  # fmt: skip
        await message.reply_html(
            esc(s.text("tg_broadcast_region_choose", typed=typed[:80])), reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    waiting.stop(context.user_data)
    await send_audience_menu(message, s, draft)


async def _region_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict, code: str) -> None:
    """A region button of the audience step (``b|reg|code``): checked like typed text, never trusted."""
    s = services(context)
    query = update.callback_query
    message = query.message if query is not None and isinstance(query.message, Message) else None
    assert query is not None and message is not None
    allowed_to = await permission(update, context)
    place = await asyncio.to_thread(s.catalogue.get, code) if s.catalogue is not None else None
    if place is None or allowed_to is None:
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    await query.answer()
    if not allowed_to.covers(place.code):
        await _refuse_outside(update, context, allowed_to, [place.code])
        return
    draft["regions"] = list(dict.fromkeys([*draft["regions"], place.code]))
    waiting.stop(context.user_data)
    with contextlib.suppress(TelegramError):
        await message.edit_reply_markup(None)
    await send_audience_menu(message, s, draft)


async def _refuse_outside(
    update: Update, context: ContextTypes.DEFAULT_TYPE, allowed_to: Permission, codes: list[str]
) -> None:
    s = services(context)
    user, message = update.effective_user, update.effective_message
    log.warning("refused broadcast to %s outside the regions %s of user %s", codes, allowed_to.regions,
                user.id if user else None)  # fmt: skip
    if message is not None:
        await message.reply_html(esc(s.text(
            "tg_broadcast_region_outside",
            names="; ".join(region_name(s, c) for c in codes),
            allowed="; ".join(region_name(s, c) for c in allowed_to.regions),
        )))  # fmt: skip


def scoped(audience: Audience, allowed_to: Permission) -> Audience | None:
    """The audience a sender may reach: within their regions (everyone in them when no region was
    chosen); None when it names a region outside them (a forged or stale draft)."""
    if not allowed_to.regions:
        return audience
    if audience.kabupaten or audience.kecamatan:
        return None
    if not audience.regions:
        return Audience(audience.roles, regions=allowed_to.regions)
    return audience if all(allowed_to.covers(code) for code in audience.regions) else None


@dataclass(frozen=True)
class Permission:
    """Who may broadcast to whom: ``regions`` empty means anywhere (admins, national coordinators)."""

    regions: tuple[str, ...] = ()

    def covers(self, code: str) -> bool:
        return not self.regions or any(within(code, scope) for scope in self.regions)


async def permission(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Permission | None:
    """Admins and coordinators may broadcast (a scoped coordinator only within their regions); checked
    against the database on every call. None: not allowed."""
    if is_admin(update, context):
        return Permission()
    user = update.effective_user
    if user is None:
        return None
    db = services(context).db
    stored = await users.get_user(db, user.id)
    if stored is None or not stored.coordinator:
        return None
    return Permission(tuple(await users.coordinator_regions(db, user.id)))


async def allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return await permission(update, context) is not None


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    return context.user_data.get(DRAFT) if context.user_data is not None else None


def _audience(draft: dict) -> Audience:
    return Audience(tuple(draft["roles"]), regions=tuple(draft["regions"]))


# --- /siaran and its steps ----------------------------------------------------------------


async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    user, message, chat = update.effective_user, update.effective_message, update.effective_chat
    if user is None or message is None:
        return
    if not await allowed(update, context):
        await refuse(update, context)
        return
    if chat is not None and chat.type != ChatType.PRIVATE:
        await message.reply_html(esc(s.text("tg_broadcast_private_only")))
        return
    await users.register_user(s.db, user.id, user.first_name, user.username, user.language_code)
    assert context.user_data is not None
    context.user_data[DRAFT] = {"text": None, "roles": [], "regions": [], "ack": False}
    waiting.start(context.user_data, "broadcast_text")
    await message.reply_html(esc(s.text("tg_broadcast_ask_text")))


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/batal: drop the draft (and any pending text step, a responder's answer included); nothing is sent."""
    s = services(context)
    message = update.effective_message
    if message is None or context.user_data is None:
        return
    draft = context.user_data.pop(DRAFT, None)
    awaiting = waiting.stop(context.user_data)
    key = "tg_broadcast_cancelled" if draft is not None else "tg_broadcast_nothing_to_cancel"
    if draft is None and awaiting:
        key = "tg_profile_skipped"
    if awaiting == handoff_step:  # a responder's answer, not written after all
        context.user_data.pop(handoff_answering, None)
        key = "tg_handoff_answer_cancelled"
    await message.reply_html(esc(s.text(key)))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, awaiting: str, text: str) -> None:
    """A text message while a /siaran step waits for one."""
    s = services(context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    draft = _draft(context)
    if not await allowed(update, context):
        context.user_data.pop(DRAFT, None)
        waiting.stop(context.user_data)
        await refuse(update, context)
        return
    if draft is None:
        waiting.stop(context.user_data)
        await message.reply_html(esc(s.text("tg_broadcast_expired")))
        return
    if awaiting == "broadcast_text":
        if not text.strip():
            await message.reply_html(esc(s.text("tg_broadcast_text_invalid")))
            return
        draft["text"] = text
        waiting.stop(context.user_data)
        await send_audience_menu(message, s, draft)
    elif awaiting == "broadcast_region":
        await _regions_typed(update, context, draft, text)
    elif awaiting == "broadcast_time":
        await _time_typed(update, context, draft, text)


def _audience_menu(s: Services, draft: dict) -> tuple[str, InlineKeyboardMarkup]:
    v, b = s.version, keyboards.broadcast_button
    roles = [
        b(v, ("✓ " if role in draft["roles"] else "") + s.text(f"tg_role_{role}"), "role", role) for role in ROLES
    ]
    rows = [[b(v, s.text("tg_broadcast_button_everyone"), "all")]]
    rows += [roles[i : i + 2] for i in range(0, len(roles), 2)]
    rows.append([b(v, s.text("tg_broadcast_button_region"), "reg")])
    rows.append([b(v, s.text("tg_broadcast_button_next"), "next"), b(v, s.text("tg_broadcast_button_cancel"), "x")])
    text = s.text("tg_broadcast_ask_audience", audience=describe(s, _audience(draft)))
    return esc(text), InlineKeyboardMarkup(rows)


async def send_audience_menu(message: Message, s: Services, draft: dict) -> None:
    text, markup = _audience_menu(s, draft)
    await message.reply_html(text, reply_markup=markup)


def _summary_markup(s: Services, draft: dict, count: int) -> InlineKeyboardMarkup:
    v, b = s.version, keyboards.broadcast_button
    cancel = b(v, s.text("tg_broadcast_button_cancel"), "x")
    if count == 0:
        return InlineKeyboardMarkup([[cancel]])
    ack = s.text("tg_broadcast_button_ack_on" if draft["ack"] else "tg_broadcast_button_ack_off")
    return InlineKeyboardMarkup(
        [
            [b(v, s.text("tg_broadcast_button_send"), "send"), b(v, s.text("tg_broadcast_button_schedule"), "sched")],
            [b(v, ack, "ack")],
            [cancel],
        ]
    )


def broadcast_messages(ack_label: str) -> Compose:
    """How the sender sends a broadcast: its text as HTML chunks (as the preview shows it), the "read"
    button (``ack_label``) on the last one when the broadcast asks for confirmation."""

    def compose(broadcast: Broadcast) -> list[tuple[str, InlineKeyboardMarkup | None]]:
        chunks = plain_html(broadcast.text)
        markup = keyboards.ack_keyboard(broadcast.id, ack_label) if broadcast.ack_requested else None
        return [(chunk, markup if number == len(chunks) else None) for number, chunk in enumerate(chunks, start=1)]

    return compose


async def send_preview(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, draft: dict) -> None:
    """The text exactly as the sender will send it (same rendering, same call), then the count, per
    region when regions were chosen (a scoped coordinator's "everyone" is everyone in their regions)."""
    s = services(context)
    allowed_to = await permission(update, context)
    audience = scoped(_audience(draft), allowed_to) if allowed_to is not None else None
    if audience is None:
        await refuse(update, context)
        return
    count = await broadcasts.count_recipients(s.db, audience)
    await message.reply_html(esc(s.text("tg_broadcast_preview_intro")))
    for chunk in plain_html(draft["text"]):
        await context.bot.send_message(message.chat_id, chunk, link_preview_options=AS_SENT)
    if count == 0:
        summary = s.text("tg_broadcast_no_recipients", audience=describe(s, audience))
    else:
        summary = s.text("tg_broadcast_preview_summary", count=number(count), audience=describe(s, audience))
        if audience.regions:
            per_region = await broadcasts.count_by_region(s.db, audience)
            lines = [s.text("tg_broadcast_preview_region", name=region_name(s, code), count=number(n))
                     for code, n in per_region.items()]  # fmt: skip
            summary = "\n".join([summary, *lines])
    await send_html(message, plain_html(summary), reply_markup=_summary_markup(s, draft, count))  # split at 4096


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons of the draft (``b|action|value``) and of the final report."""
    s = services(context)
    query = update.callback_query
    if query is None:
        return
    callback = keyboards.unpack(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if callback is None or not callback.args or message is None:
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    if not await allowed(update, context):
        await query.answer()
        await refuse(update, context)
        return
    action, args = callback.args[0], callback.args[1:]
    if action in ("acks", "resend", "resendok", "resendno") and args and keyboards.is_id(args[0]):
        await query.answer(s.text("tg_broadcast_resend_kept") if action == "resendno" else None)
        if action in ("resendok", "resendno"):  # the confirmation is answered: its buttons go
            with contextlib.suppress(TelegramError):
                await message.edit_reply_markup(None)
        if action == "resendno":
            return
        step = {"acks": show_acks, "resend": confirm_resend, "resendok": resend}[action]
        await step(update, context, int(args[0]))
        return
    if action in ("stop", "stopok", "keep") and args and keyboards.is_id(args[0]):
        broadcast_id = int(args[0])
        if action == "keep":
            await query.answer(s.text("tg_broadcast_stop_kept", id=broadcast_id))
        else:
            await query.answer()
        if action != "stop":  # the confirmation is answered: its buttons go
            with contextlib.suppress(TelegramError):
                await message.edit_reply_markup(None)
        if action == "stop":
            await confirm_stop(update, context, broadcast_id)
        elif action == "stopok":
            await stop_broadcast(update, context, broadcast_id)
        return
    draft = _draft(context)
    if draft is None or draft.get("text") is None:
        await query.answer(s.text("tg_broadcast_expired"), show_alert=True)
        return
    assert context.user_data is not None
    if action == "role" and args and args[0] in ROLES:
        draft["roles"] = [r for r in ROLES if (r in draft["roles"]) != (r == args[0])]
        await query.answer()
        text, markup = _audience_menu(s, draft)
        await message.edit_text(text, reply_markup=markup)
    elif action == "reg" and not args:
        await query.answer()
        waiting.start(context.user_data, "broadcast_region")
        await message.reply_html(esc(s.text("tg_broadcast_ask_region")))
    elif action == "reg" and len(args) == 1:
        await _region_chosen(update, context, draft, args[0])
    elif action in ("all", "next"):
        if action == "all":
            draft["roles"], draft["regions"] = [], []
        await query.answer()
        with contextlib.suppress(TelegramError):
            await message.edit_reply_markup(None)
        await send_preview(update, context, message, draft)
    elif action == "ack":
        draft["ack"] = not draft["ack"]
        await query.answer()
        markup = _summary_markup(s, draft, 1)
        await message.edit_reply_markup(markup)
    elif action == "send":
        await query.answer()
        with contextlib.suppress(TelegramError):
            await message.edit_reply_markup(None)
        await queue(update, context, send_at=None)
    elif action == "sched":
        await query.answer()
        waiting.start(context.user_data, "broadcast_time")
        zone = await sender_zone(update, context)
        await message.reply_html(esc(s.text("tg_broadcast_ask_time", zone=zone.name)))
    elif action == "schedok":
        send_at = datetime.fromisoformat(draft["send_at"]) if draft.get("send_at") else None
        if send_at is None or send_at <= datetime.now(UTC):  # confirmed too late: ask again
            await query.answer(s.text("tg_broadcast_time_past"), show_alert=True)
            return
        await query.answer()
        with contextlib.suppress(TelegramError):
            await message.edit_reply_markup(None)
        await queue(update, context, send_at=send_at)
    elif action == "x":
        await query.answer()
        context.user_data.pop(DRAFT, None)
        waiting.stop(context.user_data)
        with contextlib.suppress(TelegramError):
            await message.edit_reply_markup(None)
        await message.reply_html(esc(s.text("tg_broadcast_cancelled")))
    else:
        await query.answer(s.text("tg_stale_button"), show_alert=True)


async def queue(update: Update, context: ContextTypes.DEFAULT_TYPE, send_at: datetime | None) -> None:
    """Create the broadcast (recipients fixed now), post the progress message, wake the sender."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and context.user_data is not None
    draft = context.user_data.pop(DRAFT, None)  # popped before any await: a double press queues once
    if draft is None or draft.get("text") is None:
        await message.reply_html(esc(s.text("tg_broadcast_expired")))
        return
    allowed_to = await permission(update, context)
    audience = scoped(_audience(draft), allowed_to) if allowed_to is not None else None
    if audience is None:
        await refuse(update, context)
        return
    broadcast_id, count = await broadcasts.create_broadcast(
        s.db, draft["text"], audience, send_at=send_at, created_by=user.id, ack_requested=draft["ack"]
    )
    log.info("broadcast %d queued by %s for %d recipient(s) (%s)", broadcast_id, user.id, count, audience.describe())
    if send_at is None:
        text = s.text("tg_broadcast_queued", id=broadcast_id, count=number(count))
    else:
        zone = Zone(draft.get("send_zone") or WIB.name, draft.get("send_tz") or WIB.tz)
        text = s.text("tg_broadcast_scheduled", id=broadcast_id, count=number(count), when=_when(s, send_at, zone))
    await _start_progress(context, s, message.chat_id, broadcast_id, text)


async def _start_progress(
    context: ContextTypes.DEFAULT_TYPE, s: Services, chat_id: int, broadcast_id: int, text: str
) -> None:
    """Post the message that will show the queued broadcast's progress (with its stop button), remember
    it for the progress reporter, and wake the sender."""
    progress = await context.bot.send_message(chat_id, esc(text), reply_markup=stop_markup(s, broadcast_id))
    await broadcasts.set_progress(s.db, broadcast_id, progress.chat_id, progress.message_id)
    sender = context.application.bot_data.get("broadcast_sender")
    if sender is not None:
        sender.wake()


# --- stopping a running or scheduled broadcast ---------------------------------------------


def stop_markup(s: Services, broadcast_id: int) -> InlineKeyboardMarkup:
    """The "Batalkan siaran" button on a progress message (it asks for confirmation first)."""
    button = keyboards.broadcast_button(s.version, s.text("tg_broadcast_button_stop"), "stop", broadcast_id)
    return InlineKeyboardMarkup([[button]])


async def _stoppable(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> Broadcast | None:
    """The broadcast if this person may stop it and it is still running or scheduled; otherwise
    None, after telling them why (refusals are logged like every privileged command)."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    broadcast = await _own_broadcast(update, context, broadcast_id)
    if broadcast is None:
        # The same reply whether it does not exist or is someone else's: ids cannot be probed.
        if is_admin(update, context):
            await message.reply_html(esc(s.text("tg_broadcast_stop_unknown", id=broadcast_id)))
        elif await allowed(update, context):  # a coordinator, but not this broadcast's sender
            await refuse(update, context, "tg_broadcast_not_yours", id=broadcast_id)
        else:
            await refuse(update, context)
        return None
    if broadcast.status in ("done", "cancelled"):
        key = "tg_broadcast_stop_already_done" if broadcast.status == "done" else "tg_broadcast_stop_already_cancelled"
        await message.reply_html(esc(s.text(key, id=broadcast_id)))
        return None
    return broadcast


async def confirm_stop(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> None:
    """ "Batalkan siaran" pressed: how many went out and how many would not, with Ya / Tidak."""
    s = services(context)
    message = update.effective_message
    if message is None or await _stoppable(update, context, broadcast_id) is None:
        return
    report = await broadcasts.broadcast_report(s.db, broadcast_id, problem_limit=0)
    text = s.text(
        "tg_broadcast_stop_confirm", id=broadcast_id, sent=number(report.counts.get("sent", 0)),
        total=number(report.total), remaining=number(report.counts.get("pending", 0)),
    )  # fmt: skip
    v, b = s.version, keyboards.broadcast_button
    markup = InlineKeyboardMarkup(
        [[b(v, s.text("tg_broadcast_button_stop_yes"), "stopok", broadcast_id),
          b(v, s.text("tg_broadcast_button_stop_no"), "keep", broadcast_id)]]
    )  # fmt: skip
    await message.reply_html(esc(text), reply_markup=markup)


async def stop_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> None:
    """Cancel: pending rows become ``cancelled`` at once; the one message in flight (if any)
    finishes. The progress reporter then edits the progress message and sends the final report."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or await _stoppable(update, context, broadcast_id) is None:
        return
    cancelled = await broadcasts.cancel_broadcast(s.db, broadcast_id)
    if cancelled == 0 and (await broadcasts.get_broadcast(s.db, broadcast_id)).status == "done":
        await message.reply_html(esc(s.text("tg_broadcast_stop_already_done", id=broadcast_id)))  # it just finished
        return
    log.info("broadcast %d cancelled by %s from Telegram; %d message(s) will not be sent", broadcast_id, user.id, cancelled)
    await message.reply_html(esc(s.text("tg_broadcast_stop_done", id=broadcast_id, cancelled=number(cancelled))))


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/batal_siaran ID: stop one's own broadcast (admins: any), without a confirmation step."""
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    if not await allowed(update, context):
        await refuse(update, context)
        return
    argument = (context.args or [""])[0].lstrip("#")
    if len(context.args or []) != 1 or not keyboards.is_id(argument):
        await message.reply_html(esc(s.text("tg_broadcast_stop_usage")))
        return
    await stop_broadcast(update, context, int(argument))


# --- read confirmations --------------------------------------------------------------------


async def acknowledge_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Sudah dibaca ✅" under a broadcast: record it once and remove the button."""
    s = services(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    callback = keyboards.unpack(query.data)
    if callback is None or not callback.args or not keyboards.is_id(callback.args[0]):
        await query.answer(s.text("tg_stale_button"), show_alert=True)
        return
    recorded = await broadcasts.acknowledge(s.db, int(callback.args[0]), user.id)
    await query.answer(s.text("tg_broadcast_ack_thanks" if recorded else "tg_broadcast_ack_unknown"))
    if recorded and isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.message.edit_reply_markup(None)


async def _own_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> Broadcast | None:
    user = update.effective_user
    with contextlib.suppress(broadcasts.UnknownBroadcastError):
        broadcast = await broadcasts.get_broadcast(services(context).db, broadcast_id)
        if is_admin(update, context) or (user is not None and broadcast.created_by == user.id):
            return broadcast
    return None


async def show_acks(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> None:
    s = services(context)
    message = update.effective_message
    broadcast = await _own_broadcast(update, context, broadcast_id)
    if message is None:
        return
    if broadcast is None:
        await refuse(update, context)
        return
    confirmed, waiting = await broadcasts.acknowledgements(s.db, broadcast_id)
    # negative ids: people who deleted their data (bot.storage.privacy); counted, never named
    named = [(tid, name) for tid, name in confirmed if tid > 0]
    names = ", ".join(f"{name or '?'} ({tid})" for tid, name in named[:ACK_NAMES_SHOWN])
    if len(named) > ACK_NAMES_SHOWN:
        names += ", …"
    text = s.text(
        "tg_broadcast_acks", id=broadcast_id, confirmed=number(len(confirmed)), sent=number(len(confirmed) + len(waiting)),
        names=names,
    )  # fmt: skip
    await send_html(message, plain_html(text), reply_markup=_report_markup(s, broadcast) if waiting else None)


async def _not_confirmed(db: Database, broadcast_id: int) -> list[int]:
    """Who got the broadcast and has not confirmed reading it: the people a resend goes to (not
    those who deleted their data since, whose ids are negative)."""
    _, waiting = await broadcasts.acknowledgements(db, broadcast_id)
    return [tid for tid in waiting if tid > 0]


async def confirm_resend(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> None:
    """ "Kirim ulang …": first say to how many people, and ask."""
    s = services(context)
    message = update.effective_message
    broadcast = await _own_broadcast(update, context, broadcast_id)
    if message is None:
        return
    if broadcast is None:
        await refuse(update, context, "tg_broadcast_not_yours", id=broadcast_id)
        return
    count = len(await _not_confirmed(s.db, broadcast_id))
    if not count:
        await message.reply_html(esc(s.text("tg_broadcast_resend_none")))
        return
    v, b = s.version, keyboards.broadcast_button
    markup = InlineKeyboardMarkup([[b(v, s.text("tg_broadcast_button_resend_ok"), "resendok", broadcast_id),
                                    b(v, s.text("tg_broadcast_button_resend_no"), "resendno", broadcast_id)]])  # fmt: skip
    await message.reply_html(esc(s.text("tg_broadcast_resend_confirm", id=broadcast_id, count=number(count))),
                             reply_markup=markup)  # fmt: skip


async def resend(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> None:
    """A new broadcast of the same text to those who got it but have not confirmed."""
    s = services(context)
    user, message = update.effective_user, update.effective_message
    broadcast = await _own_broadcast(update, context, broadcast_id)
    if message is None or user is None:
        return
    if broadcast is None:
        await refuse(update, context)
        return
    waiting = await _not_confirmed(s.db, broadcast_id)
    if not waiting:
        await message.reply_html(esc(s.text("tg_broadcast_resend_none")))
        return
    new_id, count = await broadcasts.create_broadcast(
        s.db, broadcast.text, Audience(), created_by=user.id, ack_requested=True, only=waiting
    )  # they got the original: their profile since does not matter, only (un)subscription
    log.info("broadcast %d: resend of %d to %d who did not confirm", new_id, broadcast_id, count)
    text = s.text("tg_broadcast_queued", id=new_id, count=number(count))
    await _start_progress(context, s, message.chat_id, new_id, text)


def _report_markup(s: Services, broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    if not broadcast.ack_requested:
        return None
    v, b = s.version, keyboards.broadcast_button
    return InlineKeyboardMarkup(
        [
            [b(v, s.text("tg_broadcast_button_acks"), "acks", broadcast.id)],
            [b(v, s.text("tg_broadcast_button_resend"), "resend", broadcast.id)],
        ]
    )


# --- progress and final report -------------------------------------------------------------


def progress_text(s: Services, report: broadcasts.Report) -> str:
    b, counts = report.broadcast, report.counts
    sent, total = number(counts.get("sent", 0)), number(report.total)
    if b.status == "done":
        return s.text("tg_broadcast_finished", id=b.id, sent=sent, total=total)
    if b.status == "cancelled":
        return s.text("tg_broadcast_stopped", id=b.id, sent=sent, total=total)
    return s.text("tg_broadcast_progress", id=b.id, sent=sent, total=total)


def report_text(s: Services, report: broadcasts.Report) -> str:
    counts = report.counts
    text = s.text(
        "tg_broadcast_report",
        id=report.broadcast.id,
        total=number(report.total),
        **{key: number(counts.get(key, 0)) for key in ("sent", "unreachable", "opted_out", "failed", "cancelled")},
    )
    if report.broadcast.status == "cancelled":
        text += "\n" + s.text("tg_broadcast_report_cancelled", sent=number(counts.get("sent", 0)))
    if report.problems:
        lines = [s.text("tg_broadcast_report_reasons")]
        lines += [
            s.text("tg_broadcast_report_problem", who=p.telegram_id, reason=(p.error or p.state)[:REASON_LENGTH])
            for p in report.problems[:REPORT_PROBLEMS_SHOWN]
        ]
        if len(report.problems) > REPORT_PROBLEMS_SHOWN:
            lines.append("…")
        text += "\n" + "\n".join(lines)
    return text


class ProgressReporter:
    """One task: every ``interval`` seconds, edit each running broadcast's progress message (only
    when its text changed) and, once a broadcast is done or cancelled, send the final report.

    State is in the database (``reported_at``), so a restart picks up where it stopped.
    """

    def __init__(self, application: Application, interval: float = PROGRESS_INTERVAL):
        self.application = application
        self.interval = interval
        self._shown: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def bot(self) -> Bot:
        return self.application.bot

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="broadcast-progress")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast progress: unexpected error")
            await asyncio.sleep(self.interval)

    async def tick(self) -> None:
        s: Services = self.application.bot_data["services"]
        for broadcast in await broadcasts.to_report(s.db):
            report = await broadcasts.broadcast_report(s.db, broadcast.id)
            finished = report.broadcast.status == "done" or (
                report.broadcast.status == "cancelled" and not self._in_flight(report)
            )
            markup = None if report.broadcast.status in ("done", "cancelled") else stop_markup(s, broadcast.id)
            await self._edit(report.broadcast, progress_text(s, report), markup)
            if finished:
                assert broadcast.progress_chat_id is not None
                try:
                    await self.bot.send_message(
                        broadcast.progress_chat_id,
                        plain_html(report_text(s, report))[0],
                        reply_markup=_report_markup(s, broadcast),
                    )
                except TelegramError as exc:
                    log.warning("broadcast %d: could not send the final report: %s", broadcast.id, exc)
                await broadcasts.mark_reported(s.db, broadcast.id)
                self._shown.pop(broadcast.id, None)

    @staticmethod
    def _in_flight(report: broadcasts.Report) -> bool:
        """A cancelled broadcast's last message may still be on its way: report once it is recorded
        (or, should the sender have stopped with it in flight, after ``CANCEL_SETTLE`` seconds)."""
        finished_at = report.broadcast.finished_at
        settled = finished_at is not None and (datetime.now(UTC) - finished_at).total_seconds() > CANCEL_SETTLE
        return report.counts.get("sending", 0) > 0 and not settled

    async def _edit(self, broadcast: Broadcast, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        html = esc(text)
        if self._shown.get(broadcast.id) == html:
            return
        self._shown[broadcast.id] = html
        try:  # editing without the keyboard would remove it: it is sent with every edit while running
            await self.bot.edit_message_text(
                html, chat_id=broadcast.progress_chat_id, message_id=broadcast.progress_message_id, reply_markup=markup,
            )  # fmt: skip
        except TelegramError as exc:  # deleted by the coordinator, or "not modified" after a restart
            log.info("broadcast %d: progress message not edited: %s", broadcast.id, exc)


# --- command menus -------------------------------------------------------------------------


COMMANDS = [
    (("siaran", "broadcast"), broadcast_command, "tg_command_broadcast"),
    (("batal_siaran", "cancel_broadcast"), stop_command, "tg_command_cancel_broadcast"),
]
