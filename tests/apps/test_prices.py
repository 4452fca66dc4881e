"""The Prices and models page and its queries on the seeded serving copy (conftest.py: TOKEN_USAGE, PRICES,
PRICE_CHANGES). Every expected number is worked out by hand; the default range is 2025-01-16..2025-02-14.

Token usage in range (token_serving_db; list cost = tokens x price per 1M / 1,000,000):
  gpt-4.1 (openai)          standard input 2M @ 2.00 = 4.00, cache read 1M @ 0.50 = 0.50, output 0.5M @ 8.00 = 4.00;
                            batch input 1M @ 1.00 = 1.00, batch output 0.25M @ 4.00 = 1.00
                            → 4,750,000 tokens, 10.50; batch 2.00 (19.0%)
  claude-sonnet-4 (anthr.)  02-11 input 1M @ 3.00 = 3.00, cache read 3M @ 0.30 = 0.90, cache write 1M @ 3.75 = 3.75,
                            output 0.2M @ 15.00 = 3.00; 02-13 cache read 1M @ 0.30 = 0.30 (no input that day)
                            → 6,200,000 tokens, 10.95
  gpt-mystery (openai)      input 100,000 unpriced
The base rows (usage types 'input' / 'output') are not token usage types: not counted here.
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
from streamlit import dataframe_util

from apps.lib import queries

PAGE = "app_pages/prices.py"
D = Decimal
START, END = date(2025, 1, 16), date(2025, 2, 15)
ALL = ("anthropic", "openai")


# --- queries ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("token_serving_db")
def test_token_cost_by_model_hand_computed() -> None:
    frame = queries.token_cost_by_model(START, END, ALL)
    rows = {(r.provider, r.model_id): r for r in frame.itertuples(index=False)}
    total = frame[frame["is_total"]].iloc[0]

    # tokens 4.75M + 6.2M + 0.1M = 11,050,000, of which 10,950,000 priced; cost 10.50 + 10.95 = 21.45
    assert (total["tokens"], total["priced_tokens"], total["unpriced_tokens"]) == (11_050_000, 10_950_000, 100_000)
    assert total["list_cost_usd"] == D("21.45")
    # 21.45 x 1000 / 10,950,000 = 0.001958904109589041095890411 (Decimal, 28 digits)
    assert total["cost_per_1k_tokens_usd"] == D("21.45") * 1000 / 10_950_000
    # cache reads 1M + 3M + 1M = 5M over uncached input 2M + 1M (batch) + 1M + 0.1M = 4.1M plus the 5M reads
    assert total["cache_hit_rate"] == pytest.approx(5 / 9.1)
    # gpt-4.1: 1M x (2.00 - 0.50) / 1M = 1.50; claude-sonnet-4: 3M x (3.00 - 0.30) / 1M = 8.10; the 02-13 read
    # has no input price that day → not valued (1,000,000 tokens)
    assert total["cache_savings_usd"] == D("9.60")
    assert total["cache_read_tokens_unvalued"] == 1_000_000
    # batch 1.00 + 1.00 = 2.00 of 21.45 = 9.32%
    assert total["batch_cost_usd"] == D("2.00")
    assert total["batch_share"] == pytest.approx(2 / 21.45)

    gpt = rows[("openai", "gpt-4.1")]
    assert (gpt.tokens, gpt.list_cost_usd, gpt.cache_savings_usd) == (4_750_000, D("10.50"), D("1.50"))
    assert gpt.cost_per_1k_tokens_usd == D("10.50") * 1000 / 4_750_000  # 0.00221052...
    assert gpt.cache_hit_rate == pytest.approx(0.25)  # 1M / (2M + 1M batch input + 1M)
    assert gpt.batch_share == pytest.approx(2 / 10.5)
    sonnet = rows[("anthropic", "claude-sonnet-4")]
    assert (sonnet.tokens, sonnet.list_cost_usd, sonnet.cache_savings_usd) == (6_200_000, D("10.95"), D("8.10"))
    assert sonnet.cache_hit_rate == pytest.approx(0.8)  # (3M + 1M) / (1M + 4M); cache writes are not reads
    assert sonnet.batch_share == 0
    mystery = rows[("openai", "gpt-mystery")]
    # unpriced: NULL cost and rate, never $0
    assert (mystery.list_cost_usd, mystery.cost_per_1k_tokens_usd, mystery.cache_savings_usd) == (None, None, None)
    assert mystery.unpriced_tokens == 100_000
    assert list(frame["model_id"][1:]) == [
        "claude-sonnet-4",
        "gpt-4.1",
        "gpt-mystery",
    ]  # after the total, costliest first
    assert list(frame["is_total"]) == [True, False, False, False]


@pytest.mark.usefixtures("serving_db")
def test_price_queries() -> None:
    # In the price book before 2025-02-15 (claude-haiku-4-5 starts 02-20; '*' is no model), costliest in range first:
    # claude-sonnet-4 20.005, gpt-4o 4.125 + 12.34 = 16.465, gpt-4o-mini 0.015
    models = queries.price_models(START, END, ALL)
    assert list(zip(models["provider"], models["model_id"], strict=True)) == [
        ("anthropic", "claude-sonnet-4"),
        ("openai", "gpt-4o"),
        ("openai", "gpt-4o-mini"),
    ]
    history = queries.price_history("openai", "gpt-4o", END)
    assert len(history) == 5
    changes = queries.price_changes(START, END, ALL, None)
    assert list(zip(changes["change_date"], changes["model_id"], strict=True)) == [(date(2025, 2, 10), "gpt-4o-mini")]
    assert len(queries.price_changes(date.min, END, ("openai",), "gpt-4o")) == 2  # 2024-10-01 input and output


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("token_serving_db")
def test_prices_page_numbers(downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert at.caption[0].value == (
        "What tokens cost at list price, caching and batch, and each model's list-price history, "
        "UTC days 2025-01-16 to 2025-02-14; all providers."
    )
    # 0.0019589 → $0.00196 (5 places); 5 / 9.1 = 54.9%; 1.50 + 8.10; 2.00 / 21.45 = 9.3%
    assert metrics(at) == {
        "Cost per 1K tokens": "$0.00196",
        "Cache hit rate": "54.9%",
        "Savings from caching": "$9.60",
        "Batch share": "9.3%",
    }
    assert [w.value for w in at.warning] == [
        "100,000 tokens have no list price: they are left out of cost and cost per 1K tokens (shown as unpriced, "
        "not \\$0). The Overview page lists their models."
    ]
    assert any(c.value.startswith("1,000,000 cache-read tokens are not in the savings") for c in at.caption)

    by_model = frame_with(at, "Per 1K tokens")
    assert by_model.drop(columns=["Provider", "Tokens", "Unpriced tokens"]).values.tolist() == [
        # 10.95 x 1000 / 6.2M = 0.0017661 → $0.00177; 10.50 x 1000 / 4.75M = 0.0022105 → $0.00221
        ["claude-sonnet-4", "$10.95", "$0.00177", "80.0%", "$8.10", "0.0%"],
        ["gpt-4.1", "$10.50", "$0.00221", "25.0%", "$1.50", "19.0%"],  # 2.00 / 10.50 = 19.0%
        ["gpt-mystery", "unpriced", "unpriced", "0.0%", "—", "—"],
    ]

    # The download is the table as queried: exact Decimal text, unpriced cost an empty cell.
    file_name, data = downloads["prices_download_models"]
    assert file_name == "token_cost_by_model_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert list(csv["model_id"]) == ["claude-sonnet-4", "gpt-4.1", "gpt-mystery"]
    assert [D(v) for v in csv["list_cost_usd"][:2]] == [D("10.95"), D("10.50")]
    assert [D(v) for v in csv["cache_savings_usd"][:2]] == [D("8.10"), D("1.50")]
    assert csv["list_cost_usd"][2] == "" and csv["unpriced_tokens"][2] == "100000"


@pytest.mark.usefixtures("serving_db")
def test_price_history_and_changes(downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    # No token usage types in the base rows: the token section says so instead of $0.
    assert "No token usage in this range." in [c.value for c in at.caption]
    assert not at.metric

    model = at.selectbox(key="prices_model")
    assert model.options == ["claude-sonnet-4 (anthropic)", "gpt-4o (openai)", "gpt-4o-mini (openai)"]
    assert model.value == ("anthropic", "claude-sonnet-4")  # the costliest in the range
    model.set_value(("openai", "gpt-4o"))
    run(at)
    assert at.selectbox(key="prices_tier").options == ["batch", "standard"]
    assert at.selectbox(key="prices_tier").value == "standard"
    # The step chart of the standard tier: each window from its start to its end (the range end when open),
    # so a change is a vertical step; the two changes of 2024-10-01 are the dashed rules.
    (chart,) = at.get("vega_lite_chart")
    steps, rules = (dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in chart.proto.datasets)
    assert [(str(d.date()), s, p) for d, s, p in zip(steps["day"], steps["series"], steps["price"], strict=True)] == [
        ("2024-05-13", "input_tokens", 5.0),
        ("2024-10-01", "input_tokens", 5.0),
        ("2024-10-01", "input_tokens", 2.5),
        ("2025-02-15", "input_tokens", 2.5),
        ("2024-05-13", "output_tokens", 15.0),
        ("2024-10-01", "output_tokens", 15.0),
        ("2024-10-01", "output_tokens", 10.0),
        ("2025-02-15", "output_tokens", 10.0),
    ]
    assert list(zip(rules["usage_type"], rules["old_price"], rules["new_price"], strict=True)) == [
        ("input_tokens", 5.0, 2.5),
        ("output_tokens", 15.0, 10.0),
    ]
    history = frame_with(at, "List price")
    assert history[["Usage type", "Service tier", "List price", "From", "To"]].values.tolist() == [
        ["input_tokens", "batch", "$1.25", "2024-10-01", "—"],
        ["input_tokens", "standard", "$5.00", "2024-05-13", "2024-10-01"],
        ["input_tokens", "standard", "$2.50", "2024-10-01", "—"],
        ["output_tokens", "standard", "$15.00", "2024-05-13", "2024-10-01"],
        ["output_tokens", "standard", "$10.00", "2024-10-01", "—"],
    ]
    file_name, data = downloads["prices_download_history"]
    assert file_name == "price_history.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str)
    assert [D(v) for v in csv["unit_price_usd"]] == [D("1.25"), D("5"), D("2.5"), D("15"), D("10")]
    assert set(csv["model_id"]) == {"gpt-4o"}

    # Changes in range: gpt-4o-mini 0.15 → 0.10 on 2025-02-10; (0.10 - 0.15) / 0.15 = -33.3%; impact 0.20 - 0.30
    changes = frame_with(at, "Old price")
    assert changes.values.tolist() == [
        [
            "2025-02-10",
            "openai",
            "gpt-4o-mini",
            "input_tokens",
            "standard",
            "$0.15",
            "$0.10",
            "-33.3%",
            "$0.20",
            "-$0.10",
        ]
    ]
    file_name, data = downloads["prices_download_changes"]
    assert file_name == "price_changes_2025-01-16_2025-02-14.csv"
    assert D(pd.read_csv(io.BytesIO(data), dtype=str)["impact_30d_usd"][0]) == D("-0.10")


@pytest.mark.usefixtures("token_serving_db")
def test_filters_apply() -> None:
    at = open_page(PAGE)
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    run(at)
    # Anthropic alone: 10.95 x 1000 / 6.2M = $0.00177; hit rate 4M / 5M = 80.0%; savings 8.10; no batch
    assert metrics(at) == {
        "Cost per 1K tokens": "$0.00177",
        "Cache hit rate": "80.0%",
        "Savings from caching": "$8.10",
        "Batch share": "0.0%",
    }
    assert not at.warning  # the unpriced tokens are openai's
    assert at.selectbox(key="prices_model").options == ["claude-sonnet-4 (anthropic)"]
    assert "No list price changed in this range." in [c.value for c in at.caption]

    # 2025-02-12..02-14: only the 02-13 cache read (0.30, no input that day: no savings to value)
    at.multiselect(key="sidebar_providers").set_value([])
    at.date_input(key="sidebar_date_range").set_value((date(2025, 2, 12), date(2025, 2, 14)))
    run(at)
    assert metrics(at) == {
        "Cost per 1K tokens": "$0.00030",  # 0.30 x 1000 / 1M
        "Cache hit rate": "100.0%",
        "Savings from caching": "—",
        "Batch share": "0.0%",
    }


def test_serving_copy_without_price_marts(finops_home: Path, make_serving_db) -> None:
    path = make_serving_db(finops_home / "serving.duckdb")
    with duckdb.connect(str(path)) as conn:
        conn.execute("drop table marts.mart_price_changes")
        conn.execute("drop table marts.dim_price")
    at = open_page(PAGE)
    captions = [c.value for c in at.caption]
    assert "No model of these providers in the price book." in captions
    assert "This serving copy has no price changes yet: run the pipeline again to publish them." in captions
    assert not at.error


def test_serving_copy_without_price_changes(finops_home: Path, make_serving_db) -> None:
    """Published before mart_price_changes existed: the history is still drawn, without change rules."""
    path = make_serving_db(finops_home / "serving.duckdb")
    with duckdb.connect(str(path)) as conn:
        conn.execute("drop table marts.mart_price_changes")
    at = open_page(PAGE)
    at.selectbox(key="prices_model").set_value(("openai", "gpt-4o"))
    run(at)
    (chart,) = at.get("vega_lite_chart")
    assert len(chart.proto.datasets) == 1  # the steps, no rules
    assert len(frame_with(at, "List price")) == 5
    assert "This serving copy has no price changes yet: run the pipeline again to publish them." in [
        c.value for c in at.caption
    ]


def test_no_serving_copy(finops_home: Path) -> None:
    at = open_page(PAGE)
    assert [i.value for i in at.info] == ["No published data yet. Run `finops demo` or `finops run` first."]
