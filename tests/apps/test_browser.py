"""The app in a real browser (STYLE section 2 trap 10): Debian's chromium driven by Playwright.

``playwright`` is a test dependency; ``/usr/bin/chromium`` comes from Debian's package, which ``.ci/run``
installs (the tests launch Debian's chromium, so ``playwright install`` is never needed). Elsewhere the
module skips with the reason when either is missing; under CI it fails instead. ``chromium --dump-dom`` alone is not enough: the page's
content arrives over a websocket after the load event.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from health_seed import add_hostile_quality_results, add_quality_results
from showback_seed import add_showback_rows
from tco_seed import add_tco_rows, insert_published_seed

CHROMIUM = Path("/usr/bin/chromium")
APP = Path(__file__).parents[2] / "apps" / "streamlit_app.py"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Screenshots are kept as test artifacts (issue 11): $FINOPS_TEST_ARTIFACTS, else test-artifacts/ (git-ignored).
ARTIFACTS = Path(os.environ.get("FINOPS_TEST_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts")


def assert_metric(page, text: str, index: int = 0) -> None:
    """The page's ``index``-th metric card shows ``text``, waited for: a card can still be redrawn by the script
    run after the page's last element is there (Playwright's ``expect`` retries until its timeout)."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stMetric"]').nth(index)).to_contain_text(text, timeout=30_000)


def assert_charts(page, at_least: int) -> None:
    """At least ``at_least`` charts are drawn, waited for: Vega draws after the script run has ended."""
    page.locator('[data-testid="stVegaLiteChart"], .vega-embed').nth(at_least - 1).wait_for(timeout=30_000)


def screenshot(page, name: str) -> None:
    """The whole page as ``ARTIFACTS/screenshots/NAME.png``, kept after the run."""
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"), full_page=True)


pytestmark = pytest.mark.slow

_MISSING = [
    reason
    for present, reason in (
        (CHROMIUM.exists(), f"{CHROMIUM} is not installed (Debian package chromium)"),
        (
            importlib.util.find_spec("playwright") is not None,
            "playwright is not installed (pip install playwright)",
        ),
    )
    if not present
]
if _MISSING:
    _WHY = "browser tests need chromium and playwright: " + "; ".join(_MISSING)
    if os.environ.get("CI"):  # .ci/run installs both: missing there is a broken CI, never a skip
        pytest.fail(_WHY, pytrace=False)
    pytest.skip(_WHY, allow_module_level=True)
