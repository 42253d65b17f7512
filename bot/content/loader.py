"""Read the content files and turn them into validated models.

Reading (``read_files``) is the only I/O; ``parse`` is pure, so the same text
always gives the same models and problems. Cross-reference checks live in
:mod:`bot.content.checker`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Hashable, Iterator, Mapping
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

# Limits against content that would hang or exhaust the bot (issue #13): a file is read only if it is
# a regular file of at most MAX_FILE_BYTES; a YAML document may hold at most MAX_YAML_ALIASES aliases,
# its aliases may add at most MAX_YAML_ALIAS_NODES nodes (each alias counted as a copy of everything
# it names), and it may nest at most MAX_YAML_DEPTH levels. The shipped content is far below all of
# them: the largest file is about 60 KB and 6,000 nodes; urgent.yaml, with the most aliases, has 33
# that add about 600 nodes; nothing nests more than 10 levels. Even the slowest 2 MiB of YAML (a
# million invalid items, each a problem) parses in about 20 s, under the reload's time limit.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_YAML_ALIASES = 1_000
MAX_YAML_ALIAS_NODES = 100_000
MAX_YAML_DEPTH = 100


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader when available (about 10x faster), refusing duplicate keys.

    A duplicate key is almost always an editing mistake (a slang word listed twice with
    different meanings); YAML would silently keep only the last one.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # a list or mapping as a key: a crash, not a problem, otherwise
                raise yaml.constructor.ConstructorError(
                    None, None, f"found an unhashable key ({type(key).__name__})", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_document(self, node: yaml.Node) -> Any:
        _check_size(node)  # before anything is built: pydantic would walk every copy of an alias
        return super().construct_document(node)


def _check_size(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it beyond the bounds (a "billion laughs" bomb).

    The composed graph shares one node per anchor, so the file itself is small; what explodes is
    every walk over the constructed data. A depth-first walk in document order sizes each node once
    (an alias can only name an earlier node: one already sized, or an open ancestor, which is
    refused as recursive), so this check is linear in the size of the file. Only the nodes the aliases add count against
    MAX_YAML_ALIAS_NODES: a large file without aliases is bounded by MAX_FILE_BYTES instead.
    """
    if isinstance(root, yaml.ScalarNode):
        return
    sizes: dict[int, int] = {id(root): 0}  # id(collection) -> nodes it expands to; 0 while open
    scalars: set[int] = set()
    distinct = 1
    aliases = 0
    stack: list[list[Any]] = [[root, _children(root), 1]]  # node, its children left, its size so far
    while stack:
        frame = stack[-1]
        child = next(frame[1], None)
        if child is None:  # all its children are sized
            stack.pop()
            node, _, total = frame
            sizes[id(node)] = total
            # ``distinct`` (every node seen so far) >= the distinct nodes below this one, so this
            # never overstates what the aliases add, and it is exact at the root.
            if total - distinct > MAX_YAML_ALIAS_NODES:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"too many aliases: they expand the document by more than {MAX_YAML_ALIAS_NODES:,} "
                    'nodes (nested anchors and aliases, a YAML "alias bomb"?)',
                    node.start_mark,
                )  # fmt: skip
            if stack:
                stack[-1][2] += total
            continue
        key = id(child)
        if key in sizes or key in scalars:  # a second reference to a node: an alias
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise yaml.constructor.ConstructorError(
                    None, None, f"too many aliases: more than {MAX_YAML_ALIASES:,} in one document",
                    child.start_mark,
                )
            if sizes.get(key) == 0:  # an ancestor still open: the data would contain itself
                raise yaml.constructor.ConstructorError(
                    None, None, "recursive alias: an anchor used inside itself", child.start_mark
                )
            frame[2] += sizes.get(key, 1)
        elif isinstance(child, yaml.ScalarNode):
            scalars.add(key)
            distinct += 1
            frame[2] += 1
        else:
            if len(stack) >= MAX_YAML_DEPTH:
                raise yaml.constructor.ConstructorError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", child.start_mark
                )
            sizes[key] = 0
            distinct += 1
            stack.append([child, _children(child), 1])


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return (part for pair in node.value for part in pair)
    return iter(node.value)


_SAFE_LOADER = _UniqueKeyLoader


