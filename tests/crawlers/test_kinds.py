"""Each source kind end to end against a local server, in one crawl of many sources.

One ``regwatch crawl`` subprocess crawls every source below (a Twisted reactor cannot
restart, and one process keeps the suite fast); each test checks one behaviour of it.
"""

from __future__ import annotations

import json
import socket
import unicodedata
from dataclasses import dataclass
from datetime import date

import pytest

from obligations import db
from tests.crawlers.support import (
    crawl,
    document,
    documents,
    latest_runs,
    source_toml,
    versions,
    write_sources,
)
from tests.helpers.httpserver import LocalServer, LoggedRequest, Route
from tests.helpers.pdf import make_pdf

USER_AGENT = "regwatch-test/1.0 (+mailto:crawl-test@example.com)"
ROBOTS = "User-agent: *\nDisallow: /private/\n"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Press releases</title><link>{base}/</link>
<item><title>Recordkeeping for off-channel messages</title><link>{base}/rss/a.html</link>
<pubDate>Mon, 02 Mar 2026 14:00:00 GMT</pubDate></item>
<item><title>Custody of client assets</title><link>{base}/rss/b.html</link>
<pubDate>Wed, 04 Mar 2026 07:30:00 +0800</pubDate></item>
<item><title>Internal memo</title><link>{base}/private/secret.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Statements</title>
<id>urn:test:statements</id><updated>2026-04-02T10:00:00Z</updated>
<entry><title>Statement on financial promotions</title><id>urn:test:1</id>
<link href="{base}/atom/one.html"/><updated>2026-04-01T10:00:00Z</updated></entry>
<entry><title>Consumer duty findings (PDF)</title><id>urn:test:2</id>
<link href="{base}/atom/two"/><updated>2026-04-02T06:00:00+08:00</updated></entry>
</feed>"""

RSS_A = """<html><head><title>Press release A</title></head><body>
<nav>Home | Newsroom | Search</nav><div class="sidebar">SIDEBAR-MARK related links</div>
<div class="body"><p>Broker-dealers must preserve business messages sent on any app.</p>
<p>The rule applies from 1 June 2026.</p></div><footer>Site footer</footer></body></html>"""

RSS_B = """<html><head><title>Press release B</title></head><body>
<p>OUTSIDE-MARK promotional banner</p>
<article class="main"><p>Advisers shall keep client assets with a qualified custodian.</p>
</article></body></html>"""

ATOM_ONE = """<html><head><title>Statement one</title></head><body>
<header>Header links</header><main><h1>Statement on financial promotions</h1>
<p>Firms should check that promotions are fair, clear and not misleading.</p></main>
</body></html>"""

LIST_PAGE_1 = """<html><body><table class="notices">
<tr class="row"><td class="title"><a href="/docs/1.html">Notice one</a></td>
<td class="date">2026-01-15</td></tr>
<tr class="row"><td class="title"><a href="/files/report.pdf">Annual report (PDF)</a></td>
<td class="date">2026-01-20</td></tr>
</table><ul class="pager"><li class="pager-next"><a href="/list/page-2.html">Next</a></li></ul>
</body></html>"""

LIST_PAGE_2 = """<html><body><ul class="old-list">
<li><a class="doc" href="/docs/2.html">Notice two</a>
<span class="when">12 February 2026</span></li>
</ul><a class="next" href="/list/page-3.html">Next</a></body></html>"""

LIST_PAGE_3 = """<html><body><ul class="old-list">
<li><a class="doc" href="/docs/3.html">Notice three</a></li></ul></body></html>"""


def notice(number: str, sentence: str) -> str:
    return f"""<html><head><title>Page {number}</title></head><body>
