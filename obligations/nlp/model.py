"""The trained classifiers, loaded once per process when they have been built.

``get_classifier`` loads the models shipped in ``obligations/nlp/trained/`` on first use
(see :func:`obligations.nlp.pipeline.load_default_classifier`); ``set_classifier`` puts
another in place, or ``None`` for the rules alone. ``REGWATCH_NLP_RULES_ONLY=1`` skips
the models.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from obligations.nlp.cues import CueDecision


@dataclass(frozen=True)
class Verdict:
    """A classifier's decision for one sentence."""

    modality: str | None
    confidence: float
    topics: list[str]
    topic_confidence: dict[str, float] = field(default_factory=dict)


class Classifier(Protocol):
    """Decides modality and topics of a sentence, given the cue rules' verdict."""

    def classify(
        self, sentence: str, language: str, cue: CueDecision, rule_modality: str | None
    ) -> Verdict: ...

    def classify_many(
        self,
        sentences: Sequence[str],
        language: str,
        inherited: Sequence[str | None],
        cues: Sequence[CueDecision | None] | None = None,
        all_topics: bool = False,
    ) -> list[Verdict]: ...


_UNSET = object()
_classifier: Classifier | object | None = _UNSET


def get_classifier() -> Classifier | None:
    """The process-wide classifier, or None when no trained model is installed."""
    global _classifier
    if _classifier is _UNSET:
        if os.environ.get("REGWATCH_NLP_RULES_ONLY", "").strip() in ("1", "true", "yes"):
            _classifier = None
        else:
            from obligations.nlp.pipeline import default_classifier

            _classifier = default_classifier()
    return _classifier  # type: ignore[return-value]


def set_classifier(classifier: Classifier | None) -> None:
    """Install (or remove) the classifier used by ``extract_statements``."""
    global _classifier
    _classifier = classifier
