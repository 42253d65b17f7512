"""Settings from the environment or a .env file (pydantic-settings).

Names are the shared contract in docs/ARCHITECTURE.md: TELEGRAM_BOT_TOKEN,
TELEGRAM_API_BASE_URL, BOT_DB_PATH, BOT_CONTENT_DIR, BOT_SEEDS_DIR, BOT_ADMIN_IDS,
BOT_BROADCAST_RATE (broadcast messages per second, default 25; Telegram allows about 30).
BOT_LOG_FORMAT (text|json) and BOT_LOG_LEVEL configure the logs of `stunting-bot run`.
BOT_WEBHOOK_URL, BOT_WEBHOOK_LISTEN (host:port) and BOT_WEBHOOK_SECRET switch it to webhook mode.
BOT_QUESTION_RETENTION_DAYS (default 180): logged questions older than that are deleted.
Every setting is listed in deploy/.env.example (a test keeps it complete).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository's own content, for an editable install run from elsewhere.
_REPO_ROOT = Path(__file__).resolve().parent.parent
# Telegram's rule for setWebhook's secret_token (sent back as X-Telegram-Bot-Api-Secret-Token).
MIN_WEBHOOK_SECRET = 16
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _default_content_dir() -> Path:
    local = Path("content")
    return local if (local / "messages.yaml").is_file() else _REPO_ROOT / "content"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str | None = Field(default=None, validation_alias="TELEGRAM_API_BASE_URL")
    db_path: Path = Field(default=Path("data/bot.sqlite3"), validation_alias="BOT_DB_PATH")
    content_dir: Path = Field(default_factory=_default_content_dir, validation_alias="BOT_CONTENT_DIR")
    seeds_dir: Path | None = Field(default=None, validation_alias="BOT_SEEDS_DIR")
    admin_ids: str = Field(default="", validation_alias="BOT_ADMIN_IDS")
    broadcast_rate: float = Field(default=25.0, gt=0, validation_alias="BOT_BROADCAST_RATE")
    # reload the content by itself when a file under BOT_CONTENT_DIR / BOT_SEEDS_DIR changes
    content_watch: bool = Field(default=False, validation_alias="BOT_CONTENT_WATCH")
    # logging of `stunting-bot run` (bot.logging_setup): text or JSON lines, and the root level
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="BOT_LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", validation_alias="BOT_LOG_LEVEL"
    )
    # webhook mode (bot.telegram.webhook) instead of long polling when BOT_WEBHOOK_URL is set;
    # checked by `stunting-bot run` (webhook_problem), so other commands never trip over them
    webhook_url: str | None = Field(default=None, validation_alias="BOT_WEBHOOK_URL")
    webhook_listen: str = Field(default="127.0.0.1:8080", validation_alias="BOT_WEBHOOK_LISTEN")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="BOT_WEBHOOK_SECRET")
    # privacy (bot.storage.privacy): logged questions older than this many days are deleted
    question_retention_days: int = Field(default=180, gt=0, validation_alias="BOT_QUESTION_RETENTION_DAYS")
    # how often the running bot checks that its database file is still the one at BOT_DB_PATH
    database_watch_interval: float = Field(default=30.0, gt=0, le=3600, validation_alias="BOT_DATABASE_WATCH_S")

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @property
    def has_token(self) -> bool:
        return bool(self.token)

    @property
    def token(self) -> str:
        return self.telegram_bot_token.get_secret_value().strip() if self.telegram_bot_token else ""

    @property
    def admin_id_set(self) -> frozenset[int]:
        """BOT_ADMIN_IDS as Telegram user ids; ValueError naming the bad item."""
        ids = set()
        for item in self.admin_ids.replace(";", ",").split(","):
            item = item.strip()
            if not item:
                continue
            if not item.lstrip("-").isdigit():
                raise ValueError(f"BOT_ADMIN_IDS must be comma-separated numeric Telegram user ids, not {item!r}")
            ids.add(int(item))
        return frozenset(ids)

    @property
    def webhook_mode(self) -> bool:
        """BOT_WEBHOOK_URL is set: Telegram posts updates to the bot instead of the bot polling."""
        return bool((self.webhook_url or "").strip())

    @property
    def webhook_secret_value(self) -> str:
        return self.webhook_secret.get_secret_value().strip() if self.webhook_secret else ""

    @property
    def webhook_address(self) -> tuple[str, int]:
        """BOT_WEBHOOK_LISTEN as (host, port); ValueError naming the setting when malformed."""
        host, colon, port = self.webhook_listen.strip().rpartition(":")
        host = host.removeprefix("[").removesuffix("]")  # [::1]:8080
        if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(
                f"BOT_WEBHOOK_LISTEN must be host:port, e.g. 127.0.0.1:8080, not {self.webhook_listen!r}"
            )
        return host, int(port)

    def webhook_problem(self) -> str | None:
        """What is wrong with the webhook settings, as one line; None when fine or in polling mode.
        Never quotes the secret."""
        if not self.webhook_mode:
            return None
        url = urlsplit((self.webhook_url or "").strip())
        if url.scheme not in ("https", "http") or not url.hostname:
            return f"BOT_WEBHOOK_URL must be the public https:// URL Telegram posts updates to, not {self.webhook_url!r}"
        if url.path.rstrip("/") == "/healthz":
            return "BOT_WEBHOOK_URL must not end in /healthz: that path is the health check"
        secret = self.webhook_secret_value
        if not secret:
            return (
                "BOT_WEBHOOK_SECRET is not set: webhook mode needs a random secret, e.g. from "
                "python3 -c \"import secrets; print(secrets.token_urlsafe(32))\""
            )
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            return "BOT_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule)"
        if len(secret) < MIN_WEBHOOK_SECRET:  # a short one is guessable, and too short to redact from logs
            return (
                f"BOT_WEBHOOK_SECRET must be at least {MIN_WEBHOOK_SECRET} characters, e.g. from "
                "python3 -c \"import secrets; print(secrets.token_urlsafe(32))\""
            )
        try:
            _ = self.webhook_address  # the property raises ValueError on a bad BOT_WEBHOOK_LISTEN
        except ValueError as exc:
            return str(exc)
        return None
