"""The trained classifiers, loaded once per process when they have been built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from obligations.nlp.cues import CueDecision


@dataclass(frozen=True)
class Verdict:
    """A classifier's decision for one sentence."""

    modality: str | None
    confidence: float
    topics: list[str]


class Classifier(Protocol):
    """Decides modality and topics of a sentence, given the cue rules' verdict."""

    def classify(
        self, sentence: str, language: str, cue: CueDecision, rule_modality: str | None
    ) -> Verdict: ...


_classifier: Classifier | None = None


def get_classifier() -> Classifier | None:
    """The process-wide classifier, or None when no trained model is installed."""
    return _classifier


def set_classifier(classifier: Classifier | None) -> None:
    """Install (or remove) the classifier used by ``extract_statements``."""
    global _classifier
    _classifier = classifier
