"""mart_gateway_budget_audit built by dbt from landed LiteLLM spend logs (the same requests in both LiteLLM
sources, so each must count once) and landed budget counters, observed 2025-06-20 12:00 UTC (logs_since =
06-20 00:00; the logs landed 06-05..06-19). gpt-4o input is $2.50 / 1M tokens in the price book.

    r0 06-05  key K, team L   $7.00  100k tokens -> list $0.25
    r1 06-12  key K           $6.00  1M           -> list $2.50
    r2 06-15  key K           $4.00  1M           -> list $2.50
    r3 06-18  key X, team T   $3.00  1M           -> list $2.50
    r4 06-09  key X, team L   $1.00  400k         -> list $1.00
    r5 06-19  key Y           $0.10  40k          -> list $0.10
"""

import json
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.litellm import read_spend_logs
from connectors.litellm.tables import LITELLM_SPEND_LOGS
from connectors.litellm_postgres import LITELLM_POSTGRES_SPEND_LOGS
from connectors.litellm_postgres.tables import LITELLM_POSTGRES_BUDGET_COUNTERS
from connectors.schema import typed_row
from orchestration.loader import ensure_raw_tables, land, land_file

pytestmark = pytest.mark.slow

HEADER = "request_id,call_type,api_key,spend,prompt_tokens,completion_tokens,total_tokens,startTime,endTime,model,"
HEADER += "custom_llm_provider,user,metadata,team_id,status\n"
REQUESTS = [
    ("r0", "K", "7.00", 100_000, "2025-06-05 10:00:00", "L"),
    ("r1", "K", "6.00", 1_000_000, "2025-06-12 10:00:00", ""),
    ("r2", "K", "4.00", 1_000_000, "2025-06-15 10:00:00", ""),
    ("r3", "X", "3.00", 1_000_000, "2025-06-18 10:00:00", "T"),
    ("r4", "X", "1.00", 400_000, "2025-06-09 10:00:00", "L"),
    ("r5", "Y", "0.10", 40_000, "2025-06-19 10:00:00", ""),
]
OBSERVED = {"observed_at": "2025-06-20 12:00:00", "logs_since": "2025-06-20 00:00:00"}


def counter(entity_type, entity_id, spend, duration, reset_at, created_at, logged_since="0", max_budget=None):
    values = {
        "entity_type": entity_type, "entity_id": entity_id, "spend": spend, "max_budget": max_budget,
        "budget_duration": duration, "budget_reset_at": reset_at, "created_at": created_at,
        "logged_spend_since": logged_since, **OBSERVED,
    }  # fmt: skip
    return typed_row(LITELLM_POSTGRES_BUDGET_COUNTERS, values, values)


COUNTERS = [
    counter("key", "K", "12.5", "30d", "2025-07-10", "2025-01-01", max_budget="100"),  # window from 06-10
    counter("team", "T", "3.25", "7d", "2025-06-24", "2025-01-01", logged_since="0.25"),  # window from 06-17
    counter("team", "L", "1.0", None, None, "2025-06-08 00:00:00"),  # lifetime: from created_at
    counter("user", "U", "2.0", "2 fortnights", "2025-06-30", "2025-01-01"),  # a duration LiteLLM cannot mean
    counter("key", "OLD", "2.0", "30d", None, "2025-01-01"),  # an older proxy: no budget_reset_at
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("finops_home")
    csv = tmp_path_factory.mktemp("export") / "spend_logs.csv"
    lines = [HEADER]
    for request_id, key, spend, tokens, started, team in REQUESTS:
        usage = json.dumps({"usage_object": {"prompt_tokens": tokens, "completion_tokens": 0}}).replace('"', '""')
        lines.append(
            f'{request_id},acompletion,{key},{spend},{tokens},0,{tokens},{started},{started},gpt-4o,openai,,"{usage}",'
            f"{team},success\n"
        )
    csv.write_text("".join(lines))
    path = home / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        ensure_raw_tables(conn)
        land_file(conn, LITELLM_SPEND_LOGS, read_spend_logs(csv), path=str(csv), digest="x", run_id="t")
        window = (date(2025, 6, 5), date(2025, 6, 20))
        land(conn, LITELLM_POSTGRES_SPEND_LOGS, read_spend_logs(csv), run_id="t", window=window)
        land(conn, LITELLM_POSTGRES_BUDGET_COUNTERS, COUNTERS, run_id="t")
    request_lines = ["stg_litellm__request_lines", "stg_litellm_postgres__request_lines"]
    models = ["path:models/staging/litellm", "path:models/staging/litellm_postgres", "int_requests_unioned"]
    models += ["int_request_usage", "fct_request_cost", "path:models/staging/pricing", "resource_type:seed"]
    models += ["mart_gateway_budget_audit"]
    args = ["build", *vars_with(request_lines=request_lines, price_lines=[])]
    require_success(run_dbt(home, [*args, "--indirect-selection", "cautious", "--select", *models]))
    return path


def audit(path: Path) -> dict[tuple[str, str], dict]:
    with duckdb.connect(str(path), read_only=True) as conn:
        cursor = conn.execute("select * from marts.mart_gateway_budget_audit")
        names = [d[0] for d in cursor.description]
        return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def test_a_key_whose_counter_holds_more_than_its_logs_drifts(warehouse):
    key = audit(warehouse)[("key", "K")]
    # 30d before the reset 07-10 = 06-10: r1 + r2 = 6.00 + 4.00 = 10.00 (r0 on 06-05 is before it); each landed
    # by both sources, counted once
    assert key["window_start"] == datetime(2025, 6, 10) and key["requests"] == 2
    assert (key["counter_usd"], key["logged_usd"], key["drift_usd"]) == (D("12.50"), D("10.00"), D("2.50"))
    # tolerance max(0.01, 1% x 12.50 = 0.125); our list price: 2.50 + 2.50 = 5.00 -> 12.50 - 5.00 = 7.50
    assert (key["tolerance_usd"], key["list_usd"], key["drift_vs_list_usd"]) == (D("0.125"), D("5.00"), D("7.50"))
    assert key["pct_of_budget_by_counter"] == D("12.5") and key["pct_of_budget_by_logs"] == D("10")
    assert key["ledger_complete"] and key["status"] == "drift"


def test_a_team_whose_counter_equals_its_logs_is_ok(warehouse):
    team = audit(warehouse)[("team", "T")]
    # 7d before 06-24 = 06-17: r3 3.00 landed + 0.25 logged today (not landed yet) = 3.25 = the counter
    assert team["window_start"] == datetime(2025, 6, 17)
    assert (team["logged_usd"], team["drift_usd"], team["status"]) == (D("3.25"), 0, "ok")
    assert team["list_usd"] == D("2.75")  # 2.50 + today's 0.25 at the proxy's own figure


def test_a_lifetime_counter_counts_from_created_at(warehouse):
    team = audit(warehouse)[("team", "L")]
    # no duration: from created_at 06-08 -> r4 1.00; r0 (06-05, $7.00) is before the team existed
    assert team["window_start"] == datetime(2025, 6, 8) and team["budget_duration"] is None
    assert (team["logged_usd"], team["drift_usd"], team["status"]) == (D("1.00"), 0, "ok")


def test_an_unreadable_duration_or_a_missing_reset_is_an_unknown_window(warehouse):
    rows = audit(warehouse)
    for entity in (("user", "U"), ("key", "OLD")):
        assert rows[entity]["window_start"] is None and rows[entity]["status"] == "unknown_window"
        assert rows[entity]["drift_usd"] is None and not rows[entity]["ledger_complete"]
