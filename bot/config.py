"""Settings from the environment or a .env file (pydantic-settings).

Names are the shared contract in docs/ARCHITECTURE.md: TELEGRAM_BOT_TOKEN,
TELEGRAM_API_BASE_URL, BOT_DB_PATH, BOT_CONTENT_DIR, BOT_SEEDS_DIR, BOT_ADMIN_IDS,
BOT_BROADCAST_RATE (broadcast messages per second, default 25; Telegram allows about 30).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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
