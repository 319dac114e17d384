"""Two scrapy-redis workers vs one, on a local site that answers each page slowly.

Throughput is pages per second between the first and last document fetched (the
workers' idle wait at the end is not work). Target: two workers >= 1.6x one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from obligations import db

PAGES = 200
PAGE_DELAY = 0.05
TARGET_SPEEDUP = 1.6
REDIS_URL = os.environ.get("REGWATCH_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


class SlowSite:
    """A listing of PAGES documents, each answered after PAGE_DELAY seconds."""

    def __init__(self) -> None:
        self.fetch_times: list[float] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/notices":
                    links = "".join(f'<li><a href="/n/{n}">N{n}</a></li>' for n in range(PAGES))
                    body = f"<html><body><ul class='list'>{links}</ul></body></html>"
                elif self.path.startswith("/n/"):
                    time.sleep(PAGE_DELAY)
                    outer.fetch_times.append(time.monotonic())
                    body = (
                        f"<html><head><title>Notice {self.path}</title></head><body>"
                        f"<p>Firms must keep the records of {self.path} for five years.</p>"
                        + "<p>Background paragraph. </p>" * 30
                        + "</body></html>"
                    )
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                payload = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


def _crawl(workers: int, folder: Path) -> float:
    site = SlowSite()
    sources = folder / f"sources-{workers}.toml"
    sources.write_text(
        f'[[source]]\nid = "bench-notices"\nname = "Bench"\nauthority = "SEC"\n'
        f'authority_kind = "regulator"\njurisdiction = "US"\nlanguage = "en"\n'
        f'kind = "listing"\nurl = "{site.url("/notices")}"\n\n'
        '[source.listing]\nitem = "ul.list li"\nlink = "a"\n',
        encoding="utf-8",
    )
    database_url = f"sqlite:///{folder / f'bench-{workers}.db'}"
    db.upgrade_database(database_url)
    env = {
        **os.environ,
        "REGWATCH_DATABASE_URL": database_url,
        "REGWATCH_HOME": str(folder),
        "REGWATCH_DOWNLOAD_DELAY": "0",
        "REGWATCH_REDIS_IDLE_CLOSE": "2",
    }
    command = [sys.executable, "-m", "crawlers", "crawl", "--sources", str(sources)]
    command += ["--redis-url", REDIS_URL, "--job", f"bench-{uuid.uuid4().hex[:8]}"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(workers)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=600)
        if process.returncode != 0:
            raise RuntimeError(stderr.decode(errors="replace")[-500:])
    site.server.shutdown()
    times = sorted(site.fetch_times)
    if len(times) != PAGES:
        raise RuntimeError(f"expected {PAGES} pages fetched, got {len(times)}")
    return (len(times) - 1) / (times[-1] - times[0])


def run() -> dict:
    """Pages/s with one worker and with two; the speed-up against the 1.6x target."""
    with tempfile.TemporaryDirectory() as folder:
        one = _crawl(1, Path(folder))
        two = _crawl(2, Path(folder))
    db.dispose_engines()
    speedup = two / one
    return {
        "pages": PAGES,
        "page_delay_s": PAGE_DELAY,
        "one_worker_pages_per_s": round(one, 2),
        "two_workers_pages_per_s": round(two, 2),
        "speedup": round(speedup, 2),
        "target_speedup": TARGET_SPEEDUP,
        "passed": speedup >= TARGET_SPEEDUP,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
