"""Extraction throughput: English words/s and Chinese characters/s on one core, peak memory.

The corpus is the team-written training sentences, shuffled (seeded) into paragraphs
of numbered and plain sentences, so normative and background text are mixed. Model
loading is timed apart from extraction.
"""

from __future__ import annotations

import random
import resource
import time
import tracemalloc

TARGET_EN_WORDS = 150_000
TARGET_ZH_CHARS = 300_000


def _corpus(language: str, size: int) -> str:
    from obligations.nlp.training import read_split

    sentences = [row.text for split in ("train", "heldout") for row in read_split(language, split)]
    shuffler = random.Random(20)
    paragraphs: list[str] = []
    length = 0
    while length < size:
        shuffler.shuffle(sentences)
        for start in range(0, len(sentences), 6):
            joiner = "" if language == "zh" else " "
            paragraph = joiner.join(sentences[start : start + 6])
            paragraphs.append(paragraph)
            length += len(paragraph) if language == "zh" else len(paragraph.split())
            if length >= size:
                break
    return "\n\n".join(paragraphs)


def _time(text: str, language: str) -> tuple[float, int]:
    from obligations.nlp.extract import extract_statements

    started = time.process_time()  # CPU seconds of this process: one core, whatever the load
    statements = extract_statements(text, language)
    return time.process_time() - started, len(statements)


def run() -> dict:
    """Throughput and peak memory of ``extract_statements`` with the shipped models."""
    from obligations.nlp.model import get_classifier

    started = time.perf_counter()
    classifier = get_classifier()
    load_seconds = time.perf_counter() - started
    english, chinese = _corpus("en", TARGET_EN_WORDS), _corpus("zh", TARGET_ZH_CHARS)
    _time(english[:20_000], "en")  # warm caches (dateparser, regexes)
    _time(chinese[:10_000], "zh")
    en_seconds, en_statements = _time(english, "en")
    zh_seconds, zh_statements = _time(chinese, "zh")
    tracemalloc.start()
    _time(english[: len(english) // 3], "en")
    _time(chinese[: len(chinese) // 3], "zh")
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    en_words = len(english.split())
    return {
        "model": "trained" if classifier is not None else "rules only",
        "model_load_seconds": round(load_seconds, 3),
        "en_words": en_words,
        "en_statements": en_statements,
        "en_words_per_second": round(en_words / en_seconds),
        "zh_chars": len(chinese),
        "zh_statements": zh_statements,
        "zh_chars_per_second": round(len(chinese) / zh_seconds),
        "traced_peak_mb": round(traced_peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {
            "en_words_per_second": 50_000,
            "zh_chars_per_second": 100_000,
            "max_rss_mb": 500,
        },
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
