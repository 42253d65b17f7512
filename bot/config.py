"""Settings from the environment or a .env file (pydantic-settings).

Names are the shared contract in docs/ARCHITECTURE.md: TELEGRAM_BOT_TOKEN,
TELEGRAM_API_BASE_URL, BOT_DB_PATH, BOT_CONTENT_DIR, BOT_SEEDS_DIR, BOT_ADMIN_IDS,
BOT_BROADCAST_RATE (broadcast messages per second, default 25; Telegram allows about 30).
BOT_LOG_FORMAT (text|json) and BOT_LOG_LEVEL configure the logs of `stunting-bot run`.
Every setting is listed in deploy/.env.example (a test keeps it complete).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository's own content, for an editable install run from elsewhere.
_REPO_ROOT = Path(__file__).resolve().parent.parent


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
