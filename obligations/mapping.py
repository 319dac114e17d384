"""Ranking controls for an obligation: topic overlap, text similarity and learned decisions.

Pure functions over plain data, so the ranking can be evaluated without a database;
:mod:`obligations.services.mapping` feeds them from the database and caches the index.

score = TOPIC_WEIGHT × topic overlap (set cosine of the obligation's and the control's topics)
      + TEXT_WEIGHT × TF-IDF cosine of the obligation with the control's title, description
        and references
      + LEARNED_WEIGHT × cosine with the obligations reviewers accepted for the control
      − REJECTED_WEIGHT × cosine with the obligations reviewers rejected it for;
a control rejected for this very obligation keeps only a fraction of its score.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from obligations.text.similarity import Vector, idf_weights, normalise, tfidf, tokens

TOPIC_WEIGHT = 0.2
TEXT_WEIGHT = 0.8
LEARNED_WEIGHT = 0.4
REJECTED_WEIGHT = 0.3
REJECTED_HERE_FACTOR = 0.2
TITLE_REPEAT = 2  # the title counts twice: it names what the control is for


@dataclass(frozen=True)
class ControlText:
    """What the ranking needs to know about one control."""

    id: str
    title: str
    description: str | None = None
    topics: tuple[str, ...] = ()
    references: tuple[str, ...] = ()

    def words(self) -> list[str]:
        """The tokens of the control's text."""
        text = " ".join(
            [*[self.title] * TITLE_REPEAT, self.description or "", " ".join(self.references)]
        )
        return tokens(text)


@dataclass(frozen=True)
class Suggestion:
    """A ranked control for an obligation, with why it was suggested."""

    control_id: str
    title: str
    score: float
    reasons: tuple[str, ...]


class LearnedProfiles:
    """The obligations reviewers accepted or rejected each control for, as word vectors.

    Each control's accepted (and rejected) obligations are summed into a unit centroid;
    centroids sit in inverted indexes that are patched, control by control, as decisions
    arrive, so scoring an obligation touches only the controls that share a word with it.
    """

    STATES = ("accepted", "rejected")

    def __init__(self) -> None:
        self.decisions: dict[str, dict[str, dict[int, Vector]]] = {
            state: defaultdict(dict) for state in self.STATES
        }
        self._centroids: dict[str, dict[str, Vector]] = {state: {} for state in self.STATES}
        self._postings: dict[str, dict[str, dict[str, float]]] = {
            state: defaultdict(dict) for state in self.STATES
        }
        self._dirty: set[str] = set()

    def record(self, control_id: str, obligation_id: int, state: str, vector: Vector) -> None:
        """Note one decision (replacing an earlier one for the same pair)."""
        for known in self.STATES:
            self.decisions[known][control_id].pop(obligation_id, None)
        self.decisions[state][control_id][obligation_id] = vector
        self._dirty.add(control_id)

    def _refresh(self) -> None:
        for control_id in self._dirty:
            for state in self.STATES:
                postings = self._postings[state]
                for token in self._centroids[state].pop(control_id, {}):
                    postings[token].pop(control_id, None)
                summed: dict[str, float] = defaultdict(float)
                for vector in self.decisions[state].get(control_id, {}).values():
                    for token, weight in vector.items():
                        summed[token] += weight
                centroid = normalise(summed)
                if centroid:
                    self._centroids[state][control_id] = centroid
                    for token, weight in centroid.items():
                        postings[token][control_id] = weight
        self._dirty.clear()

    def scores(self, vector: Vector, state: str) -> dict[str, float]:
        """Cosine of ``vector`` with each control's centroid of decisions in ``state``."""
        self._refresh()
        postings = self._postings[state]
        scores: dict[str, float] = defaultdict(float)
        for token, weight in vector.items():
            for control_id, centroid_weight in postings.get(token, {}).items():
                scores[control_id] += weight * centroid_weight
        return scores

    def count(self, control_id: str, state: str) -> int:
        """How many obligations have this decision for the control."""
        return len(self.decisions[state].get(control_id, {}))


