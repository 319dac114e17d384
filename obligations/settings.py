"""Settings read from the environment (``REGWATCH_*``), with sensible defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
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
    # The scheduler (`regwatch schedule run`).
    sources: Path | None = Field(default=None, description="sources file or folder to schedule")
    crawl_timeout: float = Field(default=3600.0, gt=0, description="seconds one crawl may take")
    misfire_grace_time: int = Field(default=600, ge=1, description="seconds a late run may start")
    crawl_retry_max: int = Field(default=3, ge=0, description="retries of a failed crawl")
    crawl_retry_base: float = Field(default=300.0, gt=0, description="first retry delay, doubling")
    crawl_retry_cap: float = Field(default=6 * 3600.0, gt=0)
    scheduler_workers: int = Field(default=4, ge=1, description="crawls running at once")
    shutdown_grace: float = Field(default=60.0, ge=0, description="seconds crawls get to finish")
    crawl_stop_wait: float = Field(default=10.0, ge=0, description="SIGTERM to SIGKILL, seconds")
    watch_interval: float = Field(default=30.0, gt=0, description="sources file check, seconds")
    notify_interval: float = Field(default=60.0, gt=0, description="delivery tick, seconds")
    # Notifications: digests by email and webhook.
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "regwatch@localhost"
    smtp_starttls: bool = False
    smtp_timeout: float = 30.0
    webhook_timeout: float = 30.0
    digest_settle_seconds: float = Field(default=120.0, ge=0, description="wait for late commits")
    digest_first_lookback_days: float = Field(default=7.0, ge=0)
    delivery_retry_base: float = Field(default=60.0, gt=0)
    delivery_retry_cap: float = Field(default=6 * 3600.0, gt=0)

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
