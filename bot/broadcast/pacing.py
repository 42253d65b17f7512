"""Pacing arithmetic for the broadcast sender (pure: the caller passes the clock in).

* ``Pacer``: a token bucket of capacity one — sends start at least ``1 / rate`` seconds apart
  (a bucket with a larger burst would let a window carry ``rate + burst``) — plus a sliding
  window: the ``floor(rate)``-th previous send must have *returned* a full second ago, so no
  one-second window ever holds more than ``rate`` sends, whatever the rounding, a fractional
  rate or a request delayed on our side.
  A 429 blocks every send until its ``retry_after`` and halves the pace (each further 429
  halves again, never below ``min_rate``, by default a quarter of the rate); the full rate
  returns ``slow_hold`` seconds after the latest 429.
* A per-chat floor: never two messages to one chat within ``per_chat_interval`` (Telegram asks
  for about one message a second per chat; long broadcasts are split into several messages).
* ``backoff_delay``: the wait before retry ``n`` of a timed-out or failed network call.
* ``max_in_window``: the most events in any window (for tests and benchmarks).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

DEFAULT_RATE = 25.0  # messages per second; Telegram's bulk limit is about 30
PER_CHAT_INTERVAL = 1.0


@dataclass
class Pacer:
    rate: float = DEFAULT_RATE
    per_chat_interval: float = PER_CHAT_INTERVAL
    min_rate: float | None = None  # default: a quarter of the rate (at least 1/s)
    slow_hold: float = 30.0
    _next_send: float = float("-inf")
    _reduced: float | None = None
    _slow_until: float = float("-inf")
    _last_to_chat: dict[int, float] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise ValueError(f"the broadcast rate must be positive, not {self.rate!r}")
        floor = self.min_rate if self.min_rate is not None else max(1.0, self.rate / 4)
        self.min_rate = min(floor, self.rate)
        self._recent = deque(maxlen=max(1, math.floor(self.rate)))

    def current_rate(self, now: float) -> float:
        if self._reduced is not None and now < self._slow_until:
            return self._reduced
        self._reduced = None
        return self.rate

    def wait(self, now: float, chat_id: int) -> float:
        """Seconds to wait before a message to ``chat_id`` may start (0: go now)."""
        earliest = self._next_send
        per_second = max(1, math.floor(self.current_rate(now)))
        if len(self._recent) >= per_second:
            earliest = max(earliest, self._recent[-per_second] + 1.0)
        last = self._last_to_chat.get(chat_id)
        if last is not None:
            earliest = max(earliest, last + self.per_chat_interval)
        return max(0.0, earliest - now)

    def record(self, now: float, chat_id: int) -> None:
        """A send to ``chat_id`` starts at ``now``."""
        self._next_send = max(self._next_send, now) + 1.0 / self.current_rate(now)
        self._last_to_chat[chat_id] = now
        self._recent.append(now)
        if len(self._last_to_chat) > 10_000:  # forget chats whose floor has long passed
            self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if now - t < self.per_chat_interval}

    def finished(self, now: float, chat_id: int) -> None:
        """The call to ``chat_id`` started by the latest ``record`` returned at ``now``.

        The sliding window and the per-chat floor count from here, not from the start: Telegram
        saw the request somewhere between the two, so a request delayed on our side (a pause of
        the event loop, a slow connection) cannot squeeze one more send into Telegram's window.
        """
        if self._recent:
            self._recent[-1] = max(self._recent[-1], now)
        self._last_to_chat[chat_id] = max(self._last_to_chat.get(chat_id, now), now)

    def flood_wait(self, now: float, retry_after: float) -> None:
        """Telegram answered 429: pause everything for ``retry_after`` and halve the pace."""
        self._next_send = max(self._next_send, now + max(retry_after, 0.0))
        assert self.min_rate is not None
        self._reduced = max(self.min_rate, (self._reduced or self.rate) / 2)
        self._slow_until = now + max(retry_after, 0.0) + self.slow_hold


def backoff_delay(retry: int, base: float = 1.0, cap: float = 30.0) -> float:
    """Wait before retry number ``retry`` (1, 2, 3, …): base, 2·base, 4·base, … at most ``cap``."""
    return min(cap, base * 2 ** max(retry - 1, 0))


def max_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """The most events in any half-open window ``[t, t + window)``."""
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, bisect.bisect_left(ordered, start + window, lo=i) - i)
    return best
