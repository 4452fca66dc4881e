"""What the page tests share: running the app with AppTest (failing on any exception it shows), opening a page,
and reading its metrics and its dataframes."""

import gc
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

APP = Path(__file__).parents[2] / "apps" / "streamlit_app.py"
# every page of the navigation, for the tests that run them all
PAGES = [
    "app_pages/overview.py",
    "app_pages/teams.py",
    "app_pages/showback.py",
    "app_pages/chargeback.py",
    "app_pages/budgets.py",
    "app_pages/prices.py",
    "app_pages/whatif.py",
    "app_pages/reconciliation.py",
    "app_pages/tco.py",
    "app_pages/health.py",
]


def run(at: AppTest | None = None) -> AppTest:
    if at is None:  # not `at or ...`: an AppTest that has not run yet has no elements, so it is falsy
        at = AppTest.from_file(str(APP), default_timeout=30)
    # Objects an earlier test left behind (a Dagster instance's SQLite connection made in another thread) can be
    # finalized by a garbage collection that starts while Streamlit parses the page; on CPython 3.11.7 an error
    # during AST construction surfaces as "AST constructor recursion depth mismatch" (python/cpython#106905, fixed
    # in later releases). Collecting first keeps those finalizers out of the parse; the one rerun covers a
    # collection that still lands there, and only that exact interpreter error.
    gc.collect()
    at.run(timeout=30)
    if [e.value for e in at.exception if _CPYTHON_AST_BUG in e.value]:
        at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


_CPYTHON_AST_BUG = "AST constructor recursion depth mismatch"


def open_page(page: str) -> AppTest:
    """The app run once, then switched to ``page`` (e.g. ``app_pages/prices.py``) and run again."""
    at = run()
    at.switch_page(page)
    return run(at)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one dataframe on the page that has ``column``."""
    frames = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(frames) == 1, [list(df.value.columns) for df in at.dataframe]
    return frames[0]
