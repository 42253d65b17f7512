"""Find FAQ phrasings that would be answered by another entry (pure).

Each phrasing is asked as a question against the index without itself
(leave-one-out). When another entry scores higher than the phrasing's own
entry, admins get a warning: the phrasing is ambiguous or belongs elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.content.problems import Problem
from bot.matching.index import Index


def alternate_conflicts(index: Index, files: Mapping[str, str]) -> list[Problem]:
    """Warnings for FAQ phrasings (entries listed in ``files``: id -> file) that match another entry better."""
    problems = []
    for number, entry in enumerate(index.entries):
        if entry.id not in files:
            continue
        for position, phrasing in enumerate(entry.phrasings):
            phrasing_id = index.phrasing_ids.get((number, position))
            if phrasing_id is None:
                continue
            ranked = index.search(index.query(phrasing), exclude_phrasing=phrasing_id)
            if not ranked or index.entries[ranked[0].entry].id == entry.id:
                continue
            own = next((s.score for s in ranked if s.entry == number), 0.0)
            winner = index.entries[ranked[0].entry].id
            field = "question" if position == 0 else f"alternates.{position - 1}"
            problems.append(
                Problem(
                    files[entry.id],
                    entry.id,
                    field,
                    f"{phrasing!r} matches entry {winner!r} ({ranked[0].score:.0f}) better than its own ({own:.0f})",
                    "warning",
                )
            )
    return problems
