"""The calibrated decision model: two logistic regressions over ``features`` (pure).

* ``answer``: the probability that the best entry is the right answer;
* ``domain``: the probability that the question is one the knowledge base can help with
  (its answer, or a close subject to offer as a suggestion).

Their coefficients are data (``decision_model.json`` beside this module), refitted by
``stunting-bot calibrate`` with grouped cross-validation on the dev question set; the
bot only evaluates them — a dot product and a sigmoid, no numpy at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.matching.decide import OFF, Thresholds
from bot.matching.features import FEATURE_NAMES

MODEL_PATH = Path(__file__).with_name("decision_model.json")


@dataclass(frozen=True)
class Logistic:
    intercept: float
    coefficients: tuple[float, ...]

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept + sum(c * x for c, x in zip(self.coefficients, features, strict=True))
        if z < -60:  # exp overflow guard; the probability is 0 to double precision anyway
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class DecisionModel:
    answer: Logistic
    domain: Logistic
    answer_threshold: float  # answer at or above this probability (and a clear lead)
    suggest_threshold: float  # below the answer level, suggest at or above this domain probability
    answer_domain_threshold: float = 0.0  # an answer also needs this domain probability
    # An unopposed entry (Thresholds.confident) is answered at these levels; above 1: off.
    sure_answer_threshold: float = OFF
    sure_domain_threshold: float = OFF

    @property
    def thresholds(self) -> Thresholds:
        """The decision levels this model was calibrated with (the score margin and floor as default)."""
        return Thresholds(
            self.answer_threshold,
            self.suggest_threshold,
            answer_domain=self.answer_domain_threshold,
            sure_answer=self.sure_answer_threshold,
            sure_domain=self.sure_domain_threshold,
        )

    @classmethod
    def from_json(cls, text: str) -> DecisionModel:
        data = json.loads(text)
        names = tuple(data["features"])
        if names != FEATURE_NAMES:
            raise ValueError(
                f"decision model was fitted on features {names}, the code computes {FEATURE_NAMES}: "
                "refit it with `stunting-bot calibrate`"
            )
        models = {
            key: Logistic(float(data[key]["intercept"]), tuple(float(c) for c in data[key]["coefficients"]))
            for key in ("answer", "domain")
        }
        for key, model in models.items():
            if len(model.coefficients) != len(names):
                raise ValueError(f"decision model {key!r} has {len(model.coefficients)} coefficients, not {len(names)}")
        return cls(
            models["answer"], models["domain"], float(data["answer_threshold"]), float(data["suggest_threshold"]),
            float(data.get("answer_domain_threshold", 0.0)),
            float(data.get("sure_answer_threshold", OFF)),
            float(data.get("sure_domain_threshold", OFF)),
        )

    def to_json(self, **extra: object) -> str:
        data = {
            "features": list(FEATURE_NAMES),
            "answer": {"intercept": self.answer.intercept, "coefficients": list(self.answer.coefficients)},
            "domain": {"intercept": self.domain.intercept, "coefficients": list(self.domain.coefficients)},
            "answer_threshold": self.answer_threshold,
            "suggest_threshold": self.suggest_threshold,
            "answer_domain_threshold": self.answer_domain_threshold,
            "sure_answer_threshold": self.sure_answer_threshold,
            "sure_domain_threshold": self.sure_domain_threshold,
            **extra,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def load_model(path: Path = MODEL_PATH) -> DecisionModel:
    return DecisionModel.from_json(path.read_text(encoding="utf-8"))
