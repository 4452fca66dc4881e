"""What the page tests share: running the app with AppTest (failing on any exception it shows), opening a page,
and reading its metrics and its dataframes."""

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
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


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
