"""Property tests: normalisation and matching never raise, whatever people type."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Engine

EDGE_CASES = [
    "",
    " ",
    "\t\n\r  \u3000",
    "\x00\x01\x02\x1b[31m\x7f",
    "\u202e\u200b\u200d\ufeff",
    "🙏" * 500,
    "a" * 10_000,
    "berapa " * 2_000,
    "2" * 10_000,
    "anak2" * 2_000,
    "<b>pkh</b> &amp; <script>alert(1)</script>",
    "ｂｒｐ ｐｅｎｄａｍｐｉｎｇ",
    "ㅤ",
    "\ud7ff\ue000\U0010ffff",
]

any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(EDGE_CASES)


def test_edge_cases_get_a_well_formed_reply(engine: Engine):
    for text in EDGE_CASES:
        reply = engine.ask(text)
        assert reply.status in {"answer", "suggest", "none"}
        assert 0.0 <= reply.score <= 100.0
        assert (reply.answer is not None) == (reply.status == "answer")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text)
def test_normalisation_never_raises_and_yields_plain_words(engine: Engine, text: str):
    tokens = engine.index.query(text).tokens
    assert all(token and not any(ch.isspace() for ch in token) for token in tokens)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text)
def test_matching_never_raises_and_is_deterministic(engine: Engine, text: str):
    first = engine.ask(text)
    assert first.status in {"answer", "suggest", "none"}
    assert 0.0 <= first.score <= 100.0
    assert len(first.suggestions) <= 3
    assert engine.ask(text) == first


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(["brp", "pkh", "yg", "kpm", "stunting", "tanoto", "sih", "2", "🙏"]), max_size=30))
def test_domain_word_salad_never_raises(engine: Engine, words: list[str]):
    reply = engine.ask(" ".join(words))
    assert reply.status in {"answer", "suggest", "none"}
