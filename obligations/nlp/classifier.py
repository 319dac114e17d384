"""The :class:`~obligations.nlp.model.Classifier` over the per-language spaCy pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.language import Language

from obligations.nlp import components, features  # noqa: F401  (register factories)
from obligations.nlp.cues import CueDecision
from obligations.nlp.model import Verdict

LANGUAGES = ("en", "zh")
SKIPPED_AT_SENTENCE_LEVEL = ("regwatch_segmenter",)
TOPIC_STAGE = ("topics", "primary_topic", "regwatch_decide_topics")
BATCH_SIZE = 256


def rules_pipeline(language: str) -> Language:
    """A pipeline with the rule components only, for a language without a trained model."""
    nlp = spacy.blank(language)
    nlp.add_pipe("regwatch_cues")
    nlp.add_pipe("regwatch_decide")
    nlp.add_pipe("regwatch_decide_topics")
    return nlp


class SpacyClassifier:
    """Runs sentences through the language's pipeline (segmenter skipped: one sentence)."""

    def __init__(self, pipelines: dict[str, Language]) -> None:
        self.pipelines = dict(pipelines)

    @classmethod
    def load(cls, directory: Path) -> SpacyClassifier:
        """Load ``directory/en`` and ``directory/zh`` where they exist."""
        return cls(
            {
                language: spacy.load(directory / language, exclude=SKIPPED_AT_SENTENCE_LEVEL)
                for language in LANGUAGES
                if (directory / language / "config.cfg").is_file()
            }
        )

    def pipeline(self, language: str) -> Language:
        language = "zh" if language == "zh" else "en"
        if language not in self.pipelines:
            self.pipelines[language] = rules_pipeline(language)
        return self.pipelines[language]

    def classify(
        self, sentence: str, language: str, cue: CueDecision, rule_modality: str | None
    ) -> Verdict:
        inherited = rule_modality if cue.modality is None else None
        return self.classify_many([sentence], language, [inherited])[0]

    def classify_many(
        self,
        sentences: Sequence[str],
        language: str,
        inherited: Sequence[str | None],
        cues: Sequence[CueDecision | None] | None = None,
        all_topics: bool = False,
    ) -> list[Verdict]:
        """Verdicts for many sentences of one language, batched through the pipeline.

        Topics are decided only for sentences found normative unless ``all_topics``.
        """
        nlp = self.pipeline(language)
        docs = []
        for index, (sentence, lead_in) in enumerate(zip(sentences, inherited, strict=True)):
            doc = nlp.make_doc(sentence)
            doc._.inherited_modality = lead_in
            doc._.sentence = sentence
            doc._.cue = cues[index] if cues is not None else None
            docs.append(doc)
        for name, component in nlp.pipeline:
            if name in SKIPPED_AT_SENTENCE_LEVEL:
                continue
            batch = docs
            if name in TOPIC_STAGE and not all_topics:
                batch = [doc for doc in docs if doc._.modality]
            if hasattr(component, "pipe"):
                for _ in component.pipe(batch, batch_size=BATCH_SIZE):
                    pass
            else:
                for doc in batch:
                    component(doc)
        verdicts = []
        for doc in docs:
            topics = list(doc._.topics) if doc._.modality or all_topics else []
            scores = doc._.topic_scores
            confidence = {topic: scores.get(topic, 0.0) for topic in topics}
            verdicts.append(Verdict(doc._.modality, doc._.confidence, topics, confidence))
        return verdicts
