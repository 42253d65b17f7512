"""Waiting for a condition in tests instead of sleeping for a guessed time."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest


async def until(check: Callable[[], Any], timeout: float = 5.0, what: str = "the condition", interval: float = 0.02) -> Any:
    """Poll ``check`` (plain or async) until it returns something truthy, and return that; fail
    after ``timeout`` seconds. The interval only bounds how late the condition is noticed."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(interval)


def watch_updates(caplog: pytest.LogCaptureFixture) -> None:
    """Capture the bot's one line per handled update (bot.telegram.update_log) for ``handled``."""
    caplog.set_level(logging.INFO, logger="bot.telegram.updates")


async def handled(caplog: pytest.LogCaptureFixture, update_id: int, timeout: float = 5.0) -> str:
    """Wait until the running bot has finished handling update ``update_id`` (its handlers and
    error handler have returned); its outcome (``answer``, ``error``, ``handled`` …)."""

    def outcome() -> str | None:
        for record in caplog.records:
            if record.name == "bot.telegram.updates" and getattr(record, "update_id", None) == update_id:
                return str(getattr(record, "status", "handled"))
        return None

    return await until(outcome, timeout, f"update {update_id} to be handled (call watch_updates first)")
