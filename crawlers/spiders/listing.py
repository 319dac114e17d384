"""HTML listings: rows of links, with fallback selectors and pagination."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.content import parse_date
from crawlers.sources import as_list
from crawlers.spiders.base import SourceSpider, first_match


class ListingSpider(SourceSpider):
    """Follows each row's link; follows ``next_page`` up to ``max_pages``."""

    name = "listing"

    def parse_entry(self, response: Response) -> Iterator[Any]:
        yield from self.parse_listing(response, page_number=1)

    def parse_listing(self, response: Response, page_number: int) -> Iterator[Any]:
        listing = self.source.listing
        assert listing is not None
        _, rows = first_match(response, as_list(listing.item))
        links = 0
        for row in rows:
            _, found = first_match(row, as_list(listing.link))
            href = found[0].attrib.get("href") if found else None
            if not href:
                continue
            title = None
            if listing.title:
                _, titles = first_match(row, as_list(listing.title))
                title = " ".join(" ".join(titles.css("::text").getall()).split()) or None
            else:
                title = " ".join(" ".join(found[0].css("::text").getall()).split()) or None
            published = None
            if listing.date:
                _, dates = first_match(row, as_list(listing.date))
                published = parse_date(" ".join(d.get() for d in dates).strip() or None)
            links += 1
            yield self.detail_request(
                response.urljoin(href), {"title": title, "published_at": published}
            )
        if links == 0:
            self.fail(f"selectors matched nothing on {response.url}")
            return
        if listing.next_page and page_number < listing.max_pages:
            _, next_links = first_match(response, as_list(listing.next_page))
            href = next_links[0].attrib.get("href") if next_links else None
            if href:
                yield scrapy.Request(
                    response.urljoin(href),
                    callback=self._next_page,
                    errback=self._detail_failed,
                    cb_kwargs={"page_number": page_number + 1},
                )

    def _next_page(self, response: Response, page_number: int) -> Iterator[Any]:
        if response.status == 304:
            self.count("not_modified")
            return
        self.remember_validators(response)
        yield from self.parse_listing(response, page_number)
