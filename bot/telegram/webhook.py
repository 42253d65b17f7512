"""Webhook mode: a small aiohttp server that Telegram POSTs updates to, plus ``/healthz``.

``BOT_WEBHOOK_URL`` is the public HTTPS address (a reverse proxy terminates TLS and forwards to
``BOT_WEBHOOK_LISTEN``); the server answers on that URL's path. At start the bot calls
``setWebhook(url, secret_token=BOT_WEBHOOK_SECRET, allowed_updates=all)`` without dropping pending
updates; at stop it leaves the webhook registered, so Telegram keeps what arrives meanwhile (up to
24 hours) and delivers it after the restart. ``stunting-bot run`` without ``BOT_WEBHOOK_URL``
polls, and PTB's polling start deletes the webhook: switching back needs nothing else.

``POST <path>``: refused with 403, unread, unless ``X-Telegram-Bot-Api-Secret-Token`` equals the
secret (compared in constant time); a body over ``MAX_BODY_BYTES`` is 413, one that is not a
JSON update is 400; otherwise the update goes on the Application's queue and the answer is 200 at
once (Telegram waits for it and retries on errors; the handlers run afterwards, as in polling).

``GET /healthz``: 200 and ``{"status": "ok", ...}`` when ``bot.health.live_check`` passes (the
bot's own database connection answers and is migrated, content is loaded), else 503 and the
problems. No secret needed; nothing in it is secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from bot import health
from bot.telegram.updates import arrived

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1 << 20  # updates are a few KB; Telegram's own limit for a message is 4096 characters
SHUTDOWN_TIMEOUT_S = 2.0  # requests in flight at stop (they only enqueue, so this is plenty)
# A body still not complete after this is a slow sender, not Telegram (whose updates are a few KB,
# sent at once): 408 and the connection closed, so hundreds of them cannot hold every file descriptor.
BODY_TIMEOUT_S = 10.0
# An idle kept-alive connection is closed after this (aiohttp's default is 75 s), and a refused body's
# rest is read for at most this long before the connection is closed (aiohttp: 10 s).
KEEPALIVE_TIMEOUT_S = 15.0
LINGERING_S = 1.0


class WebhookRefused(Exception):
    """Telegram refused setWebhook (a URL it cannot use): a setting to fix, not a transient error."""


class ListenFailed(Exception):
    """The server could not listen on BOT_WEBHOOK_LISTEN (the port is taken, a foreign address)."""


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WebhookServer:
    """The HTTP side: ``start(host, port)``, ``stop()``; ``port`` is the bound port (0 picks one)."""

    def __init__(self, application: Application, path: str, secret: str):
        self.application = application
        self.path = path
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(self.path, self._update)
        app.router.add_get(HEALTH_PATH, self._health)
        return app

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(
            self._app(), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S,
            keepalive_timeout=KEEPALIVE_TIMEOUT_S, lingering_time=LINGERING_S,
        )  # fmt: skip
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, host, port).start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")  # any bytes: 403, not 500
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret refused (from %s)", request.remote)
            return web.Response(status=403, text="forbidden\n")
        if not self.application.running:
            return web.Response(status=503, text="not running\n")  # Telegram retries later
        try:
            body = await asyncio.wait_for(request.read(), BODY_TIMEOUT_S)  # 413 above client_max_size
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            update = Update.de_json(data, self.application.bot)
        except web.HTTPException:
            raise
        except TimeoutError:
            log.warning("webhook request whose body took over %g s refused (from %s)", BODY_TIMEOUT_S, request.remote)
            return web.Response(status=408, text="request timeout\n", headers={"Connection": "close"})
        except Exception as exc:  # not JSON, or not an update: Telegram never sends these
            log.warning("webhook request with a malformed update refused: %s", type(exc).__name__)
            return web.Response(status=400, text="malformed update\n")
        services = self.application.bot_data.get("services")
        (kept,) = await arrived(getattr(services, "db", None), [data])
        if kept is not data:
            return web.Response(text="ok\n")  # delivered before (a retry): handled once already
        await self.application.update_queue.put(update)
        return web.Response(text="ok\n")

    async def _health(self, request: web.Request) -> web.Response:
        services = self.application.bot_data.get("services")
        result = await health.live_check(
            getattr(services, "db", None), getattr(services, "engine", None)
        )
        if result.ok:
            body = {"status": "ok", "schema_version": result.schema_version, "faq_entries": result.faq_entries}
            return web.json_response(body)
        return web.json_response({"status": "unhealthy", "problems": result.problems}, status=503)


@contextlib.asynccontextmanager
async def webhook(application: Application, url: str, secret: str, host: str, port: int) -> AsyncIterator[WebhookServer]:
    """What ``run_webhook`` would do (initialize, post_init, start, listen, setWebhook), inside a
    running event loop, with a clean stop on exit: no new requests, queued updates handled, storage
    closed. The webhook stays registered. ``run`` and the tests drive the bot this way."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        server = WebhookServer(application, webhook_path(url), secret)
        try:
            try:
                await server.start(host, port)
            except OSError as exc:
                raise ListenFailed(f"cannot listen on {host}:{port} (BOT_WEBHOOK_LISTEN): {exc}") from exc
            try:
                await application.bot.set_webhook(
                    url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
                )
            except BadRequest as exc:
                raise WebhookRefused(str(exc)) from exc
            log.info("webhook set: Telegram posts updates to %s; listening on %s:%s", url, host, server.port)
            yield server
        finally:
            await server.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


STOP_WEBHOOK = "stop_webhook"  # bot_data: ends ``serve`` as a stop signal does


async def serve(application: Application, url: str, secret: str, host: str, port: int, stop_signals: tuple) -> None:
    """Webhook mode until one of ``stop_signals`` arrives (``app.run``)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stop.set)
    application.bot_data[STOP_WEBHOOK] = stop.set  # the bot stopping itself (bot.telegram.database_watch)
    try:
        async with webhook(application, url, secret, host, port):
            await stop.wait()
            log.info("stopping")
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
