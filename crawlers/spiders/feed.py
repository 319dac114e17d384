"""RSS and Atom feeds, parsed with feedparser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
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
    """The entry's published (or updated) date as the publisher wrote it, if any.

    feedparser's ``*_parsed`` values are in UTC, which moves a morning notice from
    Hong Kong or Beijing (+08:00) to the previous day; the raw value keeps its zone.
    """
    for key in ("published", "updated"):
        written = written_date(entry.get(key))
        if written is not None:
            return written
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC).date() if parsed else None


def written_date(value: str | None) -> date | None:
    """The date part of an RFC 822 (RSS) or ISO 8601 (Atom) timestamp, in its own zone."""
    if not value:
        return None
    value = value.strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None
