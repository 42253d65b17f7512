"""The answer engine: a question in, a sourced reply out (pure, synchronous).

Used alike by the console chat, the CLI, Telegram and the tests. Build it
once per content set; :meth:`Engine.ask` does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content import checker, loader
from bot.content.knowledge import Entry, SourceRef, build_entries, glossary_id
from bot.content.loader import ContentSet
from bot.content.models import Messages
from bot.content.problems import ContentError, Problem
from bot.content.regions import place_words
from bot.matching import features
from bot.matching.calibration import DecisionModel, load_model
from bot.matching.conversation import ConversationRules, clauses
from bot.matching.decide import Confidence, Decision, Status, Thresholds, decide
from bot.matching.follow_up import FollowUps
from bot.matching.index import Index, Query, Scored
from bot.matching.normalise import Rules, split_words
from bot.matching.score import Weights
from bot.matching.stem import Stemmer
from bot.matching.urgency import UrgencyDetector

# Longer messages are matched on their beginning only: nobody asks in more words.
MAX_QUESTION_CHARS = 500
# Questions offered under an answer: its close runners-up, then (at most RELATED_SHOWN of) its
# related questions, ANSWER_BUTTONS in all.
RELATED_SHOWN = 3
ANSWER_BUTTONS = 4
# How many words a sub-message needs to be tried on its own.
MIN_CLAUSE_WORDS = 2
CONTEXT_RANKS = 3  # a sub-message's answer must be among this many best for the whole message
# At most this many versions of one message are scored (the whole one included): the work
# per message is bounded whatever its shape (many short clauses cost no more than a few).
MAX_CANDIDATES = 6
# A follow-up this short (in words, after normalisation) is read together with the question before it.
FOLLOW_UP_WORDS = 5
# How long after an answer the shells pass its entry as ``previous`` (follow-ups refer to it).
FOLLOW_UP_WINDOW_S = 600.0
MAX_CLAUSES = 12  # the last this many clauses of a message are looked at for its question
# A word used by at least this share of a topic's entries names the topic's subject, not what is asked.
SUBJECT_SHARE = 0.3


@dataclass(frozen=True)
class Reading:
    """One way of reading a message (the whole, or a sub-message) with its best entries."""

    query: Query
    ranked: list[Scored]
    eligible: bool  # may decide: the whole message, or its entry is among the whole's best few
    features: tuple[float, ...]
    vague: bool = False  # one keyword naming a subject (the whole message only)
    context: bool = False  # read together with the previous question: only when nothing else answers
    term: bool = False  # the message is a glossary term alone ("KPM"): its definition answers it
    stranger: bool = False  # names an acronym the content has never seen ("UNICEF"): never "unopposed"

    def confidence(self, model: DecisionModel) -> Confidence:
        if not self.ranked:
            return Confidence(0.0, 0.0)
        return Confidence(
            model.answer.probability(self.features),
            model.domain.probability(self.features),
            features.unopposed(self.features) and not self.stranger,
        )


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
    small_talk: str | None = None  # "greeting", "thanks" or "ack": not a question at all
    follow_up: str | None = None  # "source" or "more": about the previous answer (its entry)
    clarification: str | None = None  # for "more": the previous entry's plain restatement, if it has one
    confidence: Confidence = Confidence(0.0, 0.0)
    # For an answer: the entries that came close to it ("did you mean …?"), best first, and the
    # questions offered under it (those, then its related questions; Engine.next_questions).
    alternatives: tuple[Suggestion, ...] = ()
    next_questions: tuple[Suggestion, ...] = ()
    # the question asks about the present ("sekarang", "saat ini", "masih"; content/lexicon.yaml now_words):
    # an answer whose entry has an as_of date then says the source's date and that it may have changed
    asks_now: bool = False

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
            "confidence": round(self.confidence.answer, 4),
            "small_talk": self.small_talk,
            "follow_up": self.follow_up,
            "next_questions": [{"entry_id": s.entry_id, "question": s.question} for s in self.next_questions],
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
    # Region names are not typos of content words ("tabalong" is not "tabel").
    known = [*lexicon.stopwords, *lexicon.question_words, *lexicon.common_words, *region_places(content)]
    return Rules.build(lexicon.replacements, lexicon.fillers, contractions, lexicon.protected, known)


def region_places(content: ContentSet) -> tuple[str, ...]:
    """The place words of content/regions.yaml's official names (bot.content.regions)."""
    return place_words(content.regions, content.lexicon.region_generic_words)


