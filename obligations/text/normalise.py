"""Turn fetched HTML or text into the normalised plain text that is hashed and diffed.

Bump ``NORMALISER_VERSION`` whenever the output for the same input changes, so that a
new normaliser is recorded as a re-normalisation rather than reported as a change.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from bs4 import BeautifulSoup, Comment
from lxml import etree
from lxml import html as lxml_html

NORMALISER_VERSION = 2  # 2: control characters (NUL…) become spaces

BOILERPLATE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
)
BLOCK_TAGS = (
    "p",
    "div",
    "li",
    "tr",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "hr",
)
_SCRIPT_TAGS = ("script", "style", "noscript")
_BLOCK_TAG_SET = frozenset(BLOCK_TAGS)
_LXML_PARSER = lxml_html.HTMLParser(encoding="utf-8")
_HAS_LINE_BREAK = re.compile(r"[\r\n]")
_WHITESPACE = re.compile(r"\s+")
# C0/C1 control characters other than tab and line breaks: PostgreSQL refuses NUL in
# text, and none of them is visible text.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u3000\u200b]+")


def normalise_text(text: str) -> str:
    """NFKC, one space between words, no blank or padded lines."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub(" ", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str, *, strip_boilerplate: bool = True) -> str:
    """Visible text of an HTML page or fragment, one line per block element.

    Walks lxml's tree (the crawler's hot path); the BeautifulSoup version below gives
    the same text and is used for input lxml refuses.
    """
    try:
        root = lxml_html.document_fromstring(
            html.encode("utf-8", "surrogatepass"), parser=_LXML_PARSER
        )
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, UnicodeError):
        return soup_html_to_text(html, strip_boilerplate=strip_boilerplate)
    skipped = {"head", *(BOILERPLATE_TAGS if strip_boilerplate else _SCRIPT_TAGS)}
    parts: list[str] = []
    _emit(root, parts, skipped, in_pre=False)
    return normalise_text("".join(parts))


def _emit(element: etree._Element, parts: list[str], skipped: set[str], in_pre: bool) -> None:
    """Append the text of ``element`` (not its tail), with block elements on own lines."""
    tag = element.tag
    if not isinstance(tag, str) or tag in skipped:  # comments, processing instructions
        return
    block = tag in _BLOCK_TAG_SET
    in_pre = in_pre or tag == "pre"
    if block:
        parts.append("\n")
    if element.text:
        parts.append(_flow(element.text, in_pre))
    for child in element:
        _emit(child, parts, skipped, in_pre)
        if child.tail:
            parts.append(_flow(child.tail, in_pre))
    if block:
        parts.append("\n")


def _flow(text: str, in_pre: bool) -> str:
    """Line breaks inside HTML text are plain spaces; only block elements break lines."""
    if not in_pre and _HAS_LINE_BREAK.search(text):
        return _WHITESPACE.sub(" ", text)
    return text


def soup_html_to_text(html: str, *, strip_boilerplate: bool = True) -> str:
    """``html_to_text`` with BeautifulSoup: slower, and accepts anything."""
    soup = BeautifulSoup(html, "lxml")
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    removable = BOILERPLATE_TAGS if strip_boilerplate else _SCRIPT_TAGS
    for head in soup.find_all("head"):
        head.decompose()
    for element in soup.find_all(removable):
        element.decompose()
    # Line breaks inside HTML text are plain spaces; only block elements break lines.
    for node in soup.find_all(string=_HAS_LINE_BREAK):
        if node.find_parent("pre") is None:
            node.replace_with(_WHITESPACE.sub(" ", node))
    for element in soup.find_all(BLOCK_TAGS):
        element.insert_before("\n")
        element.insert_after("\n")
    return normalise_text(soup.get_text())


def text_sha256(text: str) -> str:
    """Hash of normalised text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
