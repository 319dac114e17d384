"""A threaded HTTP server on 127.0.0.1 whose routes misbehave on purpose.

Each route is a callable taking the request handler, so a test can answer with an
HTTP error, reset the connection, stall, redirect forever or stream a huge body
without holding it in memory. Every request is logged with its arrival time.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Hit:
    path: str
    at: float


def respond(
    status: int = 200,
    body: bytes | str = b"",
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """A plain answer."""
    payload = body.encode("utf-8") if isinstance(body, str) else body

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    return answer


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP RST before any response."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def stall(seconds: float, stop: threading.Event) -> Behaviour:
    """Say nothing for ``seconds`` (or until the server stops), then answer."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        if stop.wait(seconds):
            return
        with contextlib.suppress(OSError):  # the client timed out and left, as it should
            respond(body="<p>too late</p>")(handler)

    return answer


def redirect(location: str) -> Behaviour:
    """A 302 to ``location``."""
    return respond(302, b"", headers={"Location": location})


def huge(size: int, chunk: int = 256 * 1024, announce: bool = True) -> Behaviour:
    """A ``size``-byte HTML page, generated while streaming (never held in memory).

    Without ``announce`` there is no Content-Length: the end is the connection closing.
    """
    block = (b"<p>" + b"x" * (chunk - 8) + b"</p>\n")[:chunk]

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if announce:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        sent = 0
        try:
            while sent < size:
                part = block[: min(chunk, size - sent)]
                handler.wfile.write(part)
                sent += len(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should
        handler.close_connection = True

    return answer


def short_body(body: bytes, claimed: int, content_type: str) -> Behaviour:
    """Promise ``claimed`` bytes, send ``body`` (fewer), then close: a cut download."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(claimed))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True

    return answer


class FaultServer:
    """``with FaultServer() as server: server.routes["/x"] = respond(500)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {
            "/robots.txt": respond(body="User-agent: *\nAllow: /\n", content_type="text/plain")
        }
        self.hits: list[Hit] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                with outer._lock:
                    outer.hits.append(Hit(self.path, time.monotonic()))
                behaviour = outer.routes.get(self.path) or respond(404, "not found")
                behaviour(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits_of(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def __enter__(self) -> FaultServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def make_pdf(text: str) -> bytes:
    """A small, valid one-page PDF showing ``text`` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
