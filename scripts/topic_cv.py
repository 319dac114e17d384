"""Cross-validate the topic classifier on the TRAIN split only (never held-out).

Trains k folds, keeps each held-back fold's raw classifier scores, then scores topic
decision rules (threshold, max topics, model weight, per-topic thresholds) on them.
Usage: python scripts/topic_cv.py en [folds]
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

from obligations.nlp.components import TOPICS
from obligations.nlp.keywords import topics_mentioned
from obligations.nlp.training import TrainingSettings, read_split, train_pipeline

CACHE = Path("/tmp/topic_cv")


def collect(language: str, folds: int) -> list[tuple[str, tuple[str, ...], dict]]:
    rows = read_split(language, "train")
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    out = []
    for fold in range(folds):
        test = {i for k, i in enumerate(order) if k % folds == fold}
        settings = TrainingSettings(
            ngram_size=int(os.environ.get("NGRAMS", "0")),
            epochs=int(os.environ.get("EPOCHS", "12")),
            concepts=os.environ.get("CONCEPTS", "1") == "1",
            learn_rate=float(os.environ.get("LR", "0.002")),
        )
        nlp = train_pipeline(language, [r for i, r in enumerate(rows) if i not in test], settings)
        topics = nlp.get_pipe("topics")
        for i in sorted(test):
            doc = nlp.get_pipe("primary_topic")(topics(nlp.make_doc(rows[i].text)))
            out.append((rows[i].text, rows[i].topics, dict(doc.cats)))
    return out


def decide(text, cats, weight, threshold, max_topics, per_topic=None):
    model = {t: weight * cats.get(t, 0.0) for t in TOPICS}
    hits = topics_mentioned(text)
    scores = {t: model[t] + (1 - weight) * (t in hits) for t in TOPICS}
    limit = per_topic or {}
    ranked = sorted(scores, key=lambda t: -scores[t])
    chosen = [t for t in ranked if scores[t] >= limit.get(t, threshold)][:max_topics]
    if not chosen:
        chosen = [ranked[0]]
    return chosen


def micro(data, **kw):
    tp = fp = fn = 0
    per = {t: [0, 0, 0] for t in TOPICS}
    for text, gold, cats in data:
        pred = decide(text, cats, **kw)
        for t in TOPICS:
            a, b = t in gold, t in pred
            per[t][0] += a and b
            per[t][1] += b and not a
            per[t][2] += a and not b
    tp, fp, fn = (sum(v[i] for v in per.values()) for i in range(3))
    f = 2 * tp / (2 * tp + fp + fn)
    return f, {t: round(2 * v[0] / max(1, 2 * v[0] + v[1] + v[2]), 3) for t, v in per.items()}


if __name__ == "__main__":
    language = sys.argv[1]
    folds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    data = collect(language, folds)
    CACHE.mkdir(exist_ok=True)
    (
        CACHE / f"{language}{os.environ.get('NGRAMS', '')}e{os.environ.get('EPOCHS', '')}"
        f"c{os.environ.get('CONCEPTS', '1')}lr{os.environ.get('LR', '')}.json"
    ).write_text(json.dumps(data))
    base = micro(data, weight=0.8, threshold=0.3, max_topics=3)
    print("current decider", round(base[0], 4), json.dumps(base[1]))
    best = max(
        (
            (w, th, m)
            for w in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
            for th in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
            for m in (1, 2, 3)
        ),
        key=lambda p: micro(data, weight=p[0], threshold=p[1], max_topics=p[2])[0],
    )
    result = micro(data, weight=best[0], threshold=best[1], max_topics=best[2])
    print("best (weight, threshold, max)", best, round(result[0], 4), json.dumps(result[1]))
