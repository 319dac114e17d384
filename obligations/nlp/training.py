"""Training and packaging the per-language pipelines, reproducibly (seeded).

The labelled sentences live in ``data/training/<lang>/{train,heldout}-*.jsonl``, one
object per line: ``text``, ``lang``, ``normative``, ``modality`` (null when not
normative), ``topics`` and ``retention_period_days``.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from obligations.errors import InputFileError
from obligations.nlp import components, features
from obligations.nlp.components import (
    MODALITIES,
    MODALITY_LABELS,
    NONE_LABEL,
    PRIMARY_LABELS,
    PRIMARY_PREFIX,
    TOPICS,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "training"
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class TrainingSettings:
    """Knobs of one training run; the defaults build the shipped models."""

    seed: int = 7
    epochs: int = 12
    bow_length: int = 2**16
    dropout: float = 0.1
    batch_size: int = 16
    learn_rate: float = 0.002
    ngram_size: int = 0  # 0: the per-language defaults below
    concepts: bool = True  # topic classifiers also see topic-term concept features
    concept_weight: float = 0.0  # 0: the per-language defaults below


@dataclass(frozen=True)
class LabelledSentence:
    """One line of a training file."""

    text: str
    language: str
    modality: str | None
    topics: tuple[str, ...]


def read_labelled(path: Path) -> list[LabelledSentence]:
    """The labelled sentences of one JSONL file; InputFileError names a bad line."""
    rows = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            modality = row["modality"] if row.get("normative", True) else None
            if modality not in (*MODALITIES, None):
                raise ValueError(f"unknown modality {modality!r}")
            topics = tuple(row.get("topics") or ())
            unknown = [topic for topic in topics if topic not in TOPICS]
            if unknown:
                raise ValueError(f"unknown topic {unknown[0]!r}")
            rows.append(LabelledSentence(row["text"], row.get("lang", "en"), modality, topics))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputFileError(f"{path}: line {number}: {exc}") from None
    return rows


def split_files(language: str, split: str, data_dir: Path = DATA_DIR) -> list[Path]:
    """The files of one split (``train`` or ``heldout``) of a language."""
    return sorted((data_dir / language).glob(f"{split}-*.jsonl"))


def read_split(language: str, split: str, data_dir: Path = DATA_DIR) -> list[LabelledSentence]:
    """All labelled sentences of one split of a language."""
    return [row for path in split_files(language, split, data_dir) for row in read_labelled(path)]


# How classifier scores and topic terms decide topics, per language: chosen by
# cross-validation on the train split only, holding out whole files (scripts/topic_cv.py
# --by-file [--folds 5]: each file has other writers, as new publications will), never on
# held-out. English: five file groups over the 10,486-sentence train split (micro-F1 0.829).
TOPIC_DECISION = {
    "en": {"model_weight": 0.9, "threshold": 0.35, "max_topics": 2, "primary_weight": 0.3},
    "zh": {"model_weight": 0.7, "threshold": 0.5, "max_topics": 3, "primary_weight": 0.3},
}
# The value of a concept feature against a word's 1, per language (same CV).
CONCEPT_WEIGHT = {"en": 3.0, "zh": 1.0}


def _bow(exclusive: bool, ngram_size: int, length: int, concept_weight: float = 0.0) -> dict:
    """A bag-of-words classifier; with ``concept_weight`` it also sees topic concepts."""
    architecture = {
        "@architectures": "regwatch.TextCatBOW.v2" if concept_weight else "regwatch.TextCatBOW.v1",
        "exclusive_classes": exclusive,
        "ngram_size": ngram_size,
        "no_output_layer": False,
        "length": length,
    }
    if concept_weight:
        architecture["concept_weight"] = concept_weight
    return architecture


def build_pipeline(language: str, settings: TrainingSettings = TrainingSettings()) -> Language:
    """A blank ``en``/``zh`` pipeline with the rule components and two untrained classifiers."""
    assert components.MODALITY_LABELS and features.stem_en  # the imports register factories
    nlp = spacy.blank(
        language, config={"nlp": {"after_creation": {"@callbacks": "regwatch.install_norms.v1"}}}
    )
    # Chinese features are characters, English ones words; modality needs longer n-grams
    # ("is not required to", "不得") than topics, which use word pairs in English since the
    # train split grew past 4,000 sentences (leave-one-file-out CV: 0.847 → 0.859).
    if language == "en":
        nlp.tokenizer = features.light_tokenizer(nlp)
    ngrams = settings.ngram_size or (3 if language == "zh" else 2)
    topic_ngrams = settings.ngram_size or 2
    concept_weight = settings.concept_weight or CONCEPT_WEIGHT.get(language, 1.0)
    concepts = concept_weight if settings.concepts else 0.0
    nlp.add_pipe("regwatch_segmenter")
    nlp.add_pipe("regwatch_cues")
    nlp.add_pipe(
        "textcat", name="modality", config={"model": _bow(True, ngrams, settings.bow_length)}
    )
    nlp.add_pipe("regwatch_decide")
    nlp.add_pipe(
        "textcat_multilabel",
        name="topics",
        config={"model": _bow(False, topic_ngrams, settings.bow_length, concepts)},
    )
    nlp.add_pipe(
        "textcat",
        name="primary_topic",
        config={"model": _bow(True, topic_ngrams, settings.bow_length, concepts)},
    )
    nlp.add_pipe("regwatch_decide_topics", config=TOPIC_DECISION.get(language, {}))
    return nlp


def _examples(nlp: Language, rows: Iterable[LabelledSentence]) -> tuple[list, list, list]:
    modality_examples, topic_examples, primary_examples = [], [], []
    for row in rows:
        gold = row.modality or NONE_LABEL
        modality_cats = {label: float(label == gold) for label in MODALITY_LABELS}
        modality_examples.append(Example.from_dict(nlp.make_doc(row.text), {"cats": modality_cats}))
        if row.topics:
            topic_cats = {topic: float(topic in row.topics) for topic in TOPICS}
            topic_examples.append(Example.from_dict(nlp.make_doc(row.text), {"cats": topic_cats}))
            main = PRIMARY_PREFIX + row.topics[0]
            primary = {label: float(label == main) for label in PRIMARY_LABELS}
            primary_examples.append(Example.from_dict(nlp.make_doc(row.text), {"cats": primary}))
    return modality_examples, topic_examples, primary_examples


def train_pipeline(
    language: str, rows: list[LabelledSentence], settings: TrainingSettings = TrainingSettings()
) -> Language:
    """Train the modality and topic classifiers of one language on ``rows`` (seeded)."""
    fix_random_seed(settings.seed)
    nlp = build_pipeline(language, settings)
    modality_examples, topic_examples, primary_examples = _examples(nlp, rows)
    nlp.get_pipe("modality").initialize(
        lambda: modality_examples, nlp=nlp, labels=list(MODALITY_LABELS)
    )
    nlp.get_pipe("topics").initialize(lambda: topic_examples, nlp=nlp, labels=list(TOPICS))
    nlp.get_pipe("primary_topic").initialize(
        lambda: primary_examples, nlp=nlp, labels=list(PRIMARY_LABELS)
    )
    optimizer = nlp.create_optimizer()
    optimizer.learn_rate = settings.learn_rate
    shuffler = random.Random(settings.seed)
    for _ in range(settings.epochs):
        trained = {
            "modality": modality_examples,
            "topics": topic_examples,
            "primary_topic": primary_examples,
        }
        for name, examples in trained.items():
            order = examples[:]
            shuffler.shuffle(order)
            exclude = [other for other in trained if other != name]
            for batch in minibatch(order, size=settings.batch_size):
                nlp.update(batch, sgd=optimizer, drop=settings.dropout, exclude=exclude)
    nlp.meta.update(
        {
            "name": f"regwatch_{language}",
            "version": "0.1.0",
            "description": "regwatch modality and topic classifiers (rules + bag-of-words)",
            "training": {"sentences": len(rows), "seed": settings.seed, "epochs": settings.epochs},
        }
    )
    return nlp


def package_models(
    output_dir: Path,
    settings: TrainingSettings = TrainingSettings(),
    languages: Iterable[str] = LANGUAGES,
    data_dir: Path = DATA_DIR,
) -> dict[str, int]:
    """Train each language on its ``train`` split and write it to ``output_dir/<lang>``.

    Returns ``{language: training sentences}``. The same seed and data give the same model.
    """
    trained = {}
    for language in languages:
        rows = read_split(language, "train", data_dir)
        if not rows:
            raise InputFileError(f"{data_dir / language}: no train-*.jsonl sentences")
        nlp = train_pipeline(language, rows, settings)
        target = output_dir / language
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(target)
        trained[language] = len(rows)
    return trained
