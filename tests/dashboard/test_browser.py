"""End to end in real headless Chromium: an analyst assigns from the change feed, the
owner sees it; crawled ``<script>`` text stays inert; a screenshot of every page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.seed import PASSWORD, Seeded, seed

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
PAGES = ["Overview", "My assignments", "Change feed", "Obligations register", "Gaps", "Controls",
         "Sources", "Audit log"]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="run scripts/install-system-deps.sh"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard_url(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Seeded]]:
    """``streamlit run`` on 127.0.0.1 against the seeded database."""
    seeded = seed(database_url)
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT,
        env={**os.environ, "REGWATCH_DATABASE_URL": database_url, "REGWATCH_HOME": str(tmp_path)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((tmp_path / "streamlit.log").read_text()) from None
                time.sleep(0.3)
        yield url, seeded
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_analyst_assigns_from_the_feed_and_owner_sees_it(dashboard_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    url, seeded = dashboard_url
    expect.set_options(timeout=30_000)  # the test machine is small and shared
    shots = tmp_path / "screenshots"
    shots.mkdir()
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def watch(tab) -> None:  # type: ignore[no-untyped-def]
            tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            tab.set_default_timeout(30_000)

        watch(page)

        def sign_in(username: str) -> None:
            page.goto(url)
            page.get_by_role("textbox", name="User name").fill(username)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()

        def open_page(title: str) -> None:
            page.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title).first).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / f"{title.lower().replace(' ', '_')}.png"))

        def choose(label: str, option: str) -> None:
            box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
            box.click()
            page.keyboard.type(option)
            page.keyboard.press("Enter")
            page.wait_for_timeout(500)  # the success messages below show what was chosen

        sign_in("ana")
        for title in PAGES:
            open_page(title)

        open_page("Change feed")
        page.get_by_text("Changes only").click()
        redline = page.locator(".regwatch-text").first
        expect(redline).to_contain_text('<script>alert("pwned")</script>')
        expect(redline).to_contain_text("[click me](javascript:alert(3)) **bold**")
        assert redline.locator("script, img, a, strong, iframe").count() == 0
        assert page.locator("script", has_text="pwned").count() == 0
        page.screenshot(path=str(shots / "change_feed_redline.png"), full_page=True)

        obligation_id = seeded.hostile_obligation_id
        choose("Act on obligation", f"#{obligation_id}")
        page.get_by_role("button", name="Applicable", exact=True).click()
        expect(
            page.get_by_text(f"Obligation {obligation_id} triaged as applicable.")
        ).to_be_visible()
        choose("Owner", "olga")
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.get_by_text(f"Obligation {obligation_id} assigned to olga.")).to_be_visible()
        page.screenshot(path=str(shots / "change_feed_assigned.png"), full_page=True)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()

        sign_in("olga")
        expect(page.get_by_role("heading", name="My assignments")).to_be_visible()
        expect(page.get_by_text("Firms must screen every message for").first).to_be_visible()
        expect(page.get_by_text("status assigned")).to_be_visible()
        page.screenshot(path=str(shots / "owner_my_assignments.png"), full_page=True)
        browser.close()

    assert dialogs == []
    assert {p.name for p in shots.iterdir()} >= {
        f"{t.lower().replace(' ', '_')}.png" for t in PAGES
    }
    keep = os.environ.get("REGWATCH_KEEP_SCREENSHOTS")
    if keep:
        shutil.copytree(shots, keep, dirs_exist_ok=True)
