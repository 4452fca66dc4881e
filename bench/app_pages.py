"""Benchmark: every page of the app in a real browser (issue 11's quality bar: each page answers in under a
second on the demo data, p95 over several loads).

Starts ``finops app`` on a FINOPS_HOME that holds a published serving copy (``finops demo --no-app`` makes
one), then measures every page of apps/streamlit_app.py (read from its PAGES list, so a new page is measured
without editing this file) in Debian's Chromium driven by Playwright:

  cold:  the page's first load, as a new browser session opening its URL with the server's query cache still
         empty (one per page: the whole page load, the app's JavaScript included);
  warm:  --loads visits of each page as a manager makes them, by clicking its link in the sidebar from the page
         before (round-robin over the pages, in one browser session): from the click to the page's final state.

A visit's time runs to the last change of the page's DOM once the script has finished: a MutationObserver
records the time of every change, and the visit is over when Streamlit's running indicator is gone and nothing
has changed for --settle ms (the settle wait itself is not counted). A page that shows an exception
(stException) fails the benchmark. Reports the cold load and the median and p95 of the warm visits per page,
and writes the same as Markdown to bench/results/app_pages.md. Timing lives here, never in tests.

    FINOPS_HOME=data/bench-demo .venv/bin/finops demo --days 35 --no-app
    .venv/bin/python bench/app_pages.py --home data/bench-demo --loads 12
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "apps" / "streamlit_app.py"
CHROMIUM = Path("/usr/bin/chromium")
RESULTS = ROOT / "bench" / "results" / "app_pages.md"

# Records the time (ms since navigation start) of the page's last DOM change.
OBSERVER = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
    .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""
RUNNING = '[data-testid="stStatusWidgetRunningIcon"], [data-stale="true"]'


def pages() -> list[tuple[str, str]]:
    """(title, url path) of every page, in the app's order; the default page is served at '/'."""
    text = APP.read_text()
    found = []
    for match in re.finditer(r'st\.Page\(\s*"app_pages/(\w+)\.py",\s*title="([^"]+)"([^)]*)\)', text):
        name, title, rest = match.groups()
        found.append((title, "" if "default=True" in rest else name))
    if not found:
        sys.exit(f"no st.Page(...) entries found in {APP}: has the navigation changed? Update pages() here.")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    finops = Path(sys.executable).with_name("finops")
    out = log.open("w")
    proc = subprocess.Popen(
        [str(finops), "app", "--port", str(port)],
        env={**os.environ, "FINOPS_HOME": str(home)},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"the app did not start on {url}; its output is in {log}")
        time.sleep(0.2)


def settle(page, settle_ms: int) -> float:
    """Wait until the script has finished and the DOM has been still for ``settle_ms``; the time (ms since
    navigation start) of the last change. Fails on a page that shows an exception."""
    while True:
        page.wait_for_function(f"() => !document.querySelector('{RUNNING}')", timeout=60_000)
        quiet = page.evaluate("() => performance.now() - window.__lastChange")
        if quiet >= settle_ms and not page.query_selector(RUNNING):
            break
        page.wait_for_timeout(max(50, settle_ms - quiet))
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError(
            f"{page.url} shows an exception: " + page.locator('[data-testid="stException"]').first.inner_text()
        )
    return page.evaluate("() => window.__lastChange")


def open_page(browser, url: str, settle_ms: int):
    """A new browser session on ``url``: (the page, seconds from navigation start to its final state)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(OBSERVER)
    page.goto(url)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]')
    return page, settle(page, settle_ms) / 1000


def visit(page, path: str, settle_ms: int) -> float:
    """Click the sidebar link of ``path`` ('' = the default page): seconds from the click to the final state."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    target = None
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        if href.rstrip("/").rsplit("/", 1)[-1] == path or (path == "" and i == 0):
            target = links.nth(i)
            break
    if target is None:
        raise RuntimeError(f"no sidebar link to page '{path}' on {page.url}")
    started = page.evaluate("() => performance.now()")
    target.click()
    # Streamlit starts the new page's run after the click returns: until the DOM has changed, the page still
    # looks settled (no running indicator, still since the last visit), and a visit measured then is negative
    page.wait_for_function(f"() => window.__lastChange > {started}", timeout=60_000)
    return (settle(page, settle_ms) - started) / 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="a FINOPS_HOME with a published serving copy")
    parser.add_argument("--loads", type=int, default=12, help="warm visits per page (p95 over these)")
    parser.add_argument("--settle", type=int, default=400, help="ms without a DOM change that end a load")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown report")
    args = parser.parse_args()
    if not (args.home / "serving.duckdb").exists():
        sys.exit(f"{args.home} has no serving.duckdb: run `FINOPS_HOME={args.home} finops demo --no-app` first.")
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).")
    if args.loads < 2:
        sys.exit("--loads must be at least 2.")
    from playwright.sync_api import sync_playwright

    targets = pages()
    cold: dict[str, float] = {}
    warm: dict[str, list[float]] = {title: [] for title, _ in targets}
    proc, url = start_app(args.home, args.home / "bench_app.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            try:
                for title, path in targets:
                    page, cold[title] = open_page(browser, f"{url}/{path}", args.settle)
                    page.context.close()
                page, _ = open_page(browser, url, args.settle)
                for _ in range(args.loads):
                    for title, path in [*targets[1:], targets[0]]:
                        warm[title].append(visit(page, path, args.settle))
            finally:
                browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    rows = [
        (title, cold[title], statistics.median(warm[title]), p95(warm[title]), max(warm[title])) for title, _ in targets
    ]
    header = "| page | cold (first load) s | warm median s | warm p95 s | warm max s |\n|---|---:|---:|---:|---:|"
    lines = [f"| {t} | {c:.2f} | {m:.2f} | {p:.2f} | {x:.2f} |" for t, c, m, p, x in rows]
    worst = max(rows, key=lambda r: r[3])
    summary = (
        f"{len(rows)} pages, 1 cold load and {args.loads} warm visits each; worst warm p95: {worst[0]} {worst[3]:.2f} s"
    )
    report = "\n".join(
        [
            "# App pages in Chromium (bench/app_pages.py)",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores; "
            f"settle {args.settle} ms (not counted).",
            "",
            header,
            *lines,
            "",
            summary,
            "",
        ]
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
