"""fct_request_cost_team_daily (issue 13): fct_request_cost_daily without feature and user, so the totals by day,
provider, model and team read a table that grows with teams and models, not users. Requests landed as a
request-log file drop and built by dbt; the figures are worked out by hand below.

gpt-4o-mini is gpt-4o-mini-2024-07-18 in the book: $0.15 per 1M input tokens, so 1,000 input tokens cost $0.00015.
"""

from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import PRICING_MODELS, require_success, run_dbt, vars_with

from connectors.files import digest
from connectors.jsonl_requests import SOURCE as PLAIN
from orchestration.loader import land_file

pytestmark = pytest.mark.slow

MODELS = ["stg_jsonl_requests__requests", "stg_jsonl_requests__request_lines", "int_requests_unioned"]
MODELS += ["int_request_usage", "fct_request_cost", "fct_request_cost_daily", "fct_request_cost_team_daily"]
ROLLUP_TEST = "assert_request_rollups_sum_to_requests"
MINI = "gpt-4o-mini-2024-07-18"  # the model id gpt-4o-mini resolves to

# (request_id, day, team, feature, user, model, thousand input tokens)
REQUESTS = [
    ("r1", "2026-10-24", "search", "chat", "u1", "gpt-4o-mini", 1),
    ("r2", "2026-10-24", "search", "chat", "u1", "gpt-4o-mini", 1),
    ("r3", "2026-10-24", "search", "rag", "u2", "gpt-4o-mini", 2),
    ("r4", "2026-10-24", "search", "rag", "u3", "gpt-4o-mini", 4),
    ("r5", "2026-10-24", "ops", "triage", "u4", "gpt-4o-mini", 10),
    ("r6", "2026-10-24", "ops", "triage", "u4", "no-such-model-x", 7),  # unpriced: counted, never $0
    ("r7", "2026-10-25", "search", "chat", "u1", "gpt-4o-mini", 20),
]
# day x team (one provider, status success): requests, unpriced, list cost
# 24th search: r1..r4 = 1 + 1 + 2 + 4 = 8k tokens = $0.0012, four rows of fct_request_cost_daily (chat/u1, rag/u2,
# rag/u3) rolled into one per model; ops: r5 10k = $0.0015 (gpt-4o-mini), r6 unpriced (its own model row, cost NULL)
EXPECTED = [
    ("2026-10-24", MINI, "ops", 1, 0, D("0.0015")),
    ("2026-10-24", MINI, "search", 4, 0, D("0.0012")),
    ("2026-10-24", "no-such-model-x", "ops", 1, 1, None),
    ("2026-10-25", MINI, "search", 1, 0, D("0.003")),
]


def jsonl(rows: list[tuple]) -> str:
    import json

    return "".join(
        json.dumps({
            "format": "finops.request.v1", "request_id": rid, "timestamp": f"{day}T12:00:00Z",
            "provider": "openai", "model": model, "service_tier": "default", "input_tokens": k * 1000,
            "output_tokens": 0, "team": team, "feature": feature, "user": user,
        }) + "\n"
        for rid, day, team, feature, user, model, k in rows
    )  # fmt: skip


def land(home: Path, drop: Path, run_id: str) -> None:
    (feed,) = PLAIN.feeds
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        land_file(conn, feed.table, feed.read(drop), path=str(drop), digest=digest(drop), run_id=run_id)


