"""The lxml ``html_to_text`` gives exactly the text of the BeautifulSoup one.

Same text means same hashes: switching implementation must not make every stored
document look changed (``NORMALISER_VERSION`` stays).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obligations.text.normalise import html_to_text, soup_html_to_text

DEMO = Path(__file__).resolve().parents[2] / "crawlers" / "demo"
PAGES = sorted(
    path
    for path in DEMO.glob("site*/**/*")
    if path.is_file() and path.read_bytes().lstrip()[:1] == b"<"
)


def decoded(path: Path) -> str:
    body = path.read_bytes()
    for codec in ("utf-8", "gb18030", "big5hkscs"):
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize("strip", [True, False])
def test_same_text_on_every_archived_page(strip: bool) -> None:
    assert len(PAGES) >= 60
    for path in PAGES:
        html = decoded(path)
        assert html_to_text(html, strip_boilerplate=strip) == soup_html_to_text(
            html, strip_boilerplate=strip
        ), path


TAGS = "p div span a b li ul br pre nav script table tr td h1 section footer head title em hr form"
TAGS = [*TAGS.split(), "textarea"]
TEXT = st.text(alphabet=st.sampled_from(list("ab 法規\n\t\r\u3000\u00a0&;<>#")), max_size=8)


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "tag", "comment"] if depth < 4 else ["text"]))
        if kind == "text":
            parts.append(draw(TEXT))
        elif kind == "comment":
            parts.append(f"<!--{draw(TEXT).replace('-', '')}-->")
        else:
            tag = draw(st.sampled_from(TAGS))
            parts.append(f"<{tag}>{draw(fragments(depth + 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=100, deadline=None)
@given(fragments())
def test_same_text_on_generated_html(html: str) -> None:
    assert html_to_text(html) == soup_html_to_text(html)
