"""The What-if page's Routing tab on conftest.py's seeded serving copy plus the two routing marts seeded here
(columns from their dbt contracts). Every expected number is worked out by hand from ROUTING and SIZES; the
default range 2025-01-16..2025-02-14 takes the whole months January and February (December is out).

simple-to-haiku (anthropic, claude-sonnet-4):
  January simple 6 requests $0.03 -> $0.01 under haiku (saves $0.02), other 4 requests $0.07;
  February simple 2 requests $0.01 -> $0.004 (saves $0.006), other 8 requests $0.10.
  Requests 20, simple 8 (40.0%); cost $0.21, simple $0.04 (0.04 / 0.21 = 19.0%); routed $0.014;
  savings $0.026 (0.026 / 0.21 = 12.4% of the cost).
simple-to-gpt-4-1-mini (openai, gpt-4o), January: simple 5 requests $0.02 with no price under the target
  (unpriced, not $0), other 5 requests $0.05 (one unpriced request). Requests 10, simple 5 (50.0%); cost
  $0.07, simple $0.02 (28.6%); routed and savings unpriced.
Sizes (both months): 0-250 3 + 2 + 5 = 10 requests, $0.04; 251-1,000 3, $0.02; 1,001-4,000 8, $0.10;
  4,001-16,000 4, $0.07; 16,001+ 5, $0.05 (one unpriced); of 30 requests and $0.28.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from apptest_helpers import open_page, run
from streamlit import dataframe_util

PAGE = "app_pages/whatif.py"
D = Decimal
CONTRACT = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_mart_whatif_routing.yml"
TOKENS = "token counts kept as used (the cheaper model may answer with more or fewer tokens, or less well)"
NO_PRICE = "no price for gpt-4.1-mini-2025-04-14 output_tokens at standard tier: counterfactual and savings left NULL"
IN_RANGE = "month >= '2025-01-01' and month < '2025-02-15'"
HAIKU, MINI = "simple-to-haiku", "simple-to-gpt-4-1-mini"

# fmt: off
# (rule, month, provider, model, class, to_model, target, requests, unpriced, actual, counterfactual, caveats)
ROUTING = [
    (HAIKU, "2024-12-01", "anthropic", "claude-sonnet-4", "simple", "claude-haiku-4-5", "claude-haiku-4-5-20251001",
     100, 0, D("1"), D("0.5"), TOKENS),
    (HAIKU, "2025-01-01", "anthropic", "claude-sonnet-4", "simple", "claude-haiku-4-5", "claude-haiku-4-5-20251001",
     6, 0, D("0.03"), D("0.01"), TOKENS),
    (HAIKU, "2025-01-01", "anthropic", "claude-sonnet-4", "other", "claude-haiku-4-5", None, 4, 0, D("0.07"), None,
     None),
    (HAIKU, "2025-02-01", "anthropic", "claude-sonnet-4", "simple", "claude-haiku-4-5", "claude-haiku-4-5-20251001",
     2, 0, D("0.01"), D("0.004"), TOKENS),
    (HAIKU, "2025-02-01", "anthropic", "claude-sonnet-4", "other", "claude-haiku-4-5", None, 8, 0, D("0.10"), None,
     None),
    (MINI, "2025-01-01", "openai", "gpt-4o", "simple", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", 5, 0, D("0.02"),
     None, f"{NO_PRICE} | {TOKENS}"),
    (MINI, "2025-01-01", "openai", "gpt-4o", "other", "gpt-4.1-mini", None, 5, 1, D("0.05"), None,
     "1 unpriced requests left out"),
]
# (month, provider, model, bucket, floor, requests, unpriced, list cost)
SIZES = [
    ("2024-12-01", "anthropic", "claude-sonnet-4", "0-250", 0, 100, 0, D("1")),
    ("2025-01-01", "anthropic", "claude-sonnet-4", "0-250", 0, 3, 0, D("0.01")),
    ("2025-01-01", "anthropic", "claude-sonnet-4", "251-1,000", 251, 3, 0, D("0.02")),
    ("2025-01-01", "anthropic", "claude-sonnet-4", "4,001-16,000", 4001, 4, 0, D("0.07")),
    ("2025-02-01", "anthropic", "claude-sonnet-4", "0-250", 0, 2, 0, D("0.01")),
    ("2025-02-01", "anthropic", "claude-sonnet-4", "1,001-4,000", 1001, 8, 0, D("0.10")),
    ("2025-01-01", "openai", "gpt-4o", "0-250", 0, 5, 0, D("0.02")),
    ("2025-01-01", "openai", "gpt-4o", "16,001+", 16001, 5, 1, D("0.05")),
]
# fmt: on


def add_routing_marts(path: Path) -> Path:
    """The two routing marts, created from their contracts and filled with ROUTING and SIZES."""
    models = {m["name"]: m for m in yaml.safe_load(CONTRACT.read_text())["models"]}
    with duckdb.connect(str(path)) as conn:
        for name, model in models.items():
            columns = ", ".join(f"{c['name']} {c['data_type']}" for c in model["columns"])
            conn.execute(f"create table marts.{name} ({columns})")
        conn.executemany(
            "insert into marts.mart_whatif_routing (rule, month, provider, model_id, size_class, to_model, "
            "target_model_id, requests, unpriced_requests, actual_cost_usd, counterfactual_cost_usd, savings_usd, "
            "caveats, max_input_tokens, max_output_tokens, prompt_tokens, output_tokens, fallback_tokens, "
            "unpriced_tokens) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1000, 300, 0, 0, 0, 0)",
            [
                [*row[:1], date.fromisoformat(row[1]), *row[2:11], None if row[10] is None else row[9] - row[10],
                 row[11]]
                for row in ROUTING
            ],
        )  # fmt: skip
        conn.executemany(
            "insert into marts.mart_request_size_monthly (month, provider, model_id, size_bucket, "
            "bucket_floor_tokens, requests, unpriced_requests, list_cost_usd, prompt_tokens, output_tokens) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
            [[date.fromisoformat(row[0]), *row[1:]] for row in SIZES],
        )
    return path


@pytest.fixture
def routing_db(serving_db: Path) -> Path:
    return add_routing_marts(serving_db)


def frame_with(at, column: str) -> pd.DataFrame:
    """The one dataframe of the Routing tab that has ``column``."""
    (frame,) = [df.value for df in at.tabs[1].dataframe if column in df.value.columns]
    return frame


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_routing_rules_show_the_simple_share_and_savings(routing_db: Path, downloads) -> None:
    at = open_page(PAGE)
    assert [tab.label for tab in at.tabs] == ["Repricing", "Routing"]
    rules = frame_with(at, "Simple share of requests")
    assert rules.values.tolist() == [
        [MINI, "gpt-4.1-mini", "1,000", "300", "10", "5", "50.0%", "$0.0700", "$0.0200", "28.6%", "unpriced",
         "unpriced", "—"],
        [HAIKU, "claude-haiku-4-5", "1,000", "300", "20", "8", "40.0%", "$0.2100", "$0.0400", "19.0%", "$0.0140",
         "$0.0260", "12.4%"],
    ]  # fmt: skip
    # the same figures from SQL on the serving copy
    assert _sql(
        routing_db,
        "select sum(requests), sum(requests) filter (where size_class = 'simple'), sum(actual_cost_usd), "
        "sum(actual_cost_usd) filter (where size_class = 'simple'), sum(counterfactual_cost_usd), sum(savings_usd) "
        f"from marts.mart_whatif_routing where rule = '{HAIKU}' and {IN_RANGE}",
    ) == [(20, 8, D("0.21"), D("0.04"), D("0.014"), D("0.026"))]
    assert [w.value for w in at.tabs[1].warning] == [
        "1 model-months of simple requests have no price under their rule's model: their cost routed and the "
        "savings are unpriced (not \\$0), and so are the totals that include them. The caveats below say which "
        "prices are missing."
    ]
    models = frame_with(at, "Routed as")
    assert models[["Rule", "Model", "Routed as", "Simple cost", "Simple, routed", "Estimated savings"]].values.tolist() == [
        [MINI, "gpt-4o", "gpt-4.1-mini-2025-04-14", "$0.0200", "unpriced", "unpriced"],
        [HAIKU, "claude-sonnet-4", "claude-haiku-4-5-20251001", "$0.0400", "$0.0140", "$0.0260"],
    ]  # fmt: skip
    caveats = frame_with(at, "Caveat")
    assert caveats.values.tolist() == [
        [MINI, "openai", "gpt-4o", "1 unpriced requests left out"],
        [MINI, "openai", "gpt-4o", NO_PRICE],
        [MINI, "openai", "gpt-4o", TOKENS],
        [HAIKU, "anthropic", "claude-sonnet-4", TOKENS],
    ]

    file_name, data = downloads["whatif_routing_download"]
    assert file_name == "whatif_routing_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False).set_index("rule")
    assert D(csv.loc[HAIKU, "savings_usd"]) == D("0.026") and csv.loc[MINI, "savings_usd"] == ""
    assert D(csv.loc[MINI, "simple_actual_cost_usd"]) == D("0.02")


def test_the_size_histogram_counts_requests_per_prompt_size(routing_db: Path) -> None:
    at = open_page(PAGE)
    sizes = frame_with(at, "Share of requests")
    assert sizes.values.tolist() == [
        ["0-250", "10", "33.3%", "$0.0400", "14.3%", "0"],
        ["251-1,000", "3", "10.0%", "$0.0200", "7.1%", "0"],
        ["1,001-4,000", "8", "26.7%", "$0.1000", "35.7%", "0"],
        ["4,001-16,000", "4", "13.3%", "$0.0700", "25.0%", "0"],
        ["16,001+", "5", "16.7%", "$0.0500", "17.9%", "1"],
    ]
    assert _sql(
        routing_db,
        f"select sum(requests), sum(list_cost_usd) from marts.mart_request_size_monthly where {IN_RANGE}",
    ) == [(30, D("0.28"))]
    charts = [
        dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data)
        for chart in at.get("vega_lite_chart")
        for ds in chart.proto.datasets
    ]
    (histogram,) = [c for c in charts if "Prompt tokens" in c.columns]
    assert list(zip(histogram["Prompt tokens"], histogram["Requests"], strict=True)) == [
        ("0-250", 10),
        ("251-1,000", 3),
        ("1,001-4,000", 8),
        ("4,001-16,000", 4),
        ("16,001+", 5),
    ]


def test_the_provider_filter_narrows_rules_and_sizes(routing_db: Path) -> None:
    at = open_page(PAGE)
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    run(at)
    assert frame_with(at, "Simple share of requests")["Rule"].tolist() == [HAIKU]
    assert frame_with(at, "Share of requests")["Requests"].tolist() == ["5", "3", "8", "4"]
    assert not at.tabs[1].warning


def test_without_request_logs_the_tab_says_how_to_get_them(serving_db: Path) -> None:
    at = open_page(PAGE)
    # conftest's serving copy has no routing marts (as one published before they existed)
    (info,) = at.tabs[1].info
    assert info.value.startswith("No request logs in the published data for these months and providers")
    assert "`whatif: routing:`" in at.tabs[1].caption[-1].value
    # the repricing tab is unaffected
    (models,) = [df.value for df in at.tabs[0].dataframe if "Repriced as" in df.value.columns]
    assert models["Model"].tolist()[:2] == ["gpt-4o", "claude-sonnet-4"]


MARKERS = ("INJECTED", "evil.example", ":red[", "material/warning", "<b>")


def _markdown_texts(node) -> list[str]:
    """Every Markdown-rendering string under ``node`` (bodies of all but Text and Code, labels, help)."""
    texts = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "DESCRIPTOR"):
        for field in ("body", "label", "help", "delta", "delta_description"):
            if field == "body" and proto.DESCRIPTOR.name in ("Text", "Code"):
                continue
            descriptor = proto.DESCRIPTOR.fields_by_name.get(field)
            if descriptor is not None and descriptor.type == descriptor.TYPE_STRING and getattr(proto, field):
                texts.append(getattr(proto, field))
    for child in getattr(node, "children", {}).values():
        texts += _markdown_texts(child)
    return texts


def test_names_from_the_data_stay_text(hostile_serving_db: Path, hostile_names: dict[str, str]) -> None:
    provider, model = hostile_names["provider"], hostile_names["model"]
    with duckdb.connect(str(add_routing_marts(hostile_serving_db))) as conn:
        conn.execute(
            "insert into marts.mart_whatif_routing (rule, month, provider, model_id, size_class, to_model, "
            "target_model_id, requests, unpriced_requests, actual_cost_usd, counterfactual_cost_usd, savings_usd, "
            "caveats, max_input_tokens, max_output_tokens, prompt_tokens, output_tokens, fallback_tokens, "
            "unpriced_tokens) values (?, date '2025-02-01', ?, ?, 'simple', ?, ?, 1, 0, 0.5, null, null, ?, "
            "1000, 300, 0, 0, 0, 0)",
            [model, provider, model, model, model, f"no price for {model}"],
        )
        conn.execute(
            "insert into marts.mart_request_size_monthly (month, provider, model_id, size_bucket, "
            "bucket_floor_tokens, requests, unpriced_requests, list_cost_usd, prompt_tokens, output_tokens) "
            "values (date '2025-02-01', ?, ?, '0-250', 0, 1, 0, 0.5, 0, 0)",
            [provider, model],
        )
    at = open_page(PAGE)
    texts = _markdown_texts(at.main)
    assert texts and not [t for t in texts if any(marker in t for marker in MARKERS)]
    # the names are on the tab, verbatim, as dataframe cells
    assert model in frame_with(at, "Simple share of requests")["Rule"].tolist()
    assert [provider, model] in frame_with(at, "Routed as")[["Provider", "Model"]].values.tolist()


def test_a_model_with_no_simple_requests_shows_zero_of_them(routing_db: Path) -> None:
    # claude-opus-4 sent only long requests in January: its rule row has no 'simple' class at all (the demo's
    # data has such models; the page once failed on the missing count)
    with duckdb.connect(str(routing_db)) as conn:
        conn.execute(
            "insert into marts.mart_whatif_routing (rule, month, provider, model_id, size_class, to_model, "
            "requests, unpriced_requests, actual_cost_usd, max_input_tokens, max_output_tokens, prompt_tokens, "
            "output_tokens, fallback_tokens, unpriced_tokens) values (?, date '2025-01-01', 'anthropic', "
            "'claude-opus-4', 'other', 'claude-haiku-4-5', 3, 0, 0.30, 1000, 300, 0, 0, 0, 0)",
            [HAIKU],
        )
    at = open_page(PAGE)
    assert not at.exception
    models = frame_with(at, "Routed as")
    opus = models[models["Model"] == "claude-opus-4"]
    assert opus[["Requests", "Simple requests", "Simple cost"]].values.tolist() == [["3", "0", "—"]]
