"""`stunting-bot calibrate`: the decision model is refitted reproducibly from a question set."""

from __future__ import annotations

import json

from bot import calibrate
from bot.cli import main
from bot.engine import Engine
from bot.evaluation import QuestionSet
from bot.matching.calibration import DecisionModel
from tests.conftest import DEV_QUESTIONS

SMALL_SET = """
in_scope:
  - {q: "sasaran 1000 hpk sapa aja", expect: sasaran-1000-hpk}
  - {q: "brp pendamping pkh yg ada skrg", expect: jumlah-pendamping-pkh}
  - {q: "kpn kick off tanoto", expect: tanoto-kickoff-tanggal}
  - {q: "apa itu tksk", expect: istilah-tksk}
  - {q: "diklat fds di lembang kapan", expect: diklat-fds-tempat-waktu}
  - {q: "siapa kepala bp3s", expect: [syahabuddin-siapa, tanoto-kickoff-hadir]}
  - {q: "tujuan pkh apa", expect: pkh-tujuan}
  - {q: "who leads BP3S at Kemensos?", expect: syahabuddin-siapa}
out_of_scope:
  - {q: "berapa gaji pendamping pkh"}
  - {q: "resep nasi goreng enak"}
  - {q: "cuaca besok gimana"}
  - {q: "harga beras di pasar brp"}
"""


def test_a_refit_is_reproducible_and_tells_right_readings_from_wrong(engine: Engine):
    probe = Engine(engine.content, model=calibrate.placeholder_model())
    items = calibrate.collect(probe, QuestionSet.from_yaml(DEV_QUESTIONS.read_text(encoding="utf-8")))[:200:2]
    first, second = calibrate.fit(probe, items), calibrate.fit(probe, items)
    assert first.to_json() == second.to_json()
    restored = DecisionModel.from_json(first.to_json())
    assert restored.answer == first.answer and restored.domain == first.domain
    right = [r for i in items for r in i.readings[:1] if r.ranked and calibrate.top_id(probe, r) in i.expected]
    wrong = [r for i in items for r in i.readings[:1] if r.ranked and calibrate.top_id(probe, r) not in i.expected]
    mean = lambda rs: sum(first.answer.probability(r.features) for r in rs) / len(rs)  # noqa: E731
    assert right and wrong and mean(right) > mean(wrong) + 0.2


def test_the_command_prints_the_curve_and_writes_the_model_it_chose(tmp_path, capsys):
    questions = tmp_path / "set.yaml"
    questions.write_text(SMALL_SET, encoding="utf-8")
    out = tmp_path / "model.json"
    assert main(["calibrate", str(questions), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "precision" in printed and "chosen: answer ≥" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    model = DecisionModel.from_json(out.read_text(encoding="utf-8"))
    assert data["fitted_on"].endswith("set.yaml") and data["cross_validated"]["folds"] == calibrate.FOLDS
    assert f"answer ≥ {model.answer_threshold:.2f}" in printed
    assert f"unopposed: answer ≥ {model.sure_answer_threshold:.2f}, domain ≥ {model.sure_domain_threshold:.2f}" in printed
    # --dry-run writes nothing
    other = tmp_path / "other.json"
    assert main(["calibrate", str(questions), "--out", str(other), "--dry-run"]) == 0
    assert not other.exists()
