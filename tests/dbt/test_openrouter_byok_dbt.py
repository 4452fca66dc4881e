"""OpenRouter's activity at the vendor's grain: one row per (date, model, endpoint) holds both what OpenRouter
billed (`usage`) and bring-your-own-key inference (`byok_usage_inference`). A reply shaped exactly as the spec
documents it (tests/fixtures/openrouter/activity_byok.json: a mixed row, a second endpoint of the same model,
an all-BYOK row, a row without BYOK) goes through the connector, the landing and its raw checks, and the
OpenRouter staging models up to the billed fact and the reconciliation; every total below is worked out by hand
from the fixture.

Twice: without finops.yaml (every BYOK amount counts as OpenRouter's, today's numbers), and with
`openrouter.byok_billed_by_upstream: [openai]` (the organisation loads OpenAI's own billing for its keys): the
OpenAI endpoint's BYOK inference (0.012) and that row's tokens then leave the totals and stay listed apart in
stg_openrouter__activity, while Amazon Bedrock's BYOK (not listed) still counts."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import responses
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.openrouter import OpenRouterClient
from connectors.openrouter.tables import OPENROUTER_ACTIVITY
from orchestration.config import load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land
from orchestration.quality.raw import check_landing

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "openrouter" / "activity_byok.json"
BASE, KEY = "https://openrouter.test/api/v1", "sk-or-v1-test-fake-not-a-real-key"
DAY, NEXT = date(2025, 8, 24), date(2025, 8, 25)
MODELS = ["stg_openrouter__activity", "stg_openrouter__usage_lines", "stg_openrouter__billed_lines"]
MODELS += ["fct_openrouter_byok_daily"]


def build(home, finops_yaml: str | None) -> dict:
    with responses.RequestsMock() as mock:
        mock.get(f"{BASE}/activity", body=FIXTURE.read_text(), content_type="application/json")
        with OpenRouterClient(KEY, BASE, sleep=lambda s: None, jitter=lambda d: d) as client:
            rows = list(client.iter_activity(DAY, NEXT))
    if finops_yaml is not None:
        (home / "finops.yaml").write_text(finops_yaml)
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        write_config_tables(conn, load_config(home / "finops.yaml"))  # no file: the defaults
        ensure_raw_tables(conn)
        land(conn, OPENROUTER_ACTIVITY, rows, run_id="run-byok", window=(DAY, NEXT))
        checks = check_landing(conn, OPENROUTER_ACTIVITY, (DAY, NEXT))
    selection = ["--select", *MODELS, "+fct_cost_reconciliation_daily", "--exclude", "test_type:unit"]
    selection += ["--indirect-selection", "cautious"]
    result = run_dbt(
        home,
        ["build", *vars_with(usage_lines=[MODELS[1]], billed_lines=[MODELS[2]]), *selection],
    )
    require_success(result)
    return {"rows": rows, "checks": checks, "conn": duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    built = build(tmp_path_factory.mktemp("finops_home"), None)
    yield built
    built["conn"].close()


@pytest.fixture(scope="module")
def counted_elsewhere(tmp_path_factory):
    built = build(tmp_path_factory.mktemp("finops_home_on"), "openrouter:\n  byok_billed_by_upstream: [openai]\n")
    yield built
    built["conn"].close()


def query(warehouse, sql: str) -> list[tuple]:
    return warehouse["conn"].execute(sql).fetchall()


def test_each_documented_row_lands_once_with_both_amounts(warehouse):
    rows = warehouse["rows"]
    # one row per endpoint; the mixed row keeps both amounts side by side, exactly
    assert [(r["provider_name"], r["usage"], r["byok_usage_inference"]) for r in rows] == [
        ("OpenAI", Decimal("0.015"), Decimal("0.012")),
        ("Azure", Decimal("0.0072"), Decimal("0")),
        ("Amazon Bedrock", Decimal("0"), Decimal("0.0345")),
        ("Together", Decimal("0.00042"), Decimal("0")),
    ]
    # the natural key is the documented grain (no money column): the two gpt-4.1 endpoints are two rows
    assert OPENROUTER_ACTIVITY.natural_key == ("bucket_start", "model", "endpoint_id", "workspace_id")
    unique, negative = warehouse["checks"]
    assert (unique.passed, unique.rows_checked, negative.passed) == (True, 4, True)


def test_staging_keeps_byok_money_apart_and_has_no_per_row_flag(warehouse):
    columns = query(warehouse, "select column_name from (describe staging.stg_openrouter__activity)")
    assert ("is_byok",) not in columns and ("byok_inference_usd",) in columns
    # 0.015 + 0.0072 + 0 + 0.00042 = 0.02262 billed by OpenRouter; 0.012 + 0.0345 = 0.0465 on the caller's keys
    assert query(
        warehouse, "select count(*), sum(credits_usd), sum(byok_inference_usd) from staging.stg_openrouter__activity"
    ) == [(4, Decimal("0.02262"), Decimal("0.0465"))]


def test_tokens_of_a_mixed_row_stay_whole_on_its_usage(warehouse):
    rows = query(
        warehouse,
        "select model_raw, usage_type, sum(quantity) from staging.stg_openrouter__usage_lines group by all order by all",
    )
    assert rows == [
        # all of the mixed row's 50 prompt / 125 completion tokens and 5 requests, plus Azure's 1000 / 650 / 1
        ("anthropic/claude-sonnet-4.5", "input_tokens", 3000),
        ("anthropic/claude-sonnet-4.5", "output_tokens", 1700),
        ("anthropic/claude-sonnet-4.5", "requests", 2),
        ("meta-llama/llama-3.3-70b-instruct", "input_tokens", 2400),
        ("meta-llama/llama-3.3-70b-instruct", "output_tokens", 600),
        ("meta-llama/llama-3.3-70b-instruct", "requests", 3),
        ("openai/gpt-4.1", "input_tokens", 1050),
        ("openai/gpt-4.1", "output_tokens", 775),
        ("openai/gpt-4.1", "requests", 6),
    ]


def test_billed_lines_are_what_openrouter_billed_and_byok_inference_apart(warehouse):
    rows = query(
        warehouse,
        "select line_item, line_type, usage_type, billed_cost_usd from staging.stg_openrouter__billed_lines "
        "order by line_item",
    )
    assert rows == [
        ("BYOK inference | anthropic/claude-sonnet-4.5 | Amazon Bedrock", "usage", "byok_inference", Decimal("0.0345")),
        ("BYOK inference | openai/gpt-4.1 | OpenAI", "usage", "byok_inference", Decimal("0.012")),
        # an all-BYOK row: OpenRouter billed $0 (its fee waived), and says so
        ("anthropic/claude-sonnet-4.5 | Amazon Bedrock", "usage", "model_usage", Decimal("0")),
        ("meta-llama/llama-3.3-70b-instruct | Together", "usage", "model_usage", Decimal("0.00042")),
        ("openai/gpt-4.1 | Azure", "usage", "model_usage", Decimal("0.0072")),
        ("openai/gpt-4.1 | OpenAI", "usage", "model_usage", Decimal("0.015")),
    ]
    totals = dict(
        query(warehouse, "select usage_type, sum(billed_cost_usd) from staging.stg_openrouter__billed_lines group by 1")
    )
    assert totals == {"model_usage": Decimal("0.02262"), "byok_inference": Decimal("0.0465")}


def test_off_every_byok_amount_counts_in_the_billed_fact_and_the_reconciliation(warehouse):
    # today's numbers: 0.02262 billed by OpenRouter + 0.0465 BYOK = 0.06912, all of it compared with tokens
    assert query(warehouse, "select count(*), sum(billed_cost_usd) from marts.fct_billed_cost_daily") == [
        (6, Decimal("0.06912"))
    ]
    assert query(
        warehouse,
        "select provider, billed_cost_usd, billed_other_usage_usd from marts.fct_cost_reconciliation_daily",
    ) == [("openrouter", Decimal("0.06912"), Decimal("0"))]
    assert query(
        warehouse, "select count(*) from staging.stg_openrouter__activity where is_byok_counted_elsewhere"
    ) == [(0,)]
    # the mart of BYOK rows repeats them, counted nowhere else than in the facts above
    assert query(
        warehouse,
        "select provider_name, byok_inference_usd, is_counted_elsewhere from marts.fct_openrouter_byok_daily "
        "order by 1",
    ) == [("Amazon Bedrock", Decimal("0.0345"), False), ("OpenAI", Decimal("0.012"), False)]


def test_on_the_listed_upstreams_byok_is_listed_apart_with_its_tokens(counted_elsewhere):
    rows = query(
        counted_elsewhere,
        "select provider_name, upstream_provider, byok_inference_usd, prompt_tokens, completion_tokens, requests, "
        "is_byok_counted_elsewhere from staging.stg_openrouter__activity order by provider_name",
    )
    assert rows == [
        ("Amazon Bedrock", "aws_bedrock", Decimal("0.0345"), 3000, 1700, 2, False),  # BYOK, but not listed
        ("Azure", "azure_openai", Decimal("0"), 1000, 650, 1, False),  # listed or not, it has no BYOK
        ("OpenAI", "openai", Decimal("0.012"), 50, 125, 5, True),
        ("Together", None, Decimal("0"), 2400, 600, 3, False),
    ]
    # and published apart: the BYOK rows with their tokens and what OpenRouter billed on them
    assert query(
        counted_elsewhere,
        "select provider_name, upstream_provider, prompt_tokens, completion_tokens, requests, byok_inference_usd, "
        "credits_usd, is_counted_elsewhere from marts.fct_openrouter_byok_daily order by 1",
    ) == [
        ("Amazon Bedrock", "aws_bedrock", 3000, 1700, 2, Decimal("0.0345"), Decimal("0"), False),
        ("OpenAI", "openai", 50, 125, 5, Decimal("0.012"), Decimal("0.015"), True),
    ]


def test_on_the_listed_upstreams_byok_and_tokens_leave_the_totals(counted_elsewhere):
    lines = query(
        counted_elsewhere,
        "select line_item, usage_type, billed_cost_usd from marts.fct_billed_cost_daily order by line_item",
    )
    assert lines == [
        ("BYOK inference | anthropic/claude-sonnet-4.5 | Amazon Bedrock", "byok_inference", Decimal("0.0345")),
        ("anthropic/claude-sonnet-4.5 | Amazon Bedrock", "model_usage", Decimal("0")),
        ("meta-llama/llama-3.3-70b-instruct | Together", "model_usage", Decimal("0.00042")),
        ("openai/gpt-4.1 | Azure", "model_usage", Decimal("0.0072")),
        # what OpenRouter billed on the row stays billed, not compared with tokens it no longer counts
        ("openai/gpt-4.1 | OpenAI", None, Decimal("0.015")),
    ]
    # 0.06912 - 0.012: the OpenAI key's BYOK inference is OpenAI's own bill
    assert query(
        counted_elsewhere,
        "select provider, billed_cost_usd, billed_other_usage_usd from marts.fct_cost_reconciliation_daily",
    ) == [("openrouter", Decimal("0.05712"), Decimal("0.015"))]
    # the OpenAI row's 50 / 125 / 5 leave gpt-4.1's usage: Azure's 1000 / 650 / 1 remain
    usage = query(
        counted_elsewhere,
        "select usage_type, sum(quantity) from marts.fct_usage_cost_daily where model_raw = 'openai/gpt-4.1' "
        "group by 1 order by 1",
    )
    assert usage == [("input_tokens", 1000), ("output_tokens", 650), ("requests", 1)]
    assert query(
        counted_elsewhere,
        "select sum(quantity) from marts.fct_usage_cost_daily where usage_type = 'input_tokens'",
    ) == [(1000 + 3000 + 2400,)]