sync_api = importlib.import_module("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serve_app(finops_home: Path, log_path: Path) -> Iterator[str]:
    """``streamlit run`` the app on ``finops_home``'s serving copy; yields its URL."""
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with _serve(command, finops_home, port, log_path) as url:
        yield url


@contextlib.contextmanager
def _serve(command: list[str], finops_home: Path, port: int, log_path: Path) -> Iterator[str]:
    """Start ``command`` (the app on 127.0.0.1:``port``) on ``finops_home``, output to ``log_path``; yield its URL
    once Streamlit answers its health check; stop it afterwards."""
    env = {**os.environ, "FINOPS_HOME": str(finops_home)}
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
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
                    pytest.fail(f"the app did not start: {log_path.read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def _browser_page() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()


@pytest.fixture
def app_url(serving_db: Path, tmp_path: Path) -> Iterator[str]:
    with _serve_app(serving_db.parent, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def showback_app_url(serving_db: Path, tmp_path: Path) -> Iterator[str]:
    """The app on the seeded serving copy plus the allocation and showback rows of showback_seed.py."""
    add_showback_rows(serving_db)
    with _serve_app(serving_db.parent, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def hostile_app_url(hostile_serving_db: Path, tmp_path: Path) -> Iterator[str]:
    with _serve_app(hostile_serving_db.parent, tmp_path / "streamlit.log") as url:
        yield url


def test_overview_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    with _browser_page() as page:
        page.goto(app_url)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
        _settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, "$39.69")
        screenshot(page, "overview")


def test_names_with_markdown_render_as_text_in_chromium(hostile_app_url: str, tmp_path: Path) -> None:
    """A model, provider and account named in Markdown (conftest.py's ``hostile_serving_db``)
    produce no link, no bold text and no coloured text anywhere on the page."""
    with _browser_page() as page:
        page.goto(hostile_app_url)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
        # The last section of the overview: the whole script has rendered.
        page.get_by_text("newest first").wait_for(timeout=30_000)
        screenshot(page, "overview-hostile")
        assert page.locator('[data-testid="stException"]').count() == 0

        alert = page.locator('[data-testid="stAlert"]')
        assert alert.count() == 1
        assert "3 usage rows for 3 models have no list price" in alert.inner_text()

        assert page.locator('a[href*="evil.example"]').count() == 0
        for tag in ("strong", "b", "em", "h1", "h2", "h3"):
            assert page.locator(tag, has_text="INJECTED").count() == 0, tag
        assert page.locator(".stMarkdownColoredText", has_text="RED").count() == 0
        markdown_texts = page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
        assert not [text for text in markdown_texts if "INJECTED" in text or "evil.example" in text]


def _assert_no_markdown_from_data(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('a[href*="evil.example"]').count() == 0
    for tag in ("strong", "b", "em", "h1", "h2", "h3"):
        assert page.locator(tag, has_text="INJECTED").count() == 0, tag
    assert page.locator(".stMarkdownColoredText").count() == 0
    markdown_texts = page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    assert not [text for text in markdown_texts if "INJECTED" in text or "evil.example" in text]


def _pick(page, label: str, option: str) -> None:
    """Open the selectbox ``label``, check its options are plain text, and choose ``option``."""
    box = page.get_by_role("combobox", name=label, exact=True)  # not the sidebar's "Teams" for "Team"
    choice = page.get_by_role("option", name=option, exact=True)
    # The list does not always open on the first try (react-aria ComboBox), and a rerun still under
    # way closes it again: open it with the keyboard and click, a few times if need be.
    for attempt in range(5):
        box.click()
        page.keyboard.press("ArrowDown")
        try:
            choice.wait_for(timeout=2_000)
            assert choice.inner_text() == option  # verbatim: no Markdown rendered in the option
            assert choice.locator("a, strong, em, b, h1, h2, h3, .stMarkdownColoredText").count() == 0
            choice.click(timeout=2_000)
            break
        except sync_api.TimeoutError:
            if attempt == 4:
                raise
            page.keyboard.press("Escape")
    page.wait_for_function(
        "([label, value]) => document.querySelector(`input[aria-label='${label}']`)?.value === value",
        arg=[label, option],
        timeout=10_000,
    )
    # Let the rerun start, then wait until it has finished.
    page.wait_for_timeout(500)
    _settled(page)


def _settled(page) -> None:
    """Wait until the script run has finished: no "Running..." icon, no stale element (a page's elements are
    only in their final order then; the first metric found earlier can be a later one still being redrawn)."""
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stStatusWidgetRunningIcon"], [data-stale="true"]\')',
        timeout=30_000,
    )


def test_teams_page_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    with _browser_page() as page:
        page.goto(f"{app_url}/teams")
        page.get_by_text("A request with several tags").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, "$18.72")
        screenshot(page, "teams")


def test_teams_page_shows_markdown_names_as_text_in_chromium(
    hostile_app_url: str, hostile_names: dict[str, str], tmp_path: Path
) -> None:
    """Markdown team and tag-key names (conftest.py's ``hostile_serving_db``) are plain text in the
    selectbox options, which Streamlit does not render as Markdown, and nowhere else Markdown."""
    with _browser_page() as page:
        page.goto(f"{hostile_app_url}/teams")
        page.get_by_text("A request with several tags").wait_for(timeout=30_000)
        _assert_no_markdown_from_data(page)

        _pick(page, "Team", hostile_names["team"])
        _pick(page, "Tag key", "env")
        _pick(page, "Tag key", hostile_names["tag_key"])  # sorts first, so it was the default too
        page.get_by_text("A request with several tags").wait_for(timeout=30_000)
        screenshot(page, "teams-hostile")
        _assert_no_markdown_from_data(page)


@pytest.mark.parametrize(
    ("path", "last_text", "first_metric"),
    [
        # test_showback.py: 39.685 allocated in the default range; test_chargeback.py: February, 35.56
        ("showback", "The first row is every provider together", "$39.69"),
        ("chargeback", "Both files are what", "$35.56"),
    ],
)
def test_showback_and_chargeback_render_in_chromium(
    showback_app_url: str, tmp_path: Path, path: str, last_text: str, first_metric: str
) -> None:
    with _browser_page() as page:
        page.goto(f"{showback_app_url}/{path}")
        page.get_by_text(last_text).wait_for(timeout=30_000)  # the page's last element: the script has run
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, first_metric)
        screenshot(page, path)
        if path == "showback":
            assert_charts(page, 1)


def test_whatif_page_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    """test_whatif.py: all-batch (the first scenario) saves 23.60 of 50.00 in January and February."""
    with _browser_page() as page:
        page.goto(f"{app_url}/whatif")
        page.get_by_text("To add a scenario").last.wait_for(timeout=30_000)  # the page's last element
        _settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, "$50.00")
        screenshot(page, "whatif")
        assert_charts(page, 1)


