"""Shared content helpers for spiders: charsets, PDFs, dates, blocking pages."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from obligations.errors import RegwatchError

_CHINESE_CODECS = ("gb18030", "big5hkscs", "big5", "gbk", "gb2312", "utf_8", "utf-8")


class ContentError(RegwatchError):
    """A fetched document cannot be turned into text."""


def is_pdf(response: Response) -> bool:
    """Whether the response is a PDF, by content type or magic bytes."""
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    return "application/pdf" in content_type or response.body[:5] == b"%PDF-"


def pdf_text(body: bytes) -> str:
    """Text of a PDF (pdfminer.six); ContentError for a broken PDF or a scan."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    if not body.startswith(b"%PDF-"):
        raise ContentError("not a PDF (no %PDF- header)")
    if b"%%EOF" not in body[-2048:]:
        # pdfminer reads what it can of a cut file; part of a document is not the document.
        raise ContentError("truncated PDF (no %%EOF marker at the end)")
    try:
        text = extract_text(io.BytesIO(body))
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise ContentError(f"unreadable PDF: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # pdfminer raises many types on truncated files
        raise ContentError(f"unreadable PDF: {type(exc).__name__}: {exc}") from None
    if not text.strip():
        raise ContentError("PDF has no extractable text (a scan?)")
    return text


def declared_encoding(response: Response) -> str | None:
    """The charset named by the Content-Type header or the HTML itself."""
    header = response.headers.get(b"Content-Type", b"").decode("latin-1")
    return http_content_type_encoding(header) or html_body_declared_encoding(response.body)


def decode_body(response: Response, language: str | None) -> tuple[str, str]:
    """Decode a response by its declared charset, else by detection; (text, encoding)."""
    body = response.body
    if isinstance(response, TextResponse) and declared_encoding(response):
        # Trust the declaration only if the bytes really are in it: a GBK page served as
        # "charset=utf-8" would otherwise be stored as replacement characters.
        try:
            body.decode(response.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            return response.text, response.encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if language and language.startswith("zh"):
        chinese = chinese_decoding(body)
        if chinese is not None:
            return chinese
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None:
        return str(best), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


# Characters a Chinese page is made of: ASCII, Latin-1, general and CJK punctuation,
# CJK ideographs and full-width forms. Big5 bytes read as GB18030 (or the reverse) give
# kana, bopomofo, Greek and private-use characters instead.
_UNLIKELY_IN_CHINESE = re.compile(
    r"[^\x00-\xff\u2000-\u206f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
)


def chinese_decoding(body: bytes) -> tuple[str, str] | None:
    """Undeclared Chinese bytes: GB18030 or Big5-HKSCS, whichever reads as Chinese."""
    candidates = []
    for rank, codec in enumerate(("gb18030", "big5hkscs")):
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append((len(_UNLIKELY_IN_CHINESE.findall(text)), rank, text, codec))
    if not candidates:
        return None
    _, _, text, codec = min(candidates)
    return text, codec


# Phrases of anti-bot and block pages, matched in lower case (plain substring search is
# far cheaper than a case-insensitive regex over every fetched page).
_BLOCK_PHRASES = (
    "verify you are human",
    "verify you are a human",
    "verify that you are human",
    "verify that you are a human",
    "are you a robot",
    "captcha",
    "access denied",
    "请开启javascript",
    "enable javascript and cookies",
    "checking your browser",
    "安全验证",
    "访问验证",
)
_COOKIE_CHALLENGE = re.compile(r"document\.cookie\s*=", re.IGNORECASE)


def block_reason(response: Response, text: str, blocked_selector: str | None) -> str | None:
    """Why this page is an anti-bot, block or deleted page rather than content, or None."""
    if blocked_selector and isinstance(response, TextResponse):
        try:
            if response.css(blocked_selector):
                return f"block page (matched {blocked_selector!r})"
        except ValueError:
            pass
    if len(text) < 20_000:
        lowered = text.lower()
        if (
            "document.cookie" in lowered
            and _COOKIE_CHALLENGE.search(text)
            and re.search(r"location\.(reload|href|replace)", text)
        ):
            return "JavaScript cookie challenge"
        if response.status in (200, 403, 412, 429, 503, 521) and any(
            phrase in lowered for phrase in _BLOCK_PHRASES
        ):
            return "anti-bot page"
    if response.status in (412, 521):
        return f"HTTP {response.status} anti-bot response"
    return None


def parse_date(value: str | None) -> date | None:
    """A publication date from ISO text, Unix seconds, or free text (dateparser)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{9,11}", value):
        return datetime.fromtimestamp(int(value), UTC).date()
    match = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", value)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    import dateparser

    parsed = dateparser.parse(value, settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else None
