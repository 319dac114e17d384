"""Scrapy settings for regwatch crawls, built from regwatch's own settings."""

from __future__ import annotations

from typing import Any

from obligations.errors import ConfigError
from obligations.settings import Settings


def scrapy_settings(
    settings: Settings,
    rewrite_to: str | None = None,
    job: str | None = None,
    redis_url: str | None = None,
) -> dict[str, Any]:
    """Polite defaults: robots.txt, a declared agent, one request per domain, throttling.

    With a ``job`` (and ``settings.redis_url``) requests go through a shared Redis queue.
    """
    values = {
        "BOT_NAME": "regwatch",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": settings.download_delay,
        "AUTOTHROTTLE_ENABLED": settings.download_delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(settings.download_delay, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.download_maxsize,
        "DOWNLOAD_WARNSIZE": settings.download_maxsize // 2,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": settings.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "LOG_INSTALL_ROOT_HANDLER": True,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "REGWATCH_REWRITE_TO": rewrite_to,
        "REGWATCH_MAX_RETRY_AFTER": settings.max_retry_after,
        "DOWNLOADER_MIDDLEWARES": {
            "crawlers.middlewares.ConditionalGetMiddleware": 40,
            "crawlers.middlewares.HostRewriteMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawlers.middlewares.RetryAfterMiddleware": 550,
        },
        "ITEM_PIPELINES": {
            "crawlers.pipelines.NormalisePipeline": 100,
            "crawlers.pipelines.HashPipeline": 200,
            "crawlers.pipelines.StorePipeline": 300,
        },
    }
    if job:
        from crawlers.distributed import redis_settings

        redis_url = redis_url or settings.redis_url
        if not redis_url:
            raise ConfigError("--job needs --redis-url (or REGWATCH_REDIS_URL)")
        values.update(
            redis_settings(redis_url, job, settings.redis_idle_close, settings.redis_key_ttl)
        )
    return values
