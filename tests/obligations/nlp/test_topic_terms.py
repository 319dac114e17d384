"""The topic terms file: it loads, covers every topic, and its fast gating loses nothing."""

from __future__ import annotations

import tomllib

import pytest

from obligations.nlp import keywords
from obligations.nlp.components import TOPICS
from obligations.nlp.features import simplify_zh
from obligations.nlp.keywords import TERMS_FILE, keyword_topics, term_hits, terms
from obligations.nlp.language import has_cjk
from obligations.nlp.training import read_split


def _ungated_hits(sentence: str) -> dict[tuple[str, str], int]:
    """Every term tried on every sentence: what the word-key gating must reproduce."""
    english, chinese = terms()
    hits: dict[tuple[str, str], int] = {}
    tried = [(term, sentence) for term in english]
    if has_cjk(sentence):
        tried += [(term, simplify_zh(sentence)) for term in chinese]
    for term, text in tried:
        count = len(term.pattern.findall(text))
        if count:
            hits[term.group] = hits.get(term.group, 0) + count
    return hits


def test_every_topic_has_strong_terms_in_both_languages() -> None:
    table = tomllib.loads(TERMS_FILE.read_text("utf-8"))
    assert set(table) == set(TOPICS)
    for topic, groups in table.items():
        assert groups["en_strong"] and groups["zh_strong"], topic


@pytest.mark.parametrize("language", ["en", "zh"])
def test_gating_by_word_keys_finds_what_trying_every_term_finds(language: str) -> None:
    sentences = [row.text for row in read_split(language, "train")]
    assert len(sentences) > 500
    for sentence in sentences:
        assert term_hits(sentence) == _ungated_hits(sentence), sentence


def test_keys_come_from_the_literal_start_of_a_term() -> None:
    assert keywords._keys(r"retain\w*") == {"ret"}
    assert keywords._keys(r"(keep|kept|maintain\w*)\W+records") == {"kee", "kep", "mai"}
    assert keywords._keys(r"e-?mails?") is None  # "e" alone is too short to gate on
    assert keywords._keys(r"(a |an )?records") is None  # an optional start gates nothing


def test_acronyms_match_case_sensitively_and_words_do_not() -> None:
    assert "export_controls" in keyword_topics("Items subject to the EAR need a licence.")
    assert "export_controls" not in keyword_topics("The clerk has a good ear for detail.")
    assert "record_retention" in keyword_topics("RECORDS MUST BE RETAINED.")


def test_chinese_terms_match_traditional_characters_and_latin_case() -> None:
    assert "data_privacy" in keyword_topics("機構宜就跨境資料轉移進行私隱影響評估。")
    assert "crypto_assets" in keyword_topics("会员单位不得为nft交易提供服务。")
    # A Latin term of the Chinese list matches whole words only.
    assert "crypto_assets" not in keyword_topics("机构应当定期更新监控用的lexicon词库。")


def test_weak_terms_alone_do_not_make_a_keyword_topic() -> None:
    hits = term_hits("The customer opened an account.")
    assert ("platform_conduct", "weak") in hits or ("consumer_protection", "weak") in hits
    assert "consumer_protection" not in keyword_topics("The customer opened an account.")
