"""Item pipelines, in order: normalise → hash → store. Each does one thing."""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.items import DocumentItem, NotModifiedItem
from obligations.db import session_scope
from obligations.nlp.language import detect_language
from obligations.services.documents import (
    FetchedDocument,
    mark_not_modified,
    store_fetched_document,
)
from obligations.text.normalise import html_to_text, normalise_text, text_sha256


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


class NormalisePipeline(_CrawlerPipeline):
    """HTML or text → normalised plain text; an empty result is dropped, never stored."""

    def process_item(self, item: object) -> object:
        if not isinstance(item, DocumentItem):
            return item
        if item.content_format == "html":
            item.text = html_to_text(item.content)
        else:
            item.text = normalise_text(item.content)
        if not item.text:
            self.spider.error(f"{item.url}: no text after normalisation")
            raise DropItem(f"{item.url}: empty text")
        # The source's language is a hint; bilingual sources publish in both.
        item.language = detect_language(item.text)
        return item


class HashPipeline:
    """Hashes of the raw body and of the normalised text."""

    def process_item(self, item: object) -> object:
        if isinstance(item, DocumentItem):
            item.content_sha256 = hashlib.sha256(item.body).hexdigest()
            item.text_sha256 = text_sha256(item.text or "")
        return item


class StorePipeline(_CrawlerPipeline):
    """One transaction per document: a new version only when the text changed."""

    def process_item(self, item: object) -> object:
        if isinstance(item, NotModifiedItem):
            with session_scope() as session:
                mark_not_modified(session, item.source_id, item.url)
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
        with session_scope() as session:
            outcome = store_fetched_document(session, fetched)
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
