"""Scoring extraction on labelled sentences: P/R/F1 per modality and topic, and summaries.

Each sentence is judged alone, through the same rules-first filter and classifier that
``extract_statements`` uses.
"""

from __future__ import annotations

from collections import defaultdict

from obligations.nlp.components import MODALITIES, TOPICS
from obligations.nlp.cues import decide_by_cues
from obligations.nlp.extract import _rule_topics, is_candidate
from obligations.nlp.model import Classifier
from obligations.nlp.training import LabelledSentence


def _prf(true_positive: int, false_positive: int, false_negative: int) -> dict:
    precision = true_positive / (true_positive + false_positive) if true_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": true_positive + false_negative,
    }


def predict(
    classifier: Classifier | None, rows: list[LabelledSentence], language: str
) -> list[tuple[str | None, list[str]]]:
    """``(modality, topics)`` for each sentence as extraction would decide it."""
    cues = [decide_by_cues(row.text, language) for row in rows]
    if classifier is None:
        return [(cue.modality, _rule_topics(row.text)) for row, cue in zip(rows, cues, strict=True)]
    verdicts = classifier.classify_many(
        [row.text for row in rows], language, [None] * len(rows), cues, all_topics=True
    )
    return [
        (verdict.modality if is_candidate(row.text, language, cue) else None, verdict.topics)
        for row, cue, verdict in zip(rows, cues, verdicts, strict=True)
    ]


def score(rows: list[LabelledSentence], predictions: list[tuple[str | None, list[str]]]) -> dict:
    """The metrics of one language's predictions against the gold labels."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    correct_modality = gold_normative = 0
    for row, (modality, topics) in zip(rows, predictions, strict=True):
        gold = row.modality
        normative = counts["normative"]
        normative[0] += bool(gold and modality)
        normative[1] += bool(modality and not gold)
        normative[2] += bool(gold and not modality)
        if gold:
            gold_normative += 1
            correct_modality += modality == gold
        for label in MODALITIES:
            key = f"modality:{label}"
            counts[key][0] += gold == label and modality == label
            counts[key][1] += modality == label and gold != label
            counts[key][2] += gold == label and modality != label
        for topic in TOPICS:
            key = f"topic:{topic}"
            counts[key][0] += topic in row.topics and topic in topics
            counts[key][1] += topic in topics and topic not in row.topics
            counts[key][2] += topic in row.topics and topic not in topics
    topic_totals = [sum(counts[f"topic:{t}"][i] for t in TOPICS) for i in range(3)]
    normative_scores = _prf(*counts["normative"])
    return {
        "sentences": len(rows),
        "normative": normative_scores,
        "normative_f1": normative_scores["f1"],
        "modality_accuracy": round(correct_modality / gold_normative, 4) if gold_normative else 0.0,
        "modality": {m: _prf(*counts[f"modality:{m}"]) for m in MODALITIES},
        "topics": {t: _prf(*counts[f"topic:{t}"]) for t in TOPICS},
        "topic_micro_f1": _prf(*topic_totals)["f1"],
    }


def evaluate(classifier: Classifier | None, rows: list[LabelledSentence]) -> dict[str, dict]:
    """``{language: metrics}`` for each language present in ``rows``."""
    by_language: dict[str, list[LabelledSentence]] = defaultdict(list)
    for row in rows:
        by_language["zh" if row.language == "zh" else "en"].append(row)
    return {
        language: score(language_rows, predict(classifier, language_rows, language))
        for language, language_rows in sorted(by_language.items())
    }
