"""The HTTP client under python-telegram-bot: aiohttp instead of PTB's default httpx.

PTB lets an application choose how it talks HTTP (a ``BaseRequest`` subclass given to
``ApplicationBuilder.request``). Answering a question is one ``sendMessage``, and with PTB's default
``HTTPXRequest`` (httpx → httpcore → anyio) building, sending and reading that request is most of
the CPU the bot spends per question; aiohttp (already our webhook server) does the same work with
a C HTTP parser and a simpler connection pool (docs/benchmarks.md, "Telegram end to end").

* Requests without files are sent as one JSON body (Telegram accepts ``application/json``);
  requests with files (``sendPhoto`` of /statistik) as ``multipart/form-data``.
* Timeouts follow PTB's meaning where aiohttp has one: ``connect`` (+ ``pool``: waiting for a free
  connection counts towards it) and ``read`` (between bytes of the response); a request that runs
  out of either raises ``telegram.error.TimedOut``, any other client error ``NetworkError`` —
  what PTB's own retry logic, the rate limiter and the broadcast sender expect.
"""

from __future__ import annotations

import json

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}
# The type of PTB's public "not given" marker for timeouts (BaseRequest.DEFAULT_NONE), without
# importing its private module.
_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """One aiohttp session with at most ``connection_pool_size`` connections."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_read_timeout: float | None = 20.0,
    ):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_read_timeout = media_read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size), headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data is not None and request_data.contains_files
        read = self._given(read_timeout, self._media_read_timeout if files else self._read_timeout)
        connect, pool = self._given(connect_timeout, self._connect_timeout), self._given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        if request_data is None:
            body: dict = {}
        elif files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = {"data": form}
        else:
            body = {"data": json.dumps(request_data.parameters), "headers": JSON_HEADERS}
        try:
            async with self._session.request(method, url, timeout=timeout, **body) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut(f"aiohttp: {exc.__class__.__name__}: {exc}") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc

    @staticmethod
    def _given(value: object, default: float | None) -> float | None:
        return default if isinstance(value, _NOT_GIVEN) else value  # type: ignore[return-value]
