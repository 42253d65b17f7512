"""Inline keyboards and their callback data (pure).

Callback data is ``<version>|<kind>|<args…>`` and never longer than Telegram's
64 bytes. The version is a short fingerprint of the content set, so a button
pressed after the content changed is recognised: if its entry still exists it
is answered, otherwise the person is told kindly that the button is outdated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.knowledge import Entry

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
BUTTON_TEXT_LIMIT = 60  # characters shown on a button before "…"

# kinds
ANSWER = "a"  # a: entry id
FEEDBACK = "f"  # f: question log id, +1 | -1, entry id
TOPIC = "t"  # t: topic id, page
TOPICS = "T"  # T: back to the topic list
ROLE = "r"  # r: role | skip
REGION = "g"  # g: level (2 kabupaten/kota, 3 kecamatan, 4 desa; k: a kecamatan offered at the kabupaten
#   prompt), region code | "-" (type again)
BROADCAST = "b"  # b: step of the /siaran draft, optional value (handled by bot.telegram.broadcast_commands)
ACK = "k"  # k: broadcast id ("Sudah dibaca ✅" under a broadcast)
ACK_VERSION = "0"  # read buttons outlive content versions
DELETE_DATA = "d"  # d: ok | no, confirmation nonce (the /hapus_data confirmation)
HANDOFF = "h"  # h: action, item or question id … (questions handed to a person: bot.telegram.handoff)


def pattern(kind: str) -> str:
    """The ``CallbackQueryHandler`` pattern of one kind's callback data (with or without arguments)."""
    return rf"^[^|]*\|{re.escape(kind)}(?:\||$)"


@dataclass(frozen=True)
class Callback:
    version: str
    kind: str
    args: tuple[str, ...]


def content_version(entries: Sequence[Entry]) -> str:
    """Six hex digits that change whenever an entry id or question changes."""
    digest = hashlib.sha1("\n".join(f"{e.id}:{e.question}" for e in entries).encode("utf-8"))
    return digest.hexdigest()[:6]


def pack(version: str, kind: str, *args: object) -> str:
    data = "|".join([version, kind, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def unpack(data: str | None) -> Callback | None:
    parts = (data or "").split("|")
    if len(parts) < 2 or not parts[1]:
        return None
    return Callback(parts[0], parts[1], tuple(parts[2:]))


def is_id(text: str) -> bool:
    """Whether a callback or command argument is a number the bot stores: ASCII digits only ("²" is a
    digit to ``str.isdigit`` but not to ``int``) and at most 18 of them (SQLite's integers are 64-bit)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BUTTON_TEXT_LIMIT else text[: BUTTON_TEXT_LIMIT - 1].rstrip() + "…"


def question_buttons(version: str, entries: Sequence[Entry]) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton(label(e.question), callback_data=pack(version, ANSWER, e.id))] for e in entries]


def answer_keyboard(
    version: str, related_rows: Sequence[list[InlineKeyboardButton]], question_id: int | None, entry_id: str
) -> InlineKeyboardMarkup:
    """Related-question rows (from question_buttons; buttons are immutable and may be shared), then 👍/👎."""
    rows = list(related_rows)
    if question_id is not None:
        rows.append(
            [
                InlineKeyboardButton("👍", callback_data=pack(version, FEEDBACK, question_id, "+1", entry_id)),
                InlineKeyboardButton("👎", callback_data=pack(version, FEEDBACK, question_id, "-1", entry_id)),
            ]
        )
    return InlineKeyboardMarkup(rows)


def suggestion_keyboard(version: str, entries: Sequence[Entry]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(question_buttons(version, entries))


def topics_keyboard(version: str, topics: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """topics: (id, title) pairs."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(title), callback_data=pack(version, TOPIC, tid, 1))] for tid, title in topics]
    )


def topic_page_keyboard(
    version: str, topic_id: str, entries: Sequence[Entry], page: int, pages: int, texts: dict[str, str]
) -> InlineKeyboardMarkup:
    rows = question_buttons(version, entries)
    navigation = []
    if page > 1:
        navigation.append(InlineKeyboardButton(texts["previous"], callback_data=pack(version, TOPIC, topic_id, page - 1)))
    if page < pages:
        navigation.append(InlineKeyboardButton(texts["next"], callback_data=pack(version, TOPIC, topic_id, page + 1)))
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton(texts["topics"], callback_data=pack(version, TOPICS))])
    return InlineKeyboardMarkup(rows)


def role_keyboard(version: str, roles: Sequence[tuple[str, str]], skip: str) -> InlineKeyboardMarkup:
    """roles: (role id, label) pairs; two per row, then a skip button."""
    buttons = [InlineKeyboardButton(text, callback_data=pack(version, ROLE, role)) for role, text in roles]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(skip, callback_data=pack(version, ROLE, "skip"))])
    return InlineKeyboardMarkup(rows)


def ack_keyboard(broadcast_id: int, text: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=pack(ACK_VERSION, ACK, broadcast_id))]])


def broadcast_button(version: str, text: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(version, BROADCAST, action, *args))


def delete_data_keyboard(version: str, nonce: str, yes: str, no: str) -> InlineKeyboardMarkup:
    """ "Ya, hapus" / "Batal" under the /hapus_data question; the nonce makes it single-use."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(yes, callback_data=pack(version, DELETE_DATA, "ok", nonce)),
          InlineKeyboardButton(no, callback_data=pack(version, DELETE_DATA, "no", nonce))]]
    )  # fmt: skip


HANDOFF_VERSION = "0"  # handoff buttons outlive content versions (the queue does not depend on them)


def handoff_button(text: str, action: str, *args: object) -> InlineKeyboardButton:
    """A button of a question handed to a person (``h|action|…``, bot.telegram.handoff)."""
    return InlineKeyboardButton(text, callback_data=pack(HANDOFF_VERSION, HANDOFF, action, *args))
