"""A reply rendered as plain text for a person (console chat and ``ask``).

All wording comes from content/messages.yaml. Telegram renders the same parts
as HTML in its own module.
"""

from __future__ import annotations

from bot.content.knowledge import SourceRef
from bot.content.models import Messages
from bot.engine import Reply


def source_line(source: SourceRef, messages: Messages) -> str:
    if not source.is_seed:
        return messages.get("source_reference", title=source.title, issuer=source.issuer, year=source.year)
    if source.date:
        return messages.get("source_seed", title=source.title, date=source.date)
    return messages.get("source_seed_undated", title=source.title)


def source_block(sources: tuple[SourceRef, ...], messages: Messages, with_quotes: bool = False) -> str:
    lines = [messages.get("source_heading")]
    seen: set[str] = set()
    for source in sources:
        line = source_line(source, messages)
        if line not in seen:
            lines.append(f"• {line}")
            seen.add(line)
        if with_quotes and source.quote:
            lines.append("  " + messages.get("source_quote", quote=" ".join(source.quote.split())))
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
        text = f"{reply.answer}\n\n{source_block(reply.sources, messages, with_quotes)}"
        if reply.next_questions:
            intro = messages.get("answer_next_intro" if reply.alternatives else "answer_related_intro")
            text += "\n\n" + "\n".join([intro, *suggestion_lines(reply, messages)])
        return text
    if reply.status == "suggest":
        return "\n".join([messages.get("suggest_intro"), *suggestion_lines(reply, messages)])
    if reply.empty:
        return messages.get("empty_question")
    return f"{messages.get('none_answer')}\n{messages.get('none_hint')}"