<div class="menu">MENU-MARK</div><div class="content"><h2>Notice {number}</h2>
<p>{sentence}</p></div></body></html>"""


API_PAGE_1 = {
    "data": {
        "items": [
            {
                "link": "/api-docs/101",
                "headline": "Travel rule reminder",
                "date": "2026-05-04",
                "summary": "Money services businesses must pass originator data on transfers.",
            },
            {
                "link": "/api-docs/102",
                "headline": "Beneficial ownership update",
                "date": "2026-05-06",
                "summary": "Reporting companies may file updated reports within 30 days.",
            },
        ],
        "next": "/api/docs.json?page=2",
    }
}
API_PAGE_2 = {
    "data": {
        "items": [
            {
                "link": "/api-docs/103",
                "headline": "Sanctions list additions",
                "date": "2026-05-09",
                "summary": "U.S. persons are prohibited from dealing with the listed entities.",
            }
        ],
        "next": None,
    }
}

WATCH_PAGE = """<html><head><title>Rules page</title></head><body>
<div id="banner">BANNER-MARK</div>
<h1 class="rule-title">Platform rules for digital collectibles</h1>
<div id="rules"><p>Accounts must not offer secondary trading of digital collectibles.</p></div>
</body></html>"""

# Chinese pages: one text, five encodings (declared in the page or header, or not at all).
ZH_SIMPLIFIED = "证券公司应当每日核对客户资金账户，不得挪用客户资金，违反规定的将依法处理。"
ZH_TRADITIONAL = "持牌法團必須每日核對客戶款項賬戶，不得挪用客戶款項，違反規定者將被紀律處分。"


def zh_page(title: str, text: str, meta: str = "") -> str:
    return (
        f"<html><head>{meta}<title>{title}</title></head><body>"
        f'<div class="zw"><h1>{title}</h1><p>{text}</p><p>{text}</p></div></body></html>'
    )


ENCODED_PAGES = {
    # path: (title, text, codec, content type, meta)
    "/enc/gbk-declared.html": (
        "关于客户资金的通知",
        ZH_SIMPLIFIED,
        "gbk",
        "text/html",
        '<meta charset="gbk">',
    ),
    "/enc/gbk-undeclared.html": ("关于客户资金的补充通知", ZH_SIMPLIFIED, "gbk", "text/html", ""),
    "/enc/big5-declared.html": (
        "有關客戶款項的通函",
        ZH_TRADITIONAL,
        "big5",
        "text/html; charset=big5",
        "",
    ),
    "/enc/big5-undeclared.html": (
        "有關客戶款項的補充通函",
        ZH_TRADITIONAL,
        "big5",
        "text/html",
        "",
    ),
    "/enc/utf8-undeclared.html": ("客户资金管理问答", ZH_SIMPLIFIED, "utf-8", "text/html", ""),
}
ENC_LISTING = "<html><body><ul class='zlist'>{rows}</ul></body></html>"
BIG5_TITLE = "有關客戶款項的通函（列表標題）"
BIG5_ROW = f'<li><a href="/enc/big5-declared.html">{BIG5_TITLE}</a></li>'


def closed_port() -> int:
    """A local port with nothing listening (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throttled_route() -> object:
    """429 with ``Retry-After: 1`` on the first request, then the page."""
    calls: list[LoggedRequest] = []

    def answer(request: LoggedRequest) -> Route:
        calls.append(request)
        if len(calls) == 1:
            return Route("slow down", status=429, headers={"Retry-After": "1"}, conditional=False)
        return Route("<html><body><p>Firms must report breaches within 5 days.</p></body></html>")

    return answer


def routes(base: str) -> dict[str, object]:
    enc_rows = "".join(
        f'<li><a href="{path}">{title}</a></li>' for path, (title, *_rest) in ENCODED_PAGES.items()
    )
    table: dict[str, object] = {
        "/robots.txt": Route(ROBOTS, content_type="text/plain"),
        "/rss.xml": Route(RSS.format(base=base), content_type="application/rss+xml"),
        "/rss/a.html": Route(RSS_A),
        "/rss/b.html": Route(RSS_B),
        "/private/secret.html": Route("<p>must never be fetched</p>"),
        "/atom.xml": Route(ATOM.format(base=base), content_type="application/atom+xml"),
        "/atom/one.html": Route(ATOM_ONE),
        "/atom/two": Route(
            make_pdf(["Consumer duty findings", "Firms must act to deliver good outcomes."]),
            content_type="application/octet-stream",
        ),
        "/list/": Route(LIST_PAGE_1),
        "/list/page-2.html": Route(LIST_PAGE_2),
        "/list/page-3.html": Route(LIST_PAGE_3),
        "/docs/1.html": Route(notice("1", "Members must file the annual attestation by 31 March.")),
        "/docs/2.html": Route(notice("2", "Members should test their continuity plans yearly.")),
        "/docs/3.html": Route(notice("3", "Beyond max_pages: never fetched.")),
        "/files/report.pdf": Route(
            make_pdf(["Annual report", "Member firms must keep records for six years."]),
            content_type="application/pdf",
        ),
        "/api/docs.json": Route(json.dumps(API_PAGE_1), content_type="application/json"),
        "/api/docs.json?page=2": Route(json.dumps(API_PAGE_2), content_type="application/json"),
        "/watch/rules.html": Route(WATCH_PAGE),
        "/enc/": Route(ENC_LISTING.format(rows=enc_rows).encode("gbk"), content_type="text/html"),
        "/enc-tc/": Route(
            ENC_LISTING.format(rows=BIG5_ROW).encode("big5"), content_type="text/html"
        ),
        "/broken/": Route("server error", status=500, content_type="text/plain"),
        "/empty/": Route("<html><body><p>We are redesigning this page.</p></body></html>"),
        "/throttled.html": throttled_route(),
    }
    for path, (title, text, codec, content_type, meta) in ENCODED_PAGES.items():
        table[path] = Route(zh_page(title, text, meta).encode(codec), content_type=content_type)
    return table


def sources(base: str, refused_port: int) -> list[str]:
    return [
        source_toml(
            "rss-feed",
            "feed",
            f"{base}/rss.xml",
            detail={"content": "div.body, article.main"},
        ),
        source_toml("atom-feed", "feed", f"{base}/atom.xml"),
        source_toml(
            "listing-paged",
            "listing",
            f"{base}/list/",
            listing={
                "item": ["ul.old-list li", "table.notices tr.row"],
                "link": ["a.doc", "td.title a"],
                "date": ["span.when::text", "td.date::text"],
                "next_page": ["a.next", "li.pager-next a"],
                "max_pages": 2,
            },
            detail={"content": "div.content"},
        ),
        source_toml(
            "api-paged",
            "api",
            f"{base}/api/docs.json",
            api={
                "items": "data.items",
                "next_page": "data.next",
                "url": "link",
                "title": "headline",
                "date": "date",
                "text": "summary",
            },
        ),
        source_toml(
            "page-watch",
            "page",
            f"{base}/watch/rules.html",
            detail={"content": "#rules", "title": "h1.rule-title"},
        ),
        source_toml(
            "encodings",
            "listing",
            f"{base}/enc/",
            language="zh",
            listing={"item": "ul.zlist li", "link": "a"},
            detail={"content": "div.zw"},
        ),
        source_toml(
            "big5-listing",
            "listing",
            f"{base}/enc-tc/",
            language="zh",
            listing={"item": "ul.zlist li", "link": "a"},
        ),
        source_toml(
            "broken-500", "listing", f"{base}/broken/", listing={"item": "li", "link": "a"}
        ),
        source_toml("refused", "page", f"http://127.0.0.1:{refused_port}/gone.html"),
        source_toml(
            "empty-listing", "listing", f"{base}/empty/", listing={"item": "ul.x li", "link": "a"}
        ),
        source_toml("throttled", "page", f"{base}/throttled.html"),
    ]


@dataclass
class CrawlResult:
    base: str
    database_url: str
    summary: dict[str, dict]
    requests: list[LoggedRequest]

    def hits(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path == path]

    def texts(self, source_id: str) -> dict[str, str]:
        return {
            d.url.removeprefix(self.base): versions(self.database_url, d.id)[-1].text  # type: ignore[arg-type]
            for d in documents(self.database_url, source_id)
        }


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    home = tmp_path_factory.mktemp("kinds")
    url = f"sqlite:///{home / 'regwatch.db'}"
    db.upgrade_database(url)
    with LocalServer() as server:
        base = server.url("")
        server.routes.update(routes(base))
        sources_file = write_sources(home / "sources.toml", *sources(base, closed_port()))
        summary = crawl(sources_file, url, home, REGWATCH_USER_AGENT=USER_AGENT)
    return CrawlResult(base, url, summary, list(server.requests))


def test_rss_feed_fetches_entries_with_content_selectors(result: CrawlResult) -> None:
    texts = result.texts("rss-feed")
    assert set(texts) == {"/rss/a.html", "/rss/b.html"}
    assert "must preserve business messages" in texts["/rss/a.html"]
    assert "SIDEBAR-MARK" not in texts["/rss/a.html"]  # outside the content selector
    assert "qualified custodian" in texts["/rss/b.html"]  # the fallback selector matched
    assert "OUTSIDE-MARK" not in texts["/rss/b.html"]
    by_url = {d.url: d for d in documents(result.database_url, "rss-feed")}
    a = by_url[result.base + "/rss/a.html"]
    assert a.title == "Recordkeeping for off-channel messages"
    assert a.published_at == date(2026, 3, 2)
    # The publisher's own date, not the UTC one (07:30 +0800 is the day before in UTC).
    assert by_url[result.base + "/rss/b.html"].published_at == date(2026, 3, 4)


def test_robots_txt_disallowed_page_is_never_requested(result: CrawlResult) -> None:
    assert result.hits("/robots.txt")
    assert result.hits("/private/secret.html") == []
    assert result.summary["rss-feed"]["status"] == "ok"


def test_atom_feed_and_a_pdf_served_without_pdf_content_type(result: CrawlResult) -> None:
    texts = result.texts("atom-feed")
    assert set(texts) == {"/atom/one.html", "/atom/two"}
    assert "fair, clear and not misleading" in texts["/atom/one.html"]
    assert "Header links" not in texts["/atom/one.html"]  # boilerplate removed
    assert "deliver good outcomes" in texts["/atom/two"]
    pdf = document(result.database_url, "atom-feed", result.base + "/atom/two")
    assert pdf.title == "Consumer duty findings (PDF)"
    assert pdf.published_at == date(2026, 4, 2)  # 06:00 +08:00, still 1 April in UTC


def test_listing_pagination_fallback_selectors_and_linked_pdf(result: CrawlResult) -> None:
    texts = result.texts("listing-paged")
    assert set(texts) == {"/docs/1.html", "/docs/2.html", "/files/report.pdf"}
    assert result.hits("/list/page-3.html") == []  # max_pages = 2
    assert result.hits("/docs/3.html") == []
    assert "annual attestation" in texts["/docs/1.html"]
    assert "MENU-MARK" not in texts["/docs/1.html"]
    assert "keep records for six years" in texts["/files/report.pdf"]
    by_url = {d.url.removeprefix(result.base): d for d in documents(result.database_url)}
    assert by_url["/docs/1.html"].title == "Notice one"
    assert by_url["/docs/1.html"].published_at == date(2026, 1, 15)
    assert by_url["/docs/2.html"].title == "Notice two"  # page 2: the first selectors
    assert by_url["/docs/2.html"].published_at == date(2026, 2, 12)
    assert by_url["/files/report.pdf"].published_at == date(2026, 1, 20)


def test_api_paging_takes_text_from_the_items(result: CrawlResult) -> None:
    texts = result.texts("api-paged")
    assert set(texts) == {"/api-docs/101", "/api-docs/102", "/api-docs/103"}
    assert texts["/api-docs/103"] == (
        "U.S. persons are prohibited from dealing with the listed entities."
    )
    assert not [r for r in result.requests if r.path.startswith("/api-docs/")]
    assert len(result.hits("/api/docs.json?page=2")) == 1
    third = document(result.database_url, "api-paged", result.base + "/api-docs/103")
    assert third.title == "Sanctions list additions"
    assert third.published_at == date(2026, 5, 9)


def test_page_kind_with_content_and_title_selectors(result: CrawlResult) -> None:
    texts = result.texts("page-watch")
    assert texts == {
        "/watch/rules.html": "Accounts must not offer secondary trading of digital collectibles."
    }
    (page,) = documents(result.database_url, "page-watch")
    assert page.title == "Platform rules for digital collectibles"


@pytest.mark.parametrize("path", list(ENCODED_PAGES))
def test_chinese_encodings_declared_or_not(result: CrawlResult, path: str) -> None:
    title, text, *_ = ENCODED_PAGES[path]
    stored = result.texts("encodings")[path]
    assert unicodedata.normalize("NFKC", text) in stored  # NFKC: "，" becomes ","
    assert document(result.database_url, "encodings", result.base + path).title == title


def test_undeclared_big5_listing_titles(result: CrawlResult) -> None:
    (listed,) = documents(result.database_url, "big5-listing")
    assert listed.title == BIG5_TITLE


def test_failing_sources_do_not_stop_the_others(result: CrawlResult) -> None:
    summary = result.summary
    assert summary["broken-500"]["status"] == "failed"
    assert "500" in summary["broken-500"]["error"]
    assert summary["refused"]["status"] == "failed"
    assert "refused" in summary["refused"]["error"].lower()
    ok = {"rss-feed", "atom-feed", "listing-paged", "api-paged", "page-watch", "encodings"}
    assert {s for s in ok if summary[s]["status"] == "ok"} == ok
    assert documents(result.database_url, "broken-500") == []


def test_selectors_matching_nothing_fail_the_source_without_storing(result: CrawlResult) -> None:
    row = result.summary["empty-listing"]
    assert row["status"] == "failed"
    assert "selectors matched nothing" in row["error"]
    assert documents(result.database_url, "empty-listing") == []


def test_retry_after_on_429_is_honoured(result: CrawlResult) -> None:
    first, second = result.hits("/throttled.html")
    assert second.at - first.at >= 0.95
    assert result.summary["throttled"]["status"] == "ok"
    assert result.summary["throttled"]["new_documents"] == 1


def test_user_agent_is_sent_as_configured(result: CrawlResult) -> None:
    agents = {r.headers.get("User-Agent") for r in result.requests}
    assert agents == {USER_AGENT}


def test_crawl_run_stats_per_source(result: CrawlResult) -> None:
    row = result.summary["listing-paged"]
    # robots.txt, two listing pages, three documents
    assert (row["requests"], row["new_documents"], row["new_versions"], row["errors"]) == (
        6,
        3,
        0,
        0,
    )
    runs = latest_runs(result.database_url)
    assert runs["listing-paged"].status == "ok"
    assert runs["listing-paged"].new_documents == 3
    assert runs["listing-paged"].requests == 6
    assert runs["api-paged"].new_documents == 3
    assert runs["broken-500"].status == "failed" and runs["broken-500"].finished_at is not None
    assert "selectors matched nothing" in (runs["empty-listing"].error or "")
    assert all(run.duration_seconds is not None for run in runs.values())
