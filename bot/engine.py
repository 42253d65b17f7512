"""The answer engine: a question in, a sourced reply out (pure, synchronous).

Used alike by the console chat, the CLI, Telegram and the tests. Build it
once per content set; :meth:`Engine.ask` does no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content import checker, loader
from bot.content.knowledge import Entry, SourceRef, build_entries
from bot.content.loader import ContentSet
from bot.content.models import Messages
from bot.content.problems import ContentError, Problem
from bot.matching.decide import Status, Thresholds, decide
from bot.matching.index import Index, Query, Scored
from bot.matching.normalise import Rules, split_words
from bot.matching.score import Weights
from bot.matching.stem import Stemmer

# Longer messages are matched on their beginning only: nobody asks in more words.
MAX_QUESTION_CHARS = 500
# Where a chatty message breaks into clauses, and how many words a clause needs to answer alone.
CLAUSE_BREAK = re.compile(r"[,.;:!?\n]+")
MIN_CLAUSE_WORDS = 2
CONTEXT_RANKS = 3  # a clause's answer must be among this many best for the whole message


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    question: str
    score: float


@dataclass(frozen=True)
class Reply:
    question: str
    status: Status
    entry: Entry | None  # the answer's entry; None unless status is "answer"
    score: float  # best score, 0..100, whatever the status
    suggestions: tuple[Suggestion, ...] = ()
    empty: bool = False  # nothing left to match once greetings and punctuation are gone

    @property
    def answer(self) -> str | None:
        return self.entry.answer if self.entry else None

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        return self.entry.sources if self.entry else ()

    def to_dict(self) -> dict[str, object]:
        """The stable JSON shape of ``stunting-bot ask --json``."""
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "entry_id": self.entry.id if self.entry else None,
            "score": self.score,
            "sources": [source.to_dict() for source in self.sources],
            "suggestions": [
                {"entry_id": s.entry_id, "question": s.question, "score": s.score} for s in self.suggestions
            ],
        }


def matching_rules(content: ContentSet) -> Rules:
    """Lexicon replacements plus glossary contractions ("program keluarga harapan" -> "pkh").

    A term with several meanings (KPM) is not contracted: its expansions stay
    distinct words so questions about either meaning keep their own wording.
    """
    contractions: dict[str, str] = {}
    for term in content.glossary:
        for alias in term.aliases:
            contractions[alias] = term.term
        if len(term.meanings) == 1:
            contractions[term.meanings[0].expansion] = term.term
    lexicon = content.lexicon
    known = [*lexicon.stopwords, *lexicon.question_words, *lexicon.common_words]
    return Rules.build(lexicon.replacements, lexicon.fillers, contractions, lexicon.protected, known)


def matching_stemmer(content: ContentSet) -> Stemmer:
    """The affix stripper, leaving glossary terms and the lexicon's unstemmed words alone."""
    lexicon = content.lexicon
    words: set[str] = set()
    for name in [*lexicon.unstemmed, *lexicon.stopwords, *lexicon.fillers]:
        words.update(split_words(name))
    # One-word glossary terms stay whole ("posyandu"); words inside longer names do not.
    for term in content.glossary:
        for name in (term.term, *term.aliases):
            if len(parts := split_words(name)) == 1:
                words.add(parts[0])
    return Stemmer(frozenset(words))


class Engine:
    def __init__(
        self,
        content: ContentSet,
        thresholds: Thresholds = Thresholds(),
        weights: Weights = Weights(),
    ):
        self.content = content
        self.thresholds = thresholds
        self.entries = build_entries(content)
        self.by_id = {entry.id: entry for entry in self.entries}
        lexicon = content.lexicon
        self.index = Index(
            self.entries,
            matching_rules(content),
            lexicon.stopwords,
            weights,
            matching_stemmer(content),
            lexicon.question_words,
            lexicon.places,
        )

    @classmethod
    def from_directory(cls, content_dir: Path, seeds_dir: Path | None = None) -> Engine:
        """Load, check and index a content directory; raises ContentError on any error."""
        content, problems = load_and_check(content_dir, seeds_dir)
        errors = [p for p in problems if p.severity == "error"]
        if content is None or errors:
            raise ContentError(problems)
        return cls(content)

    @property
    def messages(self) -> Messages:
        return self.content.messages

    def ask(self, question: str) -> Reply:
        text = question[:MAX_QUESTION_CHARS]
        query = self.index.query(text)
        if query.is_empty:
            return Reply(question, "none", None, 0.0, empty=True)
        ranked = self.index.search(query)
        decision = decide(ranked, self.thresholds, vague=self.is_vague(query, ranked))
        if decision.status != "answer":
            decision = self._clause_answer(text, ranked) or decision
        best_score = decision.best.score if decision.best else 0.0
        if decision.status == "answer":
            assert decision.best is not None
            return Reply(question, "answer", self._entry(decision.best), best_score)
        return Reply(question, decision.status, None, best_score, tuple(self._suggest(s) for s in decision.suggestions))

    def _clause_answer(self, question: str, whole: list[Scored]):
        """A long chatty message ("pagi min, sy pendamping baru di tenggarong, itu koordinasi sm siapa
        aja ya?") is often one question after greetings and context. When the whole message is not
        answered, it is tried again without its first clause, then without its first two, … until
        one is answered: the question at the end always stays in, so a context clause never answers
        on its own, and as little as possible is dropped. The answer must also be among the best few
        for the whole message: the dropped context ("diklat fds di lembang") still has a say."""
        clauses = [c for c in CLAUSE_BREAK.split(question) if c.strip()]
        in_context = {scored.entry for scored in whole[:CONTEXT_RANKS]}
        for start in range(1, len(clauses)):  # as little dropped as possible: the first that answers
            query = self.index.query(" ".join(clauses[start:]))
            if len(query.tokens) < MIN_CLAUSE_WORDS:
                return None
            decision = decide(self.index.search(query), self.thresholds)
            if decision.status == "answer":
                return decision if decision.best.entry in in_context else None
        return None

    def is_vague(self, query: Query, ranked: list[Scored]) -> bool:
        """A lone keyword ("tanoto") names a subject, not a fact; only a glossary term answers it outright."""
        return len(query.tokens) == 1 and bool(ranked) and self.entries[ranked[0].entry].kind != "glossary"

    def ranked(self, question: str) -> list[tuple[Entry, float]]:
        """Every matching entry with its score, best first (for evaluation and checks)."""
        ranked = self.index.search(self.index.query(question[:MAX_QUESTION_CHARS]))
        return [(self._entry(s), s.score) for s in ranked]

    def related(self, entry: Entry) -> list[Entry]:
        return [self.by_id[rid] for rid in entry.related if rid in self.by_id]

    def _entry(self, scored: Scored) -> Entry:
        return self.entries[scored.entry]

    def _suggest(self, scored: Scored) -> Suggestion:
        entry = self._entry(scored)
        return Suggestion(entry.id, entry.question, scored.score)


def load_and_check(content_dir: Path, seeds_dir: Path | None = None) -> tuple[ContentSet | None, list[Problem]]:
    """Read, parse and cross-check a content directory (reads files; the checks are pure)."""
    content, problems = loader.parse(loader.read_files(content_dir, seeds_dir))
    if content is not None:
        problems += checker.check(content)
    return content, sorted(problems, key=lambda p: (p.severity != "error", p.file, p.entry or "", p.field or ""))
