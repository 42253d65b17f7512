"""The FAQ draft written from a person's answer to a handed-over question (pure, no I/O).

When a responder answers a field worker's question by hand, the answer can become a draft entry in
``content/drafts/petugas-<handoff id>.yaml`` (:class:`bot.content.models.DraftEntry`). A draft is
never served until an admin adds a source and sets ``publish: true`` (content/README.md, "Drafts").
The text written here always parses back into exactly the entry given, whatever the question and
answer hold (quotes, colons, ``#``, line breaks, emoji, a leading ``-``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from bot.content.models import DraftEntry

DRAFTS_DIR = "drafts"  # inside the content directory; the loader reads it (bot.content.loader)
DRAFT_PREFIX = "petugas-"

# Characters a YAML reader refuses anywhere in a file, comments included (PyYAML's printable set).
_NOT_PRINTABLE = re.compile("[^\x09\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def draft_id(handoff_id: int) -> str:
    """The entry id of the draft written from handoff ``handoff_id``."""
    return f"{DRAFT_PREFIX}{handoff_id}"


def draft_file_name(handoff_id: int) -> str:
    """The file name of that draft inside content/drafts/."""
    return f"{draft_id(handoff_id)}.yaml"


def draft_yaml(
    handoff_id: int,
    question: str,
    answer: str,
    topic: str,
    header_lines: Sequence[str],
    asked_again: Sequence[str] = (),
) -> str:
    """The YAML text of a drafts file holding one unpublished entry, without sources.

    ``question`` is the asker's question (whitespace collapsed); the alternates are that question and
    the other wordings it was ``asked_again`` in, each once; ``answer`` is kept as written, every line
    break made a plain newline and the blank space around it dropped. Each of ``header_lines`` (the
    caller's text, in the admins' language) becomes a leading ``# `` comment line. Raises ValueError
    (a pydantic ValidationError for the entry's fields) when the draft would not load: a handoff id
    that is not positive, an empty question or answer, a topic that is not an id.
    """
    if handoff_id < 1:
        raise ValueError(f"handoff id must be positive, not {handoff_id}")
    asked = _squash(question)
    # every line break as "\n" (a NEL or CR would not survive YAML's line folding as such)
    text = "\n".join(answer.splitlines()).strip()
    alternates: dict[str, str] = {}  # folded wording -> the first wording seen
    for wording in (asked, *asked_again):
        wording = _squash(wording)
        if wording:
            alternates.setdefault(wording.casefold(), wording)
    entry: dict[str, object] = {
        "id": draft_id(handoff_id),
        "topic": topic,
        "publish": False,
        "question": asked,
        "alternates": list(alternates.values()),
        "answer": text,
        "sources": [],
    }
    DraftEntry.model_validate(entry)  # the loader will accept it
    body = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=100)
    return "".join(_comment(line) for item in header_lines for line in item.splitlines() or [""]) + body


def _squash(text: str) -> str:
    return " ".join(text.split())


def _comment(line: str) -> str:
    """One header line (already split at every line break) as a YAML comment line; characters a
    YAML reader refuses become spaces."""
    return f"# {_NOT_PRINTABLE.sub(' ', line)}".rstrip() + "\n"
