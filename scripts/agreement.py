"""Topic agreement between the held-out labels and a second annotator's blind labels.

    python scripts/agreement.py   # reads data/agreement/<lang>-heldout-second-annotator.jsonl

The second annotator saw only the sentences, never the labels or any model output; the
result is the human yardstick for the classifiers' topic micro-F1 on the same sentences.
"""

from __future__ import annotations

import json
from pathlib import Path

from obligations.nlp.training import read_split

AGREEMENT_DIR = Path(__file__).resolve().parents[1] / "data" / "agreement"


def agreement(language: str) -> dict[str, float]:
    """Micro-F1, same-primary-topic and identical-set shares, the held-out labels as gold."""
    gold = read_split(language, "heldout")
    path = AGREEMENT_DIR / f"{language}-heldout-second-annotator.jsonl"
    second = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if [row.text for row in gold] != [row["text"] for row in second]:
        raise SystemExit(f"{path}: its sentences are not the held-out split's, in order")
    hits = extra = missed = primary = identical = 0
    for row, other in zip(gold, second, strict=True):
        gold_topics, other_topics = set(row.topics), set(other["topics"])
        hits += len(gold_topics & other_topics)
        extra += len(other_topics - gold_topics)
        missed += len(gold_topics - other_topics)
        primary += list(row.topics[:1]) == other["topics"][:1]
        identical += gold_topics == other_topics
    return {
        "topic_micro_f1": round(2 * hits / (2 * hits + extra + missed), 3),
        "same_primary_topic": round(primary / len(gold), 3),
        "identical_topic_sets": round(identical / len(gold), 3),
    }


if __name__ == "__main__":
    for language in ("en", "zh"):
        print(language, agreement(language))
