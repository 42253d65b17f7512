"""Cross-reference checks over a parsed content set (pure).

Shape problems come from :func:`bot.content.loader.parse`; this module checks
what needs the whole set: topics, related ids, quotes against the seed
articles, answer length, glossary ids and the messages the code needs. A
published draft is checked as an FAQ entry and must have a source; a draft not
yet published only gets a warning.
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from bot.content.knowledge import GLOSSARY_TOPIC, glossary_id
from bot.content.loader import (
    CALENDAR_FILE,
    GLOSSARY_FILE,
    MESSAGES_FILE,
    REGION_ALIASES_FILE,
    SEED_INDEX_FILE,
    TIME_ZONES_FILE,
    ContentSet,
)
from bot.content.message_keys import REQUIRED_MESSAGES
from bot.content.models import (
    ANSWER_SOFT_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    DraftEntry,
    SeedSource,
    Source,
)
from bot.content.problems import Problem
from bot.content.regions import region_problems


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space: quotes match whitespace-insensitively."""
    return " ".join(text.split())


def check(content: ContentSet) -> list[Problem]:
    problems: list[Problem] = []
    topics = {topic.id for topic in content.topics}
    if GLOSSARY_TOPIC not in topics:
        problems.append(Problem(content.file_of("topics.yaml"), None, None, f"topic {GLOSSARY_TOPIC!r} is required"))
    seed_texts = {seed: squash(text) for seed, text in content.seed_texts.items()}

    faq_ids = {entry.id for entry in content.faq}
    glossary_ids: dict[str, str] = {}
    glossary_file = content.file_of(GLOSSARY_FILE)
    for term in content.glossary:
        gid = glossary_id(term.term)
        if gid in glossary_ids or gid in faq_ids:
            other = glossary_ids.get(gid, "an FAQ entry")
            problems.append(Problem(glossary_file, term.term, "term", f"id {gid!r} is already used by {other!r}"))
        glossary_ids[gid] = term.term
    known_ids = faq_ids | set(glossary_ids)

    for entry in content.faq:
        file = content.faq_files[entry.id]
        if entry.topic not in topics:
            problems.append(Problem(file, entry.id, "topic", f"unknown topic {entry.topic!r}; known: {sorted(topics)}"))
        problems += _related_problems(file, entry.id, entry.id, entry.related, known_ids)
        problems += _source_problems(file, entry.id, "sources", entry.sources, content, seed_texts)
        problems += _answer_problems(file, entry.id, entry.answer)
        # a draft lists the question as it was asked among its alternates (it needs one)
        listed = isinstance(entry, DraftEntry)
        problems += _alternate_problems(file, entry.id, entry.question, entry.alternates, question_listed=listed)
    problems += _draft_problems(content)

    for term in content.glossary:
        problems += _related_problems(glossary_file, term.term, glossary_id(term.term), term.related, known_ids)
        for number, meaning in enumerate(term.meanings):
            field = f"meanings.{number}.sources"
            problems += _source_problems(glossary_file, term.term, field, meaning.sources, content, seed_texts)

    problems += _seed_index_problems(content)
    problems += _message_problems(content)
    problems += region_problems(
        content.regions, content.region_aliases, content.time_zones,
        (content.file_of(REGION_ALIASES_FILE), content.file_of(TIME_ZONES_FILE)),
    )  # fmt: skip
    problems += _calendar_problems(content)
    return problems


def _draft_problems(content: ContentSet) -> list[Problem]:
    """A published draft must name a source; a draft not published waits for an admin (a warning)."""
    problems = []
    for draft in content.drafts:
        file = content.draft_files[draft.id]
        if not draft.publish:
            problems.append(
                Problem(file, draft.id, "publish", "draft not published yet: add a source, then set publish: true", "warning")
            )
        elif not draft.sources:
            problems.append(Problem(
                file, draft.id, "sources",
                "a published draft needs at least one source (a seed quote or a named public reference) "
                "before it is served, and every claim of its answer must lie inside that source",
            ))  # fmt: skip
    return problems


