"""The search index over every phrasing of every entry (pure, built once at load).

Search is two-stage: an inverted index gathers the phrasings that share a
meaningful word with the question and scores their IDF-weighted coverage;
only the best ``RERANK`` of those are re-scored with token_sort_ratio. Cost
therefore grows with the number of phrasings that share words with the
question, not with the size of the content.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.content.knowledge import Entry
from bot.matching.features import RARE_SHARE
from bot.matching.normalise import Normaliser, Rules
from bot.matching.score import STOPWORD_WEIGHT, Weights, combine, idf, sorted_similarity, sorted_words
from bot.matching.stem import Stemmer

# How many phrasings (best by coverage) are re-scored with the string similarity.
RERANK = 40
# Candidate generation skips words found in more than max(this, 2 % of phrasings) phrasings.
FREQUENT_POSTINGS_MIN = 1000


@dataclass(frozen=True)
class Scored:
    """One entry's best score for a question, and which phrasing gave it."""

    entry: int
    score: float
    phrasing: int


@dataclass(frozen=True)
class Query:
    text: str
    tokens: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.tokens


class Index:
    def __init__(
        self,
        entries: Sequence[Entry],
        rules: Rules,
        stopwords: Iterable[str] = (),
        weights: Weights = Weights(),
        stemmer: Stemmer | None = None,
        question_words: Iterable[str] = (),
        places: Iterable[str] = (),
        uncovered: Iterable[str] = (),
        months: Iterable[str] = (),
        region_places: Iterable[str] = (),
    ):
        self.entries = tuple(entries)
        self.weights = weights
        self.stemmer = stemmer or Stemmer()
        # Two passes: the content's own words become the vocabulary, so that particles
        # ("pendampingnya") and repeated letters are undone the same way on both sides.
        first_pass = Normaliser(rules)
        vocabulary = {w for entry in entries for p in entry.phrasings for w in first_pass.tokens(p)}
        base = Normaliser(rules, vocabulary)
        self.stopwords = frozenset(self._stems(w for s in stopwords for w in base.tokens(s)))

        owners: list[int] = []
        token_lists: list[tuple[str, ...]] = []
        # (entry number, position in entry.phrasings) -> phrasing number
        self.phrasing_ids: dict[tuple[int, int], int] = {}
        for number, entry in enumerate(self.entries):
            for position, phrasing in enumerate(entry.phrasings):
                tokens = self._stems(base.tokens(phrasing))
                if tokens:
                    self.phrasing_ids[(number, position)] = len(owners)
                    owners.append(number)
                    token_lists.append(tokens)
        self.owner = owners
        self.question_words = frozenset(self._stems(w for q in question_words for w in base.tokens(q)))
        # The lexicon's places, and the words of official region names the content does not use
        # otherwise (a region word that is also a content word, such as "jaya", is not evidence).
        regional = {w for q in region_places for w in base.tokens(q)} - vocabulary
        self.places = frozenset(self._stems([*(w for q in places for w in base.tokens(q)), *sorted(regional)]))
        self.uncovered = frozenset(self._stems(w for q in uncovered for w in base.tokens(q)))
        self.months = frozenset(self._stems(w for q in months for w in base.tokens(q)))
        # Which question words each entry is asked with, for the intent check.
        self.entry_intents: list[frozenset[str]] = [frozenset() for _ in self.entries]
        for owner, tokens in zip(owners, token_lists, strict=True):
            self.entry_intents[owner] |= self.question_words.intersection(tokens)
        self.texts = [" ".join(tokens) for tokens in token_lists]
        self.sorted_texts = [sorted_words(text) for text in self.texts]  # for sorted_similarity
        # Every word of each entry with its count (phrasings and answer), for BM25 (features.py).
        self.entry_term_counts: list[Counter[str]] = [Counter(self._stems(base.tokens(e.answer))) for e in self.entries]
        for owner, tokens in zip(owners, token_lists, strict=True):
            self.entry_term_counts[owner].update(tokens)
        self.entry_lengths = [sum(counts.values()) for counts in self.entry_term_counts]
        self.mean_entry_length = max(sum(self.entry_lengths) / max(len(self.entry_lengths), 1), 1.0)
        # Everything an entry talks about: its phrasings and its answer. A question word the
        # entry never mentions ("kukar" against a national figure) is a sign it is not the answer.
        self.entry_words: list[frozenset[str]] = [frozenset(counts) for counts in self.entry_term_counts]
        # The places an entry is about: those it mentions and those its articles are set in.
        self.entry_places: list[frozenset[str]] = [
            words | frozenset(self._stems(w for s in e.sources if s.place for w in base.tokens(s.place)))
            for words, e in zip(self.entry_words, self.entries, strict=True)
        ]

        document_frequency: dict[str, int] = defaultdict(int)
        for entry_tokens in self._tokens_per_entry(owners, token_lists):
            for token in entry_tokens:
                document_frequency[token] += 1
        documents = max(len(self.entries), 1)
        self.weight = {t: self._weigh(t, df, documents) for t, df in document_frequency.items()}
        self.unknown_weight = idf(1, documents)
        # A word used by at most this many entries names a subject (features.py: rare-word coverage).
        self.rare_weight = idf(max(1, round(RARE_SHARE * documents)), documents)

        self.postings: dict[str, list[int]] = defaultdict(list)
        self.token_sets: list[frozenset[str]] = [frozenset(tokens) for tokens in token_lists]
        self.phrasing_weight: list[float] = []
        for number, unique in enumerate(self.token_sets):
            for token in unique:
                self.postings[token].append(number)
            # summed in the phrasing's own word order: the same total whatever the hash seed
            self.phrasing_weight.append(sum(self.weight[t] for t in dict.fromkeys(token_lists[number])))
        self.postings = dict(self.postings)
        # A word in more phrasings than this does not bring in candidates when the question has a rarer one.
        self.frequent_postings = max(FREQUENT_POSTINGS_MIN, len(token_lists) // 50)
        # Typos are corrected towards the content's words as written, before stemming.
        self.normaliser = Normaliser(rules, vocabulary=vocabulary)

    def _stems(self, words: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.stemmer.stem(word) for word in words)

    @staticmethod
    def _tokens_per_entry(owners: list[int], token_lists: list[tuple[str, ...]]) -> list[set[str]]:
        per_entry: dict[int, set[str]] = defaultdict(set)
        for owner, tokens in zip(owners, token_lists, strict=True):
            per_entry[owner].update(tokens)
        return [per_entry[k] for k in sorted(per_entry)]

    def _weigh(self, token: str, document_frequency: int, documents: int) -> float:
        return STOPWORD_WEIGHT if token in self.stopwords else idf(document_frequency, documents)

    def query(self, text: str) -> Query:
        tokens = self._stems(self.normaliser.tokens(text, correct_typos=True))
        return Query(text=" ".join(tokens), tokens=tokens)

    def token_weight(self, token: str) -> float:
        if token in self.stopwords:
            return STOPWORD_WEIGHT
        return self.weight.get(token, self.unknown_weight)

    def _candidates(self, weights: dict[str, float]) -> dict[int, float]:
        """Phrasings sharing a meaningful word with the question, with the weight of the words they share.

        Candidates come from the postings of the question's distinctive words, rarest first;
        a word found in very many phrasings (a stopword, "stunting" in a large knowledge base)
        only adds its weight to those candidates instead of bringing in thousands more, unless
        the question has nothing rarer.
        """
        known = sorted((t for t in weights if t in self.postings), key=lambda t: len(self.postings[t]))
        selective = [t for t in known if t not in self.stopwords]
        generating = [t for t in selective if len(self.postings[t]) <= self.frequent_postings] or selective[:1] or known
        matched: dict[int, float] = defaultdict(float)
        for token in generating:
            weight = weights[token]
            for phrasing in self.postings[token]:
                matched[phrasing] += weight
        token_sets = self.token_sets
        for token in known:
            if token in generating:
                continue
            weight, postings = weights[token], self.postings[token]
            if len(postings) < len(matched):
                for phrasing in postings:
                    if phrasing in matched:
                        matched[phrasing] += weight
            else:
                for phrasing in matched:
                    if token in token_sets[phrasing]:
                        matched[phrasing] += weight
        return matched

    def search(self, query: Query, exclude_phrasing: int | None = None) -> list[Scored]:
        """Entries ranked by score (best first; ties broken by entry order, so deterministic)."""
        # The distinct words in the order they appear: sums over them do not depend on hash seeds.
        weights = {token: self.token_weight(token) for token in dict.fromkeys(query.tokens)}
        if not weights:
            return []
        total = sum(weights.values())
        coverage = self._candidates(weights)
        coverage.pop(exclude_phrasing, None)  # type: ignore[arg-type]
        if not coverage:
            return []
        items = tuple(weights.items())
        unknown_words = sum(1 for token in weights if token not in self.weight and token not in self.stopwords)
        phrasing_weight = self.phrasing_weight
        # Best question coverage first; among equals, the phrasing the question covers most.
        # Coverage is compared rounded to 1e-6 (sums of the same weights in another order are
        # equal); a phrasing more than that below the RERANK-th best cannot make the shortlist,
        # so the full keys are built for the few near the top only (a C-level sort finds the cut).
        pool: Iterable[tuple[int, float]] = coverage.items()
        if len(coverage) > RERANK:
            cut = sorted(coverage.values(), reverse=True)[RERANK - 1] - 2e-6 * total
            pool = [(p, m) for p, m in pool if m >= cut]
        keys = [(round(m / total, 6), m / phrasing_weight[p], -p) for p, m in pool]
        shortlist = [-key[2] for key in heapq.nlargest(RERANK, keys)]

        intents = self.question_words.intersection(weights)
        places = self.places.intersection(weights)  # places the question names
        owner, texts, entry_words, entry_intents = self.owner, self.sorted_texts, self.entry_words, self.entry_intents
        sorted_question = sorted_words(query.text)
        blend = self.weights.blend_coverage
        mentioned_by: dict[int, float] = {}
        best: dict[int, Scored] = {}
        for phrasing in shortlist:
            entry = owner[phrasing]
            matched = coverage[phrasing]
            mentioned = mentioned_by.get(entry)
            if mentioned is None:
                words = entry_words[entry]
                mentioned = mentioned_by[entry] = sum([weight for token, weight in items if token in words])
            score = combine(
                self.weights,
                blend(matched / total, mentioned / total),
                matched / phrasing_weight[phrasing],
                sorted_similarity(sorted_question, texts[phrasing]),
                intent_matches=not intents or not intents.isdisjoint(entry_intents[entry]),
                place_matches=places <= self.entry_places[entry],
                unknown_words=unknown_words,
            )
            current = best.get(entry)
            if current is None or score > current.score:
                best[entry] = Scored(entry=entry, score=score, phrasing=phrasing)
        return sorted(best.values(), key=lambda s: (-s.score, s.entry))
