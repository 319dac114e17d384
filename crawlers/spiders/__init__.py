"""Generic spiders, one per source kind; ``SPIDERS`` maps a kind to its class."""

from crawlers.spiders.api import ApiSpider
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.page import PageSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    "feed": FeedSpider,
    "listing": ListingSpider,
    "api": ApiSpider,
    "page": PageSpider,
}

__all__ = ["SPIDERS", "ApiSpider", "FeedSpider", "ListingSpider", "PageSpider", "SourceSpider"]
