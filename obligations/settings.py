"""Settings read from the environment (``REGWATCH_*``), with sensible defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Deployment settings. Every command also takes ``--database-url``."""

    model_config = SettingsConfigDict(env_prefix="REGWATCH_", extra="ignore")

    home: Path = Field(default=PROJECT_ROOT / "data", description="data, caches and logs")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL")
    user_agent: str = "regwatch/0.1 (+mailto:compliance@example.com)"
    model_dir: Path | None = Field(default=None, description="trained NLP models")
    # Crawling politeness; tests and the offline demo lower the delay for 127.0.0.1.
    download_delay: float = 1.0
    concurrent_requests_per_domain: int = 1
    download_timeout: float = 30.0
    download_maxsize: int = 20 * 1024 * 1024
    retry_times: int = 2
    max_retry_after: float = 300.0
    # Distributed crawling (scrapy-redis): workers sharing a queue under one job name.
    redis_url: str | None = None
    redis_idle_close: float = 5.0
    redis_key_ttl: int = 86_400

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'regwatch.db'}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
