"""A small model trained in the test learns, reproducibly, and round-trips to disk."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import spacy

from obligations.nlp.classifier import SpacyClassifier
from obligations.nlp.components import PRIMARY_LABELS, PRIMARY_PREFIX, TOPICS
from obligations.nlp.evaluation import evaluate
from obligations.nlp.training import TrainingSettings, read_split, train_pipeline

SMALL = TrainingSettings(seed=3, epochs=4, bow_length=2**12)


def _subset(language: str, size: int) -> list:
    rows = read_split(language, "train")
    random.Random(0).shuffle(rows)
    return rows[:size]


@pytest.fixture(scope="module")
def english_model():  # type: ignore[no-untyped-def]
    return train_pipeline("en", _subset("en", 400), SMALL)


def test_small_english_model_beats_the_trivial_baselines(english_model) -> None:  # type: ignore[no-untyped-def]
    heldout = read_split("en", "heldout")
    metrics = evaluate(SpacyClassifier({"en": english_model}), heldout)["en"]
    # Trivial baselines: call everything an obligation about the commonest topic.
    normative_share = sum(row.modality is not None for row in heldout) / len(heldout)
    trivial_normative_f1 = 2 * normative_share / (1 + normative_share)
    obligation_share = sum(row.modality == "obligation" for row in heldout if row.modality) / sum(
        row.modality is not None for row in heldout
    )
    assert metrics["normative_f1"] > trivial_normative_f1 + 0.03
    assert metrics["modality_accuracy"] > obligation_share + 0.2
    assert metrics["topic_micro_f1"] > 0.4


def test_topic_classifier_learns_beyond_keywords(english_model) -> None:  # type: ignore[no-untyped-def]
    doc = english_model("Member firms must preserve instant messages for three years.")
    assert doc._.modality == "obligation"
    assert "record_retention" in doc._.topics
    assert 0.5 < doc._.confidence <= 1.0
    assert doc.cats["record_retention"] > doc.cats["export_controls"]


def test_training_is_reproducible() -> None:
    rows = _subset("zh", 120)
    first = train_pipeline("zh", rows, SMALL)
    second = train_pipeline("zh", rows, SMALL)
    sentence = "会员单位不得为虚拟货币交易提供服务。"
    assert first(sentence).cats == second(sentence).cats


def test_saved_pipeline_loads_with_its_components(english_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    english_model.to_disk(tmp_path / "en")
    loaded = SpacyClassifier.load(tmp_path)
    sentence = "Firms may not use personal devices for business messages."
    [verdict] = loaded.classify_many([sentence], "en", [None])
    original = SpacyClassifier({"en": english_model}).classify_many([sentence], "en", [None])[0]
    assert verdict == original
    assert verdict.modality == "prohibition"
    # A language without a trained model falls back to the rule components.
    [chinese] = loaded.classify_many(["机构应当保存客户资料。"], "zh", [None])
    assert chinese.modality == "obligation" and "record_retention" in chinese.topics


def test_evaluation_reports_every_key() -> None:
    rows = read_split("zh", "heldout")[:30]
    metrics = evaluate(None, rows)
    scores = metrics["zh"]
    assert {"normative_f1", "modality_accuracy", "topic_micro_f1", "modality", "topics"} <= set(
        scores
    )
    assert set(scores["modality"]) == {"obligation", "prohibition", "permission", "recommendation"}
    assert len(scores["topics"]) == 14
    assert set(scores["normative"]) == {"precision", "recall", "f1", "support"}


def test_primary_topic_classifier_names_the_main_topic(english_model) -> None:  # type: ignore[no-untyped-def]
    doc = english_model(
        "Firms must screen every customer against the OFAC sanctions list before onboarding."
    )
    primary = {label: score for label, score in doc.cats.items() if label in PRIMARY_LABELS}
    assert len(primary) == 14 and abs(sum(primary.values()) - 1.0) < 1e-3  # one main topic
    assert doc._.topics[0] == "sanctions"


@pytest.mark.parametrize(("primary_weight", "main"), [(0.0, "reporting"), (1.0, "aml_kyc")])
def test_topic_decider_weighs_the_primary_classifier(primary_weight: float, main: str) -> None:
    nlp = spacy.blank("en")
    decider = nlp.add_pipe(
        "regwatch_decide_topics",
        config={
            "model_weight": 1.0,
            "threshold": 0.5,
            "max_topics": 2,
            "primary_weight": primary_weight,
        },
    )
    doc = nlp.make_doc("A sentence whose scores are set by hand.")
    doc.cats = {topic: 0.0 for topic in TOPICS} | {"reporting": 0.9, "aml_kyc": 0.6}
    doc.cats |= {label: 0.0 for label in PRIMARY_LABELS} | {PRIMARY_PREFIX + "aml_kyc": 0.95}
    doc = decider(doc)
    assert doc._.topics[0] == main
    assert set(doc._.topics) == {"reporting", "aml_kyc"}  # the other clears the threshold


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_train_sentence_is_a_near_copy_of_a_heldout_one(language: str) -> None:
    """Held-out scores measure new writing only if training never saw a near copy of it."""
    from rapidfuzz import fuzz, process

    heldout = [row.text for row in read_split(language, "heldout")]
    copies = [
        (row.text, match[0])
        for row in read_split(language, "train")
        if (match := process.extractOne(row.text, heldout, scorer=fuzz.ratio, score_cutoff=80))
    ]
    assert not copies, copies[:3]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_train_texts_are_unique(language: str) -> None:
    texts = [row.text.strip().lower() for row in read_split(language, "train")]
    assert len(texts) == len(set(texts))
