"""The Reconciliation page on the seeded serving copy (conftest.py: USAGE, BILLED, RECONCILIATION).

Every expected number is worked out by hand. In the default range (2025-01-16..2025-02-14), newest first:
  02-14 anthropic matched        computed 3.20    billed usage 3.20    variance 0
  02-12 anthropic unpriced_usage computed 0 (+ unpriced claude-mystery-9), no bill
  02-10 anthropic matched        computed 20.005  billed usage 20.005  variance 0
  02-05 openai    unpriced_usage computed 0 (+ unpriced ft:gpt-4o...), no bill
  02-03 openai    variance       computed 12.355  billed usage 12.375  variance -0.020, other billed 0.50
  01-20 openai    matched        computed 4.125   billed usage 4.125   variance 0
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, open_page, run

PAGE = "app_pages/reconciliation.py"
D = Decimal


@pytest.mark.usefixtures("serving_db")
def test_reconciliation_numbers_match_sql(serving_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert at.caption[0].value == (
        "Computed against billed cost per day, provider and account, UTC days 2025-01-16 to 2025-02-14; all providers."
    )
    # computed 3.20 + 20.005 + 12.355 + 4.125 = 39.685 → $39.69 (+ the two unpriced days);
    # billed usage 3.20 + 20.005 + 12.375 + 4.125 = 39.705 → $39.71; variance -0.020; 3 of 6 not matched
    assert metrics(at) == {
        "Computed, priced part": "$39.69",
        "Billed usage": "$39.71",
        "Variance": "-$0.02",
        "Not matched": "3 of 6",
    }
    # The same sums straight from the mart.
    with duckdb.connect(str(serving_db), read_only=True) as conn:
        sums = conn.execute(
            "select sum(computed_cost_usd), sum(billed_usage_usd), sum(variance_usd) "
            "from marts.fct_cost_reconciliation_daily where usage_date >= '2025-01-16' and usage_date < '2025-02-15'"
        ).fetchall()
    assert sums == [(D("39.685"), D("39.705"), D("-0.020"))]

    table = frame_with(at, "Likely cause")
    assert list(table["Day"]) == ["2025-02-14", "2025-02-12", "2025-02-10", "2025-02-05", "2025-02-03", "2025-01-20"]
    assert list(table["Status"]) == ["matched", "unpriced_usage", "matched", "unpriced_usage", "variance", "matched"]
    assert list(table["Computed"]) == [
        "$3.20",
        "$0.00 + unpriced",  # unpriced usage is named, never $0 alone
        "$20.01",  # 20.005 half up
        "$0.00 + unpriced",
        "$12.36",  # 12.355 half up
        "$4.13",  # 4.125 half up
    ]
    variance = table.iloc[4]
    assert (variance["Billed usage"], variance["Variance"], variance["Other billed lines"]) == (
        "$12.38",
        "-$0.02",
        "$0.50",
    )
    assert variance["Likely cause"] == "billed price differs from list"
    assert table.iloc[1]["Likely cause"] == "service tier not priced: claude-mystery-9"

    file_name, data = downloads["reconciliation_download"]
    assert file_name == "reconciliation_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert len(csv) == 6
    row = csv[csv["usage_date"] == "2025-02-03"].iloc[0]
    assert (D(row["computed_cost_usd"]), D(row["billed_usage_usd"]), D(row["variance_usd"])) == (
        D("12.355"),
        D("12.375"),
        D("-0.020"),
    )
    assert D(row["billed_other_usd"]) == D("0.50")  # 12.875 billed in all - 12.375 billed usage
    assert csv[csv["usage_date"] == "2025-02-12"].iloc[0]["billed_usage_usd"] == ""  # no bill: empty, not 0


@pytest.mark.usefixtures("serving_db")
def test_drill_down_to_lines(downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    pair = at.selectbox(key="reconciliation_pair")
    assert pair.value == (date(2025, 2, 12), "anthropic", "wrkspc_1")  # the newest pair that does not match
    assert "No billed line for this day and account." in [c.value for c in at.caption]
    usage = frame_with(at, "Contracted")
    assert usage.values.tolist() == [["claude-mystery-9", "default", "input", 1000, "unpriced", "unpriced", "unpriced"]]

    pair.set_value((date(2025, 2, 3), "openai", "proj_a"))
    run(at)
    billed = frame_with(at, "Line item")
    # billed usage 12.36 + 0.015 = 12.375 (the variance day's bill)
    assert billed[["Line item", "Model", "Billed"]].values.tolist() == [
        ["gpt-4o, input", "gpt-4o", "$12.36"],
        ["gpt-4o-mini, input", "gpt-4o-mini", "$0.02"],  # 0.015 half up
    ]
    usage = frame_with(at, "Contracted")
    # computed 12.34 + 0.015 = 12.355: gpt-4o is 0.02 under its bill
    assert usage[["Model", "Quantity", "List cost", "Contracted"]].values.tolist() == [
        ["gpt-4o", 4_936_000, "$12.34", "$12.34"],
        ["gpt-4o-mini", 100_000, "$0.02", "$0.02"],
    ]
    file_name, data = downloads["reconciliation_download_billed"]
    assert file_name == "billed_lines_2025-02-03.csv"
    assert [D(v) for v in pd.read_csv(io.BytesIO(data), dtype=str)["billed_cost_usd"]] == [D("12.36"), D("0.015")]
    file_name, data = downloads["reconciliation_download_usage"]
    assert file_name == "usage_rows_2025-02-03.csv"
    assert [D(v) for v in pd.read_csv(io.BytesIO(data), dtype=str)["contracted_cost_usd"]] == [D("12.34"), D("0.015")]


@pytest.mark.usefixtures("serving_db")
def test_filters_and_exceptions_only() -> None:
    at = open_page(PAGE)
    at.toggle(key="reconciliation_only_exceptions").set_value(True)
    run(at)
    assert list(frame_with(at, "Likely cause")["Day"]) == ["2025-02-12", "2025-02-05", "2025-02-03"]
    assert len(at.selectbox(key="reconciliation_pair").options) == 3

    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    run(at)
    # anthropic: computed 3.20 + 20.005 = 23.205 → $23.21, billed the same, 1 of 3 not matched
    assert metrics(at) == {
        "Computed, priced part": "$23.21",
        "Billed usage": "$23.21",
        "Variance": "$0.00",
        "Not matched": "1 of 3",
    }
    assert list(frame_with(at, "Likely cause")["Day"]) == ["2025-02-12"]

    # January: every pair matched; with "only pairs that do not match" on, the table says so
    at.multiselect(key="sidebar_providers").set_value([])
    at.date_input(key="sidebar_date_range").set_value((date(2025, 1, 16), date(2025, 1, 31)))
    run(at)
    assert metrics(at)["Not matched"] == "0 of 1"
    assert "Every (day, provider, account) pair in this range matched the bill." in [c.value for c in at.caption]
    assert not at.dataframe


@pytest.mark.usefixtures("serving_db")
def test_empty_range() -> None:
    at = open_page(PAGE)
    at.date_input(key="sidebar_date_range").set_value((date(2025, 1, 25), date(2025, 1, 31)))
    run(at)
    assert [i.value for i in at.info] == [
        "No usage or billed cost in this range: pick other dates or providers in the sidebar."
    ]
    assert not at.metric and not at.dataframe


# OpenRouter bring-your-own-key rows (fct_openrouter_byok_daily): (day, model, endpoint, served by, upstream,
# requests, prompt, completion, byok_inference_usd, credits_usd, is_counted_elsewhere). In the default range: the
# 02-11 and 02-09 rows, 1.25 + 0.40 = 1.65 of BYOK inference, 0.40 of it counted under Anthropic's own bill.
BYOK = [
    ("2025-02-11", "openai/gpt-4.1", "ep-openai", "OpenAI", "openai", 10, 1000, 200, D("1.25"), D("0.0625"), False),
    (
        "2025-02-09",
        "anthropic/claude-sonnet-4",
        "ep-ant",
        "Anthropic",
        "anthropic",
        4,
        500,
        100,
        D("0.40"),
        D("0.02"),
        True,
    ),
    (
        "2025-01-02",
        "openai/gpt-4.1",
        "ep-openai",
        "OpenAI",
        "openai",
        1,
        10,
        2,
        D("9.99"),
        D("0.50"),
        False,
    ),  # out of range
]


def _add_openrouter(serving_db: Path, *, byok_mart: bool = True) -> None:
    """An OpenRouter usage row (so the provider is in the sidebar) and BYOK's rows; without the mart when
    ``byok_mart`` is false, as in a serving copy published before it existed."""
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, model_raw, model_id, "
            "usage_type, quantity, list_cost_usd, is_priced) values "
            "('2025-02-11', 'openrouter', '(none)', 'openai/gpt-4.1', 'gpt-4.1', 'input', 1000, 0.002, true)"
        )
        if not byok_mart:
            conn.execute("drop table marts.fct_openrouter_byok_daily")
            return
        conn.executemany(
            "insert into marts.fct_openrouter_byok_daily (usage_date, provider, account_id, model_raw, endpoint_id, "
            "provider_name, upstream_provider, requests, prompt_tokens, completion_tokens, reasoning_tokens, "
            "byok_inference_usd, credits_usd, is_counted_elsewhere) "
            "values (?, 'openrouter', '(none)', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            [[date.fromisoformat(row[0]), *row[1:]] for row in BYOK],
        )


def test_openrouter_byok_kept_apart(serving_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    _add_openrouter(serving_db)
    at = open_page(PAGE)
    assert "OpenRouter bring-your-own-key, kept apart" in [h.value for h in at.subheader]
    caption = next(c.value for c in at.caption if "own provider keys" in c.value)
    assert caption.startswith(
        "\\$1.65 of inference ran on your own provider keys through OpenRouter in this range (2 rows)"
    )
    assert "\\$0.40 of it belongs to providers whose own bills this warehouse loads" in caption
    table = frame_with(at, "Counted under")
    assert table[["Day", "Model", "Served by", "Requests", "BYOK inference", "OpenRouter credits"]].values.tolist() == [
        ["2025-02-11", "openai/gpt-4.1", "OpenAI", 10, "$1.2500", "$0.0625"],
        ["2025-02-09", "anthropic/claude-sonnet-4", "Anthropic", 4, "$0.4000", "$0.0200"],
    ]
    assert list(table["Counted under"]) == ["OpenRouter's billed lines", "the upstream provider's own bill"]
    file_name, data = downloads["reconciliation_download_byok"]
    assert file_name == "openrouter_byok_2025-01-16_2025-02-14.csv"
    assert [D(v) for v in pd.read_csv(io.BytesIO(data), dtype=str)["byok_inference_usd"]] == [D("1.25"), D("0.40")]

    at.multiselect(key="sidebar_providers").set_value(["anthropic"])  # OpenRouter left out: so is the section
    run(at)
    assert "OpenRouter bring-your-own-key, kept apart" not in [h.value for h in at.subheader]
    assert not any("own provider keys" in c.value for c in at.caption)


def test_openrouter_byok_section_absent_from_an_older_serving_copy(serving_db: Path) -> None:
    _add_openrouter(serving_db, byok_mart=False)
    at = open_page(PAGE)
    assert not at.exception
    assert "OpenRouter bring-your-own-key, kept apart" not in [h.value for h in at.subheader]
    assert metrics(at)["Not matched"] == "3 of 6"  # the page itself as before


def test_no_serving_copy(finops_home: Path) -> None:
    at = open_page(PAGE)
    assert [i.value for i in at.info] == ["No published data yet. Run `finops demo` or `finops run` first."]
