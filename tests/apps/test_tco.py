"""The TCO page on the seeded serving copy plus tco_seed.py's token usage and defaults.

Every expected number is worked out by hand (tco_seed.py has the rows). Default range 2025-01-16..2025-02-14, 30 days,
as a 730-hour month (x 730 / 720): output 730,000 tokens, input 5,475,000, effective API cost 13.505 ($13.51), list
14.60. Default inputs: the first size class (8B) and the first GPU offer (A100 at $2.00), 100 tokens/s on one GPU;
utilisation 50%, peak factor 2:
  one node serves 100 x 3,600 x 730 x 0.5 / 2 = 65,700,000 output tokens a month -> 1 node, 1 GPU
  GPUs 1 x 2.00 x 730 = 1,460.00; monitoring 1 x 10 = 10.00; engineering 10 x 50 = 500.00; self-hosting 1,970.00
  saves 13.505 - 1,970 = -1,956.495 (-$1,956.50); API per 1M output 13.505 / 0.73 = 18.50; self-hosting per 1M
  1,970 / 0.73 = 2,698.630 ($2,698.63); break-even: a node's tokens at the API, 65.7 M x 18.50 / 1M = 1,215.45 <
  1,470 a node costs: never.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, open_page, run
from streamlit import dataframe_util
from tco_seed import add_tco_rows, insert_defaults, insert_published_seed
from test_data_as_text import _assert_no_data_in_markdown

from apps.lib import tco

PAGE = "app_pages/tco.py"
D = Decimal
RANGE = "usage_date >= '2025-01-16' and usage_date < '2025-02-15' and usage_type like '%\\_tokens' escape '\\'"


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def tco_db(serving_db: Path) -> Path:
    return add_tco_rows(serving_db)


def test_tco_default_inputs_match_sql_and_hand_numbers(tco_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert at.caption[0].value == (
        "The API's cost of your token usage, as a month, against self-hosting an open model on rented GPUs, "
        "UTC days 2025-01-16 to 2025-02-14; all providers."
    )
    # the token mix against SQL on the mart: priced output / input tokens and costs in range
    assert _sql(
        tco_db,
        "select sum(quantity) filter (where is_priced and usage_type like 'output%'), "
        "sum(quantity) filter (where is_priced and usage_type not like 'output%'), "
        "sum(list_cost_usd), sum(effective_cost_usd), sum(quantity) filter (where not is_priced) "
        f"from marts.fct_usage_cost_daily where {RANGE}",
    ) == [(720_000, 5_400_000, D("14.40"), D("13.32"), 7_200)]
    assert at.warning[0].value.startswith("7,200 tokens of usage in these days have no list price")

    shown = metrics(at)
    assert shown == {
        "Output tokens / month": "730 K",
        "Input tokens / month": "5.48 M",
        "API cost / month (effective)": "$13.51",
        "API per 1M output tokens": "$18.50",
        "API": "$13.51",
        "Self-hosting": "$1,970.00",
        "Self-hosting saves": "-$1,956.50",
        "Nodes (GPUs)": "1 (1)",
        "Break-even, output tokens / month": "—",
        "One node serves, tokens / month": "65.7 M",
        "Self-hosting per 1M output tokens": "$2,698.63",
    }
    # the same numbers from tco.py on the SQL totals
    result = tco.calculate(
        tco.Inputs(
            monthly_output_tokens=tco.monthly_run_rate(D(720_000), 30),
            api_monthly_cost_usd=tco.monthly_run_rate(D("13.32"), 30),
            throughput_tokens_per_s=D(100),
            gpus_per_node=1,
            gpu_hourly_usd=D(2),
            utilisation=D("0.5"),
            peak_factor=D(2),
            engineering_hours_per_month=D(10),
            engineering_rate_usd_per_hour=D(50),
            monitoring_usd_per_node_month=D(10),
        )
    )
    assert (result.self_host_usd, result.api_usd, result.break_even_output_tokens) == (D(1970), D("13.505"), None)
    assert "No break-even at these inputs" in " ".join(c.value for c in at.caption)

    mix = frame_with(at, "Unpriced tokens")
    assert mix.values.tolist() == [
        ["openai", "gpt-4.1", "3,000,000", "600,000", "$10.80", "$9.72", "0"],
        ["anthropic", "claude-sonnet-4", "2,400,000", "120,000", "$3.60", "$3.60", "0"],
        ["openai", "gpt-mystery", "0", "0", "unpriced", "unpriced", "7,200"],
    ]
    breakdown = frame_with(at, "How")
    assert list(zip(breakdown["Cost"], breakdown["Per month"], strict=True)) == [
        ("GPUs", "$1,460.00"),
        ("Monitoring", "$10.00"),
        ("Engineering", "$500.00"),
        ("Self-hosting", "$1,970.00"),
        ("API", "$13.51"),
    ]
    sources = frame_with(at, "Confidence")
    assert len(sources) == 11
    assert sources[sources["Offer / size / setting"] == "Test cloud A"]["Source"].tolist() == ["https://example.test/a"]

    (chart,) = at.get("vega_lite_chart")
    datasets = [dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in chart.proto.datasets]
    rules = next(d for d in datasets if "mark" in d.columns)
    assert rules["output_tokens"].tolist() == [730_000.0]  # today's run-rate only: no break-even
    steps = next(d for d in datasets if "series" in d.columns and set(d["series"]) == {"Self-hosting"})
    # up to 2 x 65.7 M: steps at 0 (1 node, 1,970) and 65.7 M (2 nodes, 3,440), then the end
    assert steps[["output_tokens", "usd"]].values.tolist() == [
        [0.0, 1970.0],
        [65_700_000.0, 3440.0],
        [131_400_000.0, 3440.0],
    ]

    file_name, data = downloads["tco_download"]
    assert file_name == "tco_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False).set_index("item")["value"]
    assert D(csv["monthly_output_tokens"]) == D(730_000)
    assert D(csv["api_monthly_cost_usd"]) == D("13.505")
    assert D(csv["self_host_usd"]) == D(1970)
    assert D(csv["utilisation"]) == D("0.5")
    assert (csv["gpu_offer"], csv["size_class"], csv["break_even_output_tokens"]) == ("a100-test", "8B", "")


def test_tco_edited_inputs_break_even(tco_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    at.radio(key="tco_cost_basis").set_value("List price")
    at.number_input(key="tco_utilisation").set_value(100.0)
    at.number_input(key="tco_peak_factor").set_value(1.0)
    run(at)
    # list 14.60 a month = $20 per 1M output; one node 100 x 3,600 x 730 = 262,800,000 tokens, worth 5,256 at the
    # API > 1,470: break-even on the first node at (500 + 1,470) / 0.00002 = 98,500,000 (134.9 x 730,000)
    shown = metrics(at)
    assert shown["API"] == "$14.60"
    assert shown["API per 1M output tokens"] == "$20.00"
    assert shown["One node serves, tokens / month"] == "263 M"
    assert shown["Break-even, output tokens / month"] == "98.5 M"
    assert shown["Self-hosting"] == "$1,970.00"
    assert "Self-hosting breaks even at 98,500,000 output tokens a month on 1 node(s), 134.9 x today's run-rate." in [
        c.value for c in at.caption
    ]
    csv = pd.read_csv(io.BytesIO(downloads["tco_download"][1]), dtype=str, keep_default_na=False)
    values = csv.set_index("item")["value"]
    assert D(values["break_even_output_tokens"]) == D(98_500_000)
    assert values["api_cost_basis"] == "list_cost_usd"


def test_tco_other_size_class_and_gpu(tco_db: Path) -> None:
    at = open_page(PAGE)
    at.selectbox(key="tco_size").set_value("70B")
    run(at)
    # A100 70B: 40 tokens/s on 2 GPUs: 40 x 3,600 x 730 x 0.5 / 2 = 26,280,000 a month, 1 node, 2 GPUs;
    # 2 x 2.00 x 730 = 2,920 + 10 + 500 = 3,430
    shown = metrics(at)
    assert (shown["Nodes (GPUs)"], shown["One node serves, tokens / month"], shown["Self-hosting"]) == (
        "1 (2)",
        "26.3 M",
        "$3,430.00",
    )
    at.selectbox(key="tco_size").set_value("8B")
    at.selectbox(key="tco_offer").set_value("h100-test")
    run(at)
    # H100 8B: 250 tokens/s, $4.00: 164,250,000 a month; 4.00 x 730 = 2,920 + 10 + 500 = 3,430
    shown = metrics(at)
    assert (shown["One node serves, tokens / month"], shown["Self-hosting"]) == ("164 M", "$3,430.00")


def test_tco_bad_input_is_one_clear_error(tco_db: Path) -> None:
    at = open_page(PAGE)
    at.number_input(key="tco_throughput_0_0").set_value(0.0)
    run(at)
    assert [e.value for e in at.error] == [
        "Throughput must be above 0 output tokens per second: enter the measured rate of one node."
    ]
    assert "Self-hosting" not in metrics(at)


def test_tco_without_defaults_says_how_to_publish(serving_db: Path) -> None:
    add_tco_rows(serving_db, defaults=False)
    at = open_page(PAGE)
    assert at.info[0].value.startswith("The TCO defaults are not in the published data yet")
    assert not at.metric


def test_tco_without_token_usage_in_range(tco_db: Path) -> None:
    at = run()
    at.date_input(key="sidebar_date_range").set_value(
        (pd.Timestamp("2025-01-16").date(), pd.Timestamp("2025-01-31").date())
    )
    run(at)
    at.switch_page(PAGE)
    run(at)
    assert at.info[0].value.startswith("No priced output tokens in these dates and providers")
    assert not at.metric


def test_tco_on_the_published_seed(tco_db: Path) -> None:
    """pricing_seeds/tco_defaults.csv as published: the first size class is 8B, the first offer the cheapest A100
    (RunPod, $1.79), measured at 1,517.54 tokens/s on one GPU (Lambda's vLLM benchmark); utilisation 60%, peak 2,
    730 h, 40 engineering hours at $63.59, monitoring $46 per node:
      one node 1,517.54 x 3,600 x 730 x 0.6 / 2 = 1,196,428,536 tokens a month -> 1 node
      GPUs 1.79 x 730 = 1,306.70 + 46 + 2,543.60 = 3,896.30; saves 13.505 - 3,896.30 = -3,882.795 (-$3,882.80)
      per 1M output 3,896.30 / 0.73 = 5,337.397 ($5,337.40)
      break-even: a node's tokens at $18.50 per 1M = 22,133.93 > 1,352.70: 1 node, 3,896.30 / 0.0000185 =
      210,610,810.8 tokens (288.5 x 730,000)"""
    insert_published_seed(tco_db)
    at = open_page(PAGE)
    assert at.selectbox(key="tco_size").options == ["8B", "70B", "405B"]
    assert at.selectbox(key="tco_offer").value == "a100-sxm-80gb-runpod"
    shown = metrics(at)
    assert shown["One node serves, tokens / month"] == "1.20 B"
    assert shown["Self-hosting"] == "$3,896.30"
    assert shown["Self-hosting saves"] == "-$3,882.80"
    assert shown["Self-hosting per 1M output tokens"] == "$5,337.40"
    assert shown["Break-even, output tokens / month"] == "211 M"
    # the metric is compact; its help keeps the exact number
    helps = {m.label: m.help for m in at.metric}
    assert helps["One node serves, tokens / month"] == "Exactly 1,196,428,536 tokens."
    assert helps["Break-even, output tokens / month"].endswith(" Exactly 210,610,811 tokens.")
    assert "Self-hosting breaks even at 210,610,811 output tokens a month on 1 node(s), 288.5 x today's run-rate." in [
        c.value for c in at.caption
    ]
    sources = frame_with(at, "Confidence")
    assert len(sources) == 18
    assert set(sources["Confidence"]) == {"A", "B", "C", "assumption"}
    # every default that is not an assumption names its source
    assert not sources[(sources["Confidence"] != "assumption") & (sources["Source"] == "—")].values.tolist()
    at.selectbox(key="tco_size").set_value("405B")
    run(at)
    # A100 405B: 467.85 tokens/s on 8 GPUs: 467.85 x 3,600 = 1,684,260 x 730 = 1,229,509,800 x 0.3 = 368,852,940 a month, 1 node, 8 GPUs;
    # 8 x 1.79 x 730 = 10,453.60 + 46 + 2,543.60 = 13,043.20
    shown = metrics(at)
    assert (shown["Nodes (GPUs)"], shown["One node serves, tokens / month"], shown["Self-hosting"]) == (
        "1 (8)",
        "369 M",
        "$13,043.20",
    )


def test_tco_shows_markdown_names_as_text(tco_db: Path) -> None:
    """A GPU, offer, serving stack and model named in Markdown stay in selectbox options and dataframe cells."""
    evil_gpu = "**INJECTED** GPU [g](https://evil.example/g)"
    evil_offer = ":red[INJECTED] offer :material/warning:"
    evil_model = "gpt-zz` **INJECTED** [m](https://evil.example/m)"
    with duckdb.connect(str(tco_db)) as conn:
        insert_defaults(
            conn,
            [
                ("evil-offer", "gpu_price", evil_gpu, evil_offer, None, None, None, D("1.00"), "usd_per_gpu_hour",
                 "https://evil.example/s", "C"),
                ("evil-8b", "throughput", evil_gpu, None, "8B", 1, None, D(100), "output_tokens_per_second_per_node",
                 "https://evil.example/t", "C"),
            ],
        )  # fmt: skip
        conn.execute(
            "update marts.fct_usage_cost_daily set model_id = ?, model_raw = ? where model_raw = 'gpt-mystery'",
            [evil_model, evil_model],
        )
    at = open_page(PAGE)
    _assert_no_data_in_markdown(at)
    assert at.selectbox(key="tco_offer").value == "evil-offer"  # sorts first: the default
    assert f"{evil_gpu} · {evil_offer}" in at.selectbox(key="tco_offer").options
    cells = {str(cell) for frame in (df.value for df in at.dataframe) for col in frame.columns for cell in frame[col]}
    assert {evil_gpu, evil_offer, evil_model} <= cells
    # 1 GPU at $1.00 x 730 = 730 + 10 + 500 = 1,240
    assert metrics(at)["Self-hosting"] == "$1,240.00"
