"""How well danger signs are recognised (pure): recall on urgent messages, false alarms on look-alikes.

The set (``tests/urgent_questions.yaml``) is written blind from the Buku KIA's danger signs, never
from ``content/urgent.yaml``: ``urgent`` items (``q``, ``sign``) must get the referral, ``look_alikes``
(``q``, ``why``) must not. ``stunting-bot eval-urgent`` prints this and fails below the floors of
``tests/quality_floors.yaml`` (CI: recall ≥ 95 %, false alarms ≤ 5 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from bot.matching.urgency import UrgencyDetector


@dataclass(frozen=True)
class UrgencyResult:
    urgent: int
    recalled: int
    look_alikes: int
    false_alarms: int
    missed: tuple[str, ...]  # urgent messages not recognised
    alarmed: tuple[tuple[str, str], ...]  # (look-alike, the sign it was taken for)

    @property
    def recall(self) -> float:
        return self.recalled / self.urgent if self.urgent else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.look_alikes if self.look_alikes else 0.0


@dataclass(frozen=True)
class UrgencyFloors:
    min_recall: float = 0.95
    max_false_alarms: float = 0.05

    @classmethod
    def for_set(cls, floors_file: str, question_file: str) -> UrgencyFloors:
        table = yaml.safe_load(floors_file) or {}
        if question_file not in table:
            raise ValueError(f"no floors for {question_file!r}")
        return cls(**table[question_file])

    def failures(self, result: UrgencyResult) -> list[str]:
        out = []
        if result.recall < self.min_recall:
            out.append(f"recall {result.recall:.1%} is below the floor {self.min_recall:.1%}")
        if result.false_alarm_rate > self.max_false_alarms:
            out.append(f"false alarms {result.false_alarm_rate:.1%} are above the ceiling {self.max_false_alarms:.1%}")
        return out


def evaluate(detector: UrgencyDetector, set_text: str) -> UrgencyResult:
    data = yaml.safe_load(set_text) or {}
    urgent = [str(item["q"]) for item in data.get("urgent", [])]
    look_alikes = [str(item["q"]) for item in data.get("look_alikes", [])]
    missed = tuple(q for q in urgent if not detector.detect(q).urgent)
    alarmed = tuple(
        (q, detection.signs[0].id) for q in look_alikes if (detection := detector.detect(q)).urgent
    )
    return UrgencyResult(len(urgent), len(urgent) - len(missed), len(look_alikes), len(alarmed), missed, alarmed)
