"""Bad configuration gives one clear line and a non-zero exit, never a traceback."""

from pathlib import Path

from tests.helpers.cli import run_regwatch


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = run_regwatch(
        ["documents", "list"], "postgresql+psycopg://postgres@127.0.0.1:1/nowhere", tmp_path
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("regwatch: error: cannot connect")
    assert "Traceback" not in result.stderr


def test_malformed_database_url_is_one_line(tmp_path: Path) -> None:
    result = run_regwatch(["init", "--database-url", "not a url"], "sqlite://", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("regwatch: error: invalid database URL")
    assert len(result.stderr.strip().splitlines()) == 1


def test_uninitialised_database_says_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run_regwatch(["obligations", "list"], url, tmp_path)
    assert result.returncode == 3
    assert "regwatch init" in result.stderr


def test_init_creates_schema_from_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    first = run_regwatch(["init"], url, tmp_path)
    second = run_regwatch(["init"], url, tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    listing = run_regwatch(["documents", "list", "--format", "jsonl"], url, tmp_path)
    assert listing.returncode == 0 and listing.stdout == ""
