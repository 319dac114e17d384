"""Faulty sources crawled together with healthy ones in one ``regwatch crawl``.

Each faulty source must end as a recorded error on its own CrawlRun; the healthy
sources' documents must all arrive; nothing partial (empty, garbled or cut) is stored.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from obligations import db
from obligations.models import CrawlRun, Document, DocumentVersion
from obligations.text.normalise import text_sha256
from tests.helpers.cli import jsonl, run_regwatch
from tests.reliability.faultserver import (
    FaultServer,
    huge,
    make_pdf,
    redirect,
    reset,
    respond,
    short_body,
    stall,
)

HEALTHY_EN = """<html><head><title>Notice {n}</title></head><body><main>
<h1>Notice {n}</h1><p>Member firms must retain records of notice {n} for six years.</p>
</main></body></html>"""
GBK_TEXT = "会员单位应当妥善保存交易记录不少于五年。"
GBK_PAGE = f"<html><head><title>通知</title></head><body><p>{GBK_TEXT}</p></body></html>"
MALFORMED = """<html><head><title>Broken</title><body><div><p>Firms must report breaches
<b>within <i>ten</b> days</i>.<div><p>Firms should train staff<td>annually</p></span></html"""
PDF_TEXT = "Brokers must keep trade confirmations for three years."
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title>
{items}</channel></rss>"""
ITEM = "<item><title>Notice {n}</title><link>{base}/notices/{n}.html</link></item>"
RSS = "application/rss+xml"
PDF = "application/pdf"
HUGE_SIZE = 50 * 1024 * 1024

# source id -> path of its single page; the healthy ones are checked separately.
FAULTY = {
    "http-500": "/e/500.html",
    "gone-then-back": "/e/gone.html",
    "rate-limited": "/e/429.html",
    "connection-reset": "/e/reset.html",
    "stalls": "/e/stall.html",
    "redirect-loop": "/e/loop-a.html",
    "fifty-megabytes": "/e/huge.html",
    "fifty-megabytes-unannounced": "/e/huge-chunked.html",
    "truncated-pdf": "/e/truncated.pdf",
    "cut-download-pdf": "/e/cut.pdf",
    "not-a-pdf": "/e/fake.pdf",
}
HEALTHY_PAGES = {"gbk-as-utf8": "/ok/gbk.html", "malformed-html": "/ok/malformed.html"}


def _source(source_id: str, url: str, kind: str = "page", language: str = "en") -> str:
    return f"""
[[source]]
id = "{source_id}"
name = "{source_id}"
authority = "Test"
authority_kind = "regulator"
jurisdiction = "US"
language = "{language}"
kind = "{kind}"
url = "{url}"
"""


