"""A small HTTP server for the offline demo archive.

Pages are stored under ``site/<host>/<path>``; ``site_round2/`` overrides files in
the second demo round, so one watched page can change between rounds. A request for
``/<host>/<path>?<query>`` is answered from, in order:

1. ``<host>/<path>__<query with every run of non-alphanumerics turned into "_">``
2. ``<host>/<path>`` (a directory answers with its ``index.html``)
3. ``<host>/<path>.html``

The host-rewriting downloader middleware (``crawlers.middlewares``) sends requests
for real URLs here, so stored documents keep their real URLs. The server binds to
127.0.0.1 only and supports conditional GET (ETag and Last-Modified) so an unchanged
recrawl costs a 304 per page.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

DEMO_DIR = Path(__file__).resolve().parent
SITE_DIR = DEMO_DIR / "site"
ROUND2_DIR = DEMO_DIR / "site_round2"

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
}
# Fixed so that the demo's conditional GETs are deterministic between runs.
ARCHIVE_MTIME = 1_790_000_000


def query_suffix(query: str) -> str:
    """File-name suffix for a query string (``page=2&x=y`` → ``__page_2_x_y``)."""
    return "__" + re.sub(r"[^A-Za-z0-9]+", "_", query).strip("_")


def content_type_for(path: Path, body: bytes) -> str:
    """Content type from the file name (ignoring a ``__query`` suffix), else sniffed."""
    name = path.name.split("__", 1)[0]
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    head = body[:512].lstrip()
    if head[:1] in (b"{", b"["):
        return "application/json"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        return "application/xml"
    if head[:1] == b"<":
        return "text/html"
    return "application/octet-stream"


def resolve(roots: list[Path], host: str, path: str, query: str) -> Path | None:
    """Find the archived file answering ``host``/``path``?``query``, or None."""
    relative = (host + "/" + path.lstrip("/")).rstrip("/")
    if ".." in Path(relative).parts:
        return None
    for root in roots:
        base = root / relative
        candidates = []
        if query:
            candidates.append(base.with_name(base.name + query_suffix(query)))
        candidates += [base / "index.html", base, base.with_name(base.name + ".html")]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
    return None


class ArchiveHandler(BaseHTTPRequestHandler):
    """Serves the archive; ``/<host>/<path>`` maps to ``site/<host>/<path>``."""

    roots: ClassVar[list[Path]] = [SITE_DIR]
    server_version = "regwatch-demo/1"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        segments = parts.path.lstrip("/").split("/", 1)
        if parts.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            return
        host, rest = segments[0], segments[1] if len(segments) > 1 else ""
        found = resolve(self.roots, host, rest, parts.query)
        if found is None:
            self._send(404, b"not found", "text/plain")
            return
        body = found.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        last_modified = formatdate(ARCHIVE_MTIME, usegmt=True)
        if self.headers.get("If-None-Match") == etag or self._not_modified_since():
            self._send(304, b"", None, etag=etag, last_modified=last_modified)
            return
        self._send(200, body, content_type_for(found, body), etag=etag, last_modified=last_modified)

    def _not_modified_since(self) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since or self.headers.get("If-None-Match"):
            return False
        try:
            return parsedate_to_datetime(since).timestamp() >= ARCHIVE_MTIME
        except (TypeError, ValueError):
            return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        if last_modified:
            self.send_header("Last-Modified", last_modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the crawler records what it fetched."""


def start_server(port: int = 0, round_number: int = 1) -> ThreadingHTTPServer:
    """Start the archive server on 127.0.0.1 in a background thread."""
    roots = [ROUND2_DIR, SITE_DIR] if round_number >= 2 else [SITE_DIR]
    handler = type("RoundHandler", (ArchiveHandler,), {"roots": roots})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the regwatch demo archive on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--round", type=int, default=1, dest="round_number")
    args = parser.parse_args()
    server = start_server(args.port, args.round_number)
    print(f"serving the demo archive on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
