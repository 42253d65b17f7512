"""The bot's rate limiter (bot.telegram.rate_limit): a flood wait holds back its own chat only."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.telegram.rate_limit import NO_CHAT, PerChatRateLimiter, chat_key
from tests.conditions import until

WAIT = timedelta(milliseconds=300)


class Api:
    """Stands in for the Bot API call the limiter wraps: refuses the first ``refusals`` calls per chat."""

    def __init__(self, refusals: dict[object, int]):
        self.refusals = dict(refusals)
        self.calls: list[tuple[object, float]] = []

    def request(self, chat: object):
        async def call() -> dict:
            self.calls.append((chat, asyncio.get_running_loop().time()))
            if self.refusals.get(chat, 0) > 0:
                self.refusals[chat] -= 1
                raise RetryAfter(WAIT)
            return {"ok": chat}

        return call


async def send(limiter: PerChatRateLimiter, api: Api, chat: object, retries: int | None = None):
    data = {} if chat is None else {"chat_id": chat}
    return await limiter.process_request(api.request(chat), (), {}, "sendMessage", data, retries)


async def test_a_refused_chat_is_retried_after_its_wait_while_others_go_at_once():
    limiter, api = PerChatRateLimiter(max_retries=2), Api({1: 1})
    start = asyncio.get_running_loop().time()
    first = asyncio.create_task(send(limiter, api, 1))
    await until(lambda: limiter.paused(1) > 0, what="the 429 to come back")
    assert 0 < limiter.paused(1) <= WAIT.total_seconds() + 0.1 and limiter.paused(2) == 0
    assert await send(limiter, api, 2) == {"ok": 2}
    assert api.calls[-1][1] - start < WAIT.total_seconds()  # chat 2 did not wait for chat 1
    assert await first == {"ok": 1}
    times = [t for chat, t in api.calls if chat == 1]
    assert len(times) == 2 and times[1] - times[0] >= WAIT.total_seconds()


async def test_a_chat_still_refused_after_its_retries_gets_the_429():
    limiter, api = PerChatRateLimiter(max_retries=1), Api({1: 5})
    with pytest.raises(RetryAfter):
        await send(limiter, api, 1)
    assert [chat for chat, _ in api.calls] == [1, 1]  # the first try and one retry
    with pytest.raises(RetryAfter):
        await send(limiter, api, 1, retries=0)  # a call's own rate_limit_args wins
    assert len(api.calls) == 3


async def test_a_wait_on_a_call_without_a_chat_holds_back_only_such_calls():
    limiter, api = PerChatRateLimiter(max_retries=1), Api({None: 1})
    waiting = asyncio.create_task(send(limiter, api, None))
    await until(lambda: limiter.paused(None) > 0, what="the 429 to come back")
    assert limiter.paused(None) > 0 and limiter.paused(7) == 0
    assert await send(limiter, api, 7) == {"ok": 7}
    assert await waiting == {"ok": None}


def test_one_key_per_chat_whatever_form_its_id_came_in():
    assert chat_key(12) == chat_key("12") == 12
    assert chat_key("@kanal") == "@kanal" and chat_key(None) == NO_CHAT