def _serve(server: FaultServer) -> None:
    pdf = make_pdf(PDF_TEXT)
    routes = server.routes
    for n in range(1, 4):
        routes[f"/notices/{n}.html"] = respond(body=HEALTHY_EN.format(n=n))
    routes["/mixed/1.html"] = respond(body=HEALTHY_EN.format(n=11))
    routes["/mixed/2.html"] = respond(500, "boom")
    items = "".join(ITEM.format(n=n, base=server.url("")) for n in range(1, 4))
    routes["/feed.xml"] = respond(body=FEED.format(items=items), content_type=RSS)
    mixed = (
        f"<item><title>ok</title><link>{server.url('/mixed/1.html')}</link></item>"
        f"<item><title>bad</title><link>{server.url('/mixed/2.html')}</link></item>"
    )
    routes["/mixed.xml"] = respond(body=FEED.format(items=mixed), content_type=RSS)
    routes["/ok/page.pdf"] = respond(body=pdf, content_type="application/pdf")
    routes["/ok/gbk.html"] = respond(body=GBK_PAGE.encode("gbk"))  # header says utf-8
    routes["/ok/malformed.html"] = respond(body=MALFORMED)

    routes["/e/500.html"] = respond(500, "<h1>Internal Server Error</h1>")
    routes["/e/gone.html"] = respond(404, "<h1>Not Found</h1>")
    routes["/e/429.html"] = respond(429, "slow down", headers={"Retry-After": "1"})
    routes["/e/reset.html"] = reset
    routes["/e/stall.html"] = stall(30, server.stop)
    routes["/e/loop-a.html"] = redirect(server.url("/e/loop-b.html"))
    routes["/e/loop-b.html"] = redirect(server.url("/e/loop-a.html"))
    routes["/e/huge.html"] = huge(HUGE_SIZE)
    routes["/e/huge-chunked.html"] = huge(HUGE_SIZE, announce=False)
    routes["/e/truncated.pdf"] = respond(body=pdf[: len(pdf) - 8], content_type="application/pdf")
    routes["/e/cut.pdf"] = short_body(pdf[: len(pdf) // 2], len(pdf), "application/pdf")
    routes["/e/fake.pdf"] = respond(body="<html>Sorry, moved</html>", content_type=PDF)


def _sources_file(tmp_path: Path, server: FaultServer) -> Path:
    parts = [
        _source("healthy-feed", server.url("/feed.xml"), kind="feed"),
        _source("mixed-feed", server.url("/mixed.xml"), kind="feed"),
        _source("healthy-pdf", server.url("/ok/page.pdf")),
        _source("gbk-as-utf8", server.url("/ok/gbk.html"), language="zh"),
        _source("malformed-html", server.url("/ok/malformed.html")),
    ]
    parts += [_source(source_id, server.url(path)) for source_id, path in FAULTY.items()]
    path = tmp_path / "sources.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _crawl(
    sources: Path, database_url: str, tmp_path: Path, only: tuple[str, ...] = ()
) -> dict[str, dict]:
    selection = [arg for source_id in only for arg in ("--source", source_id)]
    process = run_regwatch(
        ["crawl", "--sources", str(sources), "--format", "jsonl", *selection],
        database_url,
        tmp_path,
        timeout=240,
        REGWATCH_DOWNLOAD_TIMEOUT="2",
        REGWATCH_DOWNLOAD_MAXSIZE=str(5 * 1024 * 1024),
        REGWATCH_MAX_RETRY_AFTER="5",
    )
    return {row["source_id"]: row for row in jsonl(process)}


def _assert_nothing_partial(database_url: str) -> None:
    with db.session_scope(database_url) as session:
        versions = session.exec(select(DocumentVersion)).all()
        documents = {d.id: d for d in session.exec(select(Document)).all()}
        for version in versions:
            assert version.document_id in documents
            assert version.text.strip(), f"empty version {version.id}"
            assert "\ufffd" not in version.text, f"garbled version {version.id}"
            assert version.text_sha256 == text_sha256(version.text)
        assert all(any(v.document_id == i for v in versions) for i in documents)


def test_faulty_sources_fail_alone_and_store_nothing_partial(
    database_url: str, tmp_path: Path
) -> None:
    with FaultServer() as server:
        _serve(server)
        sources = _sources_file(tmp_path, server)
        first = _crawl(sources, database_url, tmp_path)

        for source_id in ("healthy-feed", "healthy-pdf", *HEALTHY_PAGES):
            assert first[source_id]["status"] == "ok", first[source_id]
            assert first[source_id]["errors"] == 0, first[source_id]["error"]
        assert first["healthy-feed"]["new_documents"] == 3
        assert first["mixed-feed"]["new_documents"] == 1
        assert first["mixed-feed"]["errors"] == 1
        assert "/mixed/2.html" in first["mixed-feed"]["error"]
        for source_id in FAULTY:
            row = first[source_id]
            assert row["status"] == "failed" and row["error"], (source_id, row)
            assert row["new_documents"] == 0, (source_id, row)
        assert "HTTP 500" in first["http-500"]["error"]
        assert "HTTP 404" in first["gone-then-back"]["error"]
        assert "HTTP 429" in first["rate-limited"]["error"]
        assert "PDF" in first["not-a-pdf"]["error"]
        assert "truncated" in first["truncated-pdf"]["error"]
        # Retry-After: 1 was honoured between the two attempts at the 429 page.
        attempts = server.hits_of("/e/429.html")
        assert len(attempts) == 2 and attempts[1].at - attempts[0].at >= 0.9
        # The 50 MB page was refused, not read: far fewer bytes than 50 MB went by.
        assert len(server.hits_of("/e/huge.html")) >= 1

        with db.session_scope(database_url) as session:
            runs = {r.source_id: r for r in session.exec(select(CrawlRun)).all()}
            by_source: dict[str, list[Document]] = {}
            for document in session.exec(select(Document)).all():
                by_source.setdefault(document.source_id, []).append(document)
            texts = {
                d.source_id: session.exec(
                    select(DocumentVersion.text).where(DocumentVersion.document_id == d.id)
                ).one()
                for d in session.exec(select(Document)).all()
            }
        for source_id in FAULTY:
            assert runs[source_id].status == "failed" and runs[source_id].error
            assert source_id not in by_source, f"{source_id} stored a document"
        assert len(by_source["healthy-feed"]) == 3
        assert GBK_TEXT in texts["gbk-as-utf8"]
        assert "Firms must report breaches within ten days." in texts["malformed-html"]
        assert PDF_TEXT in texts["healthy-pdf"]
        _assert_nothing_partial(database_url)

        # The 404 page comes back: the next crawl stores it; nothing else doubles.
        server.routes["/e/gone.html"] = respond(body=HEALTHY_EN.format(n=404))
        second = _crawl(sources, database_url, tmp_path, ("gone-then-back", "healthy-feed"))
        assert second["gone-then-back"]["status"] == "ok"
        assert second["gone-then-back"]["new_documents"] == 1
        assert second["healthy-feed"]["new_documents"] == 0
        assert second["healthy-feed"]["new_versions"] == 0
    _assert_nothing_partial(database_url)
    with db.session_scope(database_url) as session:
        assert len(session.exec(select(DocumentVersion)).all()) == 3 + 1 + 1 + 2 + 1