def build(home: Path, *extra: str) -> None:
    args = ["build", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    select = ["--select", *PRICING_MODELS, *MODELS, ROLLUP_TEST, "--exclude", "test_type:unit", *extra]
    require_success(run_dbt(home, [*args, "--indirect-selection", "cautious", *select]))


def rollup(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select cast(usage_date as varchar), model_id, team, requests, unpriced_requests, list_cost_usd "
            "from marts.fct_request_cost_team_daily order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("finops_home")
    drop = tmp_path_factory.mktemp("drop") / "requests.jsonl"
    drop.write_text(jsonl(REQUESTS))
    land(home, drop, "first")
    build(home)
    return home


def test_the_rollup_sums_the_daily_rows_by_team_and_model(home):
    assert rollup(home) == EXPECTED
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        daily_rows = conn.execute("select count(*) from marts.fct_request_cost_daily").fetchall()[0][0]
    assert daily_rows == 6  # 24th: search chat/u1, rag/u2, rag/u3; ops gpt-4o-mini, ops unpriced; 25th: one


def test_an_increment_rebuilds_only_the_new_day_and_the_sum_test_catches_a_wrong_day(home, tmp_path):
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_request_cost_team_daily set requests = 999 where usage_date = '2026-10-24'")
    # a new day: one search request of 2k tokens on the 26th, $0.0003
    drop = tmp_path / "next.jsonl"
    drop.write_text(jsonl([("r8", "2026-10-26", "search", "chat", "u9", "gpt-4o-mini", 2)]))
    land(home, drop, "next")
    # the sum test would rightly fail on the day altered by hand: built without it first
    build(home, "--exclude", ROLLUP_TEST)
    rows = rollup(home)
    assert rows[-1] == ("2026-10-26", MINI, "search", 1, 0, D("0.0003"))
    assert [r[3] for r in rows if r[0] == "2026-10-24"] == [999, 999, 999]  # old day not rebuilt

    # the singular test compares every day of the rollup with fct_request_cost_daily: the altered day fails it
    args = ["test", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    result = run_dbt(home, [*args, "--select", ROLLUP_TEST])
    assert not result.success
    (failed,) = [r for r in result.result.results if str(r.status) == "fail"]
    assert failed.failures == 1  # one day differs: the 24th

    # a full rebuild puts the day right and the test passes
    build(home, "--full-refresh")
    assert rollup(home) == [*EXPECTED, ("2026-10-26", MINI, "search", 1, 0, D("0.0003"))]


UNIQUE_REQUEST = "unique_combination_of_columns_fct_request_cost_source__request_id"


def compiled_test(home: Path, name: str) -> str:
    (path,) = (home / "dbt_target" / "compiled").rglob(f"{name}.sql")
    return path.read_text()


def test_the_uniqueness_test_checks_the_new_days_keys_against_every_older_day(home, tmp_path):
    test_vars = vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])
    # right after the full rebuild above, every row is the latest build's: the test groups the whole table once (no
    # semi join of the latest keys against it), and a copy of r2 on any day fails it
    warehouse = str(home / "warehouse.duckdb")
    with duckdb.connect(warehouse) as conn:
        conn.execute("create table main.r2 as select * from marts.fct_request_cost where request_id = 'r2'")
        conn.execute("insert into marts.fct_request_cost select * from main.r2")
    result = run_dbt(home, ["test", *test_vars, "--select", UNIQUE_REQUEST])
    assert {r.node.name: r.failures for r in result.result.results if str(r.status) == "fail"} == {UNIQUE_REQUEST: 1}
    assert "built_keys" not in compiled_test(home, UNIQUE_REQUEST)
    with duckdb.connect(warehouse) as conn:
        conn.execute("delete from marts.fct_request_cost where request_id = 'r2'")
        conn.execute("insert into marts.fct_request_cost select * from main.r2")
        conn.execute("drop table main.r2")

    # a new day (the 27th) whose file repeats request id r1 of the 24th, and a new r9
    drop = tmp_path / "repeat.jsonl"
    drop.write_text(jsonl([
        ("r1", "2026-10-27", "search", "chat", "u1", "gpt-4o-mini", 1),
        ("r9", "2026-10-27", "search", "chat", "u1", "gpt-4o-mini", 1),
    ]))  # fmt: skip
    land(home, drop, "repeat")
    # and a copy of r2 put into the 24th by hand: a day the increment does not replace, so not checked again
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        conn.execute("insert into marts.fct_request_cost select * from marts.fct_request_cost where request_id = 'r2'")
    args = ["build", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    select = ["--select", *PRICING_MODELS, *MODELS, "--exclude", "test_type:unit", "--indirect-selection", "cautious"]
    result = run_dbt(home, [*args, *select])
    assert not result.success
    failed = {r.node.name: r.failures for r in result.result.results if str(r.status) == "fail"}
    assert failed == {UNIQUE_REQUEST: 1}  # r1, on the 24th and the 27th: one key, two rows (not r2)
    assert "built_keys" in compiled_test(home, UNIQUE_REQUEST)  # the increment's keys only, against every row

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        builds = conn.execute(
            "select built_at, list(distinct cast(usage_date as varchar) order by cast(usage_date as varchar)) "
            "from marts.fct_request_cost group by built_at order by built_at"
        ).fetchall()
    # the increment stamped only the day it replaced; the full rebuild's days keep their own stamp
    assert [days for _, days in builds] == [["2026-10-24", "2026-10-25", "2026-10-26"], ["2026-10-27"]]
