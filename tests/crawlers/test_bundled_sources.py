"""Every bundled sources file crawled against the offline demo archive.

The real source definitions in ``data/sources/`` are crawled through the host-rewriting
middleware against ``crawlers.demo.server``; each source must yield exactly the
documents the archive holds for it, with their titles, dates and language, stored under
their real URLs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawlers.demo.server import start_server
from crawlers.sources import load_sources
from tests.crawlers.support import crawl, documents, versions

SOURCES_DIR = Path(__file__).resolve().parents[2] / "data" / "sources"
# The PBOC archive holds one page behind a JavaScript cookie challenge: the source is
# recorded as blocked, and the four readable notices are kept.
BLOCKED = {"pboc-notices": "5389012"}
# What Chinese text decoded with the wrong codec is full of: private-use characters,
# replacement characters, kana and bopomofo.
MOJIBAKE = re.compile("[\ue000-\uf8ff\ufffd\u3040-\u30ff\u3100-\u312f]")

# source id -> {real URL: {"published_at": ISO date, "title": …}}, read off the archive.
EXPECTED: dict[str, dict[str, dict]] = json.loads(
    (Path(__file__).with_name("bundled_expected.json")).read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def archive() -> Iterator[str]:
    server = start_server(0, 1)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("sources_file", sorted(SOURCES_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_bundled_sources_file_against_the_archive(
    sources_file: Path, archive: str, sqlite_url: str, tmp_path: Path
) -> None:
    configs = {c.id: c for c in load_sources(sources_file)}
    assert set(configs) <= set(EXPECTED), "a bundled source has no expectation here"
    summary = crawl(sources_file, sqlite_url, tmp_path, "--rewrite-to", archive)
    assert set(summary) == set(configs)
    for source_id, config in configs.items():
        row = summary[source_id]
        if source_id in BLOCKED:
            assert row["status"] == "blocked" and BLOCKED[source_id] in row["error"]
        else:
            assert (row["status"], row["errors"]) == ("ok", 0), row
        stored = documents(sqlite_url, source_id)
        assert {
            d.url: (d.published_at.isoformat() if d.published_at else None, d.title) for d in stored
        } == {url: (doc["published_at"], doc["title"]) for url, doc in EXPECTED[source_id].items()}
        assert row["new_documents"] == len(EXPECTED[source_id])
        for document in stored:
            # Real URLs, never the archive's address.
            assert urlsplit(document.url).scheme == "https"
            assert urlsplit(document.url).hostname != "127.0.0.1"
            assert document.language == config.language, document.url
            (version,) = versions(sqlite_url, document.id)  # type: ignore[arg-type]
            assert len(version.text) > 200, document.url
            if config.language == "zh":
                assert not MOJIBAKE.search(version.text), document.url
