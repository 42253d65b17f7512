"""Steps that wait for a person's next text message: a region of their profile, a broadcast's text,
audience or time.

The wait is a handler group in front of every other handler (``app.add_handlers``): while a step
waits, its text goes to that step and ``ApplicationHandlerStop`` keeps it from being answered as a
question as well. A command ends the wait (and then runs as usual), and so does time: a wait
forgotten for ``WAIT_S`` seconds is dropped, and the message is answered as a question instead.
What a step does with text that reads as a question is the step's own business
(``bot.telegram.profile`` answers it and repeats its prompt once).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

AWAITING = "awaiting"  # user_data: which step the next text message fills
SINCE = "awaiting_since"  # user_data: time.monotonic() when that step started waiting
REPEATED = "awaiting_repeated"  # user_data: the step's prompt was already repeated after a question
WAIT_S = 15 * 60.0
# These commands finish a wait themselves, saying what they ended.
ENDING_COMMANDS = frozenset({"lewati", "skip", "batal", "cancel"})

Step = Callable[[Update, ContextTypes.DEFAULT_TYPE, str, str], Awaitable[None]]


def start(user_data: MutableMapping[str, Any] | None, step: str) -> None:
    """Wait for this step's text from now on (replacing any other wait)."""
    if user_data is not None:
        user_data[AWAITING] = step
        user_data[SINCE] = time.monotonic()
        user_data.pop(REPEATED, None)


def stop(user_data: MutableMapping[str, Any] | None) -> str | None:
    """End the wait; return the step that was waiting, if any."""
    if user_data is None:
        return None
    user_data.pop(SINCE, None)
    user_data.pop(REPEATED, None)
    return user_data.pop(AWAITING, None)


def current(user_data: MutableMapping[str, Any] | None, now: float | None = None) -> str | None:
    """The step waiting for text, or None (an expired wait is dropped here)."""
    if not user_data or not user_data.get(AWAITING):
        return None
    since = user_data.get(SINCE)
    if since is None or (now if now is not None else time.monotonic()) - since > WAIT_S:
        stop(user_data)
        return None
    return user_data[AWAITING]


def first_repeat(user_data: MutableMapping[str, Any] | None) -> bool:
    """True the first time a step asks to repeat its prompt during one wait, then False."""
    if user_data is None or user_data.get(REPEATED):
        return False
    user_data[REPEATED] = True
    return True


def handler(steps: dict[str, Step]) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """The group handler: ``steps`` maps a step's prefix ("broadcast_", "region") to what handles it."""

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        step = current(context.user_data)
        if step is None:
            return
        if message.text.startswith("/"):
            command = message.text[1:].split(maxsplit=1)[0].split("@")[0].casefold() if len(message.text) > 1 else ""
            if command not in ENDING_COMMANDS:
                stop(context.user_data)
            return  # the command's own handler runs next
        for prefix, callback in steps.items():
            if step.startswith(prefix):
                await callback(update, context, step, message.text)
                raise ApplicationHandlerStop
        stop(context.user_data)  # a step nobody handles any more (an older version's)

    return on_message
