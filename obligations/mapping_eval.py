"""Evaluating control suggestions on the team's labelled (obligation sentence, control) pairs.

Topics come from the NLP step (``extract_statements``; the keyword rules when it finds no
normative statement), as they would for a crawled obligation, not from hand labels.
Two numbers: cold (no reviewer decisions) and learned (two-fold: the decisions on one half
are taken as accepted mappings while the other half is ranked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from obligations.controls_io import read_control_file
from obligations.errors import InputFileError
from obligations.mapping import ControlIndex, ControlText, LearnedProfiles, rank_controls
from obligations.nlp.extract import extract_statements
from obligations.nlp.keywords import keyword_topics

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAIRS = PROJECT_ROOT / "data" / "mapping" / "labelled-pairs.jsonl"
DEFAULT_CONTROLS = PROJECT_ROOT / "data" / "controls" / "sample-controls.csv"


@dataclass(frozen=True)
class LabelledPair:
    """An obligation sentence and the control that covers it."""

    text: str
    control_id: str
    language: str


def load_pairs(path: Path) -> list[LabelledPair]:
    """The pairs of a JSONL file (keys ``text``, ``control_id``, ``language``)."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            pairs.append(LabelledPair(item["text"], item["control_id"], item["language"]))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputFileError(f"{path}: line {number}: not a labelled pair: {exc}") from None
    return pairs


def nlp_topics(text: str, language: str) -> list[str]:
    """The topics the extraction step gives a sentence."""
    statements = extract_statements(text, language)
    if statements:
        return list(dict.fromkeys(topic for s in statements for topic in s.topics))
    hits = keyword_topics(text)
    return sorted(hits, key=lambda topic: -hits[topic])[:3]


def _hit_rates(ranked: list[list[str]], pairs: list[LabelledPair]) -> dict[str, float]:
    total = len(pairs) or 1
    return {
        "top1": round(
            sum(p.control_id in r[:1] for r, p in zip(ranked, pairs, strict=True)) / total, 4
        ),
        "top3": round(
            sum(p.control_id in r[:3] for r, p in zip(ranked, pairs, strict=True)) / total, 4
        ),
    }


def evaluate_mapping(
    pairs_path: Path = DEFAULT_PAIRS, controls_path: Path = DEFAULT_CONTROLS
) -> dict:
    """Top-1 and top-3 hit rates, overall and per language, cold and with learning."""
    controls = [
        ControlText(r.id, r.title, r.description, tuple(r.topics), tuple(r.references))
        for r in read_control_file(controls_path)
        if r.status != "retired"
    ]
    index = ControlIndex(controls)
    pairs = load_pairs(pairs_path)
    unknown = sorted({p.control_id for p in pairs} - set(index.controls))
    if unknown:
        raise InputFileError(f"{pairs_path}: unknown control ids {', '.join(unknown)}")
    topics = [nlp_topics(p.text, p.language) for p in pairs]
    cold = [
        [s.control_id for s in rank_controls(index, p.text, t, limit=3)]
        for p, t in zip(pairs, topics, strict=True)
    ]
    learned_ranks: list[list[str]] = [[] for _ in pairs]
    for fold in (0, 1):
        learned = LearnedProfiles()
        for number, pair in enumerate(pairs):
            if number % 2 != fold:
                learned.record(pair.control_id, number, "accepted", index.vector(pair.text))
        for number, pair in enumerate(pairs):
            if number % 2 == fold:
                suggestions = rank_controls(index, pair.text, topics[number], learned, limit=3)
                learned_ranks[number] = [s.control_id for s in suggestions]
    report: dict = {
        "pairs": len(pairs),
        "controls": len(controls),
        "cold": _hit_rates(cold, pairs),
        "learned_two_fold": _hit_rates(learned_ranks, pairs),
        "misses_top3": [
            {"text": p.text, "expected": p.control_id, "got": r}
            for p, r in zip(pairs, cold, strict=True)
            if p.control_id not in r
        ],
    }
    for language in sorted({p.language for p in pairs}):
        chosen = [i for i, p in enumerate(pairs) if p.language == language]
        report[f"cold_{language}"] = {
            "pairs": len(chosen),
            **_hit_rates([cold[i] for i in chosen], [pairs[i] for i in chosen]),
        }
    return report
