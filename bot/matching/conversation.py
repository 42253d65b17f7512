"""Recognising what in a message is not a question (pure).

* **Small talk**: a message made only of greetings, thanks or acknowledgements ("makasih
  min 🙏", "pagi kak", "ok siap") gets a friendly reply, never "the sources do not cover it".
* **Clauses**: a chatty message splits at punctuation and line breaks; a clause that
  opens with a self-introduction ("sy pendamping pkh di loa kulu") or a courtesy ("maaf
  ganggu", "mau tanya") is context, not the question (the engine still checks that it
  asks nothing before leaving it out). A letter's closing ("Hormat kami") and the signature
  after it are not the question either.
* **Requests**: "kami dari Dinas Sosial Kota Cimahi ingin mengetahui …", "could you tell me …":
  the words after the request phrase are the question without its preamble.

The words come from content/conversation.yaml; matching is on ``split_words`` output,
so case, punctuation and emoji do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.models import Conversation
from bot.matching.normalise import split_words

CLAUSE_BREAK = re.compile(r"[,.;:!?\n]+|\s[-–—]\s")
SmallTalkKind = str  # "greeting" | "thanks" | "ack"
SMALL_TALK_KINDS = ("thanks", "greeting", "ack")  # the first kind present names the message


def _words(phrases: list[str]) -> frozenset[str]:
    return frozenset(w for phrase in phrases for w in split_words(phrase))


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The phrases (longest first, as given) grouped by the word they open with."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        grouped.setdefault(phrase[0], []).append(phrase)
    return {word: tuple(group) for word, group in grouped.items()}


def _openings(phrases: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({tuple(split_words(p)) for p in phrases if split_words(p)}, key=len, reverse=True))


@dataclass(frozen=True)
class ConversationRules:
    kinds: dict[str, frozenset[str]]  # small-talk kind -> its words
    small_talk_words: frozenset[str]  # every word a small-talk message may hold (kinds and polite words)
    self_reference: frozenset[str]
    identity: frozenset[str]
    intro_links: frozenset[str]  # may stand between "saya" and who they are
    courtesy: tuple[tuple[str, ...], ...]
    closings: tuple[tuple[str, ...], ...]
    request_addressees: frozenset[str]  # "mau nanya ke …", "ingin bertanya kepada …": whom, not what
    # the request phrases ("ingin mengetahui", "could you tell me"), longest first, by their first word
    requests_from: dict[str, tuple[tuple[str, ...], ...]]
    greeting_words: frozenset[str]  # greetings, thanks and polite words (not "saya") before a clause

    @classmethod
    def build(cls, conversation: Conversation) -> ConversationRules:
        talk = conversation.small_talk
        kinds = {"greeting": _words(talk.greeting), "thanks": _words(talk.thanks), "ack": _words(talk.ack)}
        polite = _words(talk.polite)
        self_reference = _words(conversation.self_reference)
        return cls(
            kinds=kinds,
            small_talk_words=polite.union(*kinds.values()),
            self_reference=self_reference,
            identity=_words(conversation.identity),
            intro_links=_words(conversation.intro_links),
            courtesy=_openings(conversation.courtesy),
            closings=_openings(conversation.closings),
            request_addressees=_words(conversation.request_addressees),
            requests_from=_by_first_word(_openings(conversation.requests)),
            greeting_words=(kinds["greeting"] | kinds["thanks"] | polite) - self_reference,
        )

    def small_talk(self, text: str) -> SmallTalkKind | None:
        """The kind of small talk a message is, or None when it says anything else."""
        words = split_words(text)
        if not words:
            return None
        if any(word not in self.small_talk_words for word in words):
            return None
        for kind in SMALL_TALK_KINDS:
            if any(word in self.kinds[kind] for word in words):
                return kind
        return None

    def is_closing(self, clause: str) -> bool:
        """The clause opens a letter's end ("Hormat kami", "Wassalam", "Best regards")."""
        words = tuple(split_words(clause))
        return any(words[: len(opening)] == opening for opening in self.closings)

    def after_request(self, text: str) -> str | None:
        """The words after the last request phrase ("ingin mengetahui", "could you tell me"), or None
        when the message has none (or nothing follows it)."""
        words = split_words(text)
        end = 0
        for start in range(len(words)):
            for phrase in self.requests_from.get(words[start], ()):
                after = start + len(phrase)
                if tuple(words[start:after]) == phrase:
                    # "mau nanya ke senior": asking someone, not the question
                    if after >= len(words) or words[after] not in self.request_addressees:
                        end = after
                    break
        return " ".join(words[end:]) if 0 < end < len(words) else None

    def is_context(self, clause: str) -> bool:
        """The clause opens like a self-introduction ("sy pendamping pkh …", "saya ini kader …") or a
        courtesy ("maaf ganggu", "mau tanya"); the caller checks that it asks nothing."""
        words = tuple(split_words(clause))
        leading = 0  # greetings before it ("pagi kak, sy pendamping …" often has no comma)
        while leading < len(words) and words[leading] in self.greeting_words:
            leading += 1
        words = words[leading:]
        if any(words[: len(opening)] == opening for opening in self.courtesy):
            return True
        if not words or words[0] not in self.self_reference:
            return False
        rest = [w for w in words[1:4] if w not in self.intro_links]
        return bool(rest) and rest[0] in self.identity


def clauses(text: str) -> list[str]:
    """The message's clauses, in order, without empty ones."""
    return [c.strip() for c in CLAUSE_BREAK.split(text) if c and c.strip()]
