"""Running the real ``regwatch`` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_regwatch(
    args: list[str], database_url: str, home: Path, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``regwatch ARGS`` against ``database_url``; returns the finished process."""
    environment = {
        **os.environ,
        "REGWATCH_DATABASE_URL": database_url,
        "REGWATCH_HOME": str(home),
        "REGWATCH_DOWNLOAD_DELAY": "0",
        "REGWATCH_RETRY_TIMES": "1",
        "REGWATCH_DOWNLOAD_TIMEOUT": "10",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "crawlers", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
    )


def jsonl(process: subprocess.CompletedProcess[str]) -> list[dict]:
    """Parse a command's stdout as JSON lines, failing loudly with stderr on error."""
    assert process.returncode == 0, process.stderr
    return [json.loads(line) for line in process.stdout.splitlines() if line.strip()]
