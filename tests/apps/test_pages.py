"""Drive the real app headless (Streamlit AppTest) on the seeded serving copy (see conftest.py).

Every expected number is worked out by hand from the seeded rows.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from apptest_helpers import PAGES
from streamlit.testing.v1 import AppTest

from apps.lib import formatting, queries

APP = Path(__file__).parents[2] / "apps" / "streamlit_app.py"
NO_DATA_INFO = "No published data yet. Run `finops demo` or `finops run` first."


def _run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(APP), default_timeout=30)
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str):
    matches = [m for m in at.metric if m.label == label]
    assert len(matches) == 1, [m.label for m in at.metric]
    return matches[0]


def _dataframe(at: AppTest, column: str):
    """The one dataframe on the page that has ``column``."""
    frames = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(frames) == 1, [list(df.value.columns) for df in at.dataframe]
    return frames[0]


# --- smoke --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("serving_db")
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page: str) -> None:
    at = _run()
    at.switch_page(page)
    _run(at)
    assert at.title[0].value


# --- overview numbers ---------------------------------------------------------------------------


@pytest.mark.usefixtures("serving_db")
def test_overview_default_range_numbers() -> None:
    at = _run()

    # Default range: the last 30 days with data, 2025-01-16..2025-02-14.
    assert at.date_input(key="sidebar_date_range").value == (date(2025, 1, 16), date(2025, 2, 14))
    assert "List prices, UTC days 2025-01-16 to 2025-02-14; all providers." in [c.value for c in at.caption]

    # Priced rows in range: 4.125 + 12.34 + 0.015 + 20.005 + 3.20 = 39.685 → $39.69 (half up).
    assert _metric(at, "List cost").value == "$39.69"

    # February to date (through 2025-02-14): 12.34 + 0.015 + 20.005 + 3.20 = 35.56;
    # Jan 1–14: 10.00 + 7.50 = 17.50; delta +18.06.
    mtd = _metric(at, "List cost, February 2025 to date")
    assert mtd.value == "$35.56"
    assert mtd.proto.delta == "+$18.06"
    assert "Jan 1–14" in mtd.proto.delta_description

    # Billed in range: 4.125 + 12.36 + 0.015 + 20.005 + 3.20 = 39.705 → $39.71.
    assert _metric(at, "Billed cost").value == "$39.71"

    # Reconciliation in range: matched 01-20, 02-10, 02-14; not: 02-03 variance, 02-05 and 02-12 unpriced.
    assert _metric(at, "Reconciliation: matched / not").value == "3 / 3"


@pytest.mark.usefixtures("serving_db")
def test_unpriced_usage_is_a_warning_not_zero() -> None:
    at = _run()
    assert [w.value for w in at.warning] == [
        "2 usage rows for 2 models have no list price; they are excluded from list cost, "
        "not counted as \\$0. Add the models below to `pricing_seeds/price_book.csv`."
    ]
    # The model names are listed in a table under the warning, as text (not in the Markdown).
    unpriced = _dataframe(at, "Usage rows")
    assert unpriced.values.tolist() == [
        ["anthropic", "claude-mystery-9", "input", 1],
        ["openai", "ft:gpt-4o-2024-08-06:acme::abc123", "input", 1],
    ]

    by_model = _dataframe(at, "Share of total")
    rows = {
        model: (cost, share)
        for model, cost, share in zip(by_model["Model"], by_model["List cost"], by_model["Share of total"], strict=True)
    }
    # 20.005 / 39.685 = 50.4%; unpriced models are "unpriced", never $0.
    assert rows["claude-sonnet-4"] == ("$20.01", "50.4%")
    assert rows["gpt-4o"] == ("$16.47", "41.5%")  # 4.125 + 12.34
    assert rows["claude-mystery-9"] == ("unpriced", "—")
    assert rows["ft:gpt-4o-2024-08-06:acme::abc123"] == ("unpriced", "—")
    assert list(by_model["Model"])[0] == "claude-sonnet-4"  # most expensive first


@pytest.mark.usefixtures("serving_db")
def test_reconciliation_tables() -> None:
    at = _run()
    summary = _dataframe(at, "Pairs")
    assert dict(zip(summary["Status"], summary["Pairs"], strict=True)) == {
        "matched": 3,
        "variance": 1,
        "unpriced_usage": 2,
    }
    assert list(summary["Variance"]) == ["$0.00", "-$0.02", "—"]
    # the tool calls billed on the variance day are shown apart, not in the variance
    assert list(summary["Other billed lines"]) == ["$0.00", "$0.50", "—"]

    exceptions = _dataframe(at, "Day")
    assert list(exceptions["Day"]) == ["2025-02-12", "2025-02-05", "2025-02-03"]  # newest first
    assert list(exceptions["Status"]) == ["unpriced_usage", "unpriced_usage", "variance"]
    assert list(exceptions["Account"]) == ["Product", "Search", "Search"]
    # the cause of each, in words; the unpriced models are named in the cell (never in Markdown)
    assert list(exceptions["Likely cause"]) == [
        "service tier not priced: claude-mystery-9",
        "model not in the price book: ft:gpt-4o-2024-08-06:acme::abc123",
        "billed price differs from list",
    ]
    assert list(exceptions["Tolerance"]) == ["$0.01", "$0.01", "$0.01"]
    variance_row = exceptions.iloc[2]
    assert (variance_row["Computed"], variance_row["Billed usage"], variance_row["Variance"]) == (
        "$12.36",  # 12.355 half up
        "$12.38",  # 12.375 half up
        "-$0.02",
    )
    assert variance_row["Other billed lines"] == "$0.50"


@pytest.mark.usefixtures("serving_db")
def test_changing_the_date_range_changes_the_numbers() -> None:
    at = _run()
    at.date_input(key="sidebar_date_range").set_value((date(2025, 1, 5), date(2025, 1, 31)))
    _run(at)
    # January: 10.00 + 7.50 + 4.125 = 21.625 → $21.63
    assert _metric(at, "List cost").value == "$21.63"
    assert _metric(at, "Reconciliation: matched / not").value == "3 / 0"
    assert not at.warning  # no unpriced usage in January
    assert any("Every (day, provider, account) pair" in c.value for c in at.caption)
    # Month to date ignores the range.
    assert _metric(at, "List cost, February 2025 to date").value == "$35.56"

    # The end date is inclusive: a single day.
    at.date_input(key="sidebar_date_range").set_value((date(2025, 2, 14), date(2025, 2, 14)))
    _run(at)
    assert _metric(at, "List cost").value == "$3.20"


@pytest.mark.usefixtures("serving_db")
def test_empty_range_shows_no_data_captions() -> None:
    at = _run()
    at.date_input(key="sidebar_date_range").set_value((date(2025, 1, 25), date(2025, 1, 31)))
    _run(at)
    assert _metric(at, "List cost").value == formatting.NO_VALUE
    assert _metric(at, "Billed cost").value == formatting.NO_VALUE
    assert sum(c.value == "No data in this range." for c in at.caption) >= 3


@pytest.mark.usefixtures("serving_db")
def test_provider_filter() -> None:
    at = _run()
    assert at.multiselect(key="sidebar_providers").options == ["anthropic", "openai"]
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    _run(at)
    # Anthropic in range: 20.005 + 3.20 = 23.205 → $23.21
    assert _metric(at, "List cost").value == "$23.21"
    # February to date 23.205 vs Jan 1–14 7.50 → +15.705 → +$15.71
    mtd = _metric(at, "List cost, February 2025 to date")
    assert (mtd.value, mtd.proto.delta) == ("$23.21", "+$15.71")
    assert _metric(at, "Billed cost").value == "$23.21"
    assert _metric(at, "Reconciliation: matched / not").value == "2 / 1"
    assert at.warning[0].value.startswith("1 usage row for 1 model has no list price; it is excluded")
    assert _dataframe(at, "Usage rows").values.tolist() == [["anthropic", "claude-mystery-9", "input", 1]]
    assert any(c.value.endswith("; 1 of 2 providers.") for c in at.caption)


@pytest.mark.usefixtures("serving_db")
def test_publish_caption_in_sidebar() -> None:
    at = _run()
    captions = [c.value for c in at.sidebar.caption]
    assert "Data published 2025-02-15 06:00 UTC, covers 2025-01-05..2025-02-14" in captions


def test_missing_publish_info_is_tolerated(finops_home: Path, make_serving_db) -> None:
    make_serving_db(finops_home / "serving.duckdb", publish_info=False)
    at = _run()
    assert not at.sidebar.caption
    assert _metric(at, "List cost").value == "$39.69"


# --- no data / serving-copy handling ------------------------------------------------------------


def test_no_serving_copy_shows_info(finops_home: Path) -> None:
    at = _run()
    assert [i.value for i in at.info] == [NO_DATA_INFO]
    assert not at.metric
    assert not (finops_home / "serving.duckdb").exists()  # a read-only open never creates the file


def _empty_tables(path: Path, tables: tuple[str, ...]) -> None:
    with duckdb.connect(str(path)) as conn:
        for table in tables:
            conn.execute(f"delete from marts.{table}")


def test_empty_marts_show_info(finops_home: Path, make_serving_db) -> None:
    path = make_serving_db(finops_home / "serving.duckdb")
    _empty_tables(path, ("fct_usage_cost_daily", "fct_billed_cost_daily", *queries.REQUEST_MARTS))
    at = _run()
    assert [i.value for i in at.info] == [NO_DATA_INFO]


def test_request_logs_alone_are_published_data(finops_home: Path, make_serving_db) -> None:
    """A deployment that has only a gateway's request logs (no admin usage, no billing export): the sidebar spans the
    request days and providers, and the request views show them instead of "nothing published"."""
    path = make_serving_db(finops_home / "serving.duckdb")
    _empty_tables(path, ("fct_usage_cost_daily", "fct_billed_cost_daily"))
    # request rows (conftest.py) span 2025-01-10..2025-02-14; usage started 2025-01-05
    assert queries.date_bounds() == (date(2025, 1, 10), date(2025, 2, 14))
    assert queries.provider_options() == ["anthropic", "openai"]
    at = _run()
    # the Overview's usage and billing views are empty; it says where the logged requests are (288 in range)
    assert [i.value for i in at.info] == [
        "No provider usage or billing in this range, but the request logs have 288 requests in it: their cost by "
        "team, feature, user and tag is on the Teams page. Set the providers' admin keys (README, section Pointing it "
        "at your organisation) to add the usage ledger and reconcile it with the bill."
    ]
    assert at.sidebar.date_input(key="sidebar_date_range").value == (date(2025, 1, 16), date(2025, 2, 14))
    at.switch_page("app_pages/teams.py")
    _run(at)
    assert _metric(at, "Request cost").value == "$18.72"  # 18.715 in the default range, as with usage present
    assert _metric(at, "Requests").value == "288"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_request_logs_alone(finops_home: Path, make_serving_db, page: str) -> None:
    path = make_serving_db(finops_home / "serving.duckdb")
    _empty_tables(path, ("fct_usage_cost_daily", "fct_billed_cost_daily", "fct_cost_reconciliation_daily"))
    at = _run()
    at.switch_page(page)
    _run(at)
    assert at.title[0].value
    assert NO_DATA_INFO not in [i.value for i in at.info]


def test_app_opens_read_only_and_holds_no_connection(serving_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []
    real_connect = duckdb.connect

    def spy(*args, **kwargs):
        calls.append({"args": args, **kwargs})
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", spy)
    at = _run()
    monkeypatch.setattr(duckdb, "connect", real_connect)
    assert calls, "the app did not query the serving copy"
    assert all(call.get("read_only") is True for call in calls)
    assert {Path(call["args"][0]) for call in calls} == {serving_db}

    # Same process: an open read-only handle would make a read-write connect fail
    # ("different configuration"); across processes it would be a lock error.
    with real_connect(str(serving_db)) as conn:
        conn.execute(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, model_raw, model_id, "
            "quantity, list_cost_usd, effective_cost_usd, is_priced) "
            "values ('2025-02-14', 'openai', 'proj_a', 'gpt-4o', 'gpt-4o', 1, 100.00, 100.00, true)"
        )
    st.cache_data.clear()
    _run(at)
    assert _metric(at, "List cost").value == "$139.69"


def test_atomic_swap_is_picked_up_without_clearing_caches(serving_db: Path, make_serving_db) -> None:
    at = _run()
    assert _metric(at, "List cost").value == "$39.69"

    # Publish the way the pipeline does: write aside, then os.replace.
    aside = make_serving_db(serving_db.with_name("serving.duckdb.tmp"))
    with duckdb.connect(str(aside)) as conn:
        conn.execute("update marts.fct_usage_cost_daily set list_cost_usd = list_cost_usd * 2")
    os.replace(aside, serving_db)

    _run(at)
    assert _metric(at, "List cost").value == "$79.37"  # 2 × 39.685


# --- pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 2, 14), (date(2025, 2, 1), date(2025, 2, 15), date(2025, 1, 1), date(2025, 1, 15))),
        (date(2025, 3, 31), (date(2025, 3, 1), date(2025, 4, 1), date(2025, 2, 1), date(2025, 3, 1))),
        (date(2025, 1, 1), (date(2025, 1, 1), date(2025, 1, 2), date(2024, 12, 1), date(2024, 12, 2))),
    ],
)
def test_month_to_date_windows(as_of: date, expected: tuple[date, ...]) -> None:
    assert queries.month_to_date_windows(as_of) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12345.675"), "$12,345.68"),
        (Decimal("0.004999999999"), "$0.00"),
        (Decimal("-0.020"), "-$0.02"),
        (None, "unpriced"),
        (float("nan"), "unpriced"),
    ],
)
def test_format_usd(value, expected: str) -> None:
    assert formatting.format_usd(value) == expected


def test_queries_are_parameterised(serving_db: Path) -> None:
    """A hostile provider name is data, not SQL."""
    frame = queries.cost_totals(date(2025, 1, 1), date(2025, 3, 1), ("openai') or (1=1",))
    assert frame.iloc[0]["usage_rows"] == 0