@dataclass(frozen=True)
class ContentFiles:
    """The raw text of every content file, keyed by a display name."""

    content: dict[str, str]  # "faq/program.yaml", "drafts/petugas-12.yaml" -> text
    seed_index: str | None
    seed_texts: dict[str, str]  # seed id (file stem) -> original text
    content_label: str = "content"
    seeds_label: str = "seeds"
    problems: tuple[Problem, ...] = ()  # files that were refused (not a regular file, too large)


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
    """Read every content and seed file below the two directories (the only I/O here).

    Only regular files of at most MAX_FILE_BYTES are read: anything else (a FIFO, a device, a
    socket, a symlink to one of them, a huge file) is skipped with a problem instead of hanging
    the reload or filling the memory.
    """
    seeds_dir = seeds_dir or default_seeds_dir(content_dir)
    content_label, seeds_label = _label(content_dir), _label(seeds_dir)
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    paths = sorted(content_dir.glob("*.yaml"))
    for folder in (FAQ_DIR, DRAFTS_DIR):  # no drafts folder: no drafts
        paths += sorted((content_dir / folder).glob("*.yaml"))
    for path in paths:
        name = path.relative_to(content_dir).as_posix()
        if (text := _read_text(path, f"{content_label}/{name}", problems)) is not None:
            texts[name] = text
    seed_texts: dict[str, str] = {}
    for path in sorted((seeds_dir / SEED_ORIGINALS_DIR).glob("*.txt")):
        shown = f"{seeds_label}/{SEED_ORIGINALS_DIR}/{path.name}"
        if (text := _read_text(path, shown, problems)) is not None:
            seed_texts[path.stem] = text
    index_path = seeds_dir / SEED_INDEX_FILE
    seed_index = None
    if os.path.lexists(index_path):  # absent: parse reports it missing
        seed_index = _read_text(index_path, f"{seeds_label}/{SEED_INDEX_FILE}", problems)
    return ContentFiles(
        content=texts,
        seed_index=seed_index,
        seed_texts=seed_texts,
        content_label=content_label,
        seeds_label=seeds_label,
        problems=tuple(problems),
    )


def _refusal(mode: int, size: int) -> str | None:
    """Why a file with this stat cannot be read as content, or None if it can."""
    if not stat.S_ISREG(mode):
        kind = (
            "a directory" if stat.S_ISDIR(mode)
            else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file"
        )  # fmt: skip
        return f"skipped: {kind}, not a regular file"
    if size > MAX_FILE_BYTES:
        return f"skipped: {size:,} bytes, larger than the {MAX_FILE_BYTES:,}-byte limit for a content file"
    return None


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """The file's text, or None (and a problem) if it is not a regular file of a bounded size."""
    try:
        info = os.stat(path)  # follows symlinks: a link to /dev/zero is judged as /dev/zero
    except FileNotFoundError:  # a dangling symlink, or deleted since the directory was listed
        problems.append(Problem(shown, None, None, "skipped: cannot be read (it vanished, or is a broken symlink)"))
        return None
    if reason := _refusal(info.st_mode, info.st_size):
        problems.append(Problem(shown, None, None, reason))
        return None
    # O_NONBLOCK: should the path have been swapped for a FIFO since the stat, opening it does
    # not wait for a writer; the fstat below then refuses it.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if reason := _refusal(info.st_mode, info.st_size):
            problems.append(Problem(shown, None, None, reason))
            return None
        data = stream.read(MAX_FILE_BYTES + 1)  # it may have grown since the stat
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(shown, None, None, f"skipped: larger than the {MAX_FILE_BYTES:,}-byte limit for a content file"))
        return None
    return data.decode("utf-8")


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def parse(files: ContentFiles) -> tuple[ContentSet | None, list[Problem]]:
    """Validate the raw files; return the content set (None if unusable) and the problems."""
    problems: list[Problem] = list(files.problems)  # files that could not be read
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
        if not any(p.file == name and p.entry is None for p in problems):  # not already refused
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
        named = raw.get(key) if isinstance(raw, dict) else None
        # only a scalar names an entry: str() of a list made of aliases can be gigabytes long
        ident = str(named) if named and isinstance(named, str | int | float) else f"#{position}"
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
