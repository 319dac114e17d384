"""Language detection: Chinese vs English, by the share of CJK characters."""

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` has any CJK character (so Chinese rules may apply to it)."""
    return _CJK.search(text) is not None


def detect_language(text: str) -> str:
    """``zh`` when CJK characters outnumber a fifth of the Latin letters, else ``en``."""
    sample = text[:20_000]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    return "zh" if cjk and cjk * 5 >= latin else "en"
