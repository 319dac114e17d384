"""Extraction of normative statements: segmentation, modality, topics and entities.

``extract_statements`` is the single entry point used by the CLI, the crawl pipeline
and the tests. A trained classifier (``obligations.nlp.model``), when present, decides
together with the cue rules; without one, the rules decide alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from obligations.nlp.cues import decide_by_cues
from obligations.nlp.entities import extract_entities
from obligations.nlp.keywords import keyword_topics
from obligations.nlp.language import detect_language
from obligations.nlp.segment import split_sentences

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

    def as_json(self) -> dict:
        """The JSONL object of ``regwatch extract``."""
        data = asdict(self)
        data.pop("language")
        return data


def _rule_topics(sentence: str) -> list[str]:
    hits = keyword_topics(sentence)
    ranked = sorted(hits, key=lambda topic: -hits[topic])
    return ranked[:3] or ["governance_supervision"]


def extract_statements(text: str, language: str = "auto") -> list[Statement]:
    """Every normative statement in ``text`` with offsets into ``text``."""
    from obligations.nlp.model import get_classifier

    if language == "auto":
        language = detect_language(text)
    classifier = get_classifier()
    statements: list[Statement] = []
    inherited: str | None = None  # a lead-in "Firms shall:" lends its modality to items
    for start, end in split_sentences(text, language):
        sentence = text[start:end]
        if len(sentence) > MAX_STATEMENT_CHARS:
            continue
        sentence_language = detect_language(sentence) if language == "zh" else language
        cue = decide_by_cues(sentence, sentence_language)
        modality = cue.modality
        is_item = sentence.lstrip().startswith(("(", "（")) or sentence[:1].isdigit()
        if modality is None and not cue.vetoed and inherited and is_item:
            modality = inherited
        confidence = 0.75 if modality else 0.0
        topics = _rule_topics(sentence)
        if classifier is not None:
            verdict = classifier.classify(sentence, sentence_language, cue, modality)
            modality, confidence = verdict.modality, verdict.confidence
            topics = verdict.topics or topics
        if sentence.rstrip().endswith((":", "：")):
            inherited = modality
        elif not is_item:
            inherited = None
        if modality is None:
            continue
        statements.append(
            Statement(
                text=sentence,
                start=start,
                end=end,
                modality=modality,
                topics=topics,
                confidence=round(confidence, 3),
                language=sentence_language,
                entities=extract_entities(sentence, sentence_language),
            )
        )
    return statements
