"""Reading a user's document file (text, HTML or PDF) for ``regwatch extract``."""

from __future__ import annotations

from pathlib import Path

from crawlers.content import ContentError, pdf_text
from obligations.errors import InputFileError
from obligations.text.normalise import html_to_text

MAX_FILE_BYTES = 50 * 1024 * 1024


def read_document_text(path: Path) -> str:
    """The plain text of a file; InputFileError (one line) for anything unusable."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory")
    if size == 0:
        raise InputFileError(f"{path}: file is empty")
    if size > MAX_FILE_BYTES:
        raise InputFileError(f"{path}: file is too large ({size} bytes; limit {MAX_FILE_BYTES})")
    body = path.read_bytes()
    if body.startswith(b"%PDF-") or path.suffix.lower() == ".pdf":
        try:
            return pdf_text(body)
        except ContentError as exc:
            raise InputFileError(f"{path}: {exc}") from None
    if b"\x00" in body[:8192]:
        raise InputFileError(f"{path}: looks like a binary file, not text, HTML or PDF")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is None:
            raise InputFileError(f"{path}: cannot decode the file as text") from None
        text = str(best)
    head = text[:2048].lower()
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or "<html" in head or "<body" in head:
        text = html_to_text(text)
    if not text.strip():
        raise InputFileError(f"{path}: no text in the file")
    return text
