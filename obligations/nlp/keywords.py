"""Topic terms (``patterns/topic_terms.toml``): concept features and a keyword fallback.

Each topic has strong and weak terms in English and Chinese. :func:`term_hits` says
which ``(topic, tier)`` groups occur in a sentence; the topic classifier sees them as
features, and :func:`keyword_topics` (strong terms only) is the fallback used when no
trained model is installed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from obligations.nlp.features import simplify_zh
from obligations.nlp.language import has_cjk

TERMS_FILE = Path(__file__).with_name("patterns") / "topic_terms.toml"
TIERS = ("strong", "weak")
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9\- ]*[A-Z0-9]\w?$")
_WORD = re.compile(r"[a-z0-9]+")


_META = set("\\()[]{}|?*+.^$")


def _leading_literal(fragment: str) -> str | None:
    """The literal text every match of ``fragment`` starts with (None if it has none)."""
    if fragment.startswith("("):
        return None
    literal = []
    for char in fragment:
        if char in _META:
            if char in "?*{" and literal:
                literal.pop()  # the character before an optional quantifier may be absent
            break
        literal.append(char)
    return "".join(literal) or None


def _alternatives(group: str) -> list[str]:
    """The top-level alternatives of ``(a|b|c)`` (without the parentheses)."""
    parts, depth, current = [], 0, []
    for char in group[1:-1]:
        if char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += char == "("
        depth -= char == ")"
        current.append(char)
    return [*parts, "".join(current)]


def _closing_paren(fragment: str) -> int:
    """The index of the parenthesis closing the one ``fragment`` starts with."""
    depth = 0
    for index, char in enumerate(fragment):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return index
    raise ValueError(f"unbalanced parentheses in topic term {fragment!r}")


def _keys(fragment: str) -> set[str] | None:
    """Three-letter keys, one of which a sentence's words must start with for
    ``fragment`` to match; None when no such key can be derived (always try it)."""
    if fragment.startswith("("):
        end = _closing_paren(fragment)
        if fragment[end + 1 : end + 2] in ("?", "*", "{"):
            return None
        keys: set[str] = set()
        for alternative in _alternatives(fragment[: end + 1]):
            found = _keys(alternative + fragment[end + 1 :])
            if found is None:
                return None
            keys |= found
        return keys
    literal = _leading_literal(fragment)
    word = re.match(r"[A-Za-z0-9]+", literal or "")
    if word is None or len(word.group()) < 3:
        return None
    return {word.group()[:3].lower()}


@dataclass(frozen=True)
class Term:
    """One compiled term of a ``(topic, tier)`` group and the keys that gate it."""

    group: tuple[str, str]
    pattern: re.Pattern[str]
    keys: frozenset[str] | None


def _english_term(group: tuple[str, str], fragment: str) -> Term:
    flags = 0 if _ACRONYM.match(fragment) else re.IGNORECASE
    keys = _keys(fragment)
    return Term(group, re.compile(rf"\b(?:{fragment})\b", flags), frozenset(keys) if keys else None)


def _chinese_term(group: tuple[str, str], fragment: str) -> Term:
    first = fragment[0]
    keys = None if first in _META else frozenset({first.lower()})
    if fragment.isascii():  # a Latin term ("NFT") must not match inside a word ("lexicon")
        fragment = rf"(?<![a-z0-9])(?:{fragment})(?![a-z0-9])"
    return Term(group, re.compile(fragment, re.IGNORECASE), keys)


@lru_cache(maxsize=1)
def terms(path: Path = TERMS_FILE) -> tuple[list[Term], list[Term]]:
    """The English and the Chinese terms of the terms file, compiled."""
    table = tomllib.loads(path.read_text("utf-8"))
    english, chinese = [], []
    for topic, groups in table.items():
        for tier in TIERS:
            group = (topic, tier)
            english += [_english_term(group, f) for f in groups.get(f"en_{tier}", [])]
            chinese += [_chinese_term(group, f) for f in groups.get(f"zh_{tier}", [])]
    return english, chinese


@dataclass(frozen=True)
class TermIndex:
    """One language's terms by gating key, plus those tried on every sentence."""

    by_key: dict[str, tuple[int, ...]]
    always: tuple[int, ...]
    terms: tuple[Term, ...]

    def candidates(self, keys: Iterable[str]) -> list[Term]:
        """The terms worth trying on a text whose word keys are ``keys``, in file order."""
        chosen = set(self.always)
        for key in keys:
            chosen.update(self.by_key.get(key, ()))
        return [self.terms[index] for index in sorted(chosen)]


def _index(found: list[Term]) -> TermIndex:
    by_key: dict[str, list[int]] = {}
    always = []
    for position, term in enumerate(found):
        if term.keys is None:
            always.append(position)
        for key in term.keys or ():
            by_key.setdefault(key, []).append(position)
    return TermIndex({k: tuple(v) for k, v in by_key.items()}, tuple(always), tuple(found))


@lru_cache(maxsize=1)
def term_indexes() -> tuple[TermIndex, TermIndex]:
    """The English and the Chinese terms, indexed by gating key."""
    english, chinese = terms()
    return _index(english), _index(chinese)


def _count(found: list[Term], text: str, wanted: set[str], hits: dict) -> None:
    for term in found:
        if term.group[1] not in wanted:
            continue
        count = len(term.pattern.findall(text))
        if count:
            hits[term.group] = hits.get(term.group, 0) + count


def term_hits(sentence: str, tiers: Iterable[str] = TIERS) -> dict[tuple[str, str], int]:
    """``{(topic, tier): number of term matches}`` for the groups that occur.

    A term is only tried when the sentence has a word starting with one of its keys.
    """
    english, chinese = term_indexes()
    wanted = set(tiers)
    hits: dict[tuple[str, str], int] = {}
    words = {word[:3] for word in _WORD.findall(sentence.lower())}
    _count(english.candidates(words), sentence, wanted, hits)
    if has_cjk(sentence):
        simplified = simplify_zh(sentence)
        _count(chinese.candidates(set(simplified)), simplified, wanted, hits)
    return hits


def keyword_topics(sentence: str) -> dict[str, int]:
    """``{topic: number of strong-term hits}`` for the topics whose strong terms occur."""
    return {topic: count for (topic, _), count in term_hits(sentence, ("strong",)).items()}