def test_budgets_page_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    """test_budgets.py: anthropic-monthly, the first budget, has used 92.8% (23.205 / 25)."""
    with _browser_page() as page:
        page.goto(f"{app_url}/budgets")
        page.get_by_text("Actual vs expected spend per day").wait_for(timeout=30_000)  # the page's last element
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, "92.8%", 3)
        assert_charts(page, 2)
        screenshot(page, "budgets")


def test_budgets_page_shows_markdown_names_as_text_in_chromium(hostile_app_url: str, tmp_path: Path) -> None:
    """A budget id, scope, driver and alert title in Markdown (conftest.py's HOSTILE_BUDGETS, HOSTILE_ANOMALIES,
    HOSTILE_ALERTS) render as text."""
    with _browser_page() as page:
        page.goto(f"{hostile_app_url}/budgets")
        page.get_by_text("Actual vs expected spend per day").wait_for(timeout=30_000)
        screenshot(page, "budgets-hostile")
        _assert_no_markdown_from_data(page)


@pytest.fixture
def health_app_url(serving_db: Path, tmp_path: Path) -> Iterator[str]:
    """The app on the seeded serving copy plus health_seed.py's quality results (two runs)."""
    add_quality_results(serving_db)
    with _serve_app(serving_db.parent, tmp_path / "streamlit.log") as url:
        yield url


def test_health_page_renders_in_chromium(health_app_url: str, tmp_path: Path) -> None:
    """test_health.py: the latest run (run-b) passed 5 checks and warned on 3."""
    with _browser_page() as page:
        page.goto(f"{health_app_url}/health")
        page.get_by_text("runs at most, newest first").wait_for(timeout=30_000)  # the page's last element
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, "5", 0)
        assert_metric(page, "3", 1)
        assert_charts(page, 2)
        screenshot(page, "health")


def test_health_page_shows_markdown_names_as_text_in_chromium(
    hostile_serving_db: Path, hostile_names: dict[str, str], tmp_path: Path
) -> None:
    """A quality run whose asset, check, observed value and run id are Markdown (health_seed.py) renders as text."""
    add_hostile_quality_results(hostile_serving_db, hostile_names)
    with _serve_app(hostile_serving_db.parent, tmp_path / "streamlit.log") as url, _browser_page() as page:
        page.goto(f"{url}/health")
        page.get_by_text("runs at most, newest first").wait_for(timeout=30_000)
        screenshot(page, "health-hostile")
        _assert_no_markdown_from_data(page)


def test_tco_page_renders_in_chromium(serving_db: Path, tmp_path: Path) -> None:
    """test_tco.py's published-seed case: self-hosting 3,896.30 a month against the API's 13.51."""
    insert_published_seed(add_tco_rows(serving_db))
    with _serve_app(serving_db.parent, tmp_path / "streamlit.log") as url, _browser_page() as page:
        page.goto(f"{url}/tco")
        page.get_by_text("Assumptions: self-hosting serves").wait_for(timeout=30_000)  # the page's last element
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_metric(page, "$3,896.30", 5)
        assert_charts(page, 1)
        screenshot(page, "tco")
