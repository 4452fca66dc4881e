"""mart_whatif_routing and mart_request_size_monthly on a request-log file drop, under the built-in routing
rules (no finops.yaml), every figure by hand from the book (pricing_seeds/price_book.csv, USD per 1M tokens,
standard tier):
  claude-sonnet-4-5 -> claude-sonnet-4-5-20250929   input 3      cache read 0.30   output 15
  claude-haiku-4-5  -> claude-haiku-4-5-20251001    input 1      cache read 0.10   output 5   (from 2025-10-15)
  gpt-4.1           -> gpt-4.1-2025-04-14           input 2                        output 8
  gpt-4.1-mini      -> gpt-4.1-mini-2025-04-14      input 0.40                     output 1.60

Built-in rules: simple = prompt <= 1,000 and output <= 300 tokens; anthropic -> claude-haiku-4-5, openai ->
gpt-4.1-mini, google -> gemini-2.5-flash-lite (no google requests: no rows).

November 2025 requests:
  s1 sonnet 600 in + 200 cache read (prompt 800), 100 out: simple. 1800 + 60 + 1500 = $0.00336;
     under haiku 600 + 20 + 500 = $0.00112; saves $0.00224
  s2 sonnet 5,000 in, 1,000 out: other. 15000 + 15000 = $0.03
  o1 gpt-4.1 900 in, 250 out: simple. 1800 + 2000 = $0.0038; under gpt-4.1-mini 360 + 400 = $0.00076
  o2 gpt-4.1-mini 100 in, 50 out: simple, already on the target: 40 + 80 = $0.00012 both ways, saves 0
  e1 a failed call: left out
"""

import json
import shutil
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import PRICING_MODELS, require_success, run_dbt, run_unit_tests, vars_with

from connectors.files import digest
from connectors.jsonl_requests import SOURCE as PLAIN
from orchestration.config import load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land_file

pytestmark = pytest.mark.slow

NOVEMBER = date(2025, 11, 1)
MODELS = ["stg_jsonl_requests__requests", "stg_jsonl_requests__request_lines", "int_requests_unioned"]
MODELS += ["int_request_usage", "fct_request_cost", "stg_config__whatif_routing"]
MODELS += ["int_whatif_routing_daily", "int_whatif_routing_lines", "mart_whatif_routing"]
MODELS += ["int_request_sizes_daily", "mart_request_size_monthly"]
HAIKU_CAVEAT = "token counts kept as used (the cheaper model may answer with more or fewer tokens, or less well)"


def line(request_id: str, day: int, provider: str, model: str, **tokens) -> dict:
    return {
        "format": "finops.request.v1", "request_id": request_id, "timestamp": f"2025-11-{day:02d}T10:00:00Z",
        "provider": provider, "model": model, "service_tier": "default", **tokens,
    }  # fmt: skip


LINES = [
    line("s1", 3, "anthropic", "claude-sonnet-4-5", input_tokens=600, cache_read_tokens=200, output_tokens=100),
    line("s2", 3, "anthropic", "claude-sonnet-4-5", input_tokens=5000, output_tokens=1000),
    line("o1", 3, "openai", "gpt-4.1", input_tokens=900, output_tokens=250),
    line("o2", 5, "openai", "gpt-4.1-mini", input_tokens=100, output_tokens=50),
    {**line("e1", 5, "openai", "gpt-4.1", input_tokens=0, output_tokens=0), "status": "error"},
]


def land_lines(home: Path, lines: list[dict], name: str) -> None:
    drop = home / name
    drop.write_text("".join(json.dumps(row) + "\n" for row in lines))
    (feed,) = PLAIN.feeds
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)  # config tables with the defaults: no finops.yaml, the built-in routing rules
        land_file(conn, feed.table, feed.read(drop), path=str(drop), digest=digest(drop), run_id=name)


