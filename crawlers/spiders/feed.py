"""RSS and Atom feeds, parsed with feedparser."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import feedparser
from scrapy.http import Response

from crawlers.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    """Reads the feed; fetches each entry's page (its text is the document)."""

    name = "feed"

    def parse_entry(self, response: Response) -> Iterator[Any]:
        feed = feedparser.parse(response.body, response_headers={"content-location": response.url})
        if not feed.entries:
            reason = getattr(feed, "bozo_exception", None) or "no entries"
            self.fail(f"feed has no entries: {reason}")
            return
        for entry in feed.entries:
            link = entry.get("link")
            if not link:
                self.error(f"feed entry without link: {entry.get('title')!r}")
                continue
            hints = {"title": entry.get("title"), "published_at": entry_date(entry)}
            yield self.detail_request(response.urljoin(link), hints)


def entry_date(entry: Any) -> date | None:
    """The entry's published (or updated) date, if the feed has one."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return date.fromtimestamp(time.mktime(parsed)) if parsed else None
