"""Downloader middlewares: host rewriting for the offline archive, conditional GET,
and Retry-After on 429/503."""

from __future__ import annotations

import asyncio
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from obligations.timeutil import utcnow


class HostRewriteMiddleware:
    """Send ``https://HOST/PATH`` to ``REGWATCH_REWRITE_TO/HOST/PATH``; keep real URLs.

    The offline demo and tests serve saved pages on 127.0.0.1; stored documents keep
    their real URLs because responses get the original URL back.
    """

    def __init__(self, target: str | None):
        self.target = target.rstrip("/") if target else None
        self.target_netloc = urlsplit(self.target).netloc if self.target else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostRewriteMiddleware:
        return cls(crawler.settings.get("REGWATCH_REWRITE_TO"))

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        if not self.target or "regwatch_original_url" in request.meta:
            return None
        parts = urlsplit(request.url)
        if parts.netloc == self.target_netloc:
            return None
        query = f"?{parts.query}" if parts.query else ""
        rewritten = f"{self.target}/{parts.netloc}{parts.path or '/'}{query}"
        return request.replace(
            url=rewritten,
            meta={**request.meta, "regwatch_original_url": request.url},
            dont_filter=True,
        )

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        original = request.meta.get("regwatch_original_url")
        return response.replace(url=original) if original else response


class ConditionalGetMiddleware:
    """Add If-None-Match / If-Modified-Since from what the store knows of a URL."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        validators = getattr(self.crawler.spider, "validators", None) or {}
        url = request.meta.get("regwatch_original_url", request.url)
        etag, modified = validators.get(url, (None, None))
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = modified
        return None


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but waiting as long as a 429/503 ``Retry-After`` asks."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.max_retry_after = settings.getfloat("REGWATCH_MAX_RETRY_AFTER", 300.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status in (429, 503) and not request.meta.get("dont_retry"):
            header = response.headers.get(b"Retry-After")
            delay = retry_after_seconds(header.decode("latin-1") if header else None)
            if delay is not None:
                if delay > self.max_retry_after:
                    return response
                await asyncio.sleep(delay)
        return super().process_response(request, response)
