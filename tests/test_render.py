"""Telegram rendering: escaped, sourced, split within Telegram's limits; buttons within 64 bytes."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.content.knowledge import Entry, SourceRef
from bot.engine import Engine
from bot.reply_text import source_block
from bot.telegram import keyboards
from bot.telegram.render import answer_html, plain_html, sources_html, split_blocks

TAG = re.compile(r"</?([a-z]+)[^>]*>")


def balanced(html: str) -> bool:
    stack = []
    for match in TAG.finditer(html):
        name = match.group(1)
        if match.group(0).startswith("</"):
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_answer_shows_the_source_title_and_date(engine: Engine):
    entry = engine.by_id["diklat-fds-peserta"]
    [html] = answer_html(entry, engine.messages)
    assert "120" in html
    assert "<b>Sumber:</b>" in html
    assert "5 Maret 2020" in html


def test_markup_from_content_is_escaped(engine: Engine):
    entry = replace(engine.by_id["diklat-fds-peserta"], answer="<script>x</script> & <b>tebal")
    [html] = answer_html(entry, engine.messages)
    assert "&lt;script&gt;" in html and "&amp;" in html and "&lt;b&gt;tebal" in html
    assert balanced(html)


def test_long_answers_are_split_under_4096_without_breaking_tags_or_entities(engine: Engine):
    entry = replace(engine.by_id["diklat-fds-peserta"], answer=("kata & <x> " * 1200).strip())
    chunks = answer_html(entry, engine.messages)
    assert len(chunks) >= 3
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert all(balanced(chunk) for chunk in chunks)
    assert all(not re.search(r"&[a-z]*$", chunk) for chunk in chunks)  # no entity cut in half
    assert "Sumber:" in chunks[-1]


def test_a_single_unbroken_word_longer_than_a_message_is_still_split():
    chunks = split_blocks(["x" * 9000])
    assert [len(c) for c in chunks] == [4096, 4096, 808]


def test_sources_show_every_quote(engine: Engine):
    entry = engine.by_id["diklat-fds-peserta"]
    html = "\n".join(sources_html(entry, engine.messages))
    for source in entry.sources:
        assert (source.quote or "")[:30].replace("&", "&amp;") in " ".join(html.split())
    assert "<blockquote>" in html


def test_plain_text_from_people_is_escaped():
    assert plain_html("a <b> & c") == ["a &lt;b&gt; &amp; c"]


def test_callback_data_of_every_button_fits_64_bytes(engine: Engine):
    version = keyboards.content_version(engine.entries)
    for entry in engine.entries:
        related = keyboards.question_buttons(version, engine.related(entry))
        markup = keyboards.answer_keyboard(version, related, 2**31, entry.id)
        for row in markup.inline_keyboard:
            for button in row:
                assert len(button.callback_data.encode()) <= 64


def test_content_version_changes_with_the_content(engine: Engine):
    before = keyboards.content_version(engine.entries)
    changed = [*engine.entries[:-1], replace(engine.entries[-1], question="Pertanyaan lain?")]
    assert keyboards.content_version(changed) != before
    assert keyboards.content_version(list(engine.entries)) == before


def test_callback_round_trip_and_garbage():
    data = keyboards.pack("abc123", keyboards.ANSWER, "diklat-fds-peserta")
    assert keyboards.unpack(data) == keyboards.Callback("abc123", "a", ("diklat-fds-peserta",))
    assert keyboards.unpack("") is None and keyboards.unpack(None) is None and keyboards.unpack("x") is None


def test_entry_source_without_date_says_so(engine: Engine):
    entry = Entry("x", "program", "Q?", ("Q?",), "Jawaban.", (SourceRef(seed="004", title="Judul"),))
    [html] = answer_html(entry, engine.messages)
    assert "tanggal tidak disebutkan" in html


def test_the_blank_line_between_blocks_counts_towards_the_limit():
    """Two blocks of 2000 and 2095 characters join to exactly 4097 with the "\\n\\n" between them."""
    blocks = ["a" * 2000, "b" * 2095]
    assert len("\n\n".join(blocks)) == 4097
    chunks = split_blocks(blocks)
    assert chunks == blocks  # two messages, each within 4096, nothing lost or changed
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(blocks)
    # one character less fits in one message, blank line included
    assert split_blocks(["a" * 2000, "b" * 2094]) == ["a" * 2000 + "\n\n" + "b" * 2094]


def test_many_small_blocks_fill_messages_without_passing_the_limit():
    blocks = [f"blok {number:03d} " + "x" * 90 for number in range(200)]  # 100 characters each
    chunks = split_blocks(blocks)
    assert len(chunks) > 1 and all(len(chunk) <= 4096 for chunk in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(blocks)
    # each message is as full as it can be: the next block would not have fitted
    assert all(len(chunk) + 2 + 100 > 4096 for chunk in chunks[:-1])


def test_a_references_stated_passages_are_shown_with_the_sources(engine: Engine):
    """/sumber shows what a cited document states (its ``states``) as it shows an article's quote,
    so every claim of the answer is in front of the reader."""
    reference = SourceRef(
        seed=None, title="Peraturan <Presiden>", issuer="Presiden RI", year=2021,
        states=("14% (empat belas persen)\n pada tahun 2024",),
    )
    entry = Entry("x", "program", "Target?", ("Target?",), "Jawaban.", (reference,))
    [html] = sources_html(entry, engine.messages)
    assert "<blockquote>14% (empat belas persen) pada tahun 2024</blockquote>" in html
    assert "Peraturan &lt;Presiden&gt;" in html
    assert "  " + engine.messages.get("source_quote", quote="14% (empat belas persen) pada tahun 2024") in (
        source_block((reference,), engine.messages, with_quotes=True)
    )
    assert "empat belas" not in source_block((reference,), engine.messages)  # only when the quotes are asked for
