"""Crawl throughput: regwatch's full crawl against a bare Scrapy spider, same pages, same run.

A local threaded server serves a listing of 1,000 generated detail pages (5-20 KB of
realistic HTML, with ETag and Last-Modified). In separate processes (a Twisted reactor
cannot restart) and with equal concurrency and politeness settings (delay 0, the same
CONCURRENT_REQUESTS and per-domain limit, robots.txt obeyed), it times:

1. a minimal Scrapy spider that fetches the listing and every page and does nothing else;
2. regwatch's crawl of the same listing (spider, normalise → hash → store on SQLite);
3. regwatch's recrawl of the unchanged site (conditional GET, known documents).

Targets (issue 4): regwatch ≥ 80% of the bare spider's throughput; the unchanged
recrawl makes no new version and takes < 10% of the first crawl's time. Each crawl is
run ``ROUNDS`` times and the best time kept, because the machine is shared.
``python -m benchmarks.bench_crawl profile`` writes a cProfile of regwatch's crawl.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

PAGES = int(os.environ.get("BENCH_PAGES", "1000"))
ROUNDS = 2
CONCURRENT_REQUESTS = 16
# regwatch's default politeness is one request at a time per domain; the benchmark
# also runs at a higher per-domain limit where the crawl is CPU-bound.
PER_DOMAIN_LIMITS = (1, 8)
USER_AGENT = "regwatch-benchmark/1.0 (+mailto:compliance@example.com)"
LAST_MODIFIED = formatdate(1_790_000_000, usegmt=True)

WORDS = [
    "firm",
    "firms",
    "member",
    "members",
    "customer",
    "customers",
    "record",
    "records",
    "retain",
    "retention",
    "supervise",
    "supervisory",
    "procedures",
    "communications",
    "electronic",
    "messaging",
    "business",
    "broker",
    "dealer",
    "adviser",
    "advisers",
    "account",
    "accounts",
    "report",
    "reports",
    "transaction",
    "transactions",
    "sanctions",
    "screening",
    "risk",
    "assessment",
    "policy",
    "policies",
    "control",
    "controls",
    "review",
    "annual",
    "obligation",
    "obligations",
    "requirement",
    "requirements",
    "disclosure",
    "client",
    "assets",
    "custody",
    "digital",
    "crypto",
    "platform",
    "platforms",
    "vendor",
    "third",
    "party",
    "data",
    "privacy",
    "information",
    "security",
    "incident",
    "notify",
    "regulator",
    "regulators",
    "period",
    "years",
    "months",
    "days",
    "must",
    "should",
    "may",
    "shall",
    "not",
    "ensure",
    "maintain",
    "establish",
    "implement",
    "document",
    "test",
]
NAV = "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(1, 31))


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    return " ".join(words).capitalize() + "."


def detail_page(number: int) -> bytes:
    """A 5-20 KB notice page with navigation, an article and a footer."""
    rng = random.Random(number)
    target = rng.randint(5_000, 20_000)
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Notice {number} | Regulator</title>"
        "<link rel='stylesheet' href='/static/site.css'><script src='/static/app.js'></script>"
        f"</head><body><header><nav><ul>{NAV}</ul></nav></header>"
        f"<main><article class='notice'><h1>Regulatory Notice {number}</h1>"
        f"<p class='meta'>Published <time datetime='2026-01-{number % 28 + 1:02d}'>"
        f"{number % 28 + 1} January 2026</time></p><div class='body'>"
    )
    tail = (
        "</div></article></main><aside class='related'><h2>Related</h2><ul>"
        + "".join(
            f"<li><a href='/notice/{(number + k) % PAGES}.html'>Notice</a></li>" for k in (1, 2, 3)
        )
        + "</ul></aside><footer><p>Copyright Regulator. All rights reserved.</p></footer>"
        "</body></html>"
    )
    parts = [head]
    size = len(head) + len(tail)
    while size < target:
        paragraph = "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(2, 6))) + "</p>"
        parts.append(paragraph)
        size += len(paragraph)
    parts.append(tail)
    return "".join(parts).encode("utf-8")


def site() -> dict[str, bytes]:
    rows = "".join(
        f"<tr><td><a class='doc' href='/notice/{n}.html'>Regulatory Notice {n}</a></td>"
        f"<td class='date'>2026-01-{n % 28 + 1:02d}</td></tr>"
        for n in range(PAGES)
    )
    pages = {
        "/robots.txt": b"User-agent: *\nAllow: /\n",
        "/notices.html": f"<html><body><table class='notices'>{rows}</table></body>".encode(),
    }
    pages.update({f"/notice/{n}.html": detail_page(n) for n in range(PAGES)})
    return pages


class SiteHandler(BaseHTTPRequestHandler):
    """Serves ``pages`` over HTTP/1.1 keep-alive, with ETag/Last-Modified and 304s."""

    protocol_version = "HTTP/1.1"
    # Headers and body in one write, no Nagle: otherwise keep-alive responses stall on
    # delayed ACKs (40 ms each) and every crawler looks equally slow.
    disable_nagle_algorithm = True
    wbufsize = -1
    pages: ClassVar[dict[str, bytes]] = {}
    etags: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        if body is None:
            self._reply(404, b"not found", "text/plain")
            return
        etag = self.etags[self.path]
        if self.headers.get("If-None-Match") == etag or (
            not self.headers.get("If-None-Match")
            and self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self._reply(304, b"", None, etag)
            return
        kind = "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8"
        self._reply(200, body, kind, etag)

    def _reply(self, status: int, body: bytes, kind: str | None, etag: str | None = None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_site(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    etags = {
        path: '"' + hashlib.sha256(body).hexdigest()[:20] + '"' for path, body in pages.items()
    }
    handler = type("Handler", (SiteHandler,), {"pages": pages, "etags": etags})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# -- the two crawlers, each run in its own process ------------------------------------


def common_settings(per_domain: int) -> dict[str, Any]:
    """Concurrency and politeness shared by both crawlers."""
    return {
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": CONCURRENT_REQUESTS,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }


def bare_crawl(base: str, per_domain: int) -> dict[str, Any]:
    """A minimal Scrapy spider: fetch the listing, follow every link, keep nothing."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = [f"{base}/notices.html"]  # noqa: RUF012

        def parse(self, response: Any) -> Any:
            for href in response.css("a.doc::attr(href)").getall():
                yield response.follow(href, callback=self.parse_detail)

        def parse_detail(self, response: Any) -> Any:
            yield {"url": response.url, "size": len(response.body)}

    process = CrawlerProcess(common_settings(per_domain))
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    started = time.perf_counter()
    process.start()
    seconds = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    return {
        "seconds": seconds,
        "requests": stats.get("downloader/request_count", 0),
        "items": stats.get("item_scraped_count", 0),
    }


