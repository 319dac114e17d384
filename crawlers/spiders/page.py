"""A single watched page: the page itself is the document."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.content import ContentError
from crawlers.items import NotModifiedItem
from crawlers.spiders.base import SourceSpider


class PageSpider(SourceSpider):
    """Fetches ``url`` and stores it as one document."""

    name = "page"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.tracked(
            scrapy.Request(
                self.source.url,
                callback=self.parse_entry,
                errback=self._entry_failed,
                meta={"regwatch_entry": True},
            ),
            entry=True,
        )

    def parse_entry(self, response: Response) -> Iterator[Any]:
        self.answered(response.meta)
        if response.status == 304:
            self.count("not_modified")
            yield NotModifiedItem(self.source.id, response.url)
            return
        try:
            item = self.document_item(response, {})
        except ContentError as exc:
            self.fail(f"{response.url}: {exc}")
            return
        if item is not None:
            yield item
