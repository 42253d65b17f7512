"""A small, known history of people, questions and 👍/👎, written through bot.storage (for report tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.reports.records import REPORT_TZ
from bot.storage import Database, log_question, record_feedback, register_user, set_region, set_role

FIRST_DAY = date(2026, 11, 1)
LAST_DAY = date(2026, 11, 3)

PEOPLE = [  # id, first name, username, role, kabupaten
    (101, "Siti", "siti_pkh", "pendamping_pkh", "Garut"),
    (102, "Budi", None, "tksk", "garut"),  # the same kabupaten typed in lower case
    (103, "Ani", "ani_tpk", "tpk", "Kutai Kartanegara"),
    (104, "Dewi", None, None, None),  # skipped the profile
]

# who, text, status, entry, day (0 = FIRST_DAY), vote
QUESTIONS = [
    (101, "berapa gaji pendamping pkh sebulan", "none", None, 0, None),
    (102, "brp gajih pendampng pkh sebulan?", "none", None, 1, None),
    (103, "gaji pendamping PKH brp sih", "none", None, 2, None),
    (101, "kapan pencairan bansos bpnt", "none", None, 1, None),
    (104, "kpn cair bpnt", "none", None, 2, None),
    (102, "berapa gaji tksk", "none", None, 2, None),
    (103, "halo kak", "none", None, 2, None),  # nothing to group once greetings are gone
    (101, "sasaran 1000 hpk sapa aja", "answer", "sasaran-1000-hpk", 0, 1),
    (102, "sasaran 1000 hpk siapa", "answer", "sasaran-1000-hpk", 1, 1),
    (104, "siapa sasaran program 1000 hpk", "answer", "sasaran-1000-hpk", 2, -1),
    (103, "brp peserta diklat fds lembang", "answer", "diklat-fds-peserta", 2, 1),
    (101, "tanoto", "suggest", None, 2, None),
]


def asked_at(day: int) -> str:
    """10:00 WIB on FIRST_DAY + day, stored as the bot stores times."""
    moment = datetime.combine(FIRST_DAY + timedelta(days=day), time(10), tzinfo=REPORT_TZ)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


async def seed(db: Database, backdate: bool = True) -> None:
    """The people and questions above; with ``backdate`` the questions are moved to their days."""
    for telegram_id, name, username, role, kabupaten in PEOPLE:
        await register_user(db, telegram_id, name, username, "id")
        if role:
            await set_role(db, telegram_id, role)
        if kabupaten:
            await set_region(db, telegram_id, kabupaten)
    for telegram_id, text, status, entry_id, day, vote in QUESTIONS:
        question_id = await log_question(db, telegram_id, "private", text, status, entry_id, 80.0)
        if backdate:  # the log always stamps "now"; a report needs history
            async with db.transaction() as conn:
                await conn.execute("UPDATE questions SET asked_at = ? WHERE id = ?", (asked_at(day), question_id))
        if vote is not None:
            await record_feedback(db, question_id, telegram_id, entry_id, vote)
