"""The questions offered under an answer: the entries that came close to it, then its related ones.

A field worker who got the sibling of what they meant ("peran TKSK" answered with the Sekda's words on
tupoksi) reaches the right answer with one tap; eval counts such a wrong answer as wrong, but not as a
dead end.
"""

from __future__ import annotations

import io

from bot.console_chat import run_chat
from bot.engine import ANSWER_BUTTONS, Engine
from bot.evaluation import DEAD_ENDS, judge
from bot.telegram.keyboards import label
from tests.conftest import running_bot
from tests.test_telegram_e2e import USER, reply_to

CONFUSED = "ulun tksk, kayapa peran ulun dalam penanganan stunting?"
MEANT = "pkh-tksk-ujung-tombak"


def test_an_answer_offers_the_close_entry_the_person_may_have_meant(engine: Engine):
    reply = engine.ask(CONFUSED)
    offered = [s.entry_id for s in reply.next_questions]
    assert reply.status == "answer"
    assert reply.entry.id == MEANT or offered[0] == MEANT
    assert reply.entry.id not in offered and len(set(offered)) == len(offered) <= ANSWER_BUTTONS


def test_an_answer_with_nothing_close_offers_its_related_questions(engine: Engine):
    reply = engine.ask("sasaran 1000 hpk sapa aja")
    assert reply.alternatives == ()
    assert [s.entry_id for s in reply.next_questions] == list(reply.entry.related)[:3]


def test_a_wrong_answer_with_the_right_question_under_it_is_wrong_but_no_dead_end():
    assert judge({"b"}, "answer", "a", [], shown=["c", "b"]) == "wrong_offered" not in DEAD_ENDS
    assert judge({"b"}, "answer", "a", [], shown=["c"]) == "wrong" in DEAD_ENDS
    assert judge({"a"}, "answer", "a", [], shown=["b"]) == "right"
    # out of scope, an answer is an answer whatever is under it
    assert judge(set(), "answer", "a", [], shown=["b"]) == "answered"


def test_the_console_lists_the_questions_under_an_answer_and_a_number_picks_one(engine: Engine):
    out = io.StringIO()
    run_chat(engine, [CONFUSED, "1"], out, interactive=False)
    first_offered = engine.by_id[engine.ask(CONFUSED).next_questions[0].entry_id]
    text = out.getvalue()
    assert engine.messages.get("answer_next_intro") in text
    assert f"1. {first_offered.question}" in text
    # "1" answers the first question offered: its answer follows
    assert text.rindex(first_offered.answer.split()[0]) > text.index("> 1")


async def test_telegram_shows_the_close_entry_as_the_first_button_under_the_answer(fake_api, engine, tmp_path):
    reply = engine.ask(CONFUSED)
    async with running_bot(fake_api, engine, tmp_path):
        answer = await reply_to(fake_api, USER, CONFUSED, "Sumber")
        shown = [b["text"] for row in answer["reply_markup"]["inline_keyboard"] for b in row]
        offered = [label(engine.by_id[s.entry_id].question) for s in reply.next_questions]
        assert shown[: len(offered)] == offered and shown[len(offered) :] == ["👍", "👎"]
        assert reply.entry.id == MEANT or shown[0] == label(engine.by_id[MEANT].question)