def matching_stemmer(content: ContentSet) -> Stemmer:
    """The affix stripper, leaving glossary terms and the lexicon's unstemmed words alone."""
    lexicon = content.lexicon
    words: set[str] = set()
    # Region names stay whole: "kediri" is not "diri", "pemalang" not "malang".
    for name in [*lexicon.unstemmed, *lexicon.stopwords, *lexicon.fillers, *region_places(content)]:
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
        thresholds: Thresholds | None = None,
        weights: Weights = Weights(),
        model: DecisionModel | None = None,
    ):
        self.content = content
        self.model = model or load_model()
        self.thresholds = thresholds or self.model.thresholds
        self.conversation = ConversationRules.build(content.conversation)
        # Danger signs (content/urgent.yaml): the shells ask this before anything else.
        self.urgency = UrgencyDetector(content.urgent) if content.urgent is not None else None
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
            lexicon.uncovered,
            lexicon.months,
            region_places(content),
        )
        number_of = {entry.id: number for number, entry in enumerate(self.entries)}
        # A glossary term or alias alone ("KPM", "1000 hpk") → its entry (is_term).
        self._terms = {
            self.index.query(name).tokens: number_of[glossary_id(term.term)]
            for term in content.glossary
            if glossary_id(term.term) in number_of  # an engine on part of the entries (benchmarks)
            for name in (term.term, *term.aliases)
        }
        conversation = content.conversation
        self.follow_ups = FollowUps(
            self.index,
            {"source": conversation.follow_ups.source, "more": conversation.follow_ups.more},
            conversation.small_talk.polite,
        )
        # For each topic, the share of its entries that use each word (the topic's subject words are common).
        by_topic: dict[str, list[frozenset[str]]] = {}
        for number, entry in enumerate(self.entries):
            by_topic.setdefault(entry.topic, []).append(self.index.entry_words[number])
        self._topic_shares = {
            topic: {w: sum(w in words for words in sets) / len(sets) for w in frozenset().union(*sets)}
            for topic, sets in by_topic.items()
        }
        self._asking_words = self.index.question_words | frozenset(
            self.index.query(" ".join(conversation.asking)).tokens
        )
        # The now-words normalised as questions are (skrg and now read as sekarang), unstemmed.
        self._now_phrases = tuple(
            phrase for phrase in {self.index.normaliser.tokens(word) for word in lexicon.now_words} if phrase
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

    def ask(self, question: str, previous: str | None = None) -> Reply:
        """The reply to one message. ``previous``: the entry id of the answer the person got
        just before (the shell keeps it for a few minutes), for follow-ups such as
        "sumbernya dari mana?" or "kalau yg di jakpus?"."""
        text = question[:MAX_QUESTION_CHARS]
        if kind := self.conversation.small_talk(text):
            return Reply(question, "none", None, 0.0, small_talk=kind)
        query = self.index.query(text)
        if query.is_empty:
            return Reply(question, "none", None, 0.0, empty=True)
        earlier = self.by_id.get(previous) if previous else None
        if earlier is not None and (reply := self._follow_up(question, query, earlier)):
            return reply
        decision = self.decision(text, query, earlier)
        best_score = decision.best.score if decision.best else 0.0
        now = self.asks_now(text)
        if decision.status == "answer":
            assert decision.best is not None
            entry = self._entry(decision.best)
            close = tuple(self._suggest(s) for s in decision.suggestions)
            offered = tuple(Suggestion(e.id, e.question, 0.0) for e in self.next_questions(entry, close))
            return Reply(
                question, "answer", entry, best_score, confidence=decision.confidence,
                alternatives=close, next_questions=offered, asks_now=now,
            )  # fmt: skip
        suggestions = tuple(self._suggest(s) for s in decision.suggestions)
        return Reply(
            question, decision.status, None, best_score, suggestions, confidence=decision.confidence, asks_now=now
        )

    def asks_now(self, text: str) -> bool:
        """The message asks about the present: it holds one of the lexicon's now_words ("sekarang",
        "saat ini", "terbaru", "masih"), read as questions are read (skrg, now and current
        are sekarang)."""
        words = self.index.normaliser.tokens(text[:MAX_QUESTION_CHARS])
        return any(
            words[start : start + len(phrase)] == phrase
            for phrase in self._now_phrases
            for start in range(len(words) - len(phrase) + 1)
        )

    def decision(self, text: str, query: Query | None = None, earlier: Entry | None = None) -> Decision:
        """The decision for a message: its most confident reading decides (docs/matching.md §3b)."""
        readings = self.readings(text, query, earlier)
        chosen, confidence = self.choose(readings)
        return decide(chosen.ranked, confidence, self.thresholds, vague=chosen.vague, term=chosen.term)

    def readings(self, text: str, query: Query | None = None, earlier: Entry | None = None) -> list[Reading]:
        """The whole message, then its sub-messages, each searched and with its features."""
        query = query or self.index.query(text)
        whole = self._break_tie(self.index.search(query), earlier)
        row = features.extract(self.index, query, whole)
        stranger = self.names_unknown_acronym(text)
        out = [Reading(
            query, whole, True, row, self.is_vague(query, whole), term=self.is_term(query, whole), stranger=stranger,
        )]  # fmt: skip
        in_context = {s.entry for s in whole[:CONTEXT_RANKS]}
        for candidate, free, context in self.sub_messages(text, query, earlier):
            ranked = self.index.search(candidate)
            if context and earlier is not None:  # a follow-up with a new subject asks something new
                ranked = self._without(ranked, earlier)
            if ranked:
                eligible = free or ranked[0].entry in in_context
                row = features.extract(self.index, candidate, ranked)
                out.append(Reading(candidate, ranked, eligible, row, context=context, stranger=stranger))
        return out

    def names_unknown_acronym(self, text: str) -> bool:
        """The message writes an acronym (three or more capitals) that no entry and no lexicon rule knows:
        an organisation or programme the sources never mention ("UNICEF", "BKKBN")."""
        for word in re.findall(r"\b[A-Z]{3,}\b", text[:MAX_QUESTION_CHARS]):
            tokens = self.index.query(word).tokens
            if tokens and all(t not in self.index.weight for t in tokens):
                return True
        return False

    def _break_tie(self, ranked: list[Scored], earlier: Entry | None) -> list[Scored]:
        """The previous answer breaks a near tie: the person just read it, so a message that fits it
        and another entry equally well ("kalau tujuan pkh sendiri apa?" after the diklat's aim) asks
        about the other one."""
        if earlier is None or len(ranked) < 2 or ranked[0].score - ranked[1].score >= self.thresholds.margin:
            return ranked
        if earlier.id not in (self.entries[s.entry].id for s in ranked[:2]):
            return ranked
        return self._without(ranked, earlier)

    def _without(self, ranked: list[Scored], entry: Entry) -> list[Scored]:
        return [s for s in ranked if self.entries[s.entry].id != entry.id]

    def choose(self, readings: list[Reading], model: DecisionModel | None = None) -> tuple[Reading, Confidence]:
        """The eligible reading the model is most confident in (the whole message on a tie); a
        reading with the previous question only to answer (see below). The message is as much in the
        domain as the most in-domain of its own readings (a greeting or a signature around the question
        does not take it out)."""
        model = model or self.model
        levels = model.thresholds
        judged = [(reading, reading.confidence(model)) for reading in readings]  # each model run once
        (whole, best_confidence), others = judged[0], judged[1:]
        best = whole
        likely = {s.entry for s in whole.ranked[:CONTEXT_RANKS]}
        for reading, confidence in sorted(others, key=lambda pair: pair[0].context):
            if not reading.eligible or confidence.answer <= best_confidence.answer:
                continue
            if reading.context:
                # The previous question may pick among the message's own likely entries, or answer
                # when nothing else would; it never makes a message look in the domain.
                if not levels.confident(confidence):
                    continue
                if levels.confident(best_confidence) and reading.ranked[0].entry not in likely:
                    continue
            best, best_confidence = reading, confidence
        domain = max(
            [best_confidence.domain] + [c.domain for r, c in judged if r.eligible and r.ranked and not r.context]
        )
        return best, Confidence(best_confidence.answer, domain, best_confidence.unopposed)

    def sub_messages(
        self, text: str, whole: Query, earlier: Entry | None = None
    ) -> list[tuple[Query, bool, bool]]:
        """Other readings of a chatty message, each with whether it may answer outside the whole
        message's best few entries: the message without its self-introductions and courtesies
        and a letter's closing and signature (free), what follows a request phrase ("ingin mengetahui",
        free), then the message without its leading clauses, and the clause holding the question word.
        A short follow-up is also read together with the question it follows (free; marked as
        context: its answer is not that question's entry again)."""
        parts = clauses(text)[-MAX_CLAUSES:]
        asks = {clause: self._asks(clause) for clause in parts}  # each clause normalised once
        letter = self._without_closing(parts, asks)
        kept = [c for c in letter if not self._is_aside(c, asks[c])]
        readings: list[tuple[str, bool, bool]] = []
        if earlier is not None and len(whole.tokens) <= FOLLOW_UP_WORDS:
            readings.append((f"{earlier.question} {text}", True, True))
            if swapped := self._with_new_subject(earlier, whole):
                readings.append((swapped, True, True))
        if len(kept) < len(parts):
            readings.append((" ".join(kept), True, False))
        if requested := self.conversation.after_request(" ".join(letter)):
            readings.append((requested, True, False))
        # The clauses that ask: with a question word, else (weaker) with a question mark.
        asking = [n for n, clause in enumerate(kept) if asks[clause]]
        asking = asking or [n for n, clause in enumerate(kept) if "?" in clause]
        # Leading clauses dropped, never past the last clause that asks something.
        last_start = asking[-1] if asking else len(kept) - 1
        readings += [(" ".join(kept[start:]), False, False) for start in range(1, last_start + 1)]
        if asking:
            readings.append((kept[asking[-1]], False, False))
        seen = {whole.tokens}
        out: list[tuple[Query, bool, bool]] = []
        for reading, free, context in readings:
            query = self.index.query(reading)
            if len(query.tokens) >= MIN_CLAUSE_WORDS and query.tokens not in seen:
                seen.add(query.tokens)
                out.append((query, free, context))
            if len(out) == MAX_CANDIDATES - 1:
                break
        return out

    def _with_new_subject(self, earlier: Entry, follow_up: Query) -> str | None:
        """The previous question asked about the follow-up's subject ("apa dukungan tanoto", then "kalo
        world bank nya?" asks "apa dukungan … world bank"): the previous question's words that many
        entries of its topic share name its subject and give way; the rest (what is asked) stays. None
        when the follow-up names nothing of its own."""
        index = self.index
        if not any(
            t in index.weight and t not in index.stopwords and t not in self._asking_words for t in follow_up.tokens
        ):
            return None
        shares = self._topic_shares[earlier.topic]
        previous = index.query(earlier.question).tokens
        kept = [t for t in previous if shares.get(t, 0.0) < SUBJECT_SHARE or t in self._asking_words]
        return " ".join(kept + list(follow_up.tokens))

    def _is_aside(self, clause: str, asks: bool) -> bool:
        """A self-introduction or courtesy that asks nothing."""
        return self.conversation.is_context(clause) and not asks and "?" not in clause

    def _without_closing(self, parts: list[str], asks: dict[str, bool]) -> list[str]:
        """The clauses before a letter's closing ("Hormat kami, Koordinator Wilayah …"), and any after
        it that still ask something (a postscript question)."""
        for n, clause in enumerate(parts):
            if n and self.conversation.is_closing(clause):
                return parts[:n] + [c for c in parts[n + 1 :] if asks[c] or "?" in c]
        return parts

    def _asks(self, clause: str) -> bool:
        """The clause holds a question word (after normalisation: "sapa", "piro", "how many" count)."""
        return not self._asking_words.isdisjoint(self.index.query(clause).tokens)

    def _follow_up(self, question: str, query: Query, earlier: Entry) -> Reply | None:
        """"sumbernya dari mana?" → the previous answer's sources; "terus gimana?" → its clarification
        (if it has one) and related questions. A message naming a subject of its own is a new question."""
        kind = self.follow_ups.kind(query)
        if kind == "source":
            return Reply(question, "answer", earlier, 100.0, follow_up="source")
        if kind == "more":
            related = self.related(earlier)[:3]
            if related or earlier.clarification:
                suggestions = tuple(Suggestion(e.id, e.question, 0.0) for e in related)
                return Reply(
                    question, "suggest", None, 0.0, suggestions, follow_up="more", clarification=earlier.clarification
                )
        return None

    def is_vague(self, query: Query, ranked: list[Scored]) -> bool:
        """A lone keyword ("tanoto") names a subject, not a fact; only a glossary term answers it outright."""
        return len(query.tokens) == 1 and bool(ranked) and self.entries[ranked[0].entry].kind != "glossary"

    def is_term(self, query: Query, ranked: list[Scored]) -> bool:
        """The message is nothing but a glossary term or alias ("KPM", "1000 hpk"), and it ranks first."""
        return bool(ranked) and self._terms.get(query.tokens) == ranked[0].entry

    def ranked(self, question: str) -> list[tuple[Entry, float]]:
        """Every matching entry with its score, best first (for evaluation and checks)."""
        ranked = self.index.search(self.index.query(question[:MAX_QUESTION_CHARS]))
        return [(self._entry(s), s.score) for s in ranked]

    def related(self, entry: Entry) -> list[Entry]:
        return [self.by_id[rid] for rid in entry.related if rid in self.by_id]

    def answer_for(self, entry: Entry, score: float = 100.0) -> Reply:
        """The reply that answers with this entry (a question picked from a list), with the
        questions offered under it."""
        offered = tuple(Suggestion(e.id, e.question, 0.0) for e in self.next_questions(entry))
        return Reply(entry.question, "answer", entry, score, next_questions=offered)

    def next_questions(self, entry: Entry, alternatives: Sequence[Suggestion] = ()) -> list[Entry]:
        """The questions offered under an answer: the entries that came close to it (the person may
        have meant one of them), then the entry's first related questions; each once, at most
        ANSWER_BUTTONS."""
        offered: dict[str, Entry] = {}
        for candidate in [*(self.by_id[a.entry_id] for a in alternatives), *self.related(entry)[:RELATED_SHOWN]]:
            if candidate.id != entry.id:
                offered.setdefault(candidate.id, candidate)
        return list(offered.values())[:ANSWER_BUTTONS]

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
