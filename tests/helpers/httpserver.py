"""A scripted HTTP server on 127.0.0.1 for crawler tests.

Routes map a path (with query) to a Route: status, headers, body, and optional
behaviour (conditional GET, a delay). A route may also be a function of the request
(for answers that change, e.g. a 429 then a 200). Every request is logged, with the
time it arrived, so tests can assert what the crawler sent and when.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """How to answer one path."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True  # answer 304 to a matching If-None-Match / If-Modified-Since
    send_etag: bool = True  # False: only a Last-Modified header (if given) validates
    delay: float = 0.0

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.payload()).hexdigest()[:16] + '"'


@dataclass
class LoggedRequest:
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    method: str = "GET"
    body: bytes = b""


RouteLike = Route | Callable[[LoggedRequest], Route]


class LocalServer:
    """Start with ``with LocalServer(routes) as server: server.url("/feed.xml")``."""

    def __init__(self, routes: dict[str, RouteLike] | None = None):
        self.routes: dict[str, RouteLike] = dict(routes or {})
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                logged = LoggedRequest(self.path, dict(self.headers.items()))
                with outer._lock:
                    outer.requests.append(logged)
                route = outer.routes.get(self.path)
                if callable(route):
                    route = route(logged)
                if route is None and self.path == "/robots.txt":
                    route = Route("User-agent: *\nAllow: /\n", content_type="text/plain")
                if route is None:
                    route = Route("not found", status=404, content_type="text/plain")
                if route.delay:
                    time.sleep(route.delay)
                body = route.payload()
                etag = route.etag()
                modified = route.headers.get("Last-Modified")
                if (
                    route.conditional
                    and route.status == 200
                    and (
                        (route.send_etag and self.headers.get("If-None-Match") == etag)
                        or (modified and self.headers.get("If-Modified-Since") == modified)
                    )
                ):
                    self.send_response(304)
                    if route.send_etag:
                        self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.conditional and route.send_etag and route.status == 200:
                    self.send_header("ETag", etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                logged = LoggedRequest(
                    self.path, dict(self.headers.items()), method="POST", body=body
                )
                with outer._lock:
                    outer.requests.append(logged)
                route = outer.routes.get(self.path) or Route("not found", status=404)
                if callable(route):
                    route = route(logged)
                payload = route.payload()
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> LocalServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
