"""The decision tiers: answer, suggest or none, from the calibrated probabilities (bot.matching.decide)."""

from __future__ import annotations

import json

import pytest

from bot.matching.calibration import MODEL_PATH, DecisionModel, Logistic, load_model
from bot.matching.decide import Confidence, Thresholds, decide
from bot.matching.features import FEATURE_NAMES
from bot.matching.index import Scored

LEVELS = Thresholds(answer=0.6, suggest=0.2, margin=1.0)


def ranked(*scores: float) -> list[Scored]:
    return [Scored(entry=number, score=score, phrasing=number) for number, score in enumerate(scores)]


def test_a_confident_clear_leader_is_answered_with_the_entries_that_came_close():
    decision = decide(ranked(80, 50, 40, 40), Confidence(0.9, 0.9), LEVELS)
    # runners-up at half the answer's score or more, at most two, are offered under the answer
    assert decision.status == "answer" and decision.best.entry == 0
    assert [s.entry for s in decision.suggestions] == [1, 2]


def test_an_answer_far_ahead_of_the_rest_offers_no_alternatives():
    decision = decide(ranked(80, 39.9, 20), Confidence(0.9, 0.9), LEVELS)
    assert decision.status == "answer" and decision.suggestions == ()


def test_the_answer_level_is_inclusive_and_just_below_it_suggests():
    assert decide(ranked(80, 50), Confidence(0.6, 0.9), LEVELS).status == "answer"
    below = decide(ranked(80, 50), Confidence(0.59, 0.9), LEVELS)
    assert below.status == "suggest" and [s.entry for s in below.suggestions] == [0, 1]


def test_a_near_tie_is_offered_as_a_choice_however_confident():
    """Two entries within the margin: answering one would be a coin toss between them."""
    decision = decide(ranked(80, 79.5, 20), Confidence(0.99, 0.99), LEVELS)
    assert decision.status == "suggest"
    assert [s.entry for s in decision.suggestions] == [0, 1]  # 20 < 35 % of 80: not a filler button
    assert decide(ranked(80, 79, 20), Confidence(0.99, 0.99), LEVELS).status == "answer"  # lead of exactly 1
    # a third entry at 30 (over a third of the best) is still a fair offer
    assert [s.entry for s in decide(ranked(80, 79.5, 30), Confidence(0.99, 0.99), LEVELS).suggestions] == [0, 1, 2]


def test_in_domain_but_unsure_suggests_the_top_three():
    decision = decide(ranked(60, 55, 50, 45), Confidence(0.1, 0.5), LEVELS)
    assert decision.status == "suggest" and [s.entry for s in decision.suggestions] == [0, 1, 2]


def test_the_domain_probability_decides_between_suggesting_and_declining():
    assert decide(ranked(60, 20), Confidence(0.05, 0.2), LEVELS).status == "suggest"
    # a confident-looking best entry for a message that is not in the domain (a clause of an
    # off-topic request) is no reason to offer buttons
    assert decide(ranked(60, 20), Confidence(0.5, 0.19), LEVELS).status == "none"


def test_nothing_near_is_declined():
    decision = decide(ranked(60, 20), Confidence(0.1, 0.19), LEVELS)
    assert decision.status == "none" and decision.suggestions == ()
    assert decide([], Confidence(0.9, 0.9), LEVELS).status == "none"


def test_a_best_score_below_the_near_level_is_declined_unless_plainly_in_the_domain():
    assert decide(ranked(7.9, 2), Confidence(0.4, 0.9), LEVELS).status == "none"
    assert decide(ranked(8.0, 2), Confidence(0.4, 0.9), LEVELS).status == "suggest"
    gated = Thresholds(answer=0.6, suggest=0.2, margin=1.0, answer_domain=0.95)
    assert decide(ranked(7.9, 7.5), Confidence(0.9, 0.94), gated).status == "none"
    # a long message about the sources: low scores, a near tie, but no doubt that it is in the domain
    assert decide(ranked(7.9, 7.5), Confidence(0.9, 0.95), gated).status == "suggest"


def test_a_vague_keyword_is_never_answered_outright():
    """"tanoto" alone names a subject with several entries: offer them, even when confident."""
    decision = decide(ranked(90, 40, 35), Confidence(0.99, 0.99), LEVELS, vague=True)
    assert decision.status == "suggest" and decision.suggestions[0].entry == 0
    # … and it is offered even when the model would decline it
    assert decide(ranked(90, 40), Confidence(0.01, 0.01), LEVELS, vague=True).status == "suggest"


def test_the_model_is_a_sigmoid_of_a_dot_product():
    model = Logistic(intercept=-1.0, coefficients=(2.0, 0.5))
    assert model.probability((0.5, 0.0)) == pytest.approx(0.5)
    assert model.probability((1.0, 2.0)) == pytest.approx(1 / (1 + 2.718281828459045**-2.0))
    assert model.probability((-100.0, 0.0)) == 0.0  # no overflow


