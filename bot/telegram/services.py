"""What every handler shares: the bot's services (engine, storage, settings) and the per-update
context that pins them to one content set."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.content.knowledge import Entry
from bot.engine import Engine
from bot.regions.catalogue import Catalogue
from bot.storage import Database, QuestionLog, questions
from bot.storage.questions import Status
from bot.telegram import keyboards
from bot.telegram.render import answer_html

SEARCH_MIN_SCORE = 23.0  # /cari and inline results need at least this score (0..100)


@dataclass
class Services:
    """What handlers need, stored in ``application.bot_data['services']``."""

    engine: Engine
    db: Database
    admin_ids: frozenset[int] = frozenset()
    question_log: QuestionLog | None = None  # write-behind; None: questions are written inline
    content_dir: Path | None = None  # for /muat_ulang
    seeds_dir: Path | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # follow-up of handed-off questions
    version: str = field(init=False)
    catalogue: Catalogue | None = field(init=False, default=None)  # the official regions (regions.yaml)
    # Per entry: its answer as HTML chunks. They depend only on the content set, so they are built
    # once per content set instead of once per question.
    _answer_parts: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.use(self.engine)

    def use(self, engine: Engine) -> None:
        """Serve this content set from now on (start-up and reload): no await, so no handler sees a mix."""
        catalogue = Catalogue.from_content(engine.content)
        self.engine, self.version, self._answer_parts = engine, keyboards.content_version(engine.entries), {}
        self.catalogue = catalogue

    def answer_parts(self, entry: Entry) -> list[str]:
        """The entry's answer as HTML chunks (built once, then shared)."""
        parts = self._answer_parts.get(entry.id)
        if parts is None:
            parts = self._answer_parts[entry.id] = answer_html(entry, self.engine.messages)
        return parts

    def text(self, key: str, **values: object) -> str:
        return self.engine.messages.get(key, **values)

    async def log_question(
        self, telegram_id: int | None, chat_type: str | None, text: str, status: Status, entry_id: str | None,
        score: float, urgent: bool = False,
    ) -> int:
        """Remember a question; with the write-behind log this does not wait for the database."""
        if self.question_log is not None:
            return self.question_log.record(telegram_id, chat_type, text, status, entry_id, score, urgent)
        return await questions.log_question(self.db, telegram_id, chat_type, text, status, entry_id, score, urgent)

    async def flush_questions(self) -> None:
        """Write the questions the write-behind log still holds (before reading or referring to them)."""
        if self.question_log is not None:
            await self.question_log.flush()

    def matches(self, query: str, limit: int) -> list[Entry]:
        """Entries worth listing for a search (/cari, inline mode): a looser bar than answering."""
        return [entry for entry, score in self.engine.ranked(query)[:limit] if score >= SEARCH_MIN_SCORE]


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's per-update context (set with ``ContextTypes(context=BotContext)``), with the bot's
    services pinned to the content set in use when the update's handling started."""

    @cached_property
    def services(self) -> Services:
        return copy.copy(self.application.bot_data["services"])  # shallow: same db, same content set


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services for this update. A reload swaps the content set on the shared object; an update
    keeps the set it started with, so no reply mixes an old answer with new buttons."""
    if isinstance(context, BotContext):
        return context.services
    return context.application.bot_data["services"]


def argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    """The text after a command ("/istilah KPM" -> "KPM")."""
    return " ".join(context.args or []).strip()
