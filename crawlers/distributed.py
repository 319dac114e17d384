"""Distributed crawling with scrapy-redis: N worker processes share one request queue.

Each worker runs ``regwatch crawl --redis-url URL --job NAME`` on the same sources.
Requests go through Redis (one queue and one dupefilter per source and job), so a
page is fetched by exactly one worker. Workers keep polling while any of them may
still push work, and stop after ``idle_close`` seconds with nothing to do. Every
worker records its own CrawlRun per source; documents land in the shared database.

Why scrapy-redis: it is the maintained, widely used Redis scheduler for Scrapy; it
plugs in as the scheduler and dupefilter without changing the spiders.
"""

from __future__ import annotations

import re
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from obligations.errors import ConfigError

JOB_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
POLL_SECONDS = 0.2


def redis_settings(redis_url: str, job: str, idle_close: float, key_ttl: int) -> dict[str, Any]:
    """Scrapy settings that route a crawl's requests through Redis under ``job``."""
    if not JOB_PATTERN.match(job):
        raise ConfigError(f"invalid --job {job!r}: use letters, digits and ._-")
    try:
        import scrapy_redis  # noqa: F401
    except ImportError:
        raise ConfigError(
            "distributed crawling needs scrapy-redis: pip install 'regwatch[distributed]'"
        ) from None
    prefix = f"regwatch:{job}:%(spider)s"
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        # The queue outlives one worker: the last one out leaves it to expire.
        "SCHEDULER_PERSIST": True,
        "REGWATCH_SHARED_QUEUE": True,
        "REDIS_URL": redis_url,
        "REGWATCH_REDIS_IDLE_CLOSE": idle_close,
        "REGWATCH_REDIS_KEY_TTL": key_ttl,
        "EXTENSIONS": {"crawlers.distributed.SharedQueueWorker": 500},
    }


def check_redis(redis_url: str) -> None:
    """Fail early, in one line, when Redis cannot be reached."""
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"cannot reach Redis at {redis_url}: {exc}") from None


class SharedQueueWorker:
    """Keeps a worker alive while the shared queue may get work; expires keys at the end."""

    def __init__(self, crawler: Any, idle_close: float, key_ttl: int):
        self.crawler = crawler
        self.idle_close = idle_close
        self.key_ttl = key_ttl
        self.idle_since: float | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.busy, signal=signals.response_received)
        crawler.signals.connect(self.busy, signal=signals.request_scheduled)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedQueueWorker:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(
            crawler,
            crawler.settings.getfloat("REGWATCH_REDIS_IDLE_CLOSE", 5.0),
            crawler.settings.getint("REGWATCH_REDIS_KEY_TTL", 86_400),
        )

    def busy(self, *args: Any, **kwargs: Any) -> None:
        """Work arrived: restart the idle clock."""
        self.idle_since = None

    def spider_idle(self, spider: Any) -> None:
        """Stay open (polling the shared queue) until idle for ``idle_close`` seconds."""
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_close:
            from twisted.internet import reactor

            reactor.callLater(POLL_SECONDS, self._poll)  # type: ignore[attr-defined]
            raise DontCloseSpider

    def _poll(self) -> None:
        # Scrapy's engine re-checks its scheduler every 5 s when idle; poll sooner.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and getattr(slot, "closing", None) is None:
            slot.nextcall.schedule()

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Let this job's keys expire instead of deleting them under other workers."""
        scheduler = getattr(self.crawler.engine, "_slot", None)
        scheduler = getattr(scheduler, "scheduler", None)
        server = getattr(scheduler, "server", None)
        if server is None:
            return
        for key in (scheduler.queue.key, scheduler.df.key):
            server.expire(key, self.key_ttl)
