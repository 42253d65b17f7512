"""Answerable entries: FAQ entries and glossary terms in one shape.

Everything the engine can answer is an :class:`Entry`: its phrasings (what
people ask), the answer text and where the answer comes from. Glossary terms
become entries with id ``istilah-<slug>`` whose answer lists every meaning, so
an ambiguous acronym such as KPM is answered with both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.content.loader import ContentSet
from bot.content.models import (
    AsOf,
    FaqEntry,
    GlossaryTerm,
    ReferenceSource,
    SeedSource,
    Source,
)

GLOSSARY_PREFIX = "istilah-"
GLOSSARY_TOPIC = "istilah"


@dataclass(frozen=True)
class SourceRef:
    """A source as shown to people: article title and date with the quote, or a reference."""

    seed: str | None
    title: str
    date: str | None = None
    quote: str | None = None
    issuer: str | None = None
    year: int | None = None
    url: str | None = None
    place: str | None = None  # where the article is set (seeds/index.yaml), for matching
    outlet: str | None = None  # the news outlet, where seeds/index.yaml names it (shown in the source line)
    states: tuple[str, ...] = ()  # a reference: the passages it states that the answer uses (shown by /sumber)

    @property
    def passages(self) -> tuple[str, ...]:
        """What the person reading the sources is shown as quoted: an article's quote, or the passages a
        reference states, each on one line."""
        found = (self.quote,) if self.quote else self.states
        return tuple(" ".join(passage.split()) for passage in found)

    @property
    def is_seed(self) -> bool:
        return self.seed is not None

    def to_dict(self) -> dict[str, object]:
        if self.seed is not None:
            found: dict[str, object] = {"seed": self.seed, "title": self.title, "date": self.date, "quote": self.quote}
            if self.outlet:
                found["outlet"] = self.outlet
            return found
        reference = {"title": self.title, "issuer": self.issuer, "year": self.year}
        if self.url:
            reference["url"] = self.url
        return {"reference": reference}


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    question: str
    phrasings: tuple[str, ...]  # the question first, then every other way of asking
    answer: str
    sources: tuple[SourceRef, ...]
    related: tuple[str, ...] = ()
    kind: Literal["faq", "glossary"] = "faq"
    clarification: str | None = None  # shown for "maksudnya?" after this answer
    # the date the answer's facts hold for (FaqEntry.as_of): a date, a year or "unknown"; and that
    # date as people read it ("28 Agustus 2020", "2021"; None when unknown or not set)
    as_of: AsOf | None = None
    as_of_text: str | None = None


def as_of_text(as_of: AsOf | None, content: ContentSet) -> str | None:
    """How an ``as_of`` date is written in a sentence: "28 Agustus 2020" (the month names of
    content/calendar.yaml; ISO without it), "2021" for a year, None when unknown or not set."""
    if isinstance(as_of, date):
        if content.calendar is None:
            return as_of.isoformat()
        return f"{as_of.day} {content.calendar.months[as_of.month - 1].display} {as_of.year}"
    if isinstance(as_of, int):
        return str(as_of)
    return None


def glossary_id(term: str) -> str:
    return GLOSSARY_PREFIX + re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


def build_entries(content: ContentSet) -> tuple[Entry, ...]:
    """All answerable entries, FAQ first, in file order (deterministic)."""
    entries = [_faq_entry(entry, content) for entry in content.faq]
    entries += [_glossary_entry(term, content) for term in content.glossary]
    return tuple(entries)


def resolve_source(source: Source, content: ContentSet) -> SourceRef:
    if isinstance(source, SeedSource):
        seed = content.seeds.get(source.seed)
        title = seed.title if seed else source.seed
        return SourceRef(
            seed=source.seed, title=title, date=seed.date if seed else None, quote=source.quote,
            place=seed.place if seed else None, outlet=seed.outlet if seed else None,
        )  # fmt: skip
    assert isinstance(source, ReferenceSource)
    return SourceRef(
        seed=None, title=source.title, issuer=source.issuer, year=source.year, url=source.url,
        states=tuple(source.states),
    )  # fmt: skip


def _faq_entry(entry: FaqEntry, content: ContentSet) -> Entry:
    return Entry(
        id=entry.id,
        topic=entry.topic,
        question=entry.question,
        phrasings=(entry.question, *entry.alternates),
        answer=entry.answer.strip(),
        sources=tuple(resolve_source(s, content) for s in entry.sources),
        related=tuple(entry.related),
        clarification=" ".join(entry.clarification.split()) if entry.clarification else None,
        as_of=entry.as_of,
        as_of_text=as_of_text(entry.as_of, content),
    )


def _glossary_entry(term: GlossaryTerm, content: ContentSet) -> Entry:
    messages = content.messages
    # Only definitional phrasings: a bare term would be a subset of every question that
    # mentions it, and would pull those questions to the glossary.
    names = (term.term, *term.aliases, *(meaning.expansion for meaning in term.meanings))
    phrasings: list[str] = [messages.get("glossary_question", term=term.term)]
    for name in names:
        phrasings += [template.replace("{term}", name) for template in content.lexicon.definition_phrasings]
    phrasings += term.alternates
    if len(term.meanings) == 1:
        meaning = term.meanings[0]
        answer = messages.get("glossary_answer", term=term.term, expansion=meaning.expansion, meaning=meaning.meaning)
    else:
        lines = [messages.get("glossary_ambiguous", term=term.term, count=len(term.meanings))]
        lines += [
            messages.get("glossary_meaning_item", number=i, expansion=m.expansion, meaning=m.meaning)
            for i, m in enumerate(term.meanings, start=1)
        ]
        answer = "\n".join(lines)
    sources = tuple(dict.fromkeys(resolve_source(s, content) for m in term.meanings for s in m.sources))
    return Entry(
        id=glossary_id(term.term),
        topic=GLOSSARY_TOPIC,
        question=phrasings[0],
        phrasings=tuple(dict.fromkeys(phrasings)),
        answer=answer,
        sources=sources,
        related=tuple(term.related),
        kind="glossary",
    )
