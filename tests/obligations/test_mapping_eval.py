"""The labelled mapping set: the right control in the top 3 for at least 80% of pairs."""

from __future__ import annotations

from obligations.mapping_eval import DEFAULT_PAIRS, evaluate_mapping, load_pairs


def test_labelled_set_is_large_and_bilingual() -> None:
    pairs = load_pairs(DEFAULT_PAIRS)
    assert len(pairs) >= 150
    assert len({p.text for p in pairs}) == len(pairs)
    assert sum(p.language == "zh" for p in pairs) >= 60
    assert sum(p.language == "en" for p in pairs) >= 60


def test_right_control_in_top_three_for_eighty_percent() -> None:
    report = evaluate_mapping()
    assert report["cold"]["top3"] >= 0.80, report["misses_top3"]
    assert report["cold_en"]["top3"] >= 0.75
    assert report["cold_zh"]["top3"] >= 0.75
    assert report["learned_two_fold"]["top3"] >= report["cold"]["top3"] - 0.02
