"""A bad sources file is refused whole, before anything runs, naming the source and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from crawlers.sources import load_sources, parse_sources
from obligations import db
from obligations.errors import ConfigError
from obligations.services.sources import start_run, upsert_sources
from tests.crawlers.support import source_toml
from tests.helpers.cli import run_regwatch
from tests.helpers.httpserver import LocalServer, Route

GOOD = source_toml("good-source", "page", "https://example.org/rules.html")
LISTING = {"item": "ul li", "link": "a"}

# name: (TOML of the bad source, words the error must contain)
BAD_SOURCES = {
    "unknown key": (
        source_toml("typo-source", "page", "https://example.org/a").replace(
            'kind = "page"', 'kind = "page"\nschedul = "0 * * * *"'
        ),
        ["'typo-source'", "unknown key 'schedul'"],
    ),
    "unknown nested key": (
        source_toml(
            "nested-typo", "listing", "https://example.org/l", listing={**LISTING, "itme": "li"}
        ),
        ["'nested-typo'", "unknown key 'listing.itme'"],
    ),
    "bad selector": (
        source_toml(
            "bad-selector", "listing", "https://example.org/l", listing={**LISTING, "link": "a[[["}
        ),
        ["'bad-selector'", "'listing.link'", "bad CSS selector"],
    ),
    "bad fallback selector": (
        source_toml(
            "bad-fallback",
            "listing",
            "https://example.org/l",
            listing={**LISTING, "date": ["span.date::text", "td:::nope"]},
        ),
        ["'bad-fallback'", "'listing.date'", "td:::nope"],
    ),
    "bad cron": (
        source_toml("bad-cron", "page", "https://example.org/a").replace(
            'kind = "page"', 'kind = "page"\nschedule = "61 * * * *"'
        ),
        ["'bad-cron'", "'schedule'", "cron"],
    ),
    "duplicate id": (GOOD, ["'good-source'", "duplicate id"]),
    "missing kind table": (
        source_toml("no-listing", "listing", "https://example.org/l"),
        ["'no-listing'", "[source.listing]"],
    ),
    "bad date regex": (
        source_toml("bad-regex", "page", "https://example.org/a", detail={"date_regex": "(\\d+"}),
        ["'bad-regex'", "'detail.date_regex'"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_SOURCES))
def test_bad_source_is_refused_naming_source_and_key(case: str) -> None:
    bad, words = BAD_SOURCES[case]
    with pytest.raises(ConfigError) as error:
        parse_sources(GOOD + "\n" + bad, "sources/bad.toml")
    message = str(error.value)
    assert message.startswith("sources/bad.toml: ")
    for word in words:
        assert word in message, message


def test_duplicate_id_across_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError, match="'good-source': duplicate id across files"):
        load_sources(tmp_path)


def test_selector_lists_are_accepted_as_fallbacks() -> None:
    (config,) = parse_sources(
        source_toml(
            "fallbacks",
            "listing",
            "https://example.org/l",
            listing={"item": ["table tr", "ul li"], "link": ["td a", "a"], "max_pages": 2},
        )
    )
    assert config.listing is not None and config.listing.item == ["table tr", "ul li"]


def _snapshot(url: str) -> dict[str, list]:
    with db.get_engine(url).connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in ("source", "crawlrun", "document", "documentversion")
        }


@pytest.mark.parametrize("case", ["unknown key", "bad selector", "bad cron", "duplicate id"])
def test_crawl_refuses_a_bad_file_before_anything_runs(
    case: str, sqlite_url: str, tmp_path: Path
) -> None:
    with db.session_scope(sqlite_url) as session:
        upsert_sources(session, [{**parse_sources(GOOD)[0].definition(), "id": "kept"}])
        start_run(session, "kept")
    before = _snapshot(sqlite_url)
    bad, words = BAD_SOURCES[case]
    with LocalServer({"/page.html": Route("<p>Firms must comply.</p>")}) as server:
        reachable = source_toml("reachable", "page", server.url("/page.html"))
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(reachable + "\n" + GOOD + "\n" + bad, encoding="utf-8")
        result = run_regwatch(["crawl", "--sources", str(sources_file)], sqlite_url, tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("regwatch: error: "), result.stderr
    assert str(sources_file) in lines[0]
    for word in words:
        assert word in lines[0]
    assert server.requests == []  # nothing was fetched, not even robots.txt
    assert _snapshot(sqlite_url) == before
