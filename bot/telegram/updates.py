"""Fetching updates (long polling) so that one bad update or a refused token cannot leave the bot deaf.

``UpdatesRequest`` is the HTTP client of ``getUpdates`` only (PTB's own ``HTTPXRequest`` underneath):

* **An update that cannot be read** (an older Bot API server's format, a field of the wrong type) would
  make python-telegram-bot fail on the whole batch and fetch the same batch again forever, logging
  every user's message at CRITICAL each time. Each update of a batch is read here first; one that fails
  is replaced by a bare update with only its ``update_id`` — so the batch is confirmed and nobody else
  waits — and logged with its id and kind only, never its content.
* **A refused token** (401, or 404 for an unknown bot) on ``getUpdates`` ends PTB's polling loop while the
  process stays up, answering nobody (and, stopping, PTB re-raises it and skips the shutdown, so SIGTERM
  never completes). ``on_refused`` is called instead and the batch is empty; it stops the Application
  cleanly and ``bot.telegram.app.run`` exits with status 2, as docs/operations.md promises.
* **A crash** between fetching a batch and handling it would lose the batch (PTB confirms it when it
  fetches the next one). ``on_fetched`` (``arrived``) stores each update first (bot.storage.inbox);
  one already stored — delivered twice — is passed on bare, so it is handled once and the batch is
  still confirmed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.storage import inbox
from bot.storage.database import Database

log = logging.getLogger(__name__)

NO_UPDATES = b'{"ok": true, "result": []}'


def readable(raw: Any) -> Any:
    """The ``getUpdates`` result with every update PTB cannot read replaced by a bare one (see above)."""
    if not isinstance(raw, list):
        return raw
    kept: list[Any] = []
    for item in raw:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        try:
            Update.de_json(item, None)
        except Exception as exc:  # noqa: BLE001 - any failure to read it means the same: skip it
            if type(update_id) is not int:
                log.warning("dropped an update without a usable update_id (%s)", type(exc).__name__)
                continue
            kinds = sorted(key for key in item if key != "update_id")
            log.warning("skipped update %s that could not be read (kind %s, %s)", update_id, kinds, type(exc).__name__)
            item = {"update_id": update_id}
        kept.append(item)
    return kept


class UpdatesRequest(HTTPXRequest):
    """PTB's HTTPX client for ``getUpdates``, reading each update before PTB does (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_refused: Callable[[], None] | None = None  # set by the Application's builder
        # stores the batch before PTB sees it; returns it with updates seen before made bare (see above)
        self.on_fetched: Callable[[list[Any]], Awaitable[list[Any]]] | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The HTTP exchange, with the batch of a ``getUpdates`` read, stored and passed on as above
        (PTB's ``post`` then parses what this returns)."""
        status, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if not url.endswith("/getUpdates"):
            return status, payload
        if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND) and self.on_refused is not None:
            # Not left to PTB: its InvalidToken would end the polling task, and stopping the Updater would
            # then re-raise it and skip the Application's shutdown (the process would hang, database open).
            self.on_refused()
            return HTTPStatus.OK, NO_UPDATES
        if status != HTTPStatus.OK:
            return status, payload
        try:
            answer = json.loads(payload)
        except ValueError:
            return status, payload  # PTB reports what it cannot parse
        batch = readable(answer.get("result")) if isinstance(answer, dict) else None
        if not isinstance(batch, list):
            return status, payload
        if self.on_fetched is not None and batch:
            batch = await self.on_fetched(batch)
        return status, json.dumps({**answer, "result": batch}).encode()


async def arrived(db: Database | None, batch: list[Any]) -> list[Any]:
    """The batch, each update stored before it is handled (bot.storage.inbox); an update stored before
    (delivered twice) becomes a bare update, which no handler takes. Storage failing (disk full)
    loses no update: the batch is handled unstored, as before."""
    if db is None:
        return batch
    try:
        fresh = {id(update) for update in await inbox.receive(db, batch)}
    except (sqlite3.Error, OSError) as exc:
        log.error("could not store fetched updates (%s); handling them unstored", type(exc).__name__)
        return batch
    return [update if id(update) in fresh else {"update_id": update["update_id"]} for update in batch]
