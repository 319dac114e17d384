"""Property-based tests (hypothesis): normaliser, diff, and the sources TOML validation."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.sources import SourceConfig, parse_sources
from obligations.errors import ConfigError
from obligations.text.diff import line_diff, word_diff
from obligations.text.normalise import normalise_text, text_sha256

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- normaliser ------------------------------------------------------------------------

WORDS = st.text(
    st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=8
)  # no separators or controls: whitespace is added between words below
GAPS = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \u200b ", "\n", "\r\n", "\n\n  "])


@FAST
@given(st.text())
def test_normalise_is_idempotent_nfkc_and_tidy(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert unicodedata.normalize("NFKC", once) == once
    assert not any(unicodedata.category(c) == "Cc" for c in once.replace("\n", ""))
    for line in once.split("\n") if once else []:
        assert line and line == line.strip()
        assert "  " not in line and "\t" not in line and "\r" not in line


@FAST
@given(st.lists(WORDS, min_size=1, max_size=12), st.data())
def test_whitespace_does_not_change_the_hash(words: list[str], data: st.DataObject) -> None:
    plain = " ".join(words)
    spaced = "".join(word + data.draw(GAPS) for word in words)
    # Only line breaks are kept, as line breaks; every other run of spacing is one space.
    assert normalise_text(spaced).replace("\n", " ") == normalise_text(plain)
    lines_only = "\n".join(words)
    assert text_sha256(normalise_text(lines_only)) == text_sha256(
        normalise_text("\r\n  ".join(words) + "\n\n")
    )


@FAST
@given(st.text())
def test_compatibility_forms_hash_the_same(text: str) -> None:
    assert text_sha256(normalise_text(text)) == text_sha256(
        normalise_text(unicodedata.normalize("NFKD", text))
    )


# -- diff ------------------------------------------------------------------------------

DOC_TEXT = st.lists(
    st.sampled_from([*"ab 规则,.\n", "must", "shall", "五年", "records ", "\u00e9"]), max_size=40
).map("".join)
LINES = st.lists(st.sampled_from(["alpha", "beta", "规则一", "gamma delta", ""]), max_size=15)


@FAST
@given(DOC_TEXT, DOC_TEXT)
def test_word_diff_reconstructs_both_texts(old: str, new: str) -> None:
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new


@FAST
@given(DOC_TEXT)
def test_identical_texts_have_no_changes(text: str) -> None:
    assert all(s.op == "equal" for s in word_diff(text, text))
    assert line_diff(text, text) == ""


def apply_unified_diff(old_lines: list[str], diff: str) -> list[str]:
    """Apply a unified diff made by ``line_diff`` to the old lines."""
    result: list[str] = []
    position = 0
    for line in diff.split("\n")[2:] if diff else []:
        hunk = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", line)
        if hunk:
            start = int(hunk.group(1)) - (0 if hunk.group(2) == "0" else 1)
            result += old_lines[position:start]
            position = start
        elif line.startswith("+"):
            result.append(line[1:])
        elif line.startswith("-"):
            assert old_lines[position] == line[1:]
            position += 1
        elif line.startswith(" "):
            assert old_lines[position] == line[1:]
            result.append(line[1:])
            position += 1
    return result + old_lines[position:]


@FAST
@given(LINES, LINES)
def test_line_diff_applied_to_old_gives_new(old: list[str], new: list[str]) -> None:
    old_text, new_text = "\n".join(old), "\n".join(new)
    diff = line_diff(old_text, new_text)
    assert apply_unified_diff(old_text.splitlines(), diff) == new_text.splitlines()


# -- sources TOML ----------------------------------------------------------------------


def toml_string(value: str) -> str:
    """A TOML basic string."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return toml_string(str(value))


def to_toml(sources: list[dict]) -> str:
    parts = []
    for source in sources:
        parts.append("[[source]]")
        tables = {k: v for k, v in source.items() if isinstance(v, dict)}
        parts += [f"{k} = {toml_value(v)}" for k, v in source.items() if k not in tables]
        for name, table in tables.items():
            parts.append(f"[source.{name}]")
            parts += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(parts) + "\n"


SELECTORS = st.sampled_from(["div.item", "a", "td.title a", "li > a", "time::attr(datetime)"])


@st.composite
def source_definitions(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["feed", "listing", "page"]))
    source = {
        "id": draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)),
        "name": draw(st.text(min_size=1, max_size=40)),
        "authority": draw(st.text(min_size=1, max_size=20)),
        "authority_kind": draw(
            st.sampled_from(["regulator", "industry_association", "platform", "news"])
        ),
        "jurisdiction": draw(st.sampled_from(["US", "CN", "HK", "GB", "EU", "INTL"])),
        "language": draw(st.sampled_from(["en", "zh", "zh-Hans", "fr"])),
        "kind": kind,
        "url": "https://example.test/" + draw(st.from_regex(r"[a-z0-9/_.-]{0,20}", fullmatch=True)),
    }
    if draw(st.booleans()):
        source["schedule"] = draw(st.sampled_from(["0 */6 * * *", "15 8 * * 1-5", "@daily"]))
    if draw(st.booleans()):
        source["enabled"] = draw(st.booleans())
    if kind == "listing":
        source["listing"] = {"item": draw(SELECTORS), "link": draw(st.lists(SELECTORS, min_size=1))}
        if draw(st.booleans()):
            source["listing"]["max_pages"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        source["detail"] = {"content": draw(SELECTORS)}
    return source


KNOWN_KEYS = set(SourceConfig.model_fields) | {"item", "link", "content", "max_pages"}
UNKNOWN_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True).filter(
    lambda key: key not in KNOWN_KEYS and key not in {"title", "date", "next_page", "blocked"}
)


def _valid_schedule(source: dict) -> bool:
    return source.get("schedule") != "@daily"


@FAST
@given(st.lists(source_definitions(), min_size=1, max_size=3, unique_by=lambda s: s["id"]))
def test_valid_sources_round_trip(sources: list[dict]) -> None:
    text = to_toml(sources)
    if not all(_valid_schedule(s) for s in sources):
        with pytest.raises(ConfigError, match="schedule"):
            parse_sources(text)
        return
    configs = parse_sources(text, "gen.toml")
    assert [c.id for c in configs] == [s["id"] for s in sources]
    for config, source in zip(configs, sources, strict=True):
        definition = config.definition()
        for key, value in source.items():
            if key == "listing":
                assert definition["listing"]["item"] == value["item"]
                assert definition["listing"]["link"] == value["link"]
            elif key == "detail":
                assert definition["detail"] == value
            else:
                assert definition[key] == value, key
        assert parse_sources(to_toml([definition]))[0] == config


@FAST
@given(source_definitions(), UNKNOWN_KEY, st.sampled_from(["source", "listing", "detail"]))
def test_unknown_key_is_refused_naming_source_and_key(source: dict, key: str, where: str) -> None:
    source.pop("schedule", None)
    if where == "source":
        source[key] = "x"
    else:
        source.setdefault(where, {"item": "a", "link": "a"} if where == "listing" else {})
        source[where][key] = "x"
    with pytest.raises(ConfigError) as refused:
        parse_sources(to_toml([source]), "gen.toml")
    message = str(refused.value)
    assert "gen.toml" in message and repr(source["id"]) in message and key in message
