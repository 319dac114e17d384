"""``python -m benchmarks [NAME…]``: run the benchmarks, write results, print a table.

Each ``benchmarks/bench_<name>.py`` module has a ``run() -> dict`` returning flat
measurements (numbers, strings, booleans). Results go to ``benchmarks/results/<name>.json``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def discover() -> list[str]:
    """Names of the benchmark modules (``bench_crawl.py`` → ``crawl``)."""
    return sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))


def format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value)


def print_table(name: str, result: dict) -> None:
    width = max((len(key) for key in result), default=0)
    print(f"\n{name}")
    print("-" * (width + 24))
    for key, value in result.items():
        print(f"{key:<{width}}  {format_value(value)}")


def main(argv: list[str]) -> int:
    available = discover()
    names = argv or available
    unknown = [name for name in names if name not in available]
    if unknown:
        print(
            f"unknown benchmark {unknown[0]!r}; available: {', '.join(available)}", file=sys.stderr
        )
        return 2
    RESULTS_DIR.mkdir(exist_ok=True)
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        started = time.perf_counter()
        result = module.run()
        result.setdefault("benchmark_seconds", round(time.perf_counter() - started, 2))
        path = RESULTS_DIR / f"{name}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print_table(name, result)
        print(f"(written to {path.relative_to(BENCH_DIR.parent)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
