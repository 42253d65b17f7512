"""Sending a reply that was split into chunks (``bot.telegram.render``)."""

from __future__ import annotations

from telegram import Message


async def send_html(message: Message, chunks: list[str], reply_markup=None) -> Message:
    """Send chunks in order; the keyboard goes on the last one."""
    sent = message
    for number, chunk in enumerate(chunks, start=1):
        markup = reply_markup if number == len(chunks) else None
        sent = await message.reply_html(chunk, reply_markup=markup)
    return sent
