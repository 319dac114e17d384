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
from dataclasses import dataclass, field

from obligations.text.similarity import Vector, dot, idf_weights, normalise, tfidf, tokens

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


@dataclass
class LearnedProfiles:
    """The obligations reviewers accepted or rejected each control for, as word vectors."""

    accepted: dict[str, dict[int, Vector]] = field(default_factory=lambda: defaultdict(dict))
    rejected: dict[str, dict[int, Vector]] = field(default_factory=lambda: defaultdict(dict))
    _centroids: dict[tuple[str, str], Vector] = field(default_factory=dict)

    def record(self, control_id: str, obligation_id: int, state: str, vector: Vector) -> None:
        """Note one decision (replacing an earlier one for the same pair)."""
        self.accepted[control_id].pop(obligation_id, None)
        self.rejected[control_id].pop(obligation_id, None)
        target = self.accepted if state == "accepted" else self.rejected
        target[control_id][obligation_id] = vector
        self._centroids.pop((control_id, "accepted"), None)
        self._centroids.pop((control_id, "rejected"), None)

    def centroid(self, control_id: str, state: str) -> Vector:
        """The unit-length mean of the obligations with this decision for the control."""
        key = (control_id, state)
        if key not in self._centroids:
            summed: dict[str, float] = defaultdict(float)
            source = self.accepted if state == "accepted" else self.rejected
            for vector in source.get(control_id, {}).values():
                for token, weight in vector.items():
                    summed[token] += weight
            self._centroids[key] = normalise(summed)
        return self._centroids[key]

    def count(self, control_id: str, state: str) -> int:
        """How many obligations have this decision for the control."""
        source = self.accepted if state == "accepted" else self.rejected
        return len(source.get(control_id, {}))

    def decided_controls(self) -> set[str]:
        """Controls with at least one decision."""
        return {c for c, v in self.accepted.items() if v} | {
            c for c, v in self.rejected.items() if v
        }


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
        for control_id in learned.decided_controls():
            if control_id not in index.controls:
                continue
            if learned.count(control_id, "accepted"):
                learned_scores[control_id] = dot(vector, learned.centroid(control_id, "accepted"))
            if learned.count(control_id, "rejected"):
                rejected_scores[control_id] = dot(vector, learned.centroid(control_id, "rejected"))
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
