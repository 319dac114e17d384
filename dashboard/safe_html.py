"""Crawled text shown inside our own markup: every piece is escaped first.

Crawled text is data. It is passed through :func:`html.escape` before it is wrapped in
the few tags written here (``<ins>``, ``<del>``, ``<mark>``), and the result goes to
``st.html`` (no Markdown processing; Streamlit also sanitises it and runs no scripts).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlsplit

from obligations.text.diff import DiffSegment

_BOX = (
    '<div class="regwatch-text" style="white-space: pre-wrap; font-family: inherit; '
    "line-height: 1.5; max-height: 32rem; overflow-y: auto; padding: 0.5rem; "
    'border: 1px solid rgba(128,128,128,0.3); border-radius: 0.4rem">{}</div>'
)
_INS = '<ins style="background: #d4f8d4; color: #0a4d0a; text-decoration: underline">{}</ins>'
_DEL = '<del style="background: #fbd4d4; color: #7a0a0a">{}</del>'


def redline_html(segments: Iterable[DiffSegment]) -> str:
    """A word-level redline: insertions underlined green, deletions struck red."""
    parts = []
    for segment in segments:
        text = html.escape(segment.text, quote=True)
        if segment.op == "insert":
            parts.append(_INS.format(text))
        elif segment.op == "delete":
            parts.append(_DEL.format(text))
        else:
            parts.append(text)
    return _BOX.format("".join(parts))


def in_context_html(before: str, statement: str, after: str) -> str:
    """The statement highlighted between the text around it."""
    return _BOX.format(
        "…"
        + html.escape(before)
        + "<mark>"
        + html.escape(statement)
        + "</mark>"
        + html.escape(after)
        + "…"
    )


def safe_link(url: str | None) -> str | None:
    """The URL when it is http(s); None for anything else (``javascript:``, ``data:``…)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None
