"""JSON APIs: a list of items at a dotted path, with a next-page URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.content import parse_date
from crawlers.items import DocumentItem
from crawlers.spiders.base import SourceSpider, header


def dotted(data: Any, path: str | None) -> Any:
    """``data["a"]["b"]`` for path ``"a.b"``; None when a step is missing."""
    if not path:
        return None
    for step in path.split("."):
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data


class ApiSpider(SourceSpider):
    """Reads items from the JSON; takes text from the item or fetches its page."""

    name = "api"

    def parse_entry(self, response: Response) -> Iterator[Any]:
        yield from self.parse_page(response, page_number=1)

    def parse_page(self, response: Response, page_number: int) -> Iterator[Any]:
        api = self.source.api
        assert api is not None
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            self.fail(f"{response.url}: not JSON: {exc}")
            return
        items = dotted(data, api.items)
        if not isinstance(items, list):
            self.fail(f"{response.url}: no list at {api.items!r}")
            return
        for entry in items:
            url = dotted(entry, api.url)
            if not url:
                self.error(f"{response.url}: item without {api.url!r}")
                continue
            hints = {
                "title": dotted(entry, api.title),
                "published_at": parse_date(str(dotted(entry, api.date) or "")),
            }
            text = dotted(entry, api.text) if api.text else None
            if text and not self.source.detail:
                yield DocumentItem(
                    source_id=self.source.id,
                    url=response.urljoin(str(url)),
                    content=str(text),
                    content_format="text",
                    body=json.dumps(entry, sort_keys=True, ensure_ascii=False).encode("utf-8"),
                    language=self.source.language,
                    title=hints["title"],
                    published_at=hints["published_at"],
                    http_status=response.status,
                    content_type=header(response, b"Content-Type"),
                    final_url=response.url,
                )
            else:
                yield self.detail_request(response.urljoin(str(url)), hints)
        next_url = dotted(data, api.next_page)
        if next_url and page_number < api.max_pages:
            yield scrapy.Request(
                response.urljoin(str(next_url)),
                callback=self._next_page,
                errback=self._detail_failed,
                cb_kwargs={"page_number": page_number + 1},
            )

    def _next_page(self, response: Response, page_number: int) -> Iterator[Any]:
        if response.status == 304:
            self.count("not_modified")
            return
        yield from self.parse_page(response, page_number)
