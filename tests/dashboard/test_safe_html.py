"""Crawled text inside our markup is escaped; only our own tags remain."""

import re

from dashboard.safe_html import in_context_html, redline_html, safe_link
from obligations.text.diff import word_diff
from tests.dashboard.seed import HOSTILE

TAGS = re.compile(r"<\s*([a-zA-Z]+)")


def test_redline_escapes_inserted_deleted_and_equal_text() -> None:
    old = f"Keep records. {HOSTILE} Old words <b>here</b>."
    new = f"Keep records for six years. {HOSTILE} <iframe src=javascript:alert(1)> new words."
    markup = redline_html(word_diff(old, new))
    assert set(TAGS.findall(markup)) <= {"div", "ins", "del"}
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in markup
    assert "&lt;iframe src=javascript:alert(1)&gt;" in markup
    assert 'onerror="' not in markup and "onerror=&quot;alert(2)&quot;" in markup
    assert '<ins style="' in markup and "for six years" in markup
    assert '<del style="' in markup


def test_statement_in_context_is_escaped() -> None:
    markup = in_context_html("<a href='javascript:x'>before</a> ", "<script>x</script>", " & after")
    assert set(TAGS.findall(markup)) == {"div", "mark"}
    assert "<mark>&lt;script&gt;x&lt;/script&gt;</mark>" in markup
    assert "&lt;a href=&#x27;javascript:x&#x27;&gt;" in markup and "&amp; after" in markup


def test_only_web_links_are_links() -> None:
    assert safe_link("https://regulator.example/n/1") == "https://regulator.example/n/1"
    assert safe_link(" http://a.example/x ") == "http://a.example/x"
    for hostile in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>", "", None):
        assert safe_link(hostile) is None
