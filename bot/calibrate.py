"""``stunting-bot calibrate``: refit the decision model on the dev question set (a shell).

Reproducible: the same content, question set and options give the same model. Every
question is read the way the engine reads it (the whole message and its sub-messages,
``Engine.readings``), which gives one feature row per reading. Then, with grouped
cross-validation (questions about the same entry stay in one fold, so the model cannot
learn an entry by heart):

1. the **answer** model learns, from every eligible reading, whether its best entry is right;
2. each question's most confident reading is chosen with that fold's answer model, and the
   **domain** model learns from those whether the question is in scope at all;
3. the held-out folds' probabilities give the precision/coverage curve, and the thresholds are
   the most answering ones that keep wrong answers and answered out-of-scope questions under the
   limits given, then the sure levels for an unopposed entry (a higher answer level, a lower domain
   level) that answer the most within the same limits, then the suggestion level with the fewest dead ends that still declines enough of
   the out-of-scope questions outright.

The final model is fitted on all questions and written as JSON (``bot/matching/decision_model.json``);
the bot evaluates it with a dot product. scikit-learn is needed here only (the ``calibrate`` extra).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.engine import Engine, Reading
from bot.evaluation import DEAD_ENDS, QuestionSet, judge
from bot.matching.calibration import MODEL_PATH, DecisionModel, Logistic
from bot.matching.decide import OFF, Confidence, Thresholds, decide
from bot.matching.features import FEATURE_NAMES

FOLDS = 5
REGULARISATION = 10.0  # scikit-learn's C (smaller is smoother); chosen by grouped CV on the dev set (docs/matching.md)
THRESHOLD_STEPS = [round(0.02 * i, 2) for i in range(1, 50)]
SURE_STEPS = THRESHOLD_STEPS[1::2]  # a coarser grid for the pair of sure levels


@dataclass(frozen=True)
class Item:
    text: str
    expected: frozenset[str]  # empty: out of scope
    group: str
    readings: tuple[Reading, ...]


@dataclass(frozen=True)
class Judged:
    item: Item
    reading: Reading
    confidence: Confidence


def placeholder_model() -> DecisionModel:
    zero = Logistic(0.0, (0.0,) * len(FEATURE_NAMES))
    return DecisionModel(zero, zero, 0.5, 0.25)


def collect(engine: Engine, questions: QuestionSet) -> list[Item]:
    items = [Item(q.q, frozenset(q.expect), f"entry:{q.expect[0]}", tuple(engine.readings(q.q))) for q in questions.in_scope]
    items += [
        Item(o.q, frozenset(), f"out:{number}", tuple(engine.readings(o.q)))
        for number, o in enumerate(questions.out_of_scope)
    ]
    # Small talk never reaches the decision (Engine.ask answers it first), nor does an empty message.
    return [
        item for item in items
        if (item.readings[0].ranked or not item.expected)
        and item.readings[0].query.tokens and engine.conversation.small_talk(item.text) is None
    ]  # fmt: skip


def top_id(engine: Engine, reading: Reading) -> str | None:
    return engine.entries[reading.ranked[0].entry].id if reading.ranked else None


def _fit_logistic(rows: list[tuple[float, ...]], labels: list[int]) -> Logistic:
    """Standardised L2 logistic regression, folded back into coefficients on the raw features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if len(set(labels)) < 2:  # a fold with one class: a constant model
        return Logistic(10.0 if labels and labels[0] else -10.0, (0.0,) * len(FEATURE_NAMES))
    scaler = StandardScaler().fit(rows)
    model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(scaler.transform(rows), labels)
    scale = [s if s else 1.0 for s in scaler.scale_]
    coefficients = tuple(float(c / s) for c, s in zip(model.coef_[0], scale, strict=True))
    intercept = float(model.intercept_[0] - sum(c * m for c, m in zip(coefficients, scaler.mean_, strict=True)))
    return Logistic(intercept, coefficients)


