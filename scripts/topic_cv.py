"""Cross-validate the topic classifiers on the TRAIN split only (never held-out).

Trains one model per fold, keeps each held-back sentence's classifier scores, then scores
the topic decision settings of ``regwatch_decide_topics`` (model weight, threshold, max
topics, primary weight) on them and prints the best.

    python scripts/topic_cv.py en            # 5 random folds
    python scripts/topic_cv.py en --by-file  # leave one train file out: each file was
                                             # written by different people, so this
                                             # measures how settings carry to new writing
    python scripts/topic_cv.py en --by-file --folds 5  # the same with the files dealt
                                             # into 5 groups: 5 trainings, not one per file

Environment knobs for experiments: EPOCHS, NGRAMS, LR, CONCEPTS (1/0), CONCEPT_WEIGHT.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random

from spacy.tokens import Doc

from obligations.nlp.components import TOPICS
from obligations.nlp.evaluation import score
from obligations.nlp.training import (
    LabelledSentence,
    TrainingSettings,
    read_labelled,
    split_files,
    train_pipeline,
)

Scored = tuple[LabelledSentence, Doc]
GRID = {
    "model_weight": (0.6, 0.7, 0.8, 0.9, 1.0),
    "threshold": (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55),
    "max_topics": (2, 3),
    "primary_weight": (0.0, 0.3, 0.5, 0.7),
}


def _settings() -> TrainingSettings:
    return TrainingSettings(
        ngram_size=int(os.environ.get("NGRAMS", "0")),
        epochs=int(os.environ.get("EPOCHS", "12")),
        concepts=os.environ.get("CONCEPTS", "1") == "1",
        learn_rate=float(os.environ.get("LR", "0.002")),
        concept_weight=float(os.environ.get("CONCEPT_WEIGHT", "0")),
    )


def folds(language: str, by_file: bool, count: int | None) -> list[list[LabelledSentence]]:
    """The train split cut into folds: whole files (one per file, or dealt into ``count``
    groups), or ``count`` random ones."""
    files = [read_labelled(path) for path in split_files(language, "train")]
    if by_file and count:
        return [[row for rows in files[start::count] for row in rows] for start in range(count)]
    if by_file:
        return [rows for rows in files if rows]
    count = count or 5
    rows = [row for file_rows in files for row in file_rows]
    random.Random(0).shuffle(rows)
    return [rows[start::count] for start in range(count)]


def score_folds(language: str, parts: list[list[LabelledSentence]]) -> list[Scored]:
    """Each held-back sentence with its topic scores from a model trained without it."""
    scored = []
    for index, held_back in enumerate(parts):
        rest = [row for other, rows in enumerate(parts) if other != index for row in rows]
        nlp = train_pipeline(language, rest, _settings())
        stages = [nlp.get_pipe("topics"), nlp.get_pipe("primary_topic")]
        for row in held_back:
            if not row.topics:
                continue
            doc = nlp.make_doc(row.text)
            for stage in stages:
                doc = stage(doc)
            scored.append((row, doc))
    return scored


def micro_f1(scored: list[Scored], decider) -> float:  # type: ignore[no-untyped-def]
    """Topic micro-F1 of ``decider``'s choices, scored as ``regwatch nlp evaluate`` does."""
    rows = [row for row, _ in scored]
    predictions = [(row.modality, decider(doc)._.topics) for row, doc in scored]
    return score(rows, predictions)["topic_micro_f1"]


def best_settings(language: str, scored: list[Scored]) -> list[tuple[float, dict]]:
    """Every grid point's micro-F1, best first."""
    from obligations.nlp.components import TopicDecider

    results = []
    for values in itertools.product(*GRID.values()):
        config = dict(zip(GRID, values, strict=True))
        decider = TopicDecider(None, "regwatch_decide_topics", **config)  # type: ignore[arg-type]
        results.append((micro_f1(scored, decider), config))
    return sorted(results, key=lambda result: -result[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("language", choices=["en", "zh"])
    parser.add_argument("--by-file", action="store_true")
    parser.add_argument(
        "--folds", type=int, help="random folds (default 5); with --by-file: file groups"
    )
    parser.add_argument("--errors", type=int, default=0, help="print N misjudged sentences")
    args = parser.parse_args()
    scored = score_folds(args.language, folds(args.language, args.by_file, args.folds))
    ranked = best_settings(args.language, scored)
    print(f"{len(scored)} sentences, {len(TOPICS)} topics")
    for f1, config in ranked[:5]:
        print(f"micro-F1 {f1:.4f}  {config}")
    if args.errors:
        from obligations.nlp.components import TopicDecider

        decider = TopicDecider(None, "regwatch_decide_topics", **ranked[0][1])  # type: ignore[arg-type]
        wrong = [(row, decider(doc)._.topics) for row, doc in scored]
        wrong = [(row, topics) for row, topics in wrong if topics[0] not in row.topics]
        for row, topics in wrong[: args.errors]:
            print(f"{','.join(row.topics)} -> {','.join(topics)} | {row.text[:120]}")


if __name__ == "__main__":
    main()
