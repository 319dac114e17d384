"""Loading the trained spaCy classifiers into the extraction step."""

from __future__ import annotations


def load_default_classifier() -> None:
    """Install the shipped trained classifier, if one has been built (else rules alone)."""
    return None
