"""Sentence and clause segmentation that keeps character offsets.

Splits on sentence punctuation (English . ? ! and Chinese 。！？；), on line breaks
(headings and list items), and between enumerated sub-clauses such as
"…; (b) …" or "（二）…". Each span is (start, end) into the original text.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = (
    "e.g",
    "i.e",
    "etc",
    "u.s",
    "no",
    "nos",
    "inc",
    "corp",
    "co",
    "ltd",
    "sec",
    "secs",
    "art",
    "para",
    "paras",
    "et seq",
    "v",
    "vs",
    "mr",
    "ms",
    "dr",
    "st",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "c.f.r",
    "cfr",
    "u.s.c",
    "fed",
    "reg",
    "p",
    "pp",
)
# Sentence end: punctuation, optional closing quote/bracket, then space + a likely start.
_EN_BOUNDARY = re.compile(r"[.?!][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9(])")
_EN_CLAUSE = re.compile(r";\s+(?:and\s+|or\s+)?(?=\((?:[a-z]{1,3}|[ivx]+|\d{1,2})\)\s)")
_ZH_BOUNDARY = re.compile(r"[。！？；;][”’」』）)]*")
_ZH_ENUM = re.compile(
    r"(?<=[：:])\s*(?=（[一二三四五六七八九十]+）)|(?=（[一二三四五六七八九十]+）)"
)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _split_at(text: str, start: int, end: int, cuts: list[int]) -> list[tuple[int, int]]:
    spans = []
    previous = start
    for cut in [*cuts, end]:
        span = _trimmed(text, previous, cut)
        if span:
            spans.append(span)
        previous = cut
    return spans


def _is_abbreviation(text: str, period_index: int) -> bool:
    before = text[max(0, period_index - 8) : period_index].lower()
    word = re.split(r"[\s(]", before)[-1]
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for line in text.split("\n"):
        span = _trimmed(text, position, position + len(line))
        if span:
            spans.append(span)
        position += len(line) + 1
    return spans


def split_sentences_en(text: str) -> list[tuple[int, int]]:
    """English sentences and enumerated clauses as offset spans."""
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        cuts = [
            line_start + match.end()
            for match in _EN_BOUNDARY.finditer(line)
            if not (line[match.start()] == "." and _is_abbreviation(line, match.start()))
        ]
        for sentence_start, sentence_end in _split_at(text, line_start, line_end, cuts):
            sentence = text[sentence_start:sentence_end]
            clause_cuts = [sentence_start + m.start() + 1 for m in _EN_CLAUSE.finditer(sentence)]
            spans.extend(_split_at(text, sentence_start, sentence_end, clause_cuts))
    return spans


def split_sentences_zh(text: str) -> list[tuple[int, int]]:
    """Chinese sentences (。！？；) and enumerated items （一）（二） as offset spans."""
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        cuts = {line_start + m.end() for m in _ZH_BOUNDARY.finditer(line)}
        cuts |= {line_start + m.start() for m in _ZH_ENUM.finditer(line) if m.start() > 0}
        spans.extend(_split_at(text, line_start, line_end, sorted(cuts)))
    # An English sentence inside Chinese text still splits on English punctuation.
    result = []
    for start, end in spans:
        if re.search(r"[\u3400-\u9fff]", text[start:end]):
            result.append((start, end))
        else:
            result.extend((start + s, start + e) for s, e in split_sentences_en(text[start:end]))
    return result


def split_sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Sentence spans for ``language`` (``en`` or ``zh``)."""
    return split_sentences_zh(text) if language == "zh" else split_sentences_en(text)


def split_sentences_mixed(text: str) -> list[tuple[int, int, str]]:
    """Sentence spans with their language, deciding per line (mixed Chinese/English text)."""
    from obligations.nlp.language import detect_language

    spans: list[tuple[int, int, str]] = []
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        line_language = detect_language(line)
        for start, end in split_sentences(line, line_language):
            sentence = line[start:end]
            language = detect_language(sentence) if line_language == "zh" else "en"
            spans.append((line_start + start, line_start + end, language))
    return spans
