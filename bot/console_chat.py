"""The console chat: the engine in a terminal, or over piped stdin (a thin shell).

In a terminal it greets, prompts and lets people pick a suggestion by number.
With piped input it answers each line (echoing the question so a transcript
reads well) and ends at end of input.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.engine import FOLLOW_UP_WINDOW_S, Engine, Reply
from bot.reply_text import reply_text, source_block

EXIT_COMMANDS = {"/keluar", "/exit", "/quit", "/selesai"}
HELP_COMMANDS = {"/bantuan", "/help", "/start"}
SOURCE_COMMANDS = {"/sumber", "/source"}


class ConsoleChat:
    def __init__(
        self, engine: Engine, output: TextIO, interactive: bool, clock: Callable[[], float] = time.monotonic
    ):
        self.engine = engine
        self.output = output
        self.interactive = interactive
        self.clock = clock
        self.last: Reply | None = None
        self.answered: tuple[str, float] | None = None  # the last answer's entry id and when

    def previous(self) -> str | None:
        """The entry of the last answer, for follow-ups, while it is recent."""
        if self.answered and self.clock() - self.answered[1] <= FOLLOW_UP_WINDOW_S:
            return self.answered[0]
        return None

    @property
    def messages(self):
        return self.engine.messages

    def say(self, text: str) -> None:
        self.output.write(text + "\n\n")
        self.output.flush()

    def welcome(self) -> None:
        if self.interactive:
            self.say(self.messages.get("chat_welcome", entries=len(self.engine.entries)))

    def handle(self, line: str) -> bool:
        """Answer one line; False when the person wants to stop."""
        text = line.strip()
        command = text.split(maxsplit=1)[0].casefold() if text else ""
        if command in EXIT_COMMANDS:
            return False
        if not self.interactive:
            self.output.write(f"> {text}\n")
        if command in HELP_COMMANDS:
            self.say(self.messages.get("chat_help"))
        elif command in SOURCE_COMMANDS:
            self._show_source()
        elif self._picked_suggestion(text):
            pass
        else:
            referral = self.engine.urgency.referral_for(text) if self.engine.urgency else None
            if referral is not None:  # danger signs: the referral first, before any answer
                self.say(referral)
            reply = self.engine.ask(text, previous=self.previous())
            if referral is None or reply.status != "none":
                self._answer(reply)
        return True

    def _answer(self, reply: Reply) -> None:
        if reply.small_talk is None:
            self.last = reply
        if reply.status == "answer" and reply.entry is not None:
            self.answered = (reply.entry.id, self.clock())
        text = reply_text(reply, self.messages)
        if (reply.status == "suggest" or reply.next_questions) and self.interactive:
            text += "\n" + self.messages.get("chat_pick_hint")
        self.say(text)

    def _picked_suggestion(self, text: str) -> bool:
        """A number picks one of the questions offered by the last reply (its suggestions, or the
        questions under its answer)."""
        if not (self.last and text.isdigit()):
            return False
        offered = self.last.next_questions if self.last.status == "answer" else self.last.suggestions
        number = int(text)
        if not 1 <= number <= len(offered):
            return False
        entry = self.engine.by_id[offered[number - 1].entry_id]
        self._answer(self.engine.answer_for(entry, offered[number - 1].score))
        return True

    def _show_source(self) -> None:
        if self.last is None or self.last.status != "answer":
            self.say(self.messages.get("chat_no_source"))
            return
        self.say(source_block(self.last.sources, self.messages, with_quotes=True))


def run_chat(engine: Engine, lines: Iterable[str], output: TextIO, interactive: bool) -> None:
    chat = ConsoleChat(engine, output, interactive)
    chat.welcome()
    for line in lines:
        if not chat.handle(line):
            break
    if interactive:
        chat.say(engine.messages.get("chat_bye"))


def terminal_lines(prompt: str = "› ") -> Iterable[str]:
    """Lines typed at a prompt until end of input (Ctrl-D) or Ctrl-C."""
    while True:
        try:
            yield input(prompt)
        except (EOFError, KeyboardInterrupt):
            print()
            return
