"""The thin path end to end: RSS on a local server → documents → obligations → dashboard."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from obligations import db
from obligations.services.users import add_user
from tests.helpers.cli import jsonl, run_regwatch
from tests.helpers.httpserver import LocalServer, Route

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Notices</title>
<item><title>Archiving instant messages</title><link>{base}/notices/26-01.html</link>
<pubDate>Tue, 03 Nov 2026 14:00:00 GMT</pubDate></item>
<item><title>NFT risk initiative</title><link>{base}/notices/26-02.html</link></item>
</channel></rss>"""

NOTICE_EN = """<html><head><title>Notice 26-01</title></head><body>
<nav>Home | Rules | Guidance</nav>
<main><h1>Notice 26-01</h1>
<p>FINRA has seen growing use of messaging apps by registered representatives.</p>
<p>Member firms must preserve every business message sent over instant messaging apps
for not less than three years.</p>
<p>Firms should review their supervisory procedures for these channels.</p></main>
<footer>Copyright</footer></body></html>"""

NOTICE_ZH = """<html><head><meta charset="utf-8"><title>倡议</title></head><body>
<div class="content"><p>近年来，NFT热度上升。</p>
<p>会员单位不得为NFT交易提供集中交易服务。</p></div></body></html>"""


def sources_file(tmp_path: Path, server: LocalServer) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[[source]]
id = "local-notices"
name = "Local notices"
authority = "FINRA"
authority_kind = "regulator"
jurisdiction = "US"
language = "en"
kind = "feed"
url = "{server.url("/feed.xml")}"
""",
        encoding="utf-8",
    )
    return path


def test_rss_to_register_to_dashboard(database_url: str, tmp_path: Path) -> None:
    routes = {
        "/notices/26-01.html": Route(NOTICE_EN),
        "/notices/26-02.html": Route(NOTICE_ZH),
    }
    with LocalServer(routes) as server:
        server.routes["/feed.xml"] = Route(
            FEED.format(base=server.url("")), content_type="application/rss+xml"
        )
        crawl = run_regwatch(
            ["crawl", "--sources", str(sources_file(tmp_path, server)), "--format", "jsonl"],
            database_url,
            tmp_path,
        )
    summary = jsonl(crawl)
    assert summary[0]["status"] == "ok" and summary[0]["new_documents"] == 2

    documents = jsonl(
        run_regwatch(["documents", "list", "--format", "jsonl"], database_url, tmp_path)
    )
    assert {d["title"] for d in documents} == {"Archiving instant messages", "NFT risk initiative"}
    assert all(d["versions"] == 1 and len(d["text_sha256"]) == 64 for d in documents)

    register = jsonl(
        run_regwatch(["obligations", "list", "--format", "jsonl"], database_url, tmp_path)
    )
    by_text = {row["text"].replace("\n", " "): row for row in register}
    retention = next(r for t, r in by_text.items() if "preserve every business message" in t)
    assert retention["modality"] == "obligation"
    assert retention["retention_period_days"] == 1095
    assert "record_retention" in retention["topics"]
    nft = next(r for t, r in by_text.items() if "NFT" in t and "不得" in t)
    assert nft["modality"] == "prohibition" and "crypto_assets" in nft["topics"]
    assert not any("growing use" in t for t in by_text)  # background is not normative

    with db.session_scope(database_url) as session:
        add_user(session, "reader", "auditor", "reader-password")
    app = AppTest.from_file(
        str(Path(__file__).resolve().parents[1] / "dashboard/views/register.py")
    )
    app.session_state["username"] = "reader"  # pages show nothing to a visitor not signed in
    app.run(timeout=30)
    assert not app.exception
    shown = app.dataframe[0].value
    assert retention["text"] in list(shown["statement"])
    assert len(shown) == len(register)
