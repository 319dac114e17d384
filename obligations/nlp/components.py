"""Registered spaCy components of the extraction pipeline (``en`` and ``zh``).

The pipeline built by :func:`obligations.nlp.training.build_pipeline` is::

    regwatch_segmenter → regwatch_cues → modality (textcat) → regwatch_decide
    → topics (textcat_multilabel) → primary_topic (textcat) → regwatch_decide_topics

- ``regwatch_segmenter`` marks sentence and clause starts with the offset-keeping rules
  of :mod:`obligations.nlp.segment` (numbered lists, "(a)" clauses, headings, 。；).
- ``regwatch_cues`` gives the rule verdict: the cue regexes of :mod:`obligations.nlp.cues`
  plus phrase patterns from ``patterns/<lang>.jsonl`` (PhraseMatcher), including negation.
- ``regwatch_decide`` mixes the rule verdict with the modality classifier's scores, and
  ``regwatch_decide_topics`` the topic classifiers' with strong topic terms
  (``patterns/topic_terms.toml``): the exclusive ``primary_topic`` classifier helps pick
  the main topic, the multi-label one adds others; each decision carries a score
  (``doc._.confidence``, ``doc._.topic_scores``).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from obligations.nlp.cue_patterns import load_patterns
from obligations.nlp.cues import decide_by_cues
from obligations.nlp.keywords import term_hits
from obligations.nlp.segment import split_sentences

MODALITIES = ("obligation", "prohibition", "permission", "recommendation")
NONE_LABEL = "none"
MODALITY_LABELS = (*MODALITIES, NONE_LABEL)
TOPICS = (
    "record_retention", "communications_archiving", "crypto_assets", "aml_kyc", "sanctions",
    "export_controls", "data_privacy", "cybersecurity", "marketing_communications",
    "consumer_protection", "reporting", "licensing_registration", "governance_supervision",
    "platform_conduct",
)  # fmt: skip
# The exclusive classifier of a sentence's main topic labels its classes "primary:<id>".
PRIMARY_PREFIX = "primary:"
PRIMARY_LABELS = tuple(PRIMARY_PREFIX + topic for topic in TOPICS)
_PRIORITY = ("prohibition", "obligation", "recommendation", "permission")
# A phrase-pattern cue alone is weaker evidence than a cue regex: its rule vote is split
# between its modality and "none", so the classifier settles it.
WEAK_CUE_STRENGTH = 0.5

for _name, _default in (
    ("sentence", None),
    ("cue", None),
    ("rule_modality", None),
    ("rule_strength", 0.0),
    ("rule_vetoed", False),
    ("inherited_modality", None),
    ("modality", None),
    ("confidence", 0.0),
    ("topics", []),
    ("topic_scores", {}),
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


@Language.factory("regwatch_segmenter")
class Segmenter:
    """Sets sentence starts at the sentence and clause boundaries of ``segment.py``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.language = nlp.lang

    def __call__(self, doc: Doc) -> Doc:
        starts = sorted(start for start, _ in split_sentences(doc.text, self.language))
        position = 0
        for token in doc:
            end = token.idx + len(token.text)
            while position < len(starts) and starts[position] < token.idx:
                position += 1
            token.is_sent_start = (
                token.i == 0 or (position < len(starts) and starts[position] < end) or False
            )
        return doc