def build(home: Path) -> None:
    args = ["build", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    select = ["--select", *PRICING_MODELS, *MODELS, "--exclude", "test_type:unit"]
    require_success(run_dbt(home, [*args, "--indirect-selection", "cautious", *select]))


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("finops_home")
    land_lines(home, LINES, "requests.jsonl")
    build(home)
    return home


def _rows(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_simple_requests_are_priced_again_under_the_rules_target(home):
    rows = _rows(
        home,
        "select rule, month, model_id, size_class, target_model_id, requests, prompt_tokens, output_tokens, "
        "actual_cost_usd, counterfactual_cost_usd, savings_usd, caveats from marts.mart_whatif_routing order by all",
    )
    assert rows == [
        ("simple-to-gpt-4-1-mini", NOVEMBER, "gpt-4.1-2025-04-14", "simple", "gpt-4.1-mini-2025-04-14", 1, 900, 250,
         D("0.0038"), D("0.00076"), D("0.00304"), HAIKU_CAVEAT),
        ("simple-to-gpt-4-1-mini", NOVEMBER, "gpt-4.1-mini-2025-04-14", "simple", "gpt-4.1-mini-2025-04-14", 1, 100,
         50, D("0.00012"), D("0.00012"), D(0), HAIKU_CAVEAT),
        ("simple-to-haiku", NOVEMBER, "claude-sonnet-4-5-20250929", "other", None, 1, 5000, 1000, D("0.03"), None,
         None, None),
        ("simple-to-haiku", NOVEMBER, "claude-sonnet-4-5-20250929", "simple", "claude-haiku-4-5-20251001", 1, 800,
         100, D("0.00336"), D("0.00112"), D("0.00224"), HAIKU_CAVEAT),
    ]  # fmt: skip
    # the classes of a rule add up to its successful requests' cost in fct_request_cost
    assert _rows(
        home,
        "select sum(list_cost_usd) from marts.fct_request_cost where provider = 'anthropic' and status = 'success'",
    ) == [(D("0.03336"),)]


def test_the_size_histogram_counts_successful_requests_by_prompt_size(home):
    assert _rows(
        home,
        "select provider, model_id, size_bucket, requests, prompt_tokens, list_cost_usd "
        "from marts.mart_request_size_monthly order by provider, model_id, bucket_floor_tokens",
    ) == [
        ("anthropic", "claude-sonnet-4-5-20250929", "251-1,000", 1, 800, D("0.00336")),
        ("anthropic", "claude-sonnet-4-5-20250929", "4,001-16,000", 1, 5000, D("0.03")),
        ("openai", "gpt-4.1-2025-04-14", "251-1,000", 1, 900, D("0.0038")),
        ("openai", "gpt-4.1-mini-2025-04-14", "0-250", 1, 100, D("0.00012")),
    ]


def test_the_marts_unit_tests_pass(home):
    run_unit_tests(home, "int_whatif_routing_daily")
    run_unit_tests(home, "int_whatif_routing_lines")
    run_unit_tests(home, "int_request_sizes_daily")
    run_unit_tests(home, "mart_whatif_routing")
    run_unit_tests(home, "mart_request_size_monthly")


def rolled_up(home: Path) -> list[tuple]:
    """(rule, day, model, class, requests, the build that wrote the row) of int_whatif_routing_daily."""
    return _rows(
        home,
        "select rule, usage_date, model_id, size_class, requests, built_at from intermediate.int_whatif_routing_daily "
        "order by all",
    )


def test_a_new_day_rolls_up_alone_and_a_rule_change_rebuilds_every_day(home, tmp_path):
    """The roll-up is incremental by day: a new day's file adds that day's rows and leaves the others as their
    build wrote them; a change of the routing rules rebuilds every day, dropping the days no rule covers now and
    adding days the table had no row for."""
    copy = tmp_path / "home"
    copy.mkdir()
    shutil.copy(home / "warehouse.duckdb", copy / "warehouse.duckdb")
    first = rolled_up(copy)
    sizes_sql = "select usage_date, min(built_at), max(built_at) from intermediate.int_request_sizes_daily group by 1"
    first_sizes = dict((day, built) for day, *built in _rows(copy, sizes_sql))
    assert sorted(first_sizes) == [date(2025, 11, 3), date(2025, 11, 5)]
    assert [row[:5] for row in first] == [
        ("simple-to-gpt-4-1-mini", date(2025, 11, 3), "gpt-4.1-2025-04-14", "simple", 1),
        ("simple-to-gpt-4-1-mini", date(2025, 11, 5), "gpt-4.1-mini-2025-04-14", "simple", 1),
        ("simple-to-haiku", date(2025, 11, 3), "claude-sonnet-4-5-20250929", "other", 1),
        ("simple-to-haiku", date(2025, 11, 3), "claude-sonnet-4-5-20250929", "simple", 1),
    ]

    # s3, a simple sonnet request of the 7th: 300 in, 100 out = $0.0009 + $0.0015; under haiku $0.0003 + $0.0005
    land_lines(copy, [line("s3", 7, "anthropic", "claude-sonnet-4-5", input_tokens=300, output_tokens=100)], "s3.jsonl")
    build(copy)
    second = rolled_up(copy)
    new_day = ("simple-to-haiku", date(2025, 11, 7), "claude-sonnet-4-5-20250929", "simple", 1)
    assert [row for row in second if row[:5] != new_day] == first  # the old days' rows, from the first build
    (added,) = [row for row in second if row[:5] == new_day]
    assert added[5] > first[0][5]
    # the size roll-up likewise: the 3rd and the 5th as the first build wrote them, the 7th from this build
    sizes = dict((day, built) for day, *built in _rows(copy, sizes_sql))
    assert {day: sizes[day] for day in first_sizes} == first_sizes
    assert sizes[date(2025, 11, 7)] == [added[5], added[5]]
    assert _rows(
        copy,
        "select requests, actual_cost_usd, counterfactual_cost_usd from marts.mart_whatif_routing "
        "where rule = 'simple-to-haiku' and size_class = 'simple'",
    ) == [(2, D("0.00336") + D("0.0024"), D("0.00112") + D("0.0008"))]

    def set_rules(routing: str) -> None:
        (copy / "finops.yaml").write_text(f"whatif:\n  routing:\n{routing}")
        with duckdb.connect(str(copy / "warehouse.duckdb")) as conn:
            write_config_tables(conn, load_config(copy / "finops.yaml"))
        build(copy)

    # one rule, on gpt-4.1-mini only: the 3rd and the 7th have no request in scope now, and lose their rows
    set_rules("    - {name: mini, scope: {provider: openai, models: [gpt-4.1-mini*]}, to_model: gpt-4.1-nano}\n")
    third = rolled_up(copy)
    assert [row[:5] for row in third] == [("mini", date(2025, 11, 5), "gpt-4.1-mini-2025-04-14", "simple", 1)]
    assert third[0][5] > added[5]
    # and a rule on anthropic again: the 3rd and the 7th, which the table had no row for, are read again
    set_rules("    - {name: sonnet, scope: {provider: anthropic}, to_model: claude-haiku-4-5}\n")
    assert [row[:5] for row in rolled_up(copy)] == [
        ("sonnet", date(2025, 11, 3), "claude-sonnet-4-5-20250929", "other", 1),
        ("sonnet", date(2025, 11, 3), "claude-sonnet-4-5-20250929", "simple", 1),
        ("sonnet", date(2025, 11, 7), "claude-sonnet-4-5-20250929", "simple", 1),
    ]
