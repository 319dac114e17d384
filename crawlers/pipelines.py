"""Item pipelines, in order: normalise → hash → store. Each does one thing.

Normalising (HTML parsing) and storing (database writes) run in one worker thread, not
on the reactor thread, so the crawler keeps downloading while a page is being parsed
and written; most of a polite crawl is spent waiting for the network. One thread keeps
writes serial (SQLite has one writer) and the versions of one URL in order. Counters
are updated back on the reactor thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.python.threadpool import ThreadPool

from crawlers.items import DocumentItem, NotModifiedItem
from obligations.db import session_scope
from obligations.nlp.language import detect_language
from obligations.services.documents import (
    FetchedDocument,
    StoreOutcome,
    mark_not_modified,
    store_fetched_document,
)
from obligations.text.normalise import html_to_text, normalise_text, text_sha256

# Enough text to tell Chinese from English; counting a whole long page costs more.
LANGUAGE_SAMPLE_CHARS = 5_000
Result = TypeVar("Result")
_worker: ThreadPool | None = None


def pipeline_worker() -> ThreadPool:
    """The process's single pipeline thread, stopped when the reactor stops."""
    global _worker
    if _worker is None:
        from twisted.internet import reactor

        _worker = ThreadPool(minthreads=1, maxthreads=1, name="regwatch-pipeline")
        _worker.start()
        reactor.addSystemEventTrigger("during", "shutdown", _stop_worker)
    return _worker


def _stop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop()
        _worker = None


async def in_worker(function: Callable[..., Result], *args: Any) -> Result:
    """Run ``function(*args)`` in the pipeline thread and wait for it."""
    from twisted.internet import reactor

    deferred = threads.deferToThreadPool(reactor, pipeline_worker(), function, *args)
    return await maybe_deferred_to_future(deferred)


class _CrawlerPipeline:
    """Keeps the crawler so that a pipeline can reach its spider's counters."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider


def normalise_item(item: DocumentItem) -> None:
    """Fill ``text`` and ``language``: HTML or text → normalised plain text."""
    if item.content_format == "html":
        item.text = html_to_text(item.content)
    else:
        item.text = normalise_text(item.content)
    # The source's language is a hint; bilingual sources publish in both.
    if item.text:
        item.language = detect_language(item.text[:LANGUAGE_SAMPLE_CHARS])


class NormalisePipeline(_CrawlerPipeline):
    """HTML or text → normalised plain text; an empty result is dropped, never stored."""

    async def process_item(self, item: object) -> object:
        if not isinstance(item, DocumentItem):
            return item
        await in_worker(normalise_item, item)
        if not item.text:
            self.spider.error(f"{item.url}: no text after normalisation")
            raise DropItem(f"{item.url}: empty text")
        return item


class HashPipeline:
    """Hashes of the raw body and of the normalised text."""

    def process_item(self, item: object) -> object:
        if isinstance(item, DocumentItem):
            item.content_sha256 = hashlib.sha256(item.body).hexdigest()
            item.text_sha256 = text_sha256(item.text or "")
        return item


def store(fetched: FetchedDocument) -> StoreOutcome:
    """One transaction per document: a new version only when the text changed."""
    with session_scope() as session:
        return store_fetched_document(session, fetched)


def note_not_modified(item: NotModifiedItem) -> None:
    with session_scope() as session:
        mark_not_modified(session, item.source_id, item.url)


class StorePipeline(_CrawlerPipeline):
    """Stores each document, counting new documents, new versions and unchanged ones."""

    async def process_item(self, item: object) -> object:
        if isinstance(item, NotModifiedItem):
            await in_worker(note_not_modified, item)
            return item
        if not isinstance(item, DocumentItem):
            return item
        fetched = FetchedDocument(
            source_id=item.source_id,
            url=item.url,
            text=item.text or "",
            content_sha256=item.content_sha256 or "",
            title=item.title,
            published_at=item.published_at,
            language=item.language,
            http_status=item.http_status,
            etag=item.etag,
            last_modified=item.last_modified,
            content_type=item.content_type,
            encoding=item.encoding,
            final_url=item.final_url,
        )
        outcome = await in_worker(store, fetched)
        counter = {
            "new": "new_documents",
            "changed": "new_versions",
            "renormalised": "renormalised",
            "unchanged": "unchanged",
        }[outcome.kind]
        self.spider.count(counter)
        if outcome.version_id is not None:
            self.spider.new_version_ids.append(outcome.version_id)
        return item
