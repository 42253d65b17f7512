"""Measure matching quality on a question set (pure apart from parsing the file text).

A question set is YAML with ``in_scope`` (``q`` and ``expect``: one entry id
or a list of right ones; optional ``kind``: chatty, regional, formal, keyword,
english, casual), ``out_of_scope`` (``q``, optional ``note`` and ``kind``:
hard_negative or off_topic), and optionally ``small_talk`` (``q``, ``expect``:
greeting, thanks or ack) and ``follow_ups`` (``after``: a first question,
``q``: the message sent next, ``expect``: source, more, or entry ids).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.engine import Engine, Reply

OUT_OF_SCOPE_TOPIC = "luar-cakupan"
RECALL_AT = 3
FOLLOW_UP_BEHAVIOURS = frozenset({"source", "more"})  # what a follow-up may expect besides entry ids


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


# One entry id or a list of them (YAML: `expect: id` or `expect: [id, id]`).
EntryIds = Annotated[list[str], BeforeValidator(_one_or_many), Field(min_length=1)]


class InScopeQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str
    expect: EntryIds
    kind: str | None = None


class OutOfScopeQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str
    note: str | None = None
    kind: str | None = None


class SmallTalkMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str
    expect: Literal["greeting", "thanks", "ack"]


class FollowUp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after: str
    q: str
    expect: EntryIds  # ["source"], ["more"] or entry ids


class QuestionSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    in_scope: list[InScopeQuestion] = Field(default_factory=list)
    out_of_scope: list[OutOfScopeQuestion] = Field(default_factory=list)
    small_talk: list[SmallTalkMessage] = Field(default_factory=list)
    follow_ups: list[FollowUp] = Field(default_factory=list)

    @classmethod
    def from_yaml(cls, text: str) -> QuestionSet:
        return cls.model_validate(yaml.safe_load(text) or {})


# How one reply to one question is judged. In scope: answered right, answered wrong (with or without
# the right question among those offered under the answer), the right entry offered among the
# suggestions, or neither (no help). Out of scope: answered, suggested or declined.
Judgement = Literal["right", "wrong", "wrong_offered", "offered", "unhelped", "answered", "suggested", "declined"]
# In-scope questions with neither the right answer nor the right entry among the suggestions.
DEAD_ENDS = frozenset({"wrong", "unhelped"})
_OUT_OF_SCOPE_JUDGEMENT: dict[str, Judgement] = {"answer": "answered", "suggest": "suggested", "none": "declined"}


def judge(
    expected: Collection[str], status: str, answered: str | None, suggested: Iterable[str], shown: Iterable[str] = ()
) -> Judgement:
    """``expected``: the right entry ids (none: out of scope); ``answered``: the entry answered, if any;
    ``suggested``: the entries offered as suggestions; ``shown``: the questions offered under an answer
    (Engine.next_questions). A wrong answer with the right question under it is still wrong, but not a
    dead end: the person reaches the answer with one tap."""
    if not expected:
        return _OUT_OF_SCOPE_JUDGEMENT[status]
    if status == "answer":
        if answered in expected:
            return "right"
        return "wrong_offered" if any(entry_id in expected for entry_id in shown) else "wrong"
    if status == "suggest" and any(entry_id in expected for entry_id in suggested):
        return "offered"
    return "unhelped"


@dataclass(frozen=True)
class Outcome:
    question: str
    expected: tuple[str, ...]  # empty for out-of-scope questions
    topic: str
    reply: Reply
    top: tuple[str, ...]  # the best RECALL_AT entry ids, whatever the status
    kind: str | None = None

    @property
    def in_scope(self) -> bool:
        return bool(self.expected)

    @property
    def judged(self) -> Judgement:
        reply = self.reply
        answered = reply.entry.id if reply.status == "answer" and reply.entry else None
        shown = [s.entry_id for s in reply.next_questions]
        return judge(self.expected, reply.status, answered, [s.entry_id for s in reply.suggestions], shown)

    @property
    def answered_right(self) -> bool:
        return self.judged == "right"

    @property
    def answered_wrong(self) -> bool:
        return self.judged in ("wrong", "wrong_offered")

    @property
    def in_top(self) -> bool:
        return any(entry_id in self.expected for entry_id in self.top)

    @property
    def declined(self) -> bool:
        return self.reply.status == "none"

    @property
    def right_suggested(self) -> bool:
        return self.judged == "offered"

    @property
    def dead_end(self) -> bool:
        return self.judged in DEAD_ENDS

    @property
    def verdict(self) -> str:
        if not self.in_scope:
            return "declined" if self.declined else f"{self.reply.status} (should decline)"
        if self.answered_right:
            return "right"
        if self.answered_wrong:
            return "WRONG" + (" (right one offered under it)" if self.judged == "wrong_offered" else " (DEAD END)")
        if self.reply.status == "suggest":
            return "suggested" + (" (right one offered)" if self.right_suggested else " (DEAD END)")
        return "declined (DEAD END)"


@dataclass(frozen=True)
class TopicScore:
    questions: int = 0
    right: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]
    in_scope: int
    out_of_scope: int
    top1: int
    wrong: int
    recall_at_3: int
    suggested: int
    declined_in_scope: int
    declined_out_of_scope: int
    answered_out_of_scope: int
    per_topic: dict[str, TopicScore] = field(default_factory=dict)
    dead_ends: int = 0
    suggested_out_of_scope: int = 0
    per_kind: dict[str, TopicScore] = field(default_factory=dict)  # in-scope right / out-of-scope declined
    small_talk: tuple[tuple[str, str, str | None], ...] = ()  # (message, expected, got)
    follow_ups: tuple[tuple[str, str, str, bool], ...] = ()  # (after, message, expected, right)

    def rate(self, count: int, total: int) -> float:
        return count / total if total else 0.0

    @property
    def top1_accuracy(self) -> float:
        return self.rate(self.top1, self.in_scope)

    @property
    def wrong_rate(self) -> float:
        return self.rate(self.wrong, self.in_scope)

    @property
    def recall(self) -> float:
        return self.rate(self.recall_at_3, self.in_scope)

    @property
    def declined_rate(self) -> float:
        return self.rate(self.declined_out_of_scope, self.out_of_scope)

    @property
    def dead_end_rate(self) -> float:
        return self.rate(self.dead_ends, self.in_scope)

    @property
    def answered_out_rate(self) -> float:
        return self.rate(self.answered_out_of_scope, self.out_of_scope)

    @property
    def small_talk_right(self) -> int:
        return sum(expected == got for _, expected, got in self.small_talk)

    @property
    def follow_ups_right(self) -> int:
        return sum(right for *_, right in self.follow_ups)

    @property
    def small_talk_rate(self) -> float:
        """Small-talk messages recognised as the right kind (1.0 when the set has none)."""
        return self.rate(self.small_talk_right, len(self.small_talk)) if self.small_talk else 1.0

    @property
    def follow_up_rate(self) -> float:
        """Follow-ups given the right behaviour (1.0 when the set has none)."""
        return self.rate(self.follow_ups_right, len(self.follow_ups)) if self.follow_ups else 1.0

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if (o.in_scope and not o.answered_right) or (not o.in_scope and not o.declined)]

    def summary(self) -> dict[str, object]:
        return {
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "top1_accuracy": round(self.top1_accuracy, 4),
            "confident_wrong": self.wrong,
            "confident_wrong_rate": round(self.wrong_rate, 4),
            "recall_at_3": round(self.recall, 4),
            "suggested": self.suggested,
            "declined_in_scope": self.declined_in_scope,
            "dead_ends": self.dead_ends,
            "dead_end_rate": round(self.dead_end_rate, 4),
            "out_of_scope_declined": round(self.declined_rate, 4),
            "out_of_scope_answered": self.answered_out_of_scope,
            "out_of_scope_answered_rate": round(self.answered_out_rate, 4),
            "out_of_scope_suggested": self.suggested_out_of_scope,
            "small_talk": {"messages": len(self.small_talk), "right": self.small_talk_right},
            "follow_ups": {"messages": len(self.follow_ups), "right": self.follow_ups_right},
            "per_kind": {k: {"questions": s.questions, "right": round(s.accuracy, 4)} for k, s in self.per_kind.items()},
            "per_topic": {t: {"questions": s.questions, "top1": round(s.accuracy, 4)} for t, s in self.per_topic.items()},
        }


@dataclass(frozen=True)
class Floors:
    """The quality floor CI enforces: fail below any of these (tests/quality_floors.yaml sets them per set)."""

    min_top1: float = 0.95
    max_wrong: float = 0.02
    min_declined: float = 0.0  # out-of-scope questions declined outright (suggestions are no harm)
    max_dead_ends: float = 1.0  # in-scope questions with neither the answer nor it among the suggestions
    max_answered_out: float = 1.0  # out-of-scope questions answered
    min_small_talk: float = 0.0  # small-talk messages recognised as the right kind
    min_follow_ups: float = 0.0  # follow-ups given the right behaviour

    @classmethod
    def for_set(cls, floors_file: str, question_file: str) -> Floors:
        """The floors listed for a question set (by file name) in a floors YAML file."""
        table = yaml.safe_load(floors_file) or {}
        values = table.get(question_file)
        if values is None:
            raise ValueError(f"no floors for {question_file!r}; listed: {', '.join(sorted(table))}")
        return cls(**values)

    def failures(self, report: Report) -> list[str]:
        # (what, measured, floor, True when the measure must reach the floor / False: stay under it)
        checks = [
            ("top-1 accuracy", report.top1_accuracy, self.min_top1, True),
            ("confident-wrong rate", report.wrong_rate, self.max_wrong, False),
            ("out-of-scope declined", report.declined_rate, self.min_declined, True),
            ("dead ends", report.dead_end_rate, self.max_dead_ends, False),
            ("out-of-scope answered", report.answered_out_rate, self.max_answered_out, False),
            ("small talk recognised", report.small_talk_rate, self.min_small_talk, True),
            ("follow-ups right", report.follow_up_rate, self.min_follow_ups, True),
        ]
        return [
            f"{what} {value:.1%} is {'below' if at_least else 'above'} {floor:.1%}"
            for what, value, floor, at_least in checks
            if (value < floor if at_least else value > floor)
        ]


def unknown_ids(questions: QuestionSet, engine: Engine) -> list[str]:
    """Expected entry ids the content does not have (follow-ups' "source"/"more" are behaviours)."""
    expected = {e for q in questions.in_scope for e in q.expect}
    expected |= {e for f in questions.follow_ups for e in f.expect if e not in FOLLOW_UP_BEHAVIOURS}
    return sorted(e for e in expected if e not in engine.by_id)


def evaluate(engine: Engine, questions: QuestionSet) -> Report:
    outcomes: list[Outcome] = []
    items = [(q.q, tuple(q.expect), q.kind) for q in questions.in_scope]
    items += [(q.q, (), q.kind) for q in questions.out_of_scope]
    for text, expected, kind in items:
        reply = engine.ask(text)
        top = tuple(entry.id for entry, _ in engine.ranked(text)[:RECALL_AT])
        first = engine.by_id.get(expected[0]) if expected else None
        topic = first.topic if first else OUT_OF_SCOPE_TOPIC
        outcomes.append(Outcome(text, expected, topic, reply, top, kind))

    per_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        good = outcome.answered_right if outcome.in_scope else outcome.declined
        per_topic[outcome.topic][0] += 1
        per_topic[outcome.topic][1] += good
        if outcome.kind:
            per_kind[outcome.kind][0] += 1
            per_kind[outcome.kind][1] += good
    inside = [o for o in outcomes if o.in_scope]
    outside = [o for o in outcomes if not o.in_scope]
    small_talk = tuple((m.q, m.expect, engine.ask(m.q).small_talk) for m in questions.small_talk)
    return Report(
        outcomes=tuple(outcomes),
        in_scope=len(inside),
        out_of_scope=len(outside),
        top1=sum(o.answered_right for o in inside),
        wrong=sum(o.answered_wrong for o in inside),
        recall_at_3=sum(o.in_top for o in inside),
        suggested=sum(o.reply.status == "suggest" for o in inside),
        declined_in_scope=sum(o.declined for o in inside),
        declined_out_of_scope=sum(o.declined for o in outside),
        answered_out_of_scope=sum(o.reply.status == "answer" for o in outside),
        per_topic={t: TopicScore(n, r) for t, (n, r) in sorted(per_topic.items())},
        dead_ends=sum(o.dead_end for o in inside),
        suggested_out_of_scope=sum(o.reply.status == "suggest" for o in outside),
        per_kind={k: TopicScore(n, r) for k, (n, r) in sorted(per_kind.items())},
        small_talk=small_talk,
        follow_ups=tuple(_follow_up(engine, item) for item in questions.follow_ups),
    )


def _follow_up(engine: Engine, item: FollowUp) -> tuple[str, str, str, bool]:
    """The follow-up sent after the first question's reply (its answer, if it was answered)."""
    first = engine.ask(item.after)
    previous = first.entry.id if first.status == "answer" and first.entry else None
    reply = engine.ask(item.q, previous=previous)
    expected = "|".join(item.expect)
    if item.expect == ["source"]:
        right = reply.follow_up == "source" and previous is not None
    elif item.expect == ["more"]:
        right = reply.follow_up == "more"
    else:
        right = reply.status == "answer" and reply.entry is not None and reply.entry.id in item.expect
    return item.after, item.q, expected, right
