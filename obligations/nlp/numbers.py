"""Number words in English and Chinese (three, twenty-four, 五, 十二, 两, 一百)."""

from __future__ import annotations

import re

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "one-half": 0,
}  # fmt: skip
_EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}

EN_NUMBER_PATTERN = (
    r"\d+(?:\.\d+)?|(?:"
    + "|".join(sorted(_EN_TENS, key=len, reverse=True))
    + r")(?:[- ](?:"
    + "|".join(k for k in _EN_UNITS if len(k) > 2)
    + r"))?|"
    + "|".join(sorted(_EN_UNITS, key=len, reverse=True))
)
ZH_NUMBER_PATTERN = r"[\d]+|[零〇一二两三四五六七八九十百千]+"


def parse_en_number(word: str) -> float | None:
    """``"three"`` → 3, ``"twenty-four"`` → 24, ``"6"`` → 6."""
    word = word.lower().strip()
    if re.fullmatch(r"\d+(\.\d+)?", word):
        return float(word)
    if word in _EN_UNITS:
        return _EN_UNITS[word]
    parts = re.split(r"[- ]", word)
    if parts[0] in _EN_TENS:
        return _EN_TENS[parts[0]] + (_EN_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


def parse_zh_number(text: str) -> int | None:
    """``"五"`` → 5, ``"十二"`` → 12, ``"三十"`` → 30, ``"一百八十"`` → 180, ``"6"`` → 6."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _ZH_DIGITS:
            current = _ZH_DIGITS[char]
        elif char in _ZH_MULTIPLIERS:
            total += (current or 1) * _ZH_MULTIPLIERS[char]
            current = 0
        else:
            return None
    return total + current
