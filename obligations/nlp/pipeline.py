"""Loading the trained spaCy pipelines into the extraction step."""

from __future__ import annotations

from pathlib import Path

TRAINED_DIR = Path(__file__).with_name("trained")


def default_classifier(directory: Path = TRAINED_DIR):  # -> SpacyClassifier | None
    """The classifier over the shipped pipelines, or None when none has been built."""
    from obligations.nlp.classifier import SpacyClassifier

    if not any((directory / language / "config.cfg").is_file() for language in ("en", "zh")):
        return None
    return SpacyClassifier.load(directory)


def load_default_classifier(directory: Path = TRAINED_DIR):  # -> SpacyClassifier | None
    """Install the shipped trained classifier, if one has been built (else rules alone)."""
    from obligations.nlp.model import set_classifier

    classifier = default_classifier(directory)
    set_classifier(classifier)
    return classifier
