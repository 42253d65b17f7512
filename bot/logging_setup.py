"""Logging for ``stunting-bot run``: plain text or JSON lines, never the bot token.

``BOT_LOG_FORMAT=json`` gives one JSON object per line with ``timestamp`` (UTC, ISO-8601),
``level``, ``logger``, ``message``, every extra field passed with ``extra=`` (``update_id``,
``duration_ms``, …) and ``exception`` when there is one. ``BOT_LOG_LEVEL`` sets the root level.

The token is replaced by ``<token>`` in the finished line, whatever carried it: the message,
its arguments, an extra field or a traceback (the Bot API URL contains the token, and httpx and
PTB errors can quote it). Message bodies (what people ask) are not logged at INFO or above by
the bot's own code; keep it that way when adding log calls.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<token>"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def _redact(text: str, token: str) -> str:
    """The token, and its secret half on its own (e.g. after a URL-encoded colon), replaced in any
    letter case: python-telegram-bot capitalises an error description, lower-casing the rest of it."""
    if not token:
        return text
    secret = token.partition(":")[2]
    parts = [token, secret] if len(secret) >= 10 else [token]
    return re.sub("|".join(re.escape(part) for part in parts), REDACTED, text, flags=re.IGNORECASE)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def __init__(self, token: str = ""):
        super().__init__()
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return _redact(json.dumps(entry, ensure_ascii=False, default=str), self.token)


class TextFormatter(logging.Formatter):
    """The classic one-line text format, with the token redacted (tracebacks included)."""

    def __init__(self, token: str = ""):
        super().__init__(TEXT_FORMAT)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return _redact(super().format(record), self.token)


class RedactToken(logging.Filter):
    """Replaces the token in a record's message (for handlers this module did not set up)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            redacted = _redact(message, self.token)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


def configure(
    log_format: LogFormat = "text", level: str | int = "INFO", token: str = "", stream: TextIO | None = None
) -> logging.Handler:
    """Replace the root logger's handlers with one stream handler in this format; return it.

    httpx is held at WARNING: it logs every request URL at INFO, and the URL holds the token.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter(token) if log_format == "json" else TextFormatter(token))
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return handler
