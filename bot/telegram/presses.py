"""Reading a button press: the arguments of its callback data, and whether the button was offered."""

from __future__ import annotations

from telegram import Message, Update

from bot.telegram import keyboards


def pressed(update: Update) -> tuple[tuple[str, ...], Message | None]:
    """A button press: the arguments of its callback data (empty when unreadable) and its message."""
    query = update.callback_query
    callback = keyboards.unpack(query.data) if query is not None else None
    message = query.message if query is not None and isinstance(query.message, Message) else None
    return (callback.args if callback is not None else ()), message


def offered(update: Update) -> bool:
    """Whether the pressed button's data is one of the buttons of the message it came with (a client
    can send any callback data; a forged vote or id is not on the message)."""
    query = update.callback_query
    message = query.message if query is not None and isinstance(query.message, Message) else None
    markup = message.reply_markup if message is not None else None
    return query is not None and markup is not None and any(
        button.callback_data == query.data for row in markup.inline_keyboard for button in row
    )
