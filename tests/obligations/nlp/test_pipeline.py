"""The rule components, the decision mix, and extraction with the shipped models."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from obligations.nlp import components  # noqa: F401
from obligations.nlp.classifier import SpacyClassifier, rules_pipeline
from obligations.nlp.extract import extract_statements
from obligations.nlp.model import get_classifier, set_classifier
from obligations.nlp.pipeline import TRAINED_DIR, load_default_classifier


def _sentences(language: str, text: str) -> list[str]:
    nlp = spacy.blank(language)
    nlp.add_pipe("regwatch_segmenter")
    return [sent.text.strip() for sent in nlp(text).sents]


def test_segmenter_splits_lists_clauses_headings_and_chinese() -> None:
    english = (
        "Section 3 Records\nA firm must:\n(a) keep records; (b) index them; and (c) test them."
    )
    assert _sentences("en", english) == [
        "Section 3 Records",
        "A firm must:",
        "(a) keep records;",
        "(b) index them;",
        "and (c) test them.",
    ]
    chinese = "第五条 机构应当：（一）登记客户身份；（二）保存交易记录。禁止出租账户。"
    assert _sentences("zh", chinese) == [
        "第五条 机构应当：",
        "（一）登记客户身份；",
        "（二）保存交易记录。",
        "禁止出租账户。",
    ]


@pytest.mark.parametrize(
    ("language", "sentence", "modality"),
    [
        ("en", "Firms are not required to file the form again.", "permission"),
        ("en", "No person may act as a dealer without a licence.", "prohibition"),
        ("en", "A firm is barred from dealing with blocked funds.", "prohibition"),
        ("en", "The terms in this part shall mean the following.", None),
        ("en", "Effective Date: May 02, 2024", None),  # the month, not a permission
        ("en", "The notice was published on 14 May 2025.", None),
        ("en", "Members may apply for relief until May 31.", "permission"),
        ("zh", "交易记录的保存期限不得少于二十年。", "obligation"),
        ("zh", "銀行須確保其服務符合指引。", "obligation"),
        ("zh", "会员单位不得为NFT交易提供服务。", "prohibition"),
    ],
)
def test_rule_verdicts(language: str, sentence: str, modality: str | None) -> None:
    doc = rules_pipeline(language)(sentence)
    assert doc._.rule_modality == modality
    assert doc._.modality == modality


def test_decider_lets_a_sure_model_overrule_a_weak_cue_only() -> None:
    nlp = rules_pipeline("en")
    decide = nlp.get_pipe("regwatch_decide")
    doc = nlp.make_doc("Storage costs may rise.")
    doc._.rule_modality, doc._.rule_strength = "permission", 1.0
    doc.cats = {"obligation": 0.0, "prohibition": 0.0, "permission": 0.3, "recommendation": 0.0}
    doc.cats["none"] = 0.7
    assert decide(doc)._.modality == "permission"  # a strong cue survives an unsure model
    doc.cats.update({"permission": 0.02, "none": 0.98})
    assert decide(doc)._.modality is None  # a very sure model wins
    doc._.rule_strength = 0.5
    doc.cats.update({"permission": 0.3, "none": 0.7})
    assert decide(doc)._.modality is None  # a weak phrase cue needs the model's support


def test_shipped_models_are_installed_and_used() -> None:
    assert (TRAINED_DIR / "en" / "config.cfg").is_file()
    assert (TRAINED_DIR / "zh" / "config.cfg").is_file()
    classifier = load_default_classifier()
    assert isinstance(classifier, SpacyClassifier)
    assert get_classifier() is classifier
    assert {"en", "zh"} <= set(classifier.pipelines)


def test_extraction_of_mixed_language_text_sentence_by_sentence() -> None:
    load_default_classifier()
    text = (
        "Background: messaging apps have become popular.\n"
        "Member firms must preserve all business messages for not less than three years.\n"
        "会员单位不得为虚拟货币交易提供集中交易服务。本倡议自发布之日起施行。\n"
        "Firms should review their supervisory procedures."
    )
    statements = extract_statements(text, "auto")
    found = {s.text: s for s in statements}
    assert all(text[s.start : s.end] == s.text for s in statements)
    retention = found[
        "Member firms must preserve all business messages for not less than three years."
    ]
    assert retention.modality == "obligation" and retention.language == "en"
    assert "record_retention" in retention.topics
    assert retention.entities["retention_period_days"] == 1095
    chinese = found["会员单位不得为虚拟货币交易提供集中交易服务。"]
    assert chinese.modality == "prohibition" and chinese.language == "zh"
    assert "crypto_assets" in chinese.topics
    assert found["Firms should review their supervisory procedures."].modality == "recommendation"
    assert not any("Background" in s.text or "施行" in s.text for s in statements)
    assert all(0 < s.confidence <= 1 for s in statements)


def test_list_items_inherit_the_lead_in_modality() -> None:
    load_default_classifier()
    text = "Each firm shall:\n(a) designate a principal;\n(b) test the archive annually."
    modalities = {s.text: s.modality for s in extract_statements(text, "en")}
    assert modalities["(a) designate a principal;"] == "obligation"
    assert modalities["(b) test the archive annually."] == "obligation"


def test_rules_alone_still_extract() -> None:
    set_classifier(None)
    try:
        [statement] = extract_statements("Firms must keep records for six years.", "en")
        assert statement.modality == "obligation" and statement.confidence == 0.75
        assert statement.entities["retention_period_days"] == 2190
    finally:
        load_default_classifier()


PIECES = [
    "Firms must keep records for five years.",
    "会员单位不得提供服务。",
    "(a) test the archive;",
    "Section 2 Definitions",
    "机构应当：",
    "\n",
    " ",
    "Members may not trade.",
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=12),
    st.sampled_from(["auto", "en", "zh"]),
)
def test_any_text_gives_valid_offsets(parts: list[str], language: str) -> None:
    if not isinstance(get_classifier(), SpacyClassifier):
        load_default_classifier()
    text = "".join(parts)
    for statement in extract_statements(text, language):
        assert text[statement.start : statement.end] == statement.text
        assert statement.modality in ("obligation", "prohibition", "permission", "recommendation")
        assert statement.topics and 0 <= statement.confidence <= 1
