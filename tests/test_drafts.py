"""FAQ drafts written from a person's answer (content/drafts/): never served until an admin adds a
source and publishes them; `stunting-bot content check` refuses a published draft without one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.content import loader
from bot.content.models import DraftEntry
from bot.content.problems import ContentError, Problem
from bot.engine import Engine, load_and_check
from bot.handoff.draft import DRAFTS_DIR, draft_file_name, draft_id, draft_yaml
from tests.conftest import write_content

HANDOFF = 42
QUESTION = "Siapa saja  orang tua asuh balita stunting di Jakarta Pusat?"  # two spaces: collapsed
ASKED_AGAIN = ["siapa orang tua asuh balita stunting jakpus", "SIAPA ORANG TUA ASUH BALITA STUNTING JAKPUS"]
ANSWER = "Ada delapan kolaborator yang menjadi orang tua asuh balita stunting."
SEED = "002_e301b5fa628fe7d7"
QUOTE = "program intervensi terhadap balita stunting telah melibatkan delapan kolaborator sebagai orang tua asuh"
HEADER = ["Draft written from the answer to handoff 42.", "Not served yet.\nAdd a source, then set publish: true."]


def check(capsys: pytest.CaptureFixture[str], content_dir: Path) -> tuple[int, str]:
    code = main(["content", "check", str(content_dir)])
    out = capsys.readouterr().out
    return code, " ".join(out.split())  # rich wraps long lines; compare on single spaces


def save_draft(content_dir: Path, text: str, name: str = draft_file_name(HANDOFF)) -> Path:
    folder = content_dir / DRAFTS_DIR
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def published(text: str, sources: str = "[]", as_of: str = "unknown") -> str:
    """The draft with publish: true, these sources (YAML flow text) and the date its figure holds for
    (the Jakarta Pusat article states no year: "unknown"), as an admin edits it."""
    assert "publish: false\n" in text and "sources: []\n" in text
    edited = text.replace("publish: false\n", "publish: true\n")
    return edited.replace("sources: []\n", f"sources: {sources}\n  as_of: {as_of}\n")


def seed_source(quote: str = QUOTE) -> str:
    quoted = yaml.safe_dump(quote, default_style='"').strip()
    return f"[{{seed: {SEED}, quote: {quoted}}}]"


def problems_of(content_dir: Path) -> list[Problem]:
    content, problems = load_and_check(content_dir)
    assert content is not None
    return problems


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return write_content(tmp_path)


@pytest.fixture
def draft() -> str:
    return draft_yaml(HANDOFF, QUESTION, ANSWER, "pelatihan", HEADER, ASKED_AGAIN)


def test_file_names_and_the_loaders_folder_agree():
    assert draft_id(HANDOFF) == "petugas-42"
    assert draft_file_name(HANDOFF) == "petugas-42.yaml"
    assert DRAFTS_DIR == loader.DRAFTS_DIR


def test_written_draft_has_the_faq_entry_shape_and_a_header(draft):
    lines = draft.splitlines()
    assert lines[:4] == [  # a header item of two lines gives two comment lines
        "# Draft written from the answer to handoff 42.",
        "# Not served yet.",
        "# Add a source, then set publish: true.",
        "- id: petugas-42",
    ]
    (raw,) = yaml.safe_load(draft)
    assert list(raw) == ["id", "topic", "publish", "question", "alternates", "answer", "sources"]
    assert raw == {
        "id": "petugas-42",
        "topic": "pelatihan",
        "publish": False,
        "question": "Siapa saja orang tua asuh balita stunting di Jakarta Pusat?",
        # the question itself, then the other wording once (the shouted copy is the same wording)
        "alternates": ["Siapa saja orang tua asuh balita stunting di Jakarta Pusat?", ASKED_AGAIN[0]],
        "answer": ANSWER,
        "sources": [],
    }


def test_unpublished_draft_passes_with_one_warning_and_is_not_served(content_dir, draft, capsys):
    save_draft(content_dir, draft)
    code, out = check(capsys, content_dir)
    assert code == 0, out
    assert "error" not in out
    assert "field 'publish': draft not published yet" in out and "1 warning(s)" in out
    assert "2 FAQ entries" in out  # the fixture's two, not the draft
    problems = problems_of(content_dir)
    assert [(p.severity, p.entry, p.field) for p in problems] == [("warning", "petugas-42", "publish")]
    assert "draft not published yet: add a source, then set publish: true" in problems[0].message
    assert f"{DRAFTS_DIR}/petugas-42.yaml" in problems[0].file

    engine = Engine.from_directory(content_dir)
    assert "petugas-42" not in engine.by_id
    reply = engine.ask(QUESTION)
    assert reply.entry is None or reply.entry.id != "petugas-42"
    (kept,) = engine.content.drafts  # the loader has it, for the admins
    assert kept.id == "petugas-42" and not kept.publish


def test_published_draft_without_a_source_fails_the_check(content_dir, draft, capsys):
    save_draft(content_dir, published(draft))
    code, out = check(capsys, content_dir)
    assert code == 1, out
    assert "entry 'petugas-42', field 'sources': a published draft needs at least one source" in out
    assert "entry 'petugas-42', field 'answer': number(s) 8 occur in none of the entry's quotes" in out
    assert "2 error(s)" in out
    with pytest.raises(ContentError):  # the bot refuses such content: the old content keeps serving
        Engine.from_directory(content_dir)


def test_published_draft_with_a_verbatim_seed_quote_passes_and_is_served(content_dir, draft, capsys):
    save_draft(content_dir, published(draft, seed_source()))
    code, out = check(capsys, content_dir)
    assert code == 0, out
    assert "3 FAQ entries" in out
    assert [p for p in problems_of(content_dir)] == []

    engine = Engine.from_directory(content_dir)
    reply = engine.ask(QUESTION)
    assert reply.status == "answer"
    assert reply.entry is not None and reply.entry.id == "petugas-42"
    assert reply.answer == ANSWER
    assert [source.quote for source in reply.sources] == [QUOTE]


def test_published_draft_with_a_named_reference_passes_when_the_reference_states_its_figure(
    content_dir, draft, capsys
):
    reference = "[{title: Buku Saku Stunting, issuer: Kementerian Kesehatan, year: 2018%s}]"
    save_draft(content_dir, published(draft, reference % ', states: ["delapan kolaborator"]', as_of="2018"))
    code, out = check(capsys, content_dir)
    assert code == 0, out

    # the same reference that does not state the answer's figure: "no invented figure" is an error
    save_draft(content_dir, published(draft, reference % "", as_of="2018"))
    code, out = check(capsys, content_dir)
    assert code == 1, out
    assert "entry 'petugas-42', field 'answer': number(s) 8 occur in none of the entry's quotes" in out


def test_published_draft_whose_quote_is_not_in_the_article_fails(content_dir, draft, capsys):
    save_draft(content_dir, published(draft, seed_source(QUOTE.replace("delapan", "sembilan"))))
    code, out = check(capsys, content_dir)
    assert code == 1, out
    assert f"entry 'petugas-42', field 'sources.0.quote': quote does not occur in seed '{SEED}'" in out


def test_published_draft_with_an_unknown_topic_fails(content_dir, capsys):
    text = draft_yaml(HANDOFF, QUESTION, ANSWER, "keuangan", HEADER)
    save_draft(content_dir, published(text, seed_source()))
    code, out = check(capsys, content_dir)
    assert code == 1, out
    assert "entry 'petugas-42', field 'topic': unknown topic 'keuangan'" in out


TRICKY = [
    ('Kata bu bidan "gizi buruk" itu apa?', "Jawaban: 'gizi' artinya\nmakanan # bukan komentar"),
    ("- apakah: boleh? #tanya", "- poin satu\n- poin dua: ya\n\n  # tetap jawaban"),
    ("🙏 kak, anak saya 2th", "Terima kasih 🙏🏽\r\nBaris dua\x85baris tiga"),
    ("yes", "null"),
    ("123", "true: false"),
    ("&anchor *alias !tag", "%YAML 1.1\n---\n..."),
    ("'", '"'),
    ("x " * 120, "panjang " * 200),
]


@pytest.mark.parametrize(("question", "answer"), TRICKY)
def test_tricky_texts_round_trip_through_the_loader(content_dir, question, answer):
    header = ["# a header line with a colon: and 'quotes'", "two\nlines", "", "🙂", "bell\x07 \x1b[31m\x00", "nel\x85- id: x"]
    path = save_draft(content_dir, draft_yaml(HANDOFF, question, answer, "pelatihan", header, [answer[:30]]))
    content, problems = loader.parse(loader.read_files(content_dir))
    assert problems == []
    assert content is not None
    (entry,) = content.drafts
    assert entry.question == " ".join(question.split())
    assert entry.answer == "\n".join(answer.splitlines()).strip()  # line breaks as "\n"
    assert entry.alternates[0] == entry.question
    assert content.draft_files == {"petugas-42": f"{content.content_label}/{DRAFTS_DIR}/petugas-42.yaml"}
    assert path.read_text(encoding="utf-8").startswith("# # a header line")


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(question=texts, answer=texts, asked_again=st.lists(texts, max_size=3), header=st.lists(texts, max_size=3))
def test_any_text_round_trips_or_is_refused(question, answer, asked_again, header):
    try:
        text = draft_yaml(7, question, answer, "pelatihan", header, asked_again)
    except ValueError:  # an empty question or answer: no draft
        assert not question.split() or not answer.split()
        return
    files = loader.ContentFiles(content={"drafts/petugas-7.yaml": text}, seed_index=None, seed_texts={})
    _, problems = loader.parse(files)
    assert not [p for p in problems if p.file.startswith("content/drafts")]
    (raw,) = yaml.load(text, Loader=loader._SAFE_LOADER)
    entry = DraftEntry.model_validate(raw)
    assert entry.question == " ".join(question.split())
    assert entry.answer == "\n".join(answer.splitlines()).strip()
    assert len(entry.alternates) == len({" ".join(a.split()).casefold() for a in [question, *asked_again]} - {""})


def test_bad_input_is_refused_before_a_file_is_written():
    for handoff, question, answer, topic in [(0, "q", "a", "pelatihan"), (1, " ", "a", "pelatihan"),
                                             (1, "q", "\n", "pelatihan"), (1, "q", "a", "Bukan Topik")]:  # fmt: skip
        with pytest.raises(ValueError):
            draft_yaml(handoff, question, answer, topic, [])


def test_draft_id_clashing_with_an_faq_entry_is_reported(content_dir, draft, capsys):
    save_draft(content_dir, draft.replace("id: petugas-42", "id: diklat-peserta"))
    code, out = check(capsys, content_dir)
    assert code == 1, out
    assert "petugas-42.yaml, entry 'diklat-peserta', field 'id': duplicate id (also in" in out
    assert "faq/pelatihan.yaml)" in out


def test_two_drafts_with_one_id_are_reported(content_dir, draft, capsys):
    save_draft(content_dir, draft)
    save_draft(content_dir, draft, name="petugas-43.yaml")  # copied by hand, id left as it was
    code, out = check(capsys, content_dir)
    assert code == 1, out
    assert "petugas-43.yaml, entry 'petugas-42', field 'id': duplicate id (also in" in out
