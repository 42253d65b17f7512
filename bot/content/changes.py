"""What a content reload changes: entries added, changed and removed (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.knowledge import Entry


@dataclass(frozen=True)
class ContentChanges:
    entries: int  # entries in the new set
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]


def compare(old: Iterable[Entry], new: Iterable[Entry]) -> ContentChanges:
    """Entry ids added, changed (question, phrasings, answer, sources, topic …) and removed, in id order."""
    before = {entry.id: entry for entry in old}
    after = {entry.id: entry for entry in new}
    return ContentChanges(
        entries=len(after),
        added=tuple(sorted(after.keys() - before.keys())),
        changed=tuple(sorted(i for i in before.keys() & after.keys() if before[i] != after[i])),
        removed=tuple(sorted(before.keys() - after.keys())),
    )
