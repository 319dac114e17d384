"""Load test: a big register, then a crawl of changed documents while it is queried.

50,000 documents (one version each) and 100,000 obligations are bulk-inserted into a
temporary SQLite database (and a throw-away PostgreSQL schema when one is reachable).
Then ``regwatch crawl`` runs in a subprocess against a local server that serves 200 of
those documents with changed text, while this process queries the register in a loop
(four filter shapes, a page of 100 rows each). Reported: p50/p95 query latency before
and during the crawl, and how long the crawl took. Sizes can be lowered with
``REGWATCH_BENCH_DOCUMENTS`` / ``_OBLIGATIONS`` / ``_CHANGED`` for a quick check.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from benchmarks.scratch import PostgresUnavailableError, scratch_postgres_schema
from obligations import db
from obligations.models import Document, DocumentVersion, Obligation, ObligationTopic, Source
from obligations.services.extraction import statement_key
from obligations.services.register import RegisterFilter, list_register
from obligations.text.normalise import NORMALISER_VERSION, text_sha256
from obligations.timeutil import utcnow

DOCUMENTS = int(os.environ.get("REGWATCH_BENCH_DOCUMENTS", 50_000))
OBLIGATIONS = int(os.environ.get("REGWATCH_BENCH_OBLIGATIONS", 100_000))
CHANGED = int(os.environ.get("REGWATCH_BENCH_CHANGED", 200))
SOURCES = 20
BATCH = 5_000
IDLE_QUERIES = 40
TOPICS = ("record_retention", "communications_archiving", "aml_kyc", "sanctions", "crypto_assets")
STATUSES = ("new", "new", "triaged", "assigned", "mapped")
FEED_SOURCE = "bench-feed"
QUERIES = (
    RegisterFilter(),
    RegisterFilter(status=["new", "triaged"], topic="record_retention"),
    RegisterFilter(source_id=FEED_SOURCE),
    RegisterFilter(search="six years"),
)


def _sentences(number: int) -> list[str]:
    return [
        f"Member firms must retain ledger {number} for six years.",
        f"Firms should review the controls for desk {number % 97} each year.",
    ]


def _changed_page(number: int) -> bytes:
    sentences = [
        f"Member firms must retain ledger {number} for seven years.",  # amended
        f"Firms should review the controls for desk {number % 97} each year.",
        f"Firms must report breaches of rule {number} within ten days.",  # added
    ]
    body = "".join(f"<p>{s}</p>" for s in sentences)
    return f"<html><head><title>Notice {number}</title></head><body>{body}</body></html>".encode()


@contextmanager
def _server() -> Iterator[str]:
    """Serve the feed and the changed documents on 127.0.0.1; yield the base URL."""
    pages: dict[str, tuple[bytes, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, content_type = pages.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    items = "".join(
        f"<item><title>Notice {n}</title><link>{base}/d/{n}.html</link></item>"
        for n in range(CHANGED)
    )
    pages["/feed.xml"] = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>{items}'
        "</channel></rss>".encode(),
        "application/rss+xml",
    )
    pages["/robots.txt"] = (b"User-agent: *\nAllow: /\n", "text/plain")
    for n in range(CHANGED):
        pages[f"/d/{n}.html"] = (_changed_page(n), "text/html; charset=utf-8")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def _insert(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])


def populate(url: str, base: str) -> None:
    """Bulk-load the documents, versions, obligations and topics."""
    now = utcnow()
    source_ids = [FEED_SOURCE] + [f"bench-{n:02d}" for n in range(1, SOURCES)]
    with db.session_scope(url) as session:
        _insert(session, Source, [
            {"id": source_id, "name": source_id, "authority": "BENCH",
             "authority_kind": "regulator", "jurisdiction": "US", "language": "en",
             "kind": "feed", "url": f"{base}/feed.xml", "enabled": True, "definition": {},
             "http_validators": {}, "created_at": now, "updated_at": now}
            for source_id in source_ids
        ])  # fmt: skip
        documents, versions = [], []
        for n in range(DOCUMENTS):
            # The first CHANGED documents of the feed source are the ones the crawl changes.
            source_id = FEED_SOURCE if n < CHANGED else source_ids[1 + n % (SOURCES - 1)]
            page = f"{base}/d/{n}.html" if n < CHANGED else f"https://bench.test/{n}.html"
            document_text = "\n".join(["Notice", *_sentences(n)])
            documents.append({"id": n + 1, "source_id": source_id, "url": page,
                              "title": f"Notice {n}", "language": "en",
                              "first_seen_at": now})  # fmt: skip
            versions.append({
                "id": n + 1, "document_id": n + 1, "version_number": 1, "fetched_at": now,
                "content_sha256": "0" * 64, "text": document_text,
                "text_sha256": text_sha256(document_text),
                "normaliser_version": NORMALISER_VERSION, "change_kind": "initial",
            })  # fmt: skip
        _insert(session, Document, documents)
        _insert(session, DocumentVersion, versions)
        del documents, versions
        obligations, topics = [], []
        for n in range(OBLIGATIONS):
            document = n * DOCUMENTS // OBLIGATIONS
            sentence = _sentences(document)[n % 2]
            source_id = (
                FEED_SOURCE if document < CHANGED else source_ids[1 + document % (SOURCES - 1)]
            )
            obligations.append({
                "id": n + 1, "document_id": document + 1, "source_id": source_id,
                "document_version_id": document + 1, "change_kind": "added",
                "statement_key": statement_key(sentence), "text": sentence, "start": 0,
                "end": len(sentence), "language": "en",
                "modality": "obligation" if n % 2 == 0 else "recommendation",
                "confidence": 0.9, "entities": {}, "status": STATUSES[n % len(STATUSES)],
                "row_version": 1, "created_at": now, "updated_at": now,
            })  # fmt: skip
            topics.append({"obligation_id": n + 1, "topic": TOPICS[n % len(TOPICS)]})
        _insert(session, Obligation, obligations)
        _insert(session, ObligationTopic, topics)
    with db.get_engine(url).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Explicit ids leave the serial sequences behind; the crawl's inserts need them.
            for table in ("document", "documentversion", "obligation"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        connection.execute(text("ANALYZE"))


def _query_once(url: str, number: int) -> float:
    started = time.perf_counter()
    with db.session_scope(url) as session:
        list_register(session, QUERIES[number % len(QUERIES)], limit=100)
    return (time.perf_counter() - started) * 1000


def _percentiles(timings: list[float], prefix: str) -> dict[str, float]:
    if len(timings) < 2:
        return {f"{prefix}_p50_ms": round(timings[0], 1) if timings else 0.0}
    cuts = statistics.quantiles(timings, n=20)
    return {
        f"{prefix}_p50_ms": round(statistics.median(timings), 1),
        f"{prefix}_p95_ms": round(cuts[18], 1),
        f"{prefix}_max_ms": round(max(timings), 1),
    }


def _crawl_while_querying(url: str, base: str, folder: Path) -> dict[str, Any]:
    sources = folder / "bench-sources.toml"
    sources.write_text(
        f'[[source]]\nid = "{FEED_SOURCE}"\nname = "{FEED_SOURCE}"\nauthority = "BENCH"\n'
        'authority_kind = "regulator"\njurisdiction = "US"\nlanguage = "en"\nkind = "feed"\n'
        f'url = "{base}/feed.xml"\n',
        encoding="utf-8",
    )
    idle = [_query_once(url, n) for n in range(IDLE_QUERIES)]
    env = {
        **os.environ,
        "REGWATCH_DATABASE_URL": url,
        "REGWATCH_HOME": str(folder),
        "REGWATCH_DOWNLOAD_DELAY": "0",
        "REGWATCH_CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    }
    started = time.perf_counter()
    log = (folder / "crawl.log").open("w+", encoding="utf-8")  # a pipe could fill and block
    output = (folder / "crawl.jsonl").open("w+", encoding="utf-8")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "crawlers", "crawl", "--sources", str(sources), "--format", "jsonl"],
        env=env,
        stdout=output,
        stderr=log,
        text=True,
    )
    during: list[float] = []
    errors = 0
    while crawl.poll() is None:
        try:
            during.append(_query_once(url, len(during)))
        except Exception:
            errors += 1
        time.sleep(0.01)
    crawl_seconds = time.perf_counter() - started
    log.seek(0)
    output.seek(0)
    err, out = log.read(), output.read()
    log.close()
    output.close()
    if crawl.returncode != 0:
        raise RuntimeError(f"bench crawl failed: {err.strip().splitlines()[-1:]}")
    summary = json.loads(out.strip().splitlines()[0])
    return {
        "crawl_s": round(crawl_seconds, 1),
        "crawl_new_versions": summary["new_versions"],
        "crawl_obligations_amended": summary["obligations_amended"],
        "crawl_obligations_added": summary["obligations_added"],
        "queries_during_crawl": len(during),
        "query_errors_during_crawl": errors,
        **_percentiles(idle, "idle"),
        **_percentiles(during, "during_crawl"),
    }


def _run_on(url: str, folder: Path) -> dict[str, Any]:
    db.upgrade_database(url)
    with _server() as base:
        started = time.perf_counter()
        populate(url, base)
        loaded = round(time.perf_counter() - started, 1)
        results = _crawl_while_querying(url, base, folder)
    results["load_s"] = loaded
    results["ok"] = (
        results["crawl_new_versions"] == CHANGED and results["query_errors_during_crawl"] == 0
    )
    return results


def _sqlite() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        try:
            return _run_on(f"sqlite:///{Path(folder) / 'bench.db'}", Path(folder))
        finally:
            db.dispose_engines()


def _postgres() -> dict[str, Any] | None:
    try:
        with scratch_postgres_schema() as url, tempfile.TemporaryDirectory() as folder:
            return _run_on(url, Path(folder))
    except PostgresUnavailableError:
        return None


def run() -> dict:
    """Load, then crawl while querying; flat results for SQLite and PostgreSQL."""
    results: dict[str, Any] = {
        "documents": DOCUMENTS,
        "obligations": OBLIGATIONS,
        "changed_documents": CHANGED,
    }
    results.update({f"sqlite_{k}": v for k, v in _sqlite().items()})
    postgres = _postgres()
    results["postgresql"] = postgres is not None
    if postgres is not None:
        results.update({f"postgresql_{k}": v for k, v in postgres.items()})
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<40} {value}")
