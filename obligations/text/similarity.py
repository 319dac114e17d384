"""Bag-of-words text similarity for mapping obligations to controls (EN and ZH).

English words are lower-cased, stop words dropped and suffixes stripped; Chinese text
contributes the English words of the bridge terms it contains (controls are written in
English) plus character bigrams (so that Chinese obligations can still be compared with
Chinese obligations, which is how learning from past mappings works across languages).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from obligations.text.zh_en import ZH_EN_TERMS

Vector = dict[str, float]

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_BRIDGE = re.compile("|".join(sorted(map(re.escape, ZH_EN_TERMS), key=len, reverse=True)))
_STOP_WORD_TEXT = """
a an and are as at be been before being by can do does each for from has have how if in
into is it its may more must not no of on or other our shall should such than that the their
them then there these they this those through to under until up upon was we were what when
where which while who will with within without would any all also only own per so same
against
firm firms member members person persons s"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
_SUFFIXES = ("ifications", "ification", "ations", "ation", "ings", "ing", "ised", "ized", "ises",
             "izes", "ise", "ize", "ied", "ies", "edly", "ed", "es", "s", "ly")  # fmt: skip
_REPLACEMENTS = {"ifications": "ify", "ification": "ify", "ied": "y", "ies": "y"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to make 'screened', 'screening', 'screens' agree."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + _REPLACEMENTS.get(suffix, "")
            break
    if word.endswith("e") and len(word) > 5:
        word = word[:-1]
    return word


def english_tokens(text: str) -> list[str]:
    """Stemmed content words of the Latin-script part of ``text``."""
    words = _WORD.findall(text.lower().replace("-", " "))
    return [stem(word) for word in words if word not in STOP_WORDS and len(word) > 1]


def tokens(text: str) -> list[str]:
    """Tokens of English or Chinese text, in one space of features."""
    found = english_tokens(text)
    for run in _CJK_RUN.findall(text):
        found.extend(f"zh:{run[i : i + 2]}" for i in range(len(run) - 1))
        for term in _BRIDGE.findall(run):
            found.extend(english_tokens(ZH_EN_TERMS[term]))
    return found


def idf_weights(documents: Iterable[Iterable[str]]) -> tuple[dict[str, float], float]:
    """Smoothed inverse document frequencies, and the weight of an unseen token."""
    frequency: Counter[str] = Counter()
    count = 0
    for document in documents:
        count += 1
        frequency.update(set(document))
    weights = {token: math.log((1 + count) / (1 + seen)) + 1 for token, seen in frequency.items()}
    return weights, math.log(1 + count) + 1


def tfidf(document: Iterable[str], idf: Mapping[str, float], default_idf: float) -> Vector:
    """A unit-length TF-IDF vector (sub-linear term frequency)."""
    counts = Counter(document)
    vector = {
        token: (1 + math.log(count)) * idf.get(token, default_idf)
        for token, count in counts.items()
    }
    return normalise(vector)


def normalise(vector: Mapping[str, float]) -> Vector:
    """``vector`` scaled to unit length (empty stays empty)."""
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {token: weight / norm for token, weight in vector.items()} if norm else {}


def dot(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    """The dot product of two sparse vectors (the cosine when both are unit length)."""
    if len(left) > len(right):
        left, right = right, left
    return sum(weight * right.get(token, 0.0) for token, weight in left.items())
