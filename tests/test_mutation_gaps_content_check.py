"""`stunting-bot content check` details the mutation run (docs/benchmarks.md, "Mutation testing")
found unchecked: the warning about a phrasing that another entry answers better names that other
entry (the one the bot would really answer with), with both scores, winner first."""

from __future__ import annotations

import re

import pytest

from bot.cli import main
from tests.conftest import VALID_FAQ, write_content


def test_a_confusing_alternate_names_the_entry_that_would_answer_it(tmp_path, capsys: pytest.CaptureFixture[str]):
    confusing = VALID_FAQ.replace(
        "    - peserta diklat fds pkh dari mana aja\n", "    - jumlah pendamping sosial pkh yang ada saat ini\n", 1
    )
    code = main(["content", "check", str(write_content(tmp_path, faq=confusing))])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0, out
    found = re.search(r"matches entry '([\w-]+)' \((\d+)\) better than its own \((\d+)\)", out)
    assert found, out
    winner, winner_score, own_score = found.group(1), int(found.group(2)), int(found.group(3))
    assert winner == "pendamping-jumlah"  # not the phrasing's own entry, diklat-peserta
    assert winner_score > own_score
