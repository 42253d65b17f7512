"""How big does the SQLite database get? 10,000 companions, one year, through ``bot.storage``.

Fills a temporary database with the bot's own storage functions and reports the file size, the
size per table and index (SQLite's ``dbstat``), the size with a 180-day question retention, and
how long ``stunting-bot db backup`` takes on it. Not a test: it prints a summary and writes
``benchmarks/results/storage_size.json``.

Assumptions (all flags; the defaults are the documented run):

* ``--companions 10000`` people, each registered (name, username for 70 %, language ``id``) with
  a role and a kabupaten/kecamatan, as after onboarding.
* ``--per-week 3`` questions per companion per week for ``--weeks 52`` weeks, written through
  ``QuestionLog`` (the bot's write path). Texts are drawn from the dev question set (realistic
  informal questions, mean 36 characters); decisions 70 % answer, 15 % suggest, 15 % none.
* ``--feedback 0.10``: one 👍/👎 on 10 % of answered questions (``record_feedback``).
* ``--broadcasts 24`` broadcasts a year (two a month) to everyone (``create_broadcast``: one
  delivery row per person), a 300-character text; every third asks for a read confirmation.
  Outcomes as the sender writes them: 97 % sent with a message id, 2 % unreachable with
  Telegram's error text, 1 % opted out; 60 % of the asked ones confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.storage import Database, QuestionLog, record_feedback, register_user, set_region, set_role  # noqa: E402
from bot.storage import broadcasts as broadcast_store  # noqa: E402
from bot.storage.backup import backup  # noqa: E402

ROLES = ("pendamping_pkh", "tksk", "tpk", "kpm_kader", "lainnya")
KABUPATEN = ("Garut", "Kutai Kartanegara", "Jakarta Pusat", "Bandung Barat", "Lombok Timur", "Kupang", "Brebes", "Sumba Barat Daya")
NAMES = ("Siti", "Dewi", "Rina", "Nur", "Agus", "Budi", "Wahyu", "Sri", "Yuni", "Ahmad", "Rahmawati", "Fitriani")
BROADCAST = (
    "Yth. para pendamping, rapat koordinasi konvergensi stunting tingkat kecamatan diadakan Kamis pukul "
    "09.00 WIB di aula kantor camat. Mohon membawa data keluarga sasaran 1000 HPK (ibu hamil, bayi, balita) "
    "yang didampingi dan catatan kunjungan bulan ini. Konfirmasi kehadiran kepada koordinator kabupaten. Terima kasih."
)[:300]


def question_texts() -> list[str]:
    data = yaml.safe_load((REPO / "tests" / "dev_questions.yaml").read_text(encoding="utf-8"))
    return [item["q"] for part in ("in_scope", "out_of_scope") for item in data.get(part, [])]


def entry_ids() -> list[str]:
    ids = []
    for path in sorted((REPO / "content" / "faq").glob("*.yaml")):
        ids += [item["id"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return ids


async def fill(path: Path, args: argparse.Namespace, rng: random.Random) -> dict[str, int]:
    texts, ids = question_texts(), entry_ids()
    counts = {"users": 0, "questions": 0, "feedback": 0, "broadcasts": 0, "deliveries": 0}
    async with await Database.open(path) as db:
        people = list(range(100_000_001, 100_000_001 + args.companions))
        for telegram_id in people:
            username = f"pendamping{telegram_id % 10**6}" if rng.random() < 0.7 else None
            await register_user(db, telegram_id, rng.choice(NAMES), username, "id")
            await set_role(db, telegram_id, rng.choice(ROLES))  # type: ignore[arg-type]
            kabupaten = rng.choice(KABUPATEN)
            await set_region(db, telegram_id, kabupaten, f"Kecamatan {rng.randrange(1, 40)}")
        counts["users"] = len(people)

        log = QuestionLog(db)
        await log.start()
        answered: list[tuple[int, int, str]] = []
        total = args.companions * args.per_week * args.weeks
        for n in range(total):
            telegram_id = people[n % len(people)]
            roll = rng.random()
            status = "answer" if roll < 0.70 else "suggest" if roll < 0.85 else "none"
            entry = rng.choice(ids) if status != "none" else None
            score = round(rng.uniform(80, 100) if status == "answer" else rng.uniform(40, 80), 2)
            question_id = log.record(telegram_id, "private", rng.choice(texts), status, entry, score)  # type: ignore[arg-type]
            if status == "answer" and rng.random() < args.feedback:
                answered.append((question_id, telegram_id, entry or ""))
            if n % 20_000 == 19_999:
                await log.flush()
        await log.close()
        counts["questions"] = total
        for question_id, telegram_id, entry in answered:
            await record_feedback(db, question_id, telegram_id, entry, 1 if rng.random() < 0.8 else -1)
        counts["feedback"] = len(answered)

        for b in range(args.broadcasts):
            broadcast_id, recipients = await broadcast_store.create_broadcast(
                db, BROADCAST, ack_requested=(b % 3 == 0), created_by=people[0]
            )
            counts["broadcasts"] += 1
            counts["deliveries"] += recipients
            await outcomes(db, broadcast_id, b % 3 == 0, rng)
    return counts


async def outcomes(db: Database, broadcast_id: int, ack: bool, rng: random.Random) -> None:
    """Close every delivery row as the sender and the confirmations would (bulk, parameterised)."""
    rows = await db.fetch_all("SELECT telegram_id FROM deliveries WHERE broadcast_id = ?", (broadcast_id,))
    now = "2026-11-22T08:00:00.000+00:00"
    sent, other = [], []
    for index, row in enumerate(rows):
        roll = rng.random()
        if roll < 0.97:
            confirmed = now if ack and rng.random() < 0.6 else None
            sent.append((1000 + index, now, confirmed, broadcast_id, row["telegram_id"]))
        elif roll < 0.99:
            other.append(("unreachable", "Forbidden: bot was blocked by the user", now, broadcast_id, row["telegram_id"]))
        else:
            other.append(("opted_out", None, now, broadcast_id, row["telegram_id"]))
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE deliveries SET state = 'sent', attempts = 1, message_id = ?, updated_at = ?, acknowledged_at = ?"
            " WHERE broadcast_id = ? AND telegram_id = ?",
            sent,
        )
        await conn.executemany(
            "UPDATE deliveries SET state = ?, attempts = 1, error = ?, updated_at = ? WHERE broadcast_id = ? AND telegram_id = ?",
            other,
        )
        await conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ?, reported_at = ? WHERE id = ?",
            (now, now, broadcast_id),
        )


def table_sizes(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    conn.close()
    return {name: int(size) for name, size in rows}


def with_retention(path: Path, out: Path, weeks: int, keep_days: int) -> int:
    """The file size when only the last ``keep_days`` of questions are kept (deletes from ``path``!)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    total = conn.execute("SELECT max(id) FROM questions").fetchone()[0] or 0
    keep = round(total * min(1.0, keep_days / (weeks * 7)))
    conn.execute("DELETE FROM questions WHERE id <= ?", (total - keep,))  # feedback goes with them
    conn.execute("VACUUM INTO ?", (str(out),))
    conn.close()
    return out.stat().st_size


def mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companions", type=int, default=10_000)
    parser.add_argument("--per-week", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--feedback", type=float, default=0.10)
    parser.add_argument("--broadcasts", type=int, default=24)
    parser.add_argument("--retention-days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "storage_size.json")
    parser.add_argument("--keep", type=Path, help="also save the filled database here (e.g. to try backups on)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bot.sqlite3"
        started = time.perf_counter()
        counts = asyncio.run(fill(path, args, rng))
        fill_s = time.perf_counter() - started
        size = path.stat().st_size  # closed: the WAL is checkpointed into the file
        started = time.perf_counter()
        copy = backup(path, Path(tmp) / "backup.sqlite3")
        backup_s = time.perf_counter() - started
        sizes = table_sizes(path)
        if args.keep:
            backup(path, args.keep, force=True)
        retained = with_retention(path, Path(tmp) / "retained.sqlite3", args.weeks, args.retention_days)
    questions_part = sum(v for k, v in sizes.items() if k == "questions" or k.startswith("questions_"))
    deliveries_part = sum(v for k, v in sizes.items() if "deliveries" in k)  # incl. its primary-key index
    result = {
        "assumptions": {k: v for k, v in vars(args).items() if k not in ("json", "keep")},
        "rows": counts,
        "file_bytes": size,
        "backup_bytes": copy.size,
        "backup_seconds": round(backup_s, 2),
        "fill_seconds": round(fill_s, 1),
        "bytes_per_question_incl_indexes": round(questions_part / max(1, counts["questions"]), 1),
        "bytes_per_delivery_incl_indexes": round(deliveries_part / max(1, counts["deliveries"]), 1),
        f"file_bytes_with_{args.retention_days}_day_question_retention": retained,
        "per_table_and_index_bytes": sizes,
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "platform": platform.platform()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{counts['users']:,} companions, {counts['questions']:,} questions, {counts['feedback']:,} votes, "
          f"{counts['broadcasts']} broadcasts / {counts['deliveries']:,} delivery rows (filled in {fill_s:.0f} s)")  # fmt: skip
    print(f"database file: {mb(size)}; backup: {mb(copy.size)} in {backup_s:.2f} s")
    print(f"with {args.retention_days}-day question retention: {mb(retained)}")
    print(f"per question (row + indexes): {result['bytes_per_question_incl_indexes']} B; "
          f"per delivery row: {result['bytes_per_delivery_incl_indexes']} B")  # fmt: skip
    for name, table_size in sizes.items():
        print(f"  {name:32} {mb(table_size):>10}")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