def _related_problems(
    file: str, name: str, own_id: str, related: Iterable[str], known_ids: set[str]
) -> list[Problem]:
    problems = []
    for rid in related:
        if rid == own_id:
            problems.append(Problem(file, name, "related", "an entry cannot be related to itself"))
        elif rid not in known_ids:
            problems.append(Problem(file, name, "related", f"unknown entry id {rid!r}"))
    return problems


def _source_problems(
    file: str, name: str, field: str, sources: Iterable[Source], content: ContentSet, seed_texts: dict[str, str]
) -> list[Problem]:
    problems = []
    for number, source in enumerate(sources):
        if not isinstance(source, SeedSource):
            continue
        where = f"{field}.{number}"
        if source.seed not in seed_texts:
            problems.append(Problem(file, name, f"{where}.seed", f"unknown seed {source.seed!r}"))
        elif squash(source.quote) not in seed_texts[source.seed]:
            problems.append(
                Problem(file, name, f"{where}.quote", f"quote does not occur in seed {source.seed!r}: {source.quote[:60]!r}")
            )
        elif source.seed not in content.seeds:
            problems.append(Problem(file, name, f"{where}.seed", f"seed {source.seed!r} is missing from the seed index"))
    return problems


def _answer_problems(file: str, name: str, answer: str) -> list[Problem]:
    if len(answer) > TELEGRAM_TEXT_LIMIT:
        return [Problem(file, name, "answer", f"{len(answer)} characters; Telegram allows {TELEGRAM_TEXT_LIMIT}")]
    if len(answer) > ANSWER_SOFT_LIMIT * 3 // 2:
        return [
            Problem(file, name, "answer", f"{len(answer)} characters; aim for {ANSWER_SOFT_LIMIT} or fewer", "warning")
        ]
    return []


def _alternate_problems(
    file: str, name: str, question: str, alternates: list[str], *, question_listed: bool = False
) -> list[Problem]:
    """Alternates repeating the question or each other (``question_listed``: it may be one of them once)."""
    seen = set() if question_listed else {squash(question).casefold()}
    problems = []
    for number, alternate in enumerate(alternates):
        key = squash(alternate).casefold()
        if key in seen:
            problems.append(Problem(file, name, f"alternates.{number}", "repeats another phrasing of this entry", "warning"))
        seen.add(key)
    return problems


def _seed_index_problems(content: ContentSet) -> list[Problem]:
    index_file = f"{content.seeds_label}/{SEED_INDEX_FILE}"
    problems = []
    for seed_id in content.seeds:
        if seed_id not in content.seed_texts:
            problems.append(Problem(index_file, seed_id, "id", "no original article file with this id"))
    for seed_id in content.seed_texts:
        if seed_id not in content.seeds:
            problems.append(Problem(index_file, seed_id, None, "original article is not listed in the index"))
    return problems


def _message_problems(content: ContentSet) -> list[Problem]:
    file = content.file_of(MESSAGES_FILE)
    problems = [
        Problem(file, key, None, "the bot never uses this message", "warning")
        for key in sorted(content.messages.keys() - REQUIRED_MESSAGES.keys())
    ]
    for key, fields in sorted(REQUIRED_MESSAGES.items()):
        if key not in content.messages.keys():
            problems.append(Problem(file, key, None, "message is missing"))
            continue
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(content.messages.get(key)) if name}
        except ValueError as exc:
            problems.append(Problem(file, key, None, f"malformed template: {exc}"))
            continue
        unknown = used - set(fields)
        if unknown:
            problems.append(
                Problem(file, key, None, f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(fields)}")
            )
    return problems


def _calendar_problems(content: ContentSet) -> list[Problem]:
    """The zones people may type after a time are the zones of time_zones.yaml, with the same IANA zone."""
    if content.calendar is None or content.time_zones is None:
        return []
    known = {zone.name: zone.tz for zone in content.time_zones.zones}
    return [
        Problem(content.file_of(CALENDAR_FILE), zone.name, "zones",
                f"zone {zone.name!r} ({zone.tz}) is not in time_zones.yaml as such (there: {known})")
        for zone in content.calendar.zones
        if known.get(zone.name) != zone.tz
    ]  # fmt: skip
