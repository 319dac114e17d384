"""The phrase cue patterns (``patterns/<lang>.jsonl``) and the cheap filter built on them."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

PATTERNS_DIR = Path(__file__).with_name("patterns")


@lru_cache(maxsize=4)
def load_patterns(language: str) -> tuple[tuple[str, str], ...]:
    """``(label, phrase)`` cue patterns of a language, from its JSONL data file."""
    path = PATTERNS_DIR / f"{'zh' if language == 'zh' else 'en'}.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return tuple((row["label"], row["pattern"]) for row in rows)


@lru_cache(maxsize=4)
def candidate_pattern(language: str) -> re.Pattern[str]:
    """A regex that finds any phrase cue: the cheap first filter before the model runs."""
    phrases = sorted(
        {phrase for label, phrase in load_patterns(language) if label != "NEGATION"},
        key=len,
        reverse=True,
    )
    body = "|".join(re.escape(phrase) for phrase in phrases)
    firsts = {phrase[0].lower() for phrase in phrases} | {phrase[0].upper() for phrase in phrases}
    lookahead = "(?=[" + re.escape("".join(sorted(firsts))) + "])"
    if language == "zh":
        return re.compile(f"{lookahead}(?:{body})", re.IGNORECASE)
    return re.compile(rf"{lookahead}\b(?:{body})\b", re.IGNORECASE)