def sources_toml(base: str) -> str:
    return f"""[[source]]
id = "bench-notices"
name = "Benchmark notices"
authority = "Bench"
authority_kind = "regulator"
jurisdiction = "US"
language = "en"
kind = "listing"
url = "{base}/notices.html"

[source.listing]
item = "table.notices tr"
link = "a.doc"
date = "td.date::text"

[source.detail]
content = "article.notice"
"""


def regwatch_crawl(sources: str, database_url: str, profile: str | None) -> dict[str, Any]:
    """regwatch's crawl (spider, pipelines, storage), without the NLP step."""
    from crawlers.runner import run_crawl
    from crawlers.sources import load_sources
    from obligations import db

    db.configure(database_url)
    db.upgrade_database(database_url)
    configs = load_sources(Path(sources))
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    (outcome,) = run_crawl(configs, extract=False)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"seconds": seconds, "status": outcome.status, **outcome.stats}


def in_subprocess(args: list[str], per_domain: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "REGWATCH_DOWNLOAD_DELAY": "0",
        "REGWATCH_CONCURRENT_REQUESTS_PER_DOMAIN": str(per_domain),
        "REGWATCH_USER_AGENT": USER_AGENT,
    }
    process = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_crawl", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )
    if process.returncode != 0:
        raise RuntimeError(f"benchmark crawl failed: {process.stderr[-2000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def measure(base: str, workdir: Path, per_domain: int) -> dict[str, Any]:
    """Best-of-ROUNDS times for the bare spider, a first crawl and an unchanged recrawl."""
    sources = workdir / f"sources-{per_domain}.toml"
    sources.write_text(sources_toml(base), encoding="utf-8")
    bare, first, recrawl = [], [], []
    for round_number in range(ROUNDS):
        bare.append(in_subprocess(["bare", base, str(per_domain)], per_domain))
        database = f"sqlite:///{workdir / f'bench-{per_domain}-{round_number}.db'}"
        first.append(in_subprocess(["regwatch", str(sources), database], per_domain))
        recrawl.append(in_subprocess(["regwatch", str(sources), database], per_domain))
    best_bare = min(bare, key=lambda r: r["seconds"])
    best_first = min(first, key=lambda r: r["seconds"])
    best_recrawl = min(recrawl, key=lambda r: r["seconds"])
    assert best_bare["items"] == PAGES, best_bare
    assert best_first["new_documents"] == PAGES and best_first["status"] == "ok", best_first
    prefix = f"per_domain_{per_domain}_"
    ratio = best_bare["seconds"] / best_first["seconds"]
    recrawl_ratio = best_recrawl["seconds"] / best_first["seconds"]
    return {
        prefix + "bare_seconds": round(best_bare["seconds"], 3),
        prefix + "bare_pages_per_second": round(PAGES / best_bare["seconds"], 1),
        prefix + "regwatch_seconds": round(best_first["seconds"], 3),
        prefix + "regwatch_pages_per_second": round(PAGES / best_first["seconds"], 1),
        prefix + "throughput_ratio": round(ratio, 3),
        prefix + "throughput_target_met": ratio >= 0.8,
        prefix + "recrawl_seconds": round(best_recrawl["seconds"], 3),
        prefix + "recrawl_requests": max(r["requests"] for r in recrawl),
        prefix + "recrawl_not_modified": min(r["not_modified"] for r in recrawl),
        prefix + "recrawl_new_versions": max(
            r["new_versions"] + r["new_documents"] for r in recrawl
        ),
        prefix + "recrawl_time_ratio": round(recrawl_ratio, 3),
        prefix + "recrawl_target_met": recrawl_ratio < 0.1
        and max(r["new_versions"] + r["new_documents"] for r in recrawl) == 0,
    }


def run() -> dict[str, Any]:
    pages = site()
    sizes = [len(body) for path, body in pages.items() if path.startswith("/notice/")]
    server = start_site(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    result: dict[str, Any] = {
        "pages": PAGES,
        "page_kb_min": round(min(sizes) / 1024, 1),
        "page_kb_max": round(max(sizes) / 1024, 1),
        "concurrent_requests": CONCURRENT_REQUESTS,
        "rounds_best_of": ROUNDS,
        "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    try:
        with tempfile.TemporaryDirectory(prefix="regwatch-bench-") as workdir:
            for per_domain in PER_DOMAIN_LIMITS:
                result.update(measure(base, Path(workdir), per_domain))
    finally:
        server.shutdown()
        server.server_close()
    return result


def profile(per_domain: int = 1, output: str = "benchmarks/results/crawl.prof") -> None:
    """cProfile regwatch's first crawl of the generated site; print the top functions."""
    import pstats

    server = start_site(site())
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory(prefix="regwatch-prof-") as workdir:
            sources = Path(workdir) / "sources.toml"
            sources.write_text(sources_toml(base), encoding="utf-8")
            database = f"sqlite:///{Path(workdir) / 'profile.db'}"
            print(in_subprocess(["regwatch", str(sources), database, output], per_domain))
    finally:
        server.shutdown()
    pstats.Stats(output).sort_stats("cumulative").print_stats(30)


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "bare":
        result = bare_crawl(argv[1], int(argv[2]))
    elif command == "regwatch":
        result = regwatch_crawl(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
    elif command == "profile":
        profile(int(argv[1]) if len(argv) > 1 else 1)
        return
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