def fit(engine: Engine, items: Sequence[Item], thresholds: tuple[float, float] = (0.5, 0.25)) -> DecisionModel:
    rows, labels = [], []
    for item in items:
        for reading in item.readings:
            if reading.eligible and reading.ranked:
                rows.append(reading.features)
                labels.append(int(top_id(engine, reading) in item.expected))
    answer = _fit_logistic(rows, labels)
    staged = DecisionModel(answer, answer, *thresholds)
    chosen = [engine.choose(list(item.readings), staged)[0] for item in items]
    domain = _fit_logistic([r.features for r in chosen], [int(bool(item.expected)) for item in items])
    return DecisionModel(answer, domain, *thresholds)


def cross_validated(engine: Engine, items: list[Item]) -> list[Judged]:
    from sklearn.model_selection import GroupKFold

    judged: list[Judged] = []
    splitter = GroupKFold(n_splits=FOLDS)
    for train, test in splitter.split(items, groups=[item.group for item in items]):
        model = fit(engine, [items[i] for i in train])
        for i in test:
            reading, confidence = engine.choose(list(items[i].readings), model)
            judged.append(Judged(items[i], reading, confidence))
    return judged


@dataclass(frozen=True)
class Tally:
    answer: float
    suggest: float
    right: int
    wrong: int
    dead_ends: int
    out_answered: int
    out_suggested: int
    out_declined: int
    inside: int
    outside: int
    answer_domain: float = 0.0
    sure: tuple[float, float] = (OFF, OFF)  # answer and domain levels for an unopposed entry

    @property
    def answered(self) -> int:
        return self.right + self.wrong

    def share(self, count: int, total: int) -> float:
        return count / total if total else 0.0


def tally(
    engine: Engine,
    judged: list[Judged],
    answer: float,
    suggest: float,
    margin: float,
    answer_domain: float = 0.0,
    sure: tuple[float, float] = (OFF, OFF),
) -> Tally:
    """The outcomes at these levels; ``sure``: the answer and domain levels for an unopposed entry."""
    thresholds = Thresholds(answer, suggest, margin, answer_domain=answer_domain, sure_answer=sure[0], sure_domain=sure[1])
    judged_as: Counter[str] = Counter()
    for j in judged:
        decision = decide(j.reading.ranked, j.confidence, thresholds, vague=j.reading.vague, term=j.reading.term)
        answered = engine.entries[decision.best.entry].id if decision.status == "answer" and decision.best else None
        suggested = [engine.entries[s.entry].id for s in decision.suggestions]
        judged_as[judge(j.item.expected, decision.status, answered, suggested)] += 1
    inside = sum(bool(j.item.expected) for j in judged)
    counts = dict(
        right=judged_as["right"], wrong=judged_as["wrong"], dead_ends=sum(judged_as[k] for k in DEAD_ENDS),
        out_answered=judged_as["answered"], out_suggested=judged_as["suggested"], out_declined=judged_as["declined"],
    )  # fmt: skip
    outside = len(judged) - inside
    return Tally(answer, suggest, inside=inside, outside=outside, answer_domain=answer_domain, sure=sure, **counts)


def choose_thresholds(
    engine: Engine, judged: list[Judged], margin: float, max_wrong: float, max_out_answered: float, min_out_declined: float
) -> tuple[Tally, list[Tally]]:
    """The answer levels (answer probability, and domain probability) answering most questions right
    within the wrong/out-of-scope limits; then the suggestion level leaving fewest dead ends while
    still declining ``min_out_declined`` of the out-of-scope questions (the highest on a tie)."""
    low = min(THRESHOLD_STEPS)
    grid = [tally(engine, judged, a, low, margin, d) for a in THRESHOLD_STEPS for d in (0.0, *THRESHOLD_STEPS)]
    allowed = [
        t for t in grid
        if t.share(t.wrong, t.inside) <= max_wrong and t.share(t.out_answered, t.outside) <= max_out_answered
    ]  # fmt: skip
    best_answer = max(allowed or grid[-1:], key=lambda t: (t.right, -t.wrong, -t.out_answered, t.answer))
    answer, answer_domain = best_answer.answer, best_answer.answer_domain
    curve = [t for t in grid if t.answer_domain == answer_domain]  # the answer levels at that domain level
    # Then the sure levels for an unopposed entry: a higher answer level with a lower domain level,
    # answering the most within the same limits (off when none answers more).
    sure_grid = [
        tally(engine, judged, answer, low, margin, answer_domain, (a, d))
        for a in SURE_STEPS if a > answer
        for d in SURE_STEPS if d < answer_domain
    ]  # fmt: skip
    within_limits = [
        t for t in sure_grid
        if t.share(t.wrong, t.inside) <= max_wrong and t.share(t.out_answered, t.outside) <= max_out_answered
    ]  # fmt: skip
    sure = max(
        [best_answer, *within_limits], key=lambda t: (t.right, -t.wrong, -t.out_answered, t.sure[0], t.sure[1])
    ).sure
    options = [tally(engine, judged, answer, s, margin, answer_domain, sure) for s in THRESHOLD_STEPS if s <= answer]
    within = [t for t in options if t.share(t.out_declined, t.outside) >= min_out_declined] or options[-1:]
    best = min(within, key=lambda t: (t.dead_ends, -t.suggest))
    return best, curve


