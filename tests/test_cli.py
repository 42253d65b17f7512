"""The stunting-bot command line, run as people and scripts run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CONTENT, DEV_QUESTIONS, REPO

EXE = shutil.which("stunting-bot", path=str(Path(sys.executable).parent)) or "stunting-bot"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    return subprocess.run(
        [EXE, *args], input=stdin, capture_output=True, text=True, encoding="utf-8", env=env, cwd=REPO, timeout=60
    )


def test_bare_command_without_token_is_the_console_chat_and_ends_at_end_of_input():
    result = run(stdin="sasaran 1000 hpk sapa aja\nkpm itu apa\n")
    assert result.returncode == 0, result.stderr
    assert "> sasaran 1000 hpk sapa aja" in result.stdout
    assert "ibu hamil" in result.stdout
    assert "Kader Pembangunan Manusia" in result.stdout
    assert result.stdout.count("Sumber:") == 2
    assert "Traceback" not in result.stderr


def test_python_dash_m_bot_works_too():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "apa itu tksk"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entry_id"] == "istilah-tksk"


def test_chat_answers_unknown_questions_honestly():
    result = run("chat", stdin="resep nasi goreng yg enak gimana ya\n")
    assert result.returncode == 0
    assert "tidak membahas hal itu" in result.stdout
    assert "/topik" in result.stdout and "Sumber:" not in result.stdout


def test_chat_never_answers_a_near_domain_question_the_sources_do_not_cover():
    """"gaji" is no word of the sources: no answer; at most an honest offer of near questions."""
    result = run("chat", stdin="berapa gaji pendamping pkh per bulan\n")
    assert result.returncode == 0
    assert "Sumber:" not in result.stdout
    assert "tidak membahas hal itu" in result.stdout or "belum yakin jawaban persisnya" in result.stdout


def test_ask_prints_answer_with_article_title_and_date():
    result = run("ask", "brp", "peserta", "diklat", "fds", "di", "lembang?")
    assert result.returncode == 0, result.stderr
    assert "120" in result.stdout
    assert "Sumber:" in result.stdout
    assert "5 Maret 2020" in result.stdout


def test_ask_json_reads_stdin_and_flushes_one_line_per_question():
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    with subprocess.Popen(
        [EXE, "ask", "--json", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", env=env, cwd=REPO
    ) as process:
        assert process.stdin and process.stdout
        process.stdin.write("apa itu tksk\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # arrives before stdin is closed
        process.stdin.write("\nberapa gaji pendamping pkh\n")
        process.stdin.close()
        rest = [json.loads(line) for line in process.stdout]
    assert first["question"] == "apa itu tksk" and first["status"] == "answer"
    assert len(rest) == 1 and rest[0]["status"] == "none"
    assert rest[0]["answer"] is None and rest[0]["sources"] == []


def test_suggest_status_lists_questions_in_json(capsys):
    """"tanoto" alone is one vague keyword naming a subject with several entries: always offered
    as a choice (bot.matching.decide), never answered outright."""
    code = main(["ask", "--json", "tanoto"])
    assert code == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["status"] == "suggest"
    assert reply["answer"] is None and reply["entry_id"] is None and reply["sources"] == []
    suggestions = reply["suggestions"]
    assert 2 <= len(suggestions) <= 3
    assert all({"entry_id", "question", "score"} == set(s) for s in suggestions)
    assert all(s["entry_id"].startswith("tanoto-") for s in suggestions)
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True) and scores[0] == reply["score"]


def test_eval_reports_and_enforces_the_floor(capsys, tmp_path):
    assert main(["eval", str(DEV_QUESTIONS)]) == 0
    out = capsys.readouterr().out
    assert "top-1 accuracy" in out and "recall@3" in out and "out-of-scope declined" in out
    # An impossible floor must fail the run.
    floors = tmp_path / "floors.yaml"
    floors.write_text("dev_questions.yaml: {min_top1: 1.01}\n", encoding="utf-8")
    assert main(["eval", str(DEV_QUESTIONS), "--floors", str(floors)]) == 1
    # A floors file that does not list the set is a usage error, not a silent pass.
    floors.write_text("other.yaml: {min_top1: 0.5}\n", encoding="utf-8")
    assert main(["eval", str(DEV_QUESTIONS), "--floors", str(floors)]) == 2


def test_eval_rejects_a_question_set_with_unknown_ids(tmp_path, capsys):
    bad = tmp_path / "set.yaml"
    bad.write_text("in_scope:\n  - q: apa itu pkh\n    expect: tidak-ada\n", encoding="utf-8")
    assert main(["eval", str(bad)]) == 2
    assert "tidak-ada" in capsys.readouterr().err


def test_broken_content_gives_a_clear_message_not_a_traceback(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "topics.yaml").write_text("- {id: [broken\n", encoding="utf-8")
    result = run("--content", str(content), "--seeds", str(REPO / "seeds"), "ask", "apa itu pkh")
    assert result.returncode == 1
    assert "content check" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("question", ["", "   ", "🙏🙏", "\x1b[31m\x07"])
def test_empty_looking_questions_get_a_prompt_to_ask(question):
    result = run("ask", question)
    assert result.returncode == 0
    assert "Silakan tulis pertanyaan" in result.stdout
