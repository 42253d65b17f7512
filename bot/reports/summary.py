"""Reports as short Indonesian text, every sentence from ``content/messages.yaml`` (pure).

The text is plain (no markup): the CLI prints it, Telegram escapes and splits it
(``bot.telegram.render.plain_html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.content.models import Messages
from bot.reports.records import REPORT_TZ
from bot.reports.stats import OTHER_REGIONS, RegionRow, Stats
from bot.reports.unanswered import QuestionGroup

ROLE_MESSAGE = "tg_role_{}"  # the labels the profile buttons use


def period(messages: Messages, since: date | None) -> str:
    """ "sejak 2026-11-01", or "sejak awal" without a start date."""
    return messages.get("report_period_since", date=since.isoformat()) if since else messages.get("report_period_all")


def moment(value: datetime, tz: ZoneInfo = REPORT_TZ) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M ") + (value.astimezone(tz).tzname() or "")


def role_label(messages: Messages, role: str | None) -> str:
    if role is None:
        return messages.get("report_role_unset")
    try:
        return messages.get(ROLE_MESSAGE.format(role))
    except KeyError:  # a role the content has no label for
        return role


def region_label(messages: Messages, region: str | None) -> str:
    if region is None:
        return messages.get("report_region_unset")
    return messages.get("report_region_other") if region == OTHER_REGIONS else region


def kabupaten_label(messages: Messages, row: RegionRow) -> str:
    """The kabupaten/kota's name, "Wilayah belum dipilih", or "5 kabupaten/kota lainnya"."""
    if row.unset:
        return messages.get("report_region_none")
    if row.other:
        return messages.get("report_region_others", count=row.regions)
    return row.name or str(row.code)


def percent(share: float | None) -> int:
    return round((share or 0) * 100)


def kabupaten_line(messages: Messages, row: RegionRow) -> str:
    """One row of the per-kabupaten section: questions, answered share, companions, broadcast reach."""
    name = kabupaten_label(messages, row)
    if row.asked:
        line = messages.get(
            "report_stats_kabupaten_item",
            name=name,
            asked=row.asked,
            answered=row.answered,
            percent=percent(row.answered_share),
            companions=row.companions,
        )
    else:
        line = messages.get("report_stats_kabupaten_item_quiet", name=name, companions=row.companions)
    if row.addressed:
        line = messages.get("report_stats_kabupaten_broadcast", item=line, sent=row.sent, addressed=row.addressed)
    return line


def kabupaten_section(stats: Stats, messages: Messages) -> list[str]:
    """The heading and one line per kabupaten/kota row; nothing when nobody has a region code."""
    if not stats.has_regions:
        return []
    return [messages.get("report_stats_kabupaten_heading"), *(kabupaten_line(messages, r) for r in stats.by_kabupaten)]


def unanswered_blocks(
    groups: Sequence[QuestionGroup],
    messages: Messages,
    *,
    since: date | None = None,
    limit: int | None = None,
) -> list[str]:
    """A heading, one block per group (most frequent first) and, past ``limit``, how many more.

    Names appear only when the groups were built with names.
    """
    when = period(messages, since)
    if not groups:
        return [messages.get("report_unanswered_empty", period=when)]
    questions = sum(group.count for group in groups)
    blocks = [messages.get("report_unanswered_header", groups=len(groups), questions=questions, period=when)]
    shown = groups if limit is None else groups[:limit]
    for number, group in enumerate(shown, start=1):
        lines = [
            messages.get(
                "report_unanswered_group",
                number=number,
                question=group.representative,
                count=group.count,
                unanswered=group.unanswered,
                disliked=group.disliked,
                last=moment(group.last_asked),
            )
        ]
        if group.examples:
            lines.append(messages.get("report_unanswered_examples", examples=" · ".join(group.examples)))
        if group.disliked_entries:
            lines.append(messages.get("report_unanswered_disliked", entries=", ".join(group.disliked_entries)))
        if group.person_answers:
            items = ", ".join(f"#{number}" for number in group.person_answers)
            lines.append(messages.get("report_unanswered_person", items=items))
        if group.askers:
            lines.append(messages.get("report_unanswered_names", names=", ".join(group.askers)))
        blocks.append("\n".join(lines))
    if len(shown) < len(groups):
        blocks.append(messages.get("report_unanswered_more", count=len(groups) - len(shown)))
    return blocks


def stats_summary(stats: Stats, messages: Messages, since: date | None = None) -> str:
    """A few lines: questions by status, feedback, the top entries, companions by role and region.

    Once anyone has an official region code the typed-name region line gives way to the
    per-kabupaten/kota section (questions, answered, companions, broadcast reach)."""
    lines = [
        messages.get("report_stats_title", period=period(messages, since or stats.first_day), days=len(stats.days)),
        messages.get(
            "report_stats_questions",
            total=stats.total(),
            answer=stats.total("answer"),
            suggest=stats.total("suggest"),
            none=stats.total("none"),
        ),
    ]
    if stats.urgent:
        lines.append(messages.get("report_stats_urgent", count=stats.urgent))
    if stats.handoffs.total:
        counts = stats.handoffs
        lines.append(messages.get("report_stats_handoffs", total=counts.total, answered=counts.answered,
                                  closed=counts.closed, open=counts.open, urgent=counts.urgent))  # fmt: skip
    if stats.up_ratio is None:
        lines.append(messages.get("report_stats_feedback_none"))
    else:
        lines.append(
            messages.get(
                "report_stats_feedback",
                up=stats.thumbs_up,
                down=stats.thumbs_down,
                percent=round(stats.up_ratio * 100),
            )
        )
    if stats.top_entries:
        lines.append(messages.get("report_stats_top_heading"))
        lines += [
            messages.get("report_stats_top_item", number=n, title=e.title, count=e.count)
            for n, e in enumerate(stats.top_entries[:5], start=1)
        ]
    lines.append(messages.get("report_stats_companions", count=stats.companions))
    if stats.by_role:
        items = ", ".join(f"{role_label(messages, role)} {count}" for role, count in stats.by_role)
        lines.append(messages.get("report_stats_roles", items=items))
    if stats.by_region and not stats.has_regions:
        items = ", ".join(f"{region_label(messages, region)} {count}" for region, count in stats.by_region)
        lines.append(messages.get("report_stats_regions", items=items))
    lines += kabupaten_section(stats, messages)
    return "\n".join(lines)
