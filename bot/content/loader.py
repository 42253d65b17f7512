"""Read the content files and turn them into validated models.

Reading (``read_files``) is the only I/O; ``parse`` is pure, so the same text
always gives the same models and problems. Cross-reference checks live in
:mod:`bot.content.checker`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.calendar import CalendarWords
from bot.content.models import (
    Conversation,
    DraftEntry,
    FaqEntry,
    GlossaryTerm,
    Lexicon,
    Messages,
    RegionAliases,
    Regions,
    SeedArticle,
    TimeZones,
    Topic,
)
from bot.content.problems import Problem
from bot.content.urgent import UrgentRules

FAQ_DIR = "faq"
DRAFTS_DIR = "drafts"  # optional: entries written from a person's answer (bot.handoff.draft)
GLOSSARY_FILE = "glossary.yaml"
LEXICON_FILE = "lexicon.yaml"
TOPICS_FILE = "topics.yaml"
MESSAGES_FILE = "messages.yaml"
CONVERSATION_FILE = "conversation.yaml"
REGIONS_FILE = "regions.yaml"
REGION_ALIASES_FILE = "region_aliases.yaml"
TIME_ZONES_FILE = "time_zones.yaml"
CALENDAR_FILE = "calendar.yaml"
URGENT_FILE = "urgent.yaml"
SEED_INDEX_FILE = "index.yaml"
SEED_ORIGINALS_DIR = "original"

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader when available (about 10x faster), refusing duplicate keys.

    A duplicate key is almost always an editing mistake (a slang word listed twice with
    different meanings); YAML would silently keep only the last one.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SAFE_LOADER = _UniqueKeyLoader


@dataclass(frozen=True)
class ContentFiles:
    """The raw text of every content file, keyed by a display name."""

    content: dict[str, str]  # "faq/program.yaml", "drafts/petugas-12.yaml" -> text
    seed_index: str | None
    seed_texts: dict[str, str]  # seed id (file stem) -> original text
    content_label: str = "content"
    seeds_label: str = "seeds"


@dataclass(frozen=True)
class ContentSet:
    """Everything the bot knows, validated for shape."""

    faq: tuple[FaqEntry, ...]  # what is served: the FAQ files' entries, then the published drafts
    faq_files: Mapping[str, str]  # entry id -> file it came from
    glossary: tuple[GlossaryTerm, ...]
    lexicon: Lexicon
    topics: tuple[Topic, ...]
    messages: Messages
    seeds: Mapping[str, SeedArticle]
    seed_texts: Mapping[str, str] = field(repr=False)
    content_label: str = "content"
    seeds_label: str = "seeds"
    conversation: Conversation = field(default_factory=Conversation)
    regions: Regions | None = None
    region_aliases: RegionAliases | None = None
    time_zones: TimeZones | None = None
    calendar: CalendarWords | None = None
    urgent: UrgentRules | None = None
    drafts: tuple[DraftEntry, ...] = ()  # every draft, published or not
    draft_files: Mapping[str, str] = field(default_factory=dict)  # draft id -> file it came from

    def file_of(self, name: str) -> str:
        return f"{self.content_label}/{name}"


def default_seeds_dir(content_dir: Path) -> Path:
    return content_dir.resolve().parent / "seeds"


def read_files(content_dir: Path, seeds_dir: Path | None = None) -> ContentFiles:
    """Read every content and seed file below the two directories (the only I/O here)."""
    seeds_dir = seeds_dir or default_seeds_dir(content_dir)
    texts: dict[str, str] = {}
    paths = sorted(content_dir.glob("*.yaml"))
    for folder in (FAQ_DIR, DRAFTS_DIR):  # no drafts folder: no drafts
        paths += sorted((content_dir / folder).glob("*.yaml"))
    for path in paths:
        texts[path.relative_to(content_dir).as_posix()] = path.read_text(encoding="utf-8")
    index_path = seeds_dir / SEED_INDEX_FILE
    seed_texts = {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted((seeds_dir / SEED_ORIGINALS_DIR).glob("*.txt"))
    }
    return ContentFiles(
        content=texts,
        seed_index=index_path.read_text(encoding="utf-8") if index_path.is_file() else None,
        seed_texts=seed_texts,
        content_label=_label(content_dir),
        seeds_label=_label(seeds_dir),
    )


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def parse(files: ContentFiles) -> tuple[ContentSet | None, list[Problem]]:
    """Validate the raw files; return the content set (None if unusable) and the problems."""
    problems: list[Problem] = []
    label = files.content_label

    def shown(name: str) -> str:
        return f"{label}/{name}"

    faq: list[FaqEntry] = []
    faq_files: dict[str, str] = {}
    faq_names = sorted(n for n in files.content if n.startswith(f"{FAQ_DIR}/"))
    if not faq_names:
        problems.append(Problem(shown(FAQ_DIR), None, None, "no FAQ files (*.yaml) found"))
    for name in faq_names:
        for entry in _parse_list(files.content[name], shown(name), FaqEntry, "id", problems):
            if entry.id in faq_files:
                problems.append(
                    Problem(shown(name), entry.id, "id", f"duplicate id (also in {faq_files[entry.id]})")
                )
                continue
            faq_files[entry.id] = shown(name)
            faq.append(entry)
    # Drafts share the FAQ's ids; a published one is served (and checked) as an FAQ entry.
    drafts: list[DraftEntry] = []
    draft_files: dict[str, str] = {}
    for name in sorted(n for n in files.content if n.startswith(f"{DRAFTS_DIR}/")):
        for draft in _parse_list(files.content[name], shown(name), DraftEntry, "id", problems):
            other = faq_files.get(draft.id) or draft_files.get(draft.id)
            if other is not None:
                problems.append(Problem(shown(name), draft.id, "id", f"duplicate id (also in {other})"))
                continue
            draft_files[draft.id] = shown(name)
            drafts.append(draft)
    for draft in drafts:
        if draft.publish:
            faq_files[draft.id] = draft_files[draft.id]
            faq.append(draft)

    glossary = _parse_list(files.content.get(GLOSSARY_FILE), shown(GLOSSARY_FILE), GlossaryTerm, "term", problems)
    topics = _parse_list(files.content.get(TOPICS_FILE), shown(TOPICS_FILE), Topic, "id", problems)
    lexicon = _parse_one(files.content.get(LEXICON_FILE), shown(LEXICON_FILE), Lexicon, problems)
    messages = _parse_one(files.content.get(MESSAGES_FILE), shown(MESSAGES_FILE), Messages, problems)
    conversation = Conversation()
    if CONVERSATION_FILE in files.content:  # optional: without it there is no small talk or follow-up
        conversation = _parse_one(
            files.content[CONVERSATION_FILE], shown(CONVERSATION_FILE), Conversation, problems
        ) or Conversation()
    regions = None
    if REGIONS_FILE in files.content:  # optional: without it only the lexicon's places are places
        regions = _parse_one(files.content[REGIONS_FILE], shown(REGIONS_FILE), Regions, problems)
    region_aliases = None
    if REGION_ALIASES_FILE in files.content:  # optional: without it only official names are known
        region_aliases = _parse_one(
            files.content[REGION_ALIASES_FILE], shown(REGION_ALIASES_FILE), RegionAliases, problems
        )
    time_zones = None
    if TIME_ZONES_FILE in files.content:  # optional: without it everyone keeps WIB
        time_zones = _parse_one(files.content[TIME_ZONES_FILE], shown(TIME_ZONES_FILE), TimeZones, problems)
    calendar = None
    if CALENDAR_FILE in files.content:  # optional: without it broadcasts are scheduled as YYYY-MM-DD HH:MM
        calendar = _parse_one(files.content[CALENDAR_FILE], shown(CALENDAR_FILE), CalendarWords, problems)
    urgent = None
    if URGENT_FILE in files.content:  # optional: without it no message gets a danger-sign referral
        urgent = _parse_one(files.content[URGENT_FILE], shown(URGENT_FILE), UrgentRules, problems)

    seeds_index_name = f"{files.seeds_label}/{SEED_INDEX_FILE}"
    seeds = _parse_list(files.seed_index, seeds_index_name, SeedArticle, "id", problems)

    if lexicon is None or messages is None:
        return None, problems
    content = ContentSet(
        faq=tuple(faq),
        faq_files=faq_files,
        glossary=tuple(glossary),
        lexicon=lexicon,
        topics=tuple(topics),
        messages=messages,
        seeds={seed.id: seed for seed in seeds},
        conversation=conversation,
        regions=regions,
        region_aliases=region_aliases,
        time_zones=time_zones,
        calendar=calendar,
        urgent=urgent,
        drafts=tuple(drafts),
        draft_files=draft_files,
        seed_texts=dict(files.seed_texts),
        content_label=files.content_label,
        seeds_label=files.seeds_label,
    )
    return content, problems


def _load_yaml(text: str | None, name: str, problems: list[Problem]) -> Any:
    if text is None:
        problems.append(Problem(name, None, None, "file is missing"))
        return None
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(name, None, None, f"invalid YAML at {where}{reason}"))
        return None


def _parse_list(
    text: str | None, name: str, model: type[M], key: str, problems: list[Problem]
) -> list[M]:
    data = _load_yaml(text, name, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(name, None, None, f"expected a list of items, found {type(data).__name__}"))
        return []
    items: list[M] = []
    for position, raw in enumerate(data, start=1):
        ident = str(raw.get(key)) if isinstance(raw, dict) and raw.get(key) else f"#{position}"
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, name, ident))
    return items


def _parse_one(text: str | None, name: str, model: type[M], problems: list[Problem]) -> M | None:
    data = _load_yaml(text, name, problems)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, name, None))
        return None


def _validation_problems(exc: ValidationError, name: str, ident: str | None) -> list[Problem]:
    problems = []
    for error in exc.errors():
        # Drop the union-branch names pydantic inserts ("SeedSource") from the location.
        loc = [str(part) for part in error["loc"] if not str(part)[:1].isupper()]
        field_path = ".".join(loc) or None
        problems.append(Problem(name, ident, field_path, error["msg"]))
    return problems
