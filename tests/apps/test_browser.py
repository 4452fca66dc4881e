"""The app in a real browser (STYLE section 2 trap 10): Debian's chromium driven by Playwright.

Skipped unless ``/usr/bin/chromium`` exists and ``playwright`` is importable; neither is a
project dependency. ``chromium --dump-dom`` alone is not enough: the page's content arrives over
a websocket after the load event.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
APP = Path(__file__).parents[2] / "apps" / "streamlit_app.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_url(serving_db: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "FINOPS_HOME": str(serving_db.parent)}
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(tmp_path / 'streamlit.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_overview_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(app_url)
            page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert "$39.69" in page.locator('[data-testid="stMetric"]').first.inner_text()
            page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
        finally:
            browser.close()