@Language.factory("regwatch_cues")
class ModalityCues:
    """The rule verdict: cue regexes, then phrase patterns (incl. negation) as a refinement.

    Writes ``doc.spans["cues"]`` (labelled phrase cues), ``doc._.rule_modality``,
    ``doc._.rule_strength`` (1.0 regex cue, 0.5 phrase cue only) and ``doc._.rule_vetoed``.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.language = "zh" if nlp.lang == "zh" else "en"
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        by_label: dict[str, list[Doc]] = {}
        for label, phrase in load_patterns(self.language):
            by_label.setdefault(label, []).append(nlp.make_doc(phrase))
        for label, docs in by_label.items():
            self.matcher.add(label, docs)

    def __call__(self, doc: Doc) -> Doc:
        spans = self.matcher(doc, as_spans=True)
        doc.spans["cues"] = spans
        text = doc._.sentence or doc.text
        cue = doc._.cue or decide_by_cues(text, self.language)
        doc._.cue = cue
        modality, strength = cue.modality, 1.0 if cue.modality else 0.0
        labels = {span.label_ for span in spans} - {"NEGATION"}
        if modality and cue.cue:
            modality = self._refine(text, spans, modality, cue.cue)
        elif not cue.vetoed and labels:
            modality = next(m for m in _PRIORITY if m in labels)
            strength = WEAK_CUE_STRENGTH
        if modality is None and not cue.vetoed and doc._.inherited_modality:
            modality, strength = doc._.inherited_modality, WEAK_CUE_STRENGTH
        doc._.rule_modality, doc._.rule_strength = modality, strength
        doc._.rule_vetoed = cue.vetoed
        return doc

    def _refine(self, text: str, spans: list[Span], modality: str, cue_text: str) -> str:
        cue_start = text.find(cue_text)
        cue_end = cue_start + len(cue_text)
        for span in spans:
            if span.label_ == "NEGATION":
                continue
            covers = span.start_char <= cue_start and span.end_char >= cue_end
            if covers and span.end_char - span.start_char > cue_end - cue_start:
                return span.label_  # the longer phrase wins: "is not required to"
        if modality in ("obligation", "permission") and any(
            span.label_ == "prohibition" for span in spans
        ):
            return "prohibition"
        if modality == "permission" and any(
            span.label_ == "NEGATION" and 0 <= cue_start - span.end_char <= 12 for span in spans
        ):
            return "prohibition"  # "no person may", "nor may it"
        return modality


@Language.factory("regwatch_decide", default_config={"model_weight": 0.6})
class ModalityDecider:
    """Rule verdict and modality classifier decide together; the winner's score is the
    confidence. A strong rule cue is overruled only when the model is very sure."""

    def __init__(self, nlp: Language, name: str, model_weight: float) -> None:
        self.model_weight = model_weight

    def __call__(self, doc: Doc) -> Doc:
        rule = dict.fromkeys(MODALITY_LABELS, 0.0)
        if doc._.rule_modality:
            rule[doc._.rule_modality] += doc._.rule_strength
        rule[NONE_LABEL] += 1.0 - sum(rule.values())
        weight = self.model_weight if NONE_LABEL in doc.cats else 0.0
        mixed = {
            label: weight * doc.cats.get(label, 0.0) + (1 - weight) * rule[label]
            for label in MODALITY_LABELS
        }
        best = max(mixed, key=lambda label: mixed[label])
        confidence = mixed[best] if best != NONE_LABEL else 1.0 - mixed[best]
        doc._.modality = None if best == NONE_LABEL else best
        doc._.confidence = round(min(confidence, 1.0), 3)
        return doc


@Language.factory(
    "regwatch_decide_topics",
    default_config={"model_weight": 0.8, "threshold": 0.3, "max_topics": 3, "primary_weight": 0.0},
)
class TopicDecider:
    """Decides a sentence's topics: the main one first, then up to ``max_topics - 1`` more.

    A topic's score mixes the multi-label classifier with its strong keyword terms; the
    main topic also weighs the exclusive ``primary_topic`` classifier (``primary_weight``)
    and further topics need ``threshold``."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        model_weight: float,
        threshold: float,
        max_topics: int,
        primary_weight: float,
    ) -> None:
        self.model_weight = model_weight
        self.threshold = threshold
        self.max_topics = max_topics
        self.primary_weight = primary_weight

    def __call__(self, doc: Doc) -> Doc:
        text = doc._.sentence or doc.text
        weight = self.model_weight if TOPICS[0] in doc.cats else 0.0
        found = doc._.term_hits
        if found is None:  # no concept features ran (the rules-only pipeline)
            found = term_hits(text, ("strong",))
        hits = {topic for (topic, tier) in found if tier == "strong"}
        scores = {
            topic: round(weight * doc.cats.get(topic, 0.0) + (1 - weight) * (topic in hits), 3)
            for topic in TOPICS
        }
        primary_weight = self.primary_weight if PRIMARY_LABELS[0] in doc.cats else 0.0
        main = max(
            TOPICS,
            key=lambda topic: (
                primary_weight * doc.cats.get(PRIMARY_PREFIX + topic, 0.0)
                + (1 - primary_weight) * scores[topic]
            ),
        )
        if scores[main] == 0 and not primary_weight:
            main = "governance_supervision"  # nothing points anywhere: the catch-all topic
        others = sorted((t for t in TOPICS if t != main), key=lambda topic: -scores[topic])
        further = [topic for topic in others if scores[topic] >= self.threshold]
        chosen = [main, *further[: self.max_topics - 1]]
        doc._.topic_scores, doc._.topics = scores, chosen
        return doc
