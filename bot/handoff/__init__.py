"""Questions handed to a person (pure): who is asked and who may act (``routing``), and the FAQ
draft written from a person's answer (``draft``). The queue is ``bot.storage.handoffs``; Telegram's
side is ``bot.telegram.handoff``."""
