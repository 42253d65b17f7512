"""A problem found in the content: where it is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    entry: str | None
    field: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.entry:
            where.append(f"entry {self.entry!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{self.severity}: {', '.join(where)}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the content, first: {errors[0] if errors else '-'}")
