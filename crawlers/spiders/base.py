"""Behaviour shared by every source spider: entry request, detail pages, failures.

A spider is built from a validated ``SourceConfig``; subclasses implement
``parse_entry`` for their kind and yield detail requests or items.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawlers.content import ContentError, block_reason, decode_body, is_pdf, parse_date, pdf_text
from crawlers.items import DocumentItem, NotModifiedItem
from crawlers.pipelines import in_worker
from crawlers.sources import SourceConfig

STAT_PREFIX = "regwatch/"


class SourceSpider(scrapy.Spider):
    """Base class: one spider instance crawls one source."""

    name = "source"
    handle_httpstatus_list = [304]  # noqa: RUF012 (Scrapy reads a class attribute)

    def __init__(
        self,
        source: SourceConfig,
        recheck_urls: list[str] | None = None,
        validators: dict[str, tuple[str | None, str | None]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(name=f"source-{source.id}", **kwargs)
        self.source = source
        self.recheck_urls = recheck_urls or []
        self.validators = validators or {}
        self.failure: tuple[str, str] | None = None  # (status, reason): failed|blocked
        self.listing_validators: dict[str, dict[str, str]] = {}
        self.new_version_ids: list[int] = []
        # Entry and document URLs asked for and not yet answered (by callback or errback).
        # A request the scheduler silently drops (a redirect back to a URL already seen)
        # is still here when the spider closes, and becomes an error instead of a gap.
        self.unanswered: dict[str, bool] = {}  # url -> is the entry request

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._item_failed, signal=signals.item_error)
        crawler.signals.connect(spider._callback_failed, signal=signals.spider_error)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    def _dropped(self, request: scrapy.Request, spider: Any) -> None:
        """The scheduler refused a request it has seen: a redirect loop, or a duplicate."""
        if spider is not self or "regwatch_asked" not in request.meta:
            return
        asked = request.meta["regwatch_asked"]
        if request.url in request.meta.get("redirect_urls", []):
            is_entry = self.unanswered.pop(asked, False)
            message = f"redirect loop at {asked} (back to {request.url})"
            if is_entry:
                self.fail(message)
            else:
                self.error(message)
        else:
            # Redirected to a page this crawl already fetches under its own URL.
            self.answered(request.meta)

    def _closed(self, spider: Any, reason: str) -> None:
        if self.crawler.settings.getbool("REGWATCH_SHARED_QUEUE"):
            # Distributed workers: another worker answers what this one queued.
            return
        for url, is_entry in self.unanswered.items():
            message = f"no response for {url} (redirect loop or dropped request)"
            if is_entry:
                self.fail(message)
            else:
                self.error(message)
        self.unanswered.clear()

    def tracked(self, request: scrapy.Request, *, entry: bool = False) -> scrapy.Request:
        """Remember that ``request`` must end in its callback or errback."""
        request.meta["regwatch_asked"] = request.url
        self.unanswered[request.url] = entry
        return request

    def answered(self, meta: dict[str, Any]) -> None:
        """The tracked request behind ``meta`` got its callback or errback."""
        self.unanswered.pop(meta.get("regwatch_asked", ""), None)

    def _item_failed(self, item: Any, response: Any, spider: Any, failure: Failure) -> None:
        self.error(f"{getattr(item, 'url', '?')}: not stored: {failure.getErrorMessage()}")

    def _callback_failed(self, failure: Failure, response: Response, spider: Any) -> None:
        self.error(f"{response.url}: parse error: {failure.getErrorMessage()}")

    # -- bookkeeping -------------------------------------------------------------------
    def count(self, key: str, amount: int = 1) -> None:
        """Increase a regwatch counter in the crawl stats."""
        self.crawler.stats.inc_value(STAT_PREFIX + key, amount)

    def fail(self, reason: str, status: str = "failed") -> None:
        """Mark the source failed (or blocked); the first reason is kept."""
        self.logger.warning("%s: %s", self.source.id, reason)
        if self.failure is None or (status == "blocked" and self.failure[0] != "blocked"):
            self.failure = (status, reason)

    def error(self, reason: str) -> None:
        """Record a per-document error without failing the whole source."""
        self.logger.warning("%s: %s", self.source.id, reason)
        self.count("errors")
        errors = self.crawler.stats.get_value(STAT_PREFIX + "error_messages") or []
        if len(errors) < 20:
            self.crawler.stats.set_value(STAT_PREFIX + "error_messages", [*errors, reason])

    def remember_validators(self, response: Response) -> None:
        """Keep a listing page's ETag/Last-Modified for the next conditional GET."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.listing_validators[response.url] = {
                "etag": etag.decode("latin-1") if etag else None,
                "last_modified": modified.decode("latin-1") if modified else None,
            }

    # -- entry -------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The source's URL, conditionally fetched."""
        yield self.tracked(
            scrapy.Request(
                self.source.url,
                callback=self._entry,
                errback=self._entry_failed,
                meta={"regwatch_entry": True},
            ),
            entry=True,
        )

    def _entry(self, response: Response) -> Iterator[Any]:
        self.answered(response.meta)
        if response.status == 304:
            self.count("not_modified")
            yield from self.recheck_known_documents()
            return
        reason = block_reason(response, self._peek_text(response), None)
        if reason:
            self.fail(reason, status="blocked")
            return
        self.remember_validators(response)
        yield from self.parse_entry(response)

    def _entry_failed(self, failure: Failure) -> None:
        self.answered(failure.request.meta)
        self.fail(f"cannot fetch {failure.request.url}: {describe_failure(failure)}")

    def parse_entry(self, response: Response) -> Iterator[Any]:
        """Parse the source's entry page (feed, listing, API, page)."""
        raise NotImplementedError

    def recheck_known_documents(self) -> Iterator[scrapy.Request]:
        """On an unchanged listing, still re-check recent documents for amendments."""
        for url in self.recheck_urls:
            yield self.detail_request(url, {})

    # -- documents ---------------------------------------------------------------------
    def detail_request(self, url: str, hints: dict[str, Any]) -> scrapy.Request:
        """A request for one document page, carrying listing hints (title, date)."""
        return self.tracked(
            scrapy.Request(
                url, callback=self.parse_detail, errback=self._detail_failed, meta={"hints": hints}
            )
        )

    def _detail_failed(self, failure: Failure) -> None:
        self.answered(failure.request.meta)
        self.error(f"cannot fetch {failure.request.url}: {describe_failure(failure)}")

    async def parse_detail(
        self, response: Response
    ) -> AsyncIterator[DocumentItem | NotModifiedItem]:
        """Turn a fetched document (HTML, text or PDF) into an item.

        Decoding, parsing and PDF extraction run in the pipeline thread, so the reactor
        is free to start the next download while this page is worked on.
        """
        self.answered(response.meta)
        if response.status == 304:
            self.count("not_modified")
            yield NotModifiedItem(self.source.id, response.url)
            return
        hints = response.meta.get("hints", {})
        try:
            item = await in_worker(self.document_item, response, hints)
        except ContentError as exc:
            self.error(f"{response.url}: {exc}")
            return
        if item is not None:
            yield item

    def document_item(self, response: Response, hints: dict[str, Any]) -> DocumentItem | None:
        """Build the item for a document response; None when it is a block page."""
        detail = self.source.detail
        common = {
            "source_id": self.source.id,
            "url": response.url,
            "body": response.body,
            "language": self.source.language,
            "http_status": response.status,
            "etag": header(response, b"ETag"),
            "last_modified": header(response, b"Last-Modified"),
            "content_type": header(response, b"Content-Type"),
            "final_url": response.url,
        }
        if is_pdf(response):
            return DocumentItem(
                content=pdf_text(response.body),
                content_format="text",
                title=hints.get("title"),
                published_at=hints.get("published_at"),
                **common,
            )
        html, encoding = decode_body(response, self.source.language)
        reason = block_reason(response, html, detail.blocked if detail else None)
        if reason:
            self.fail(f"{response.url}: {reason}", status="blocked")
            return None
        page = TextResponse(url=response.url, body=html.encode("utf-8"), encoding="utf-8")
        content = html
        if detail and detail.content:
            content = first_match_html(page, detail.content)
            if content is None:
                raise ContentError(f"selectors matched nothing ({detail.content!r})")
        title = hints.get("title") or self._detail_title(page)
        published = hints.get("published_at") or self._detail_date(page, html)
        return DocumentItem(
            content=content,
            content_format="html",
            title=title,
            published_at=published,
            encoding=encoding,
            **common,
        )

    def _detail_title(self, page: TextResponse) -> str | None:
        detail = self.source.detail
        selector = (detail.title if detail and detail.title else None) or "title::text"
        value = page.css(selector).get()
        if value and "::" not in selector:
            value = " ".join(page.css(selector + " ::text").getall())
        return " ".join(value.split()) if value else None

    def _detail_date(self, page: TextResponse, html: str) -> date | None:
        detail = self.source.detail
        if detail and detail.date:
            return parse_date(" ".join(page.css(detail.date).getall()))
        if detail and detail.date_regex:
            import re

            match = re.search(detail.date_regex, html)
            return parse_date(match.group(1)) if match else None
        return None

    def _peek_text(self, response: Response) -> str:
        if isinstance(response, TextResponse) and not is_pdf(response):
            try:
                return response.text[:20_000]
            except UnicodeDecodeError:
                return ""
        return ""


def header(response: Response, name: bytes) -> str | None:
    """A response header as text."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def first_match_html(page: TextResponse, selectors: str) -> str | None:
    """HTML of the first of the comma-separated selectors that matches anything."""
    for selector in (s.strip() for s in selectors.split(",")):
        if selector:
            found = page.css(selector).getall()
            if found:
                return "\n".join(found)
    return None


def first_match(node: Any, selectors: list[str]) -> tuple[str | None, Any]:
    """The first selector (of a fallback list) with a match, and its matches."""
    for selector in selectors:
        found = node.css(selector)
        if found:
            return selector, found
    return None, []


def describe_failure(failure: Failure) -> str:
    """One line describing a download failure."""
    from scrapy.spidermiddlewares.httperror import HttpError

    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}".strip()
