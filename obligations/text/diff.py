"""Line- and word-level diffs between two versions of a document's text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

# A token is a run of word characters, one CJK character, or one other non-space mark,
# so that Chinese text diffs by character and English by word.
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff]+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class DiffSegment:
    """A run of text that is equal in both versions, inserted, or deleted."""

    op: str  # "equal" | "insert" | "delete"
    text: str


def line_diff(old: str, new: str, old_label: str = "old", new_label: str = "new") -> str:
    """A unified diff of the two texts, line by line."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_label, new_label, lineterm=""
    )
    return "\n".join(lines)


def word_diff(old: str, new: str) -> list[DiffSegment]:
    """Word-level diff segments (diff-match-patch over word tokens)."""
    tokens: dict[str, str] = {}
    token_list: list[str] = []

    def encode(text: str) -> str:
        chars = []
        for token in _TOKEN.findall(text):
            if token not in tokens:
                token_list.append(token)
                tokens[token] = chr(len(token_list) + 0x20)
            chars.append(tokens[token])
        return "".join(chars)

    engine = diff_match_patch()
    engine.Diff_Timeout = 2.0
    diffs = engine.diff_main(encode(old), encode(new), False)
    engine.diff_cleanupSemantic(diffs)
    ops = {0: "equal", 1: "insert", -1: "delete"}
    return [
        DiffSegment(ops[op], "".join(token_list[ord(ch) - 0x21] for ch in chunk))
        for op, chunk in diffs
    ]


def render_word_diff(segments: list[DiffSegment]) -> str:
    """Plain-text redline: ``[-deleted-]`` and ``{+inserted+}``."""
    marks = {"equal": ("", ""), "delete": ("[-", "-]"), "insert": ("{+", "+}")}
    return "".join(marks[s.op][0] + s.text + marks[s.op][1] for s in segments)