def curve_table(curve: list[Tally], chosen: Tally) -> Table:
    table = Table(title=f"answer level (cross-validated; domain ≥ {chosen.answer_domain:.2f}): precision and coverage")
    for column in ("P(answer) ≥", "answered", "precision", "top-1", "wrong", "out answered"):
        table.add_column(column, justify="right")
    for t in curve[::2]:
        mark = " ◀" if t.answer == chosen.answer else ""
        table.add_row(
            f"{t.answer:.2f}{mark}",
            f"{t.share(t.answered, t.inside):.1%}",
            f"{t.share(t.right, t.answered):.1%}",
            f"{t.share(t.right, t.inside):.1%}",
            str(t.wrong),
            f"{t.share(t.out_answered, t.outside):.1%}",
        )
    return table


def main(args: argparse.Namespace, engine_for: Callable[[DecisionModel], Engine]) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("calibrate needs scikit-learn: .venv/bin/pip install -e '.[calibrate]'")
        return 2
    engine = engine_for(placeholder_model())
    questions = QuestionSet.from_yaml(args.file.read_text(encoding="utf-8"))
    items = collect(engine, questions)
    margin = Thresholds().margin
    judged = cross_validated(engine, items)
    chosen, curve = choose_thresholds(
        engine, judged, margin, args.max_wrong, args.max_out_answered, args.min_out_declined
    )
    console = Console()
    console.print(curve_table(curve, chosen))
    console.print(
        f"chosen: answer ≥ {chosen.answer:.2f} (domain ≥ {chosen.answer_domain:.2f}; unopposed: answer ≥ "
        f"{chosen.sure[0]:.2f}, domain ≥ {chosen.sure[1]:.2f}), suggest ≥ {chosen.suggest:.2f} — "
        "cross-validated on "
        f"{chosen.inside} in-scope and {chosen.outside} out-of-scope questions: top-1 "
        f"{chosen.share(chosen.right, chosen.inside):.1%}, wrong {chosen.wrong}, dead ends {chosen.dead_ends}, "
        f"out of scope answered/suggested/declined {chosen.out_answered}/{chosen.out_suggested}/{chosen.out_declined}"
    )
    model = dataclasses.replace(
        fit(engine, items, (chosen.answer, chosen.suggest)),
        answer_domain_threshold=chosen.answer_domain,
        sure_answer_threshold=chosen.sure[0],
        sure_domain_threshold=chosen.sure[1],
    )
    if args.dry_run:
        return 0
    args.out.write_text(
        model.to_json(
            fitted_on=args.file.as_posix(),
            fitted=dt.date.today().isoformat(),
            cross_validated={
                "folds": FOLDS,
                "top1": round(chosen.share(chosen.right, chosen.inside), 4),
                "wrong": chosen.wrong,
                "dead_ends": chosen.dead_ends,
                "out_of_scope_answered": chosen.out_answered,
                "out_of_scope_suggested": chosen.out_suggested,
                "out_of_scope_declined": chosen.out_declined,
            },
        ),
        encoding="utf-8",
    )
    console.print(f"written: {args.out}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?", default=Path("tests/dev_questions.yaml"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--max-wrong", type=float, default=0.015, help="cross-validated wrong answers, share of in-scope")
    parser.add_argument("--max-out-answered", type=float, default=0.04, help="out-of-scope answered, share")
    parser.add_argument(
        "--min-out-declined", type=float, default=0.75, help="out-of-scope declined outright (not suggested), share"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the curve and thresholds, write nothing")
