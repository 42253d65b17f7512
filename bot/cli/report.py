"""Report commands on the bot's database (``BOT_DB_PATH``), for admins on the server.

    stunting-bot report unanswered [--since YYYY-MM-DD] [--format table|csv] [--names]
    stunting-bot report stats [--since YYYY-MM-DD] [--png FILE] [--by-region]
    stunting-bot report handoff [--all] [--format table|csv]

The database is only read. Dates are days in WIB (Asia/Jakarta). Bad input is one line on
stderr and exit 2.

``report handoff`` lists the questions handed to a person (``bot.storage.handoffs``) still waiting,
oldest first (``--all``: every state), with a summary line of counts. It shows the asker's role and
official region, never their name or Telegram id; for answered items, who answered. The table cuts
the question to 80 characters; CSV keeps the whole text and adds the times (ISO-8601, UTC).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.cli.admin import OfficialRegions
from bot.config import Settings
from bot.engine import Engine
from bot.reports.records import (
    REPORT_TZ,
    AskedQuestion,
    Companion,
    QuestionOutcome,
    Reach,
    Vote,
    day_start,
)
from bot.reports.stats import Stats, build_stats
from bot.reports.summary import kabupaten_label, moment, percent, stats_summary
from bot.reports.unanswered import group_with_engine
from bot.storage import Database
from bot.storage import handoffs as handoff_store
from bot.storage import reports as store
from bot.storage.handoffs import Handoff

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_STATS_DAYS = 30
CSV_COLUMNS = ("count", "unanswered", "disliked", "question", "last_asked", "other_wordings", "disliked_entries")
HANDOFF_COLUMNS = ("id", "age", "state", "urgent", "region", "asker role", "to admins", "question", "answered by")
HANDOFF_CSV_COLUMNS = (
    "id", "asked_at", "age_hours", "state", "urgent", "region_code", "region", "asker_role", "to_admins",
    "escalated_at", "question", "answered_by", "answered_at",
)  # fmt: skip
QUESTION_WIDTH = 80  # characters of a question shown in the handoff table


class UsageError(ValueError):
    """Bad input from the operator: printed as one line, exit 2."""


def add_commands(commands: Any) -> None:
    report = commands.add_parser("report", help="reports: unanswered questions, usage statistics, the handoff queue")
    report_commands = report.add_subparsers(title="report commands", metavar="ACTION", required=True)
    unanswered = report_commands.add_parser(
        "unanswered", help="questions the bot could not answer or whose answer got 👎, grouped"
    )
    unanswered.add_argument("--since", metavar="YYYY-MM-DD", help="only questions from this day on (WIB)")
    unanswered.add_argument("--format", choices=("table", "csv"), default="table", help="table (default) or CSV")
    unanswered.add_argument("--names", action="store_true", help="also show who asked (personal data)")
    unanswered.set_defaults(handler=_unanswered)
    stats = report_commands.add_parser("stats", help="questions per day, top entries, 👍/👎, companions")
    stats.add_argument(
        "--since", metavar="YYYY-MM-DD", help=f"from this day on (WIB; default: the last {DEFAULT_STATS_DAYS} days)"
    )
    stats.add_argument("--png", metavar="FILE", help="also write the chart to this PNG file")
    stats.add_argument(
        "--by-region", action="store_true", help="also print a table per kabupaten/kota (questions, companions, reach)"
    )
    stats.set_defaults(handler=_stats)
    handoff = report_commands.add_parser(
        "handoff", help="questions handed to a person: the open ones, oldest first (no askers' names)"
    )
    handoff.add_argument("--all", action="store_true", help="every item: open, answered and closed")
    handoff.add_argument("--format", choices=("table", "csv"), default="table", help="table (default) or CSV")
    handoff.set_defaults(handler=_handoff)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r} is not a date such as 2026-11-01") from None


def today() -> date:
    return datetime.now(REPORT_TZ).date()


def default_stats_since() -> date:
    return today() - timedelta(days=DEFAULT_STATS_DAYS - 1)


def _engine(args: argparse.Namespace, settings: Settings) -> Engine:
    """The content (for titles, messages and the normaliser), honouring --content and --seeds."""
    return Engine.from_directory(args.content or settings.content_dir, args.seeds or settings.seeds_dir)


def regency_names(engine: Engine) -> dict[str, str]:
    """Official kabupaten/kota names by code, from content/regions.yaml (empty without it)."""
    regions = engine.content.regions
    return {regency.code: regency.name for regency in regions.regencies} if regions else {}


def region_table(stats: Stats, engine: Engine) -> Table:
    """The per-kabupaten/kota rows of ``stats`` as a rich table."""
    table = Table(title="per kabupaten/kota, most questions first (sent/addressed: broadcast messages)")
    columns = ("kabupaten/kota", "code", "questions", "answered", "answered %", "companions", "sent", "addressed")
    for column in columns:
        table.add_column(column, overflow="fold", justify="left" if column in columns[:2] else "right")
    for row in stats.by_kabupaten:
        share = "-" if row.answered_share is None else f"{percent(row.answered_share)}%"
        code = "" if row.unset or row.other else str(row.code)
        numbers = (row.asked, row.answered, share, row.companions, row.sent, row.addressed)
        table.add_row(Text(kabupaten_label(engine.messages, row)), code, *(str(n) for n in numbers))
    return table


def _unanswered(args: argparse.Namespace, settings: Settings) -> int:
    try:
        since = parse_day(args.since) if args.since else None
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    engine = _engine(args, settings)

    async def fetch() -> list[AskedQuestion]:
        async with await Database.open(settings.db_path) as db:
            return await store.unanswered_questions(db, day_start(since) if since else None)

    groups = group_with_engine(asyncio.run(fetch()), engine, with_names=args.names)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS + (("asked_by",) if args.names else ()))
        for group in groups:
            row = [
                group.count, group.unanswered, group.disliked, group.representative, group.last_asked.isoformat(),
                " | ".join(group.examples), " ".join(group.disliked_entries),
            ]  # fmt: skip
            writer.writerow(row + ([", ".join(group.askers)] if args.names else []))
        return EXIT_OK
    console = Console(soft_wrap=False)
    questions = sum(group.count for group in groups)
    table = Table(
        title=f"{questions} unanswered or disliked question(s) in {len(groups)} group(s)"
        + (f" since {since.isoformat()}" if since else "")
    )
    for column in ("#", "count", "none", "👎", "question", "other wordings", "last asked (WIB)"):
        table.add_column(column, overflow="fold", justify="right" if column in ("#", "count", "none", "👎") else "left")
    if args.names:
        table.add_column("asked by", overflow="fold")
    for number, group in enumerate(groups, start=1):
        cells = [
            str(number), str(group.count), str(group.unanswered), str(group.disliked), group.representative,
            "\n".join(group.examples), moment(group.last_asked),
        ]  # fmt: skip
        table.add_row(*cells, *([", ".join(group.askers)] if args.names else []))
    console.print(table)
    return EXIT_OK


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    try:
        since = parse_day(args.since) if args.since else default_stats_since()
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    engine = _engine(args, settings)

    async def fetch() -> tuple[list[QuestionOutcome], list[Vote], list[Companion], list[Reach]]:
        async with await Database.open(settings.db_path) as db:
            start = day_start(since)
            return (
                await store.question_outcomes(db, start),
                await store.votes(db, start),
                await store.companions(db),
                await store.broadcast_reach(db, start),
            )

    questions, votes, people, reach = asyncio.run(fetch())
    titles = {entry.id: entry.question for entry in engine.entries}
    stats = build_stats(
        questions, votes, people, today=today(), since=since, titles=titles, reach=reach, names=regency_names(engine)
    )
    Console(soft_wrap=True).print(stats_summary(stats, engine.messages, since), markup=False, highlight=False)
    if args.by_region:
        Console(soft_wrap=False).print(region_table(stats, engine))
    if args.png:
        from bot.reports.chart import (
            render_chart,  # matplotlib only when a chart is asked for
        )

        try:
            with open(args.png, "wb") as file:
                file.write(render_chart(stats, engine.messages, since))
        except OSError as exc:
            print(f"error: cannot write {args.png}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        Console().print(f"chart written to {args.png}", markup=False, highlight=False)
    return EXIT_OK


# --- the handoff queue ---------------------------------------------------------------------


def age(asked_at: datetime, now: datetime) -> str:
    """How long an item has waited: "45 min", "5 hours", "3 days"."""
    minutes = max(int((now - asked_at).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes // (24 * 60)} days"


def cut(text: str, width: int = QUESTION_WIDTH) -> str:
    """The text on one line, at most ``width`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def passed_on(item: Handoff) -> str:
    """Whether the admins have it: escalated (waited too long) or passed on by a responder."""
    if item.escalated_at is not None:
        return "escalated"
    return "passed on" if item.to_admins else ""


def answered_by(item: Handoff) -> str:
    """Who answered an answered item ("Rina (responder)"); their name goes when they delete their data."""
    if item.state != "answered":
        return ""
    who = item.answerer_name or (str(item.answered_by) if item.answered_by is not None else "deleted person")
    return f"{who} ({item.answerer_role})" if item.answerer_role else who


def handoff_summary(counts: dict[str, int]) -> str:
    return (
        f"handoff queue: {counts['open']} open ({counts['urgent_open']} urgent), "
        f"{counts['answered']} answered, {counts['closed']} closed"
    )


def _handoff(args: argparse.Namespace, settings: Settings) -> int:
    updates = {key: value for key, value in (("content_dir", args.content), ("seeds_dir", args.seeds)) if value}
    official = OfficialRegions(settings.model_copy(update=updates))

    async def fetch() -> tuple[list[Handoff], dict[str, int]]:
        async with await Database.open(settings.db_path) as db:
            items = await handoff_store.all_items(db) if args.all else await handoff_store.open_items(db)
            return items, await handoff_store.count_by_state(db)

    items, counts = asyncio.run(fetch())
    now = datetime.now(UTC)

    def region(item: Handoff) -> str:
        return official.short_label(item.region_code) if item.region_code else "-"

    def region_name(item: Handoff) -> str:  # CSV: the name alone, the code has its own column
        if not item.region_code or official.catalogue is None:
            return ""
        return official.catalogue.short_label(item.region_code)

    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HANDOFF_CSV_COLUMNS)
        for item in items:
            writer.writerow([
                item.id, item.asked_at.astimezone(UTC).isoformat(), round((now - item.asked_at).total_seconds() / 3600, 1),
                item.state, int(item.urgent), item.region_code or "", region_name(item),
                item.asker_role or "", int(item.to_admins),
                item.escalated_at.astimezone(UTC).isoformat() if item.escalated_at else "", item.text, answered_by(item),
                item.answered_at.astimezone(UTC).isoformat() if item.answered_at else "",
            ])  # fmt: skip
        return EXIT_OK
    console = Console(soft_wrap=False)
    console.print(handoff_summary(counts), markup=False, highlight=False)
    if not items:
        empty = not any(counts.values())  # with --all, nothing listed means nothing stored
        message = (
            "the handoff queue is empty: no question has been handed to a person"
            if empty
            else "no open questions handed to a person; --all lists the answered and closed ones"
        )
        console.print(message, markup=False, highlight=False)
        return EXIT_OK
    table = Table(title=("every question handed to a person" if args.all else "open questions handed to a person") + ", oldest first")
    for column in HANDOFF_COLUMNS:
        table.add_column(column, overflow="fold", justify="right" if column == "id" else "left")
    for item in items:
        table.add_row(
            str(item.id), age(item.asked_at, now), item.state, "yes" if item.urgent else "", Text(region(item)),
            Text(item.asker_role or "-"), passed_on(item), Text(cut(item.text)), Text(answered_by(item)),
        )  # fmt: skip
    console.print(table)
    return EXIT_OK