class ControlIndex:
    """TF-IDF vectors of a control library with an inverted index for fast scoring."""

    def __init__(self, controls: Iterable[ControlText]) -> None:
        self.controls = {control.id: control for control in controls}
        words = {control_id: control.words() for control_id, control in self.controls.items()}
        self.idf, self.default_idf = idf_weights(words.values())
        self.vectors = {cid: tfidf(w, self.idf, self.default_idf) for cid, w in words.items()}
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for control_id, vector in self.vectors.items():
            for token, weight in vector.items():
                self.postings[token].append((control_id, weight))
        self.topic_controls: dict[str, list[str]] = defaultdict(list)
        for control in self.controls.values():
            for topic in control.topics:
                self.topic_controls[topic].append(control.id)

    def vector(self, text: str) -> Vector:
        """The TF-IDF vector of an obligation's text in this index's weighting."""
        return tfidf(tokens(text), self.idf, self.default_idf)

    def text_scores(self, vector: Vector) -> dict[str, float]:
        """Cosine of ``vector`` with every control sharing a token."""
        scores: dict[str, float] = defaultdict(float)
        for token, weight in vector.items():
            for control_id, control_weight in self.postings.get(token, ()):
                scores[control_id] += weight * control_weight
        return scores

    def topic_scores(self, topics: Iterable[str]) -> dict[str, float]:
        """Set cosine of the obligation's topics with each control's topics."""
        wanted = set(topics)
        overlap: dict[str, int] = defaultdict(int)
        for topic in wanted:
            for control_id in self.topic_controls.get(topic, ()):
                overlap[control_id] += 1
        return {
            control_id: shared / math.sqrt(len(wanted) * len(self.controls[control_id].topics))
            for control_id, shared in overlap.items()
        }


def _shared_words(vector: Vector, control_vector: Vector, limit: int = 4) -> list[str]:
    shared = [(w * control_vector[t], t) for t, w in vector.items() if t in control_vector]
    return [token for _, token in sorted(shared, reverse=True)[:limit]]


def rank_controls(
    index: ControlIndex,
    text: str,
    topics: Iterable[str],
    learned: LearnedProfiles | None = None,
    rejected_here: Iterable[str] = (),
    limit: int = 5,
) -> list[Suggestion]:
    """The ``limit`` best controls for an obligation's text and topics."""
    topics = list(dict.fromkeys(topics))
    vector = index.vector(text)
    text_scores = index.text_scores(vector)
    topic_scores = index.topic_scores(topics)
    learned_scores: dict[str, float] = {}
    rejected_scores: dict[str, float] = {}
    if learned is not None:
        learned_scores = learned.scores(vector, "accepted")
        rejected_scores = learned.scores(vector, "rejected")
    rejected_here = set(rejected_here)
    candidates = set(text_scores) | set(topic_scores) | set(learned_scores) | rejected_here
    scored = []
    for control_id in candidates:
        if control_id not in index.controls:
            continue
        score = (
            TOPIC_WEIGHT * topic_scores.get(control_id, 0.0)
            + TEXT_WEIGHT * text_scores.get(control_id, 0.0)
            + LEARNED_WEIGHT * learned_scores.get(control_id, 0.0)
            - REJECTED_WEIGHT * rejected_scores.get(control_id, 0.0)
        )
        if control_id in rejected_here:
            score *= REJECTED_HERE_FACTOR
        scored.append((score, control_id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    suggestions = []
    for score, control_id in scored[:limit]:
        control = index.controls[control_id]
        reasons = []
        shared_topics = [t for t in topics if t in control.topics]
        if shared_topics:
            reasons.append("topics: " + ", ".join(shared_topics))
        words = _shared_words(vector, index.vectors[control_id])
        if words:
            reasons.append("words: " + ", ".join(w.removeprefix("zh:") for w in words))
        if learned_scores.get(control_id, 0.0) > 0.1:
            count = learned.count(control_id, "accepted") if learned else 0
            reasons.append(f"accepted for {count} similar obligation(s)")
        if rejected_scores.get(control_id, 0.0) > 0.1:
            reasons.append("rejected for similar obligations")
        if control_id in rejected_here:
            reasons.append("rejected for this obligation")
        suggestions.append(Suggestion(control_id, control.title, round(score, 4), tuple(reasons)))
    return suggestions
