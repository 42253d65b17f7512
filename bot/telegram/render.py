"""Replies rendered as Telegram HTML, in one place (pure).

Every piece of text that comes from content or from people is escaped; the only
markup is the few tags added here. Long replies are split into messages of at
most 4096 characters on block or word boundaries, never inside a tag or an
HTML entity.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from bot.content.knowledge import Entry
from bot.content.models import TELEGRAM_TEXT_LIMIT, Messages
from bot.reply_text import source_line


def esc(text: object) -> str:
    return escape(str(text), quote=False)


def answer_html(entry: Entry, messages: Messages) -> list[str]:
    """The answer, then where it comes from (titles and dates; /sumber shows the quotes)."""
    sources = [f"• {esc(line)}" for line in dict.fromkeys(source_line(s, messages) for s in entry.sources)]
    return split_blocks([esc(entry.answer), f"<b>{esc(messages.get('source_heading'))}</b>\n" + "\n".join(sources)])


def sources_html(entry: Entry, messages: Messages, intro: str | None = None) -> list[str]:
    """Every source of an entry in full: title, date and the quoted passage (after ``intro``)."""
    blocks = [esc(intro)] if intro else []
    blocks.append(f"<b>{esc(entry.question)}</b>")
    for source in entry.sources:
        block = f"<b>{esc(source_line(source, messages))}</b>"
        for passage in source.passages:
            block += f"\n<blockquote>{esc(passage)}</blockquote>"
        if source.url and not source.quote:
            block += f"\n{esc(source.url)}"
        blocks.append(block)
    return split_blocks(blocks)


def plain_html(*paragraphs: str) -> list[str]:
    """Plain message text (from messages.yaml or people), escaped and split."""
    return split_blocks([esc(p) for p in paragraphs if p])


def split_blocks(blocks: Iterable[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Pack blocks (each valid HTML on its own) into messages of at most ``limit`` characters."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks or [""]


def _fit(block: str, limit: int) -> list[str]:
    """A block longer than a message is cut at whitespace; escaped text has no tags to break."""
    if len(block) <= limit:
        return [block]
    pieces: list[str] = []
    rest = block
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else _safe_cut(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _safe_cut(text: str, limit: int) -> int:
    """A hard cut that does not split an HTML entity such as &amp;."""
    amp = text.rfind("&", max(0, limit - 8), limit)
    return amp if amp > 0 and ";" in text[amp:limit + 8] and text.find(";", amp) >= limit else limit
