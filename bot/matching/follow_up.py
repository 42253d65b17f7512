"""Telling a follow-up of the last answer from a new question (pure).

"sumbernya dari mana?" asks for the last answer's source, "terus gimana?" for more about it; a
message that names a subject of its own ("kalau yg di jakpus siapa?") is a new question. The
phrases come from content/conversation.yaml and are normalised like questions, so regional and
English forms ("iki sumbere seko ngendi", "where is this from?") count too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.matching.index import Index, Query

# "sumbernya dari mana? mau sy share ke grup" still asks for the source: a few words the content
# never uses may stand around a source phrase (none around a "more" phrase).
MAX_SOURCE_EXTRA_WORDS = 2


class FollowUps:
    def __init__(self, index: Index, phrases: Mapping[str, Iterable[str]], polite: Iterable[str]):
        """``phrases``: kind ("source", "more") → the phrases that ask it."""
        self.index = index
        self.phrases = {
            kind: [tokens for tokens in (index.query(text).tokens for text in texts) if tokens]
            for kind, texts in phrases.items()
        }
        polite_tokens = index.query(" ".join(polite)).tokens
        self.words = frozenset(
            [*index.stopwords, *index.question_words, *polite_tokens]
            + [t for kind_phrases in self.phrases.values() for p in kind_phrases for t in p]
        )

    def kind(self, query: Query) -> str | None:
        """"source" or "more" when the message is a follow-up phrase with nothing but function words
        around it; None when it names a subject (a word the content uses) and so is a new question."""
        tokens = query.tokens
        others = [token for token in tokens if token not in self.words]
        if any(token in self.index.weight for token in others):
            return None
        for kind, kind_phrases in self.phrases.items():
            if kind == "more" and others or len(others) > MAX_SOURCE_EXTRA_WORDS:
                continue
            for phrase in kind_phrases:
                if any(tokens[i : i + len(phrase)] == phrase for i in range(len(tokens) - len(phrase) + 1)):
                    return kind
        return None
