"""Topic agreement between the held-out labels and a second annotator's blind labels.

    python scripts/agreement.py   # reads data/agreement/<lang>-heldout-second-annotator.jsonl

The second annotator saw only the sentences, never the labels or any model output; the
result is the human yardstick for the classifiers' topic micro-F1 on the same sentences.
"""

from __future__ import annotations

import json
from pathlib import Path

from obligations.nlp.evaluation import score
from obligations.nlp.training import read_split

AGREEMENT_DIR = Path(__file__).resolve().parents[1] / "data" / "agreement"


def agreement(language: str) -> dict[str, float]:
    """Micro-F1, same-primary-topic and identical-set shares, the held-out labels as gold."""
    gold = read_split(language, "heldout")
    path = AGREEMENT_DIR / f"{language}-heldout-second-annotator.jsonl"
    second = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if [row.text for row in gold] != [row["text"] for row in second]:
        raise SystemExit(f"{path}: its sentences are not the held-out split's, in order")
    pairs = list(zip(gold, second, strict=True))
    predictions = [(row.modality, other["topics"]) for row, other in pairs]
    primary = sum(list(row.topics[:1]) == other["topics"][:1] for row, other in pairs)
    identical = sum(set(row.topics) == set(other["topics"]) for row, other in pairs)
    return {
        "topic_micro_f1": round(score(gold, predictions)["topic_micro_f1"], 3),
        "same_primary_topic": round(primary / len(gold), 3),
        "identical_topic_sets": round(identical / len(gold), 3),
    }


if __name__ == "__main__":
    for language in ("en", "zh"):
        print(language, agreement(language))
