"""Incremental crawling on both backends: conditional GET, amendments, blocks, layout changes.

Three crawls of the same sources: the first stores everything, the second finds nothing
changed (304s, zero versions), the third sees one amended notice, one amended page, a
challenge page, a redesigned listing and a detail page that lost its content block.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from crawlers.cli.commands import app
from tests.crawlers.support import (
    crawl,
    document,
    documents,
    source_toml,
    version_count,
    versions,
    write_sources,
)
from tests.helpers.httpserver import LocalServer, Route

LAST_MODIFIED = "Tue, 03 Mar 2026 08:00:00 GMT"
CHALLENGE = """<html><head><title>Just a moment</title></head><body><script>
document.cookie = "verify=1; path=/"; location.reload();
</script></body></html>"""


def page(body: str) -> str:
    return f"""<html><head><title>T</title></head><body><nav>Menu</nav>
<div class="content">{body}</div><footer>Footer</footer></body></html>"""


NOTICE_2 = "<p>Firms must report suspicious transfers within 30 days.</p><p>Contact us.</p>"
NOTICE_2_AMENDED = "<p>Firms must report suspicious transfers within 15 days.</p><p>Contact us.</p>"
LISTING = """<html><body><ul class="notices">
<li><a href="/n/1.html">One</a></li><li><a href="/n/2.html">Two</a></li>
<li><a href="/n/3.html">Three</a></li></ul></body></html>"""


def first_routes() -> dict[str, Route]:
    return {
        "/n/": Route(LISTING),
        "/n/1.html": Route(page("<p>Members should keep a log of complaints.</p>")),
        "/n/2.html": Route(page(NOTICE_2)),
        "/n/3.html": Route(page("<p>Advisers may delegate the review to a vendor.</p>")),
        "/w.html": Route(page("<p>Accounts must not sell tokens.</p>")),
        "/plain.html": Route(page("<p>Banks shall file reports.</p>"), conditional=False),
        "/lm.html": Route(
            page("<p>Firms should train staff.</p>"),
            send_etag=False,
            headers={"Last-Modified": LAST_MODIFIED},
        ),
        "/c.html": Route(page("<p>Platforms must verify sellers.</p>")),
        "/r/": Route('<html><body><ul class="old"><li><a href="/r/1.html">R</a></li></ul>'),
        "/r/1.html": Route(page("<p>Issuers must publish a white paper.</p>")),
    }


def third_routes() -> dict[str, Route]:
    return {
        "/n/2.html": Route(page(NOTICE_2_AMENDED)),
        "/n/3.html": Route("<html><body><div class='redesign'>New site</div></body></html>"),
        "/w.html": Route(
            page("<p>Accounts must not sell tokens.</p><p>Accounts must not pay in NFTs.</p>")
        ),
        "/c.html": Route(CHALLENGE),
        "/r/": Route('<html><body><div class="cards"><a href="/r/1.html">R</a></div>'),
    }


def sources(base: str) -> list[str]:
    detail = {"content": "div.content"}
    return [
        source_toml(
            "notices",
            "listing",
            f"{base}/n/",
            listing={"item": "ul.notices li", "link": "a"},
            detail=detail,
        ),
        source_toml("watched", "page", f"{base}/w.html", detail=detail),
        source_toml("no-validators", "page", f"{base}/plain.html", detail=detail),
        source_toml("lastmod-only", "page", f"{base}/lm.html", detail=detail),
        source_toml("challenge", "page", f"{base}/c.html", detail=detail),
        source_toml(
            "relayout", "listing", f"{base}/r/", listing={"item": "ul.old li", "link": "a"}
        ),
    ]


def diff(database_url: str, document_id: int, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["documents", "diff", str(document_id), *args, "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_conditional_get_amendments_blocks_and_layout_changes(
    database_url: str, tmp_path: Path
) -> None:
    with LocalServer(first_routes()) as server:
        base = server.url("")
        sources_file = write_sources(tmp_path / "sources.toml", *sources(base))

        first = crawl(sources_file, database_url, tmp_path)
        assert {s: r["status"] for s, r in first.items()} == dict.fromkeys(first, "ok")
        assert first["notices"]["new_documents"] == 3
        stored = version_count(database_url)
        assert stored == 8

        # Unchanged: every validated URL answers 304, nothing is stored.
        server.requests.clear()
        second = crawl(sources_file, database_url, tmp_path)
        assert version_count(database_url) == stored
        assert sum(r["new_versions"] + r["new_documents"] for r in second.values()) == 0
        assert second["notices"]["not_modified"] == 4  # the listing and its three notices
        assert second["notices"]["requests"] == 5  # plus robots.txt
        for path in ("/n/", "/n/1.html", "/n/2.html", "/n/3.html", "/w.html", "/c.html"):
            (hit,) = server.hits(path)
            assert hit.headers.get("If-None-Match"), path
        assert server.hits("/lm.html")[0].headers.get("If-Modified-Since") == LAST_MODIFIED
        assert second["lastmod-only"]["not_modified"] == 1
        # No validators at all: fetched in full, recognised as the same text.
        assert second["no-validators"]["unchanged"] == 1
        assert second["no-validators"]["not_modified"] == 0

        server.routes.update(third_routes())
        third = crawl(sources_file, database_url, tmp_path)

    assert version_count(database_url) == stored + 2
    assert third["notices"]["new_versions"] == 1 and third["watched"]["new_versions"] == 1
    amended = document(database_url, "notices", base + "/n/2.html")
    old, new = versions(database_url, amended.id)  # type: ignore[arg-type]
    assert "30 days" in old.text and "15 days" in new.text
    assert new.change_kind == "changed"

    lines = diff(database_url, amended.id)  # type: ignore[arg-type]
    assert "-Firms must report suspicious transfers within 30 days." in lines
    assert "+Firms must report suspicious transfers within 15 days." in lines
    assert "Contact us." not in [
        line.lstrip("+-") for line in lines.splitlines() if line[:1] in "+-"
    ]
    words = diff(database_url, amended.id, "--words")  # type: ignore[arg-type]
    assert "[-30-]{+15+}" in words.replace(" ", "")

    watched = document(database_url, "watched", base + "/w.html")
    assert "+Accounts must not pay in NFTs." in diff(database_url, watched.id)  # type: ignore[arg-type]

    # A detail page that lost its content block: an error, never an empty version.
    lost = document(database_url, "notices", base + "/n/3.html")
    assert len(versions(database_url, lost.id)) == 1  # type: ignore[arg-type]
    assert third["notices"]["errors"] == 1
    assert "selectors matched nothing" in third["notices"]["error"]

    # A challenge page: the source is blocked and the last good version stays.
    assert third["challenge"]["status"] == "blocked"
    (challenge,) = documents(database_url, "challenge")
    (kept,) = versions(database_url, challenge.id)  # type: ignore[arg-type]
    assert kept.text == "Platforms must verify sellers."

    # A redesigned listing: failed, nothing new and nothing lost.
    assert third["relayout"]["status"] == "failed"
    assert "selectors matched nothing" in third["relayout"]["error"]
    assert len(documents(database_url, "relayout")) == 1
