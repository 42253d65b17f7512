"""Coordinator broadcasts: pacing arithmetic (pure) and the sender task (shell)."""

from bot.broadcast.pacing import DEFAULT_RATE, Pacer, backoff_delay, max_in_window
from bot.broadcast.sender import BroadcastSender

__all__ = ["DEFAULT_RATE", "BroadcastSender", "Pacer", "backoff_delay", "max_in_window"]