def test_the_shipped_model_matches_the_features_the_code_computes():
    model = load_model()
    assert len(model.answer.coefficients) == len(model.domain.coefficients) == len(FEATURE_NAMES)
    assert 0.0 < model.suggest_threshold < model.answer_threshold < 1.0


def test_a_model_fitted_on_other_features_is_refused_with_the_way_to_fix_it():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="stunting-bot calibrate"):
        DecisionModel.from_json(json.dumps(data))


def test_a_glossary_term_alone_is_answered_by_its_definition_unless_tied():
    assert decide(ranked(70, 40), Confidence(0.3, 0.9), LEVELS, term=True).status == "answer"
    assert decide(ranked(70, 69.5), Confidence(0.3, 0.9), LEVELS, term=True).status == "suggest"


def test_an_unopposed_sure_answer_needs_less_domain_evidence():
    """"lkj tu laporan apa": plainly about an entry, too short to look very in-domain; nothing in it
    names what the entry lacks, so a sure answer probability may answer at a lower domain level."""
    levels = Thresholds(answer=0.6, suggest=0.2, margin=1.0, answer_domain=0.95, sure_answer=0.9, sure_domain=0.8)
    assert decide(ranked(80, 50), Confidence(0.9, 0.8, unopposed=True), levels).status == "answer"
    # a sign against the entry (a year, place or question word it lacks) keeps the ordinary levels
    assert decide(ranked(80, 50), Confidence(0.9, 0.8, unopposed=False), levels).status == "suggest"
    # both sure levels are inclusive lower bounds
    assert decide(ranked(80, 50), Confidence(0.89, 0.8, unopposed=True), levels).status == "suggest"
    assert decide(ranked(80, 50), Confidence(0.9, 0.79, unopposed=True), levels).status == "suggest"
    # the margin still applies
    assert decide(ranked(80, 79.5), Confidence(0.99, 0.9, unopposed=True), levels).status == "suggest"


def test_the_sure_levels_are_off_unless_the_model_sets_them():
    assert not Thresholds(answer=0.6, answer_domain=0.95).confident(Confidence(1.0, 0.94, unopposed=True))
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    del data["sure_answer_threshold"], data["sure_domain_threshold"]
    older = DecisionModel.from_json(json.dumps(data))
    assert not older.thresholds.confident(Confidence(1.0, older.answer_domain_threshold - 0.01, unopposed=True))
    shipped = load_model()
    assert shipped.answer_threshold < shipped.sure_answer_threshold <= 1.0
    assert shipped.sure_domain_threshold < shipped.answer_domain_threshold


def test_the_levels_the_bot_runs_with_keep_a_margin_between_answering_and_suggesting():
    """The shipped model's levels (and the defaults) hold a near tie back as a choice; a clear
    lead at the same confidence is answered. Every other test passes its own margin."""
    shipped = load_model().thresholds
    assert shipped.margin == Thresholds().margin > 0
    sure = Confidence(1.0, 1.0, unopposed=True)  # every probability level reached
    for levels in (shipped, Thresholds()):
        assert decide(ranked(80, 79.5, 20), sure, levels).status == "suggest"
        assert decide(ranked(80, 80, 20), sure, levels).status == "suggest"  # an exact tie too
        answered = decide(ranked(80, 80 - levels.margin, 20), sure, levels)
        assert answered.status == "answer" and answered.best.entry == 0
        assert decide(ranked(80, 40, 20), sure, levels).status == "answer"


def test_the_margin_boundary_is_inclusive_whatever_its_size():
    wide = Thresholds(answer=0.6, suggest=0.2, margin=5.0)
    assert decide(ranked(60, 55), Confidence(0.9, 0.9), wide).status == "answer"  # lead of exactly 5
    near_tie = decide(ranked(60, 55.5), Confidence(0.9, 0.9), wide)
    assert near_tie.status == "suggest" and [s.entry for s in near_tie.suggestions] == [0, 1]
    # a single entry leads the (absent) runner-up by its whole score
    assert decide(ranked(60), Confidence(0.9, 0.9), wide).status == "answer"


def test_the_answer_domain_and_suggest_levels_are_inclusive_lower_bounds():
    gated = Thresholds(answer=0.6, suggest=0.2, margin=1.0, answer_domain=0.7)
    assert decide(ranked(80, 50), Confidence(0.9, 0.7), gated).status == "answer"
    assert decide(ranked(80, 50), Confidence(0.9, 0.69), gated).status == "suggest"
    assert decide(ranked(80, 50), Confidence(0.1, 0.2), gated).status == "suggest"
    assert decide(ranked(80, 50), Confidence(0.1, 0.19), gated).status == "none"
