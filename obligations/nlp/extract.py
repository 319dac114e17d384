"""Extraction of normative statements: segmentation, modality, topics and entities.

``extract_statements`` is the single entry point used by the CLI, the crawl pipeline
and the tests. A trained classifier (``obligations.nlp.model``), when present, decides
together with the cue rules; without one, the rules decide alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from obligations.nlp.cue_patterns import candidate_pattern
from obligations.nlp.cues import CueDecision, decide_by_cues
from obligations.nlp.entities import extract_entities
from obligations.nlp.keywords import keyword_topics
from obligations.nlp.language import detect_language
from obligations.nlp.model import Classifier, Verdict
from obligations.nlp.segment import split_sentences, split_sentences_mixed

MAX_STATEMENT_CHARS = 2_000


@dataclass
class Statement:
    """One normative statement found in a text."""

    text: str
    start: int
    end: int
    modality: str
    topics: list[str]
    confidence: float
    language: str
    entities: dict = field(default_factory=dict)
    topic_confidence: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The JSONL object of ``regwatch extract``."""
        data = asdict(self)
        data.pop("language")
        return data


def _rule_topics(sentence: str) -> list[str]:
    hits = keyword_topics(sentence)
    ranked = sorted(hits, key=lambda topic: -hits[topic])
    return ranked[:3] or ["governance_supervision"]


def _is_item(sentence: str) -> bool:
    return sentence.lstrip().startswith(("(", "（")) or sentence[:1].isdigit()


def is_candidate(sentence: str, language: str, cue: CueDecision) -> bool:
    """Rules-first filter: only sentences with some cue (or list items) reach the model."""
    if cue.modality or _is_item(sentence):
        return True
    return bool(candidate_pattern(language).search(sentence))


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    language: str
    cue: CueDecision
    verdict: Verdict | None = None


def _segment(text: str, language: str) -> list[tuple[int, int, str]]:
    if language == "auto":
        return split_sentences_mixed(text)
    spans = split_sentences(text, language)
    if language == "zh":
        return [(s, e, detect_language(text[s:e])) for s, e in spans]
    return [(s, e, language) for s, e in spans]


def _classify(classifier: Classifier, sentences: list[_Sentence]) -> None:
    """Batch the candidate sentences per language through the classifier."""
    for language in ("en", "zh"):
        batch = [
            s for s in sentences if s.language == language and is_candidate(s.text, language, s.cue)
        ]
        if not batch:
            continue
        # Items get their lead-in's modality later; the model sees them without it.
        verdicts = classifier.classify_many(
            [s.text for s in batch], language, [None] * len(batch), [s.cue for s in batch]
        )
        for sentence, verdict in zip(batch, verdicts, strict=True):
            sentence.verdict = verdict


def extract_statements(text: str, language: str = "auto") -> list[Statement]:
    """Every normative statement in ``text`` with offsets into ``text``.

    ``language`` ``auto`` decides per line and sentence, so mixed Chinese and English
    text is handled sentence by sentence.
    """
    from obligations.nlp.model import get_classifier

    classifier = get_classifier()
    sentences = [
        _Sentence(start, end, text[start:end], lang, decide_by_cues(text[start:end], lang))
        for start, end, lang in _segment(text, language)
        if end - start <= MAX_STATEMENT_CHARS
    ]
    if classifier is not None:
        _classify(classifier, sentences)
    statements: list[Statement] = []
    inherited: str | None = None  # a lead-in "Firms shall:" lends its modality to items
    for sentence in sentences:
        cue, is_item = sentence.cue, _is_item(sentence.text)
        topic_confidence: dict[str, float] = {}
        if classifier is None:
            modality = cue.modality
            confidence = 0.75 if modality else 0.0
            topics = _rule_topics(sentence.text)
        elif sentence.verdict is not None:
            modality, confidence = sentence.verdict.modality, sentence.verdict.confidence
            topics = sentence.verdict.topics
            topic_confidence = sentence.verdict.topic_confidence
        else:
            modality, confidence, topics = None, 0.0, []
        if modality is None and not cue.vetoed and inherited and is_item:
            modality, confidence = inherited, 0.75
            topics = topics or _rule_topics(sentence.text)
        if sentence.text.rstrip().endswith((":", "：")):
            inherited = modality or cue.modality
        elif not is_item:
            inherited = None
        if modality is None:
            continue
        statements.append(
            Statement(
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                modality=modality,
                topics=topics,
                confidence=round(confidence, 3),
                language=sentence.language,
                entities=extract_entities(sentence.text, sentence.language),
                topic_confidence=topic_confidence,
            )
        )
    return statements
