"""A reply rendered as plain text for a person (console chat and ``ask``).

All wording comes from content/messages.yaml. Telegram renders the same parts
as HTML in its own module.
"""

from __future__ import annotations

from bot.content.knowledge import SourceRef
from bot.content.models import Messages
from bot.engine import Reply

# The note under an answer to a question about now: the source's date ({date}), or that it states none.
AS_OF_NOTE = "answer_as_of_note"
UNDATED_NOTE = "answer_undated_note"


def source_line(source: SourceRef, messages: Messages) -> str:
    """One source as a line: an article's title (with its outlet, where the seed index names one) and
    date as the article states it, or a reference's title, issuer and year."""
    if not source.is_seed:
        return messages.get("source_reference", title=source.title, issuer=source.issuer, year=source.year)
    title = f"{source.title}, {source.outlet}" if source.outlet else source.title
    if source.date:
        return messages.get("source_seed", title=title, date=source.date)
    return messages.get("source_seed_undated", title=title)


def as_of_note(reply: Reply, messages: Messages) -> str | None:
    """For an answer to a question about now ("siapa mensos sekarang?") whose entry has an ``as_of``:
    the source's date and that things may have changed since. None otherwise."""
    entry = reply.entry
    if not reply.asks_now or reply.status != "answer" or reply.follow_up or entry is None or entry.as_of is None:
        return None
    if entry.as_of_text is not None:
        return messages.get(AS_OF_NOTE, date=entry.as_of_text)
    return messages.get(UNDATED_NOTE)


def source_block(sources: tuple[SourceRef, ...], messages: Messages, with_quotes: bool = False) -> str:
    lines = [messages.get("source_heading")]
    seen: set[str] = set()
    for source in sources:
        line = source_line(source, messages)
        if line not in seen:
            lines.append(f"• {line}")
            seen.add(line)
        if with_quotes:
            for quote in source.passages:
                lines.append("  " + messages.get("source_quote", quote=quote))
    return "\n".join(lines)


def suggestion_lines(reply: Reply, messages: Messages) -> list[str]:
    """The numbered questions a person may pick next: the suggestions, or those under an answer."""
    offered = reply.next_questions if reply.status == "answer" else reply.suggestions
    return [
        messages.get("suggest_item", number=number, question=suggestion.question)
        for number, suggestion in enumerate(offered, start=1)
    ]


def reply_text(reply: Reply, messages: Messages, with_quotes: bool = False) -> str:
    """The whole reply as a person reads it."""
    if reply.small_talk:
        return messages.get(f"small_talk_{reply.small_talk}")
    if reply.follow_up == "source":
        return f"{messages.get('follow_up_source_intro')}\n{source_block(reply.sources, messages, with_quotes=True)}"
    if reply.follow_up == "more":
        intro = [reply.clarification] if reply.clarification else []
        if reply.suggestions:
            intro.append(messages.get("follow_up_more_intro"))
        return "\n".join([*intro, *suggestion_lines(reply, messages)])
    if reply.status == "answer":
        assert reply.answer is not None
        text = reply.answer
        if note := as_of_note(reply, messages):
            text += f"\n\n{note}"
        text += f"\n\n{source_block(reply.sources, messages, with_quotes)}"
        if reply.next_questions:
            heading = messages.get("answer_next_intro" if reply.alternatives else "answer_related_intro")
            text += "\n\n" + "\n".join([heading, *suggestion_lines(reply, messages)])
        return text
    if reply.status == "suggest":
        return "\n".join([messages.get("suggest_intro"), *suggestion_lines(reply, messages)])
    if reply.empty:
        return messages.get("empty_question")
    return f"{messages.get('none_answer')}\n{messages.get('none_hint')}"

