"""Quality results stored in the warehouse (ops.quality_results) and published (marts.quality_results): a gate
run writes one row per rule with its severity, status and counts, and the serving copy carries them. Runs the
real gate and publish assets on a stand-in mart (no dbt)."""

import json
from datetime import date

import dagster as dg
import duckdb
import pytest

from orchestration.defs.publish.serving import publish
from orchestration.defs.quality.checks import build_gate
from orchestration.defs.resources import WarehouseResource
from orchestration.quality import results

pytestmark = pytest.mark.filterwarnings("ignore")

COLUMNS = "usage_date, provider, account_id, api_key_id, model_raw, service_tier, context_tier, usage_type"
GOOD = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'input_tokens', 1000, 2.5, 2.5, true)"
# the same key as GOOD on 2025-03-01, and a row of 2025-03-02 outside the run's window
TWIN = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'input_tokens', 1000, 2.5, 2.5, true)"
UNPRICED = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'ft:custom', 'standard', 'all', 'input_tokens', 10, null, null, false)"
OTHER_DAY = (
    "(date '2025-03-02', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'output_tokens', -5, 1, 1, true)"
)

DAILY = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC")


def stand_in_mart(values: str):
    @dg.asset(key=["marts", "fct_usage_cost_daily"], required_resource_keys={"warehouse"}, partitions_def=DAILY)
    def fct_usage_cost_daily(context):
        with context.resources.warehouse.connect() as conn:
            conn.execute("create schema if not exists marts")
            conn.execute(
                f"create or replace table marts.fct_usage_cost_daily ({COLUMNS.replace(',', ' varchar,')} varchar, "
                "quantity bigint, list_cost_usd decimal(38,12), effective_cost_usd decimal(38,12), is_priced boolean)"
            )
            conn.execute("alter table marts.fct_usage_cost_daily alter usage_date type date")
            conn.execute(f"insert into marts.fct_usage_cost_daily values {values}")

    return fct_usage_cost_daily


def run(home, values):
    warehouse = WarehouseResource(home=str(home))
    result = dg.materialize(
        [stand_in_mart(values), build_gate("fct_usage_cost_daily"), publish],
        resources={"warehouse": warehouse},
        instance=dg.DagsterInstance.ephemeral(),
        partition_key="2025-03-01",
        raise_on_error=False,
    )
    return warehouse, result


def rows(path, table, run_id):
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(
            "select layer, asset, check_name, severity, status, partition_start, partition_end, rows_checked, "
            f"unexpected_count, observed_value, sample from {table} where run_id = ? order by check_name",
            [run_id],
        ).fetchall()


def test_a_gate_run_stores_one_row_per_rule_and_the_serving_copy_has_them(tmp_path):
    warehouse, result = run(tmp_path, f"{GOOD}, {UNPRICED}, {OTHER_DAY}")
    assert result.success  # a warning publishes; the negative row of 03-02 is outside the run's day
    mart, window = ("mart", "marts/fct_usage_cost_daily"), (date(2025, 3, 1), date(2025, 3, 2))
    expected = [
        (*mart, "no_negative_effective_cost_usd", "error", "passed", *window, 2, 0, "0 negative values", "[]"),
        (*mart, "no_negative_list_cost_usd", "error", "passed", *window, 2, 0, "0 negative values", "[]"),
        (*mart, "no_negative_quantity", "error", "passed", *window, 2, 0, "0 negative values", "[]"),
        (*mart, "unique_natural_key", "error", "passed", *window, 2, 0, "0 rows with a duplicate key", "[]"),
        (*mart, "usage_has_price", "warning", "failed", *window, 2, 1, "1 unpriced row", '["False"]'),
    ]
    assert rows(warehouse.paths.warehouse, "ops.quality_results", result.run_id) == expected
    assert rows(warehouse.paths.serving, "marts.quality_results", result.run_id) == expected
    # the gate defines its five rules in the catalog of checks, and the serving copy carries it
    for path, table in ((warehouse.paths.warehouse, "ops"), (warehouse.paths.serving, "marts")):
        with duckdb.connect(str(path), read_only=True) as conn:
            assert conn.execute(
                f"select scope, layer, asset, check_name, run_id from {table}.quality_checks order by check_name"
            ).fetchall() == [("gate:fct_usage_cost_daily", *r[:3], result.run_id) for r in expected]


def test_a_blocked_run_stores_its_failures_and_the_serving_copy_keeps_the_last_good_results(tmp_path):
    warehouse, good = run(tmp_path, GOOD)
    assert good.success
    warehouse, bad = run(tmp_path, f"{GOOD}, {TWIN}")
    assert not bad.success
    stored = {r[2]: r for r in rows(warehouse.paths.warehouse, "ops.quality_results", bad.run_id)}
    dup = stored["unique_natural_key"]
    assert dup[3:5] == ("error", "failed") and dup[7:10] == (2, 2, "2 rows with a duplicate key")
    key = dict(
        zip(
            COLUMNS.split(", "),
            ["2025-03-01", "openai", "proj_a", "key_1", "gpt-4o", "standard", "all", "input_tokens"],
            strict=True,
        )
    )
    assert json.loads(dup[10]) == [key]  # the repeated key once, as JSON
    assert [r[4] for r in stored.values()].count("failed") == 1
    # ops holds both runs; the serving copy is still the good run's, with only its results
    with duckdb.connect(str(warehouse.paths.warehouse), read_only=True) as conn:
        assert conn.execute("select count(distinct run_id) from ops.quality_results").fetchall() == [(2,)]
    with duckdb.connect(str(warehouse.paths.serving), read_only=True) as conn:
        assert conn.execute("select distinct run_id from marts.quality_results").fetchall() == [(good.run_id,)]


def test_write_rejects_an_unknown_layer_and_appends_in_bulk(tmp_path):
    with pytest.raises(ValueError, match="layer must be one of"):
        results.CheckResult("marts", "a", "c", True, True, None, 0, 0, "", [], "")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        made = [
            results.CheckResult("raw", "openai/costs", f"rule_{i}", i % 2 == 0, i != 1, None, 10, i, f"{i}", [i], "d")
            for i in range(3)
        ]
        assert results.write(conn, made, run_id="r1") == 3
        assert results.write(conn, made[:1], run_id="r2") == 1
        got = conn.execute(
            "select run_id, layer, severity, status, partition_start is null, sample from ops.quality_results "
            "order by run_id, check_name"
        ).fetchall()
    assert got == [
        ("r1", "raw", "error", "passed", True, "[0]"),
        ("r1", "raw", "warning", "failed", True, "[1]"),
        ("r1", "raw", "error", "passed", True, "[2]"),
        ("r2", "raw", "error", "passed", True, "[0]"),
    ]


def test_define_replaces_one_scope_and_keeps_the_others(tmp_path):
    """A part of the pipeline that runs again defines its checks anew: a check it no longer has leaves the catalog,
    the other parts' checks stay; a bad layer changes nothing."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        raw = [("raw", "openai/costs", "unique_natural_key"), ("raw", "openai/costs", "volume")]
        dbt = [("mart", "marts/m", "not_null(a)"), ("mart", "marts/m", "not_null(b)"), ("seed", "seeds/s", "x")]
        assert results.define(conn, "raw:openai/costs", raw, run_id="r1") == 2
        assert results.define(conn, "dbt", [*dbt, dbt[0]], run_id="r1") == 3  # a key given twice is one check
        assert results.define(conn, "dbt", [("mart", "marts/m", "not_null_columns"), dbt[2]], run_id="r2") == 2
        with pytest.raises(ValueError, match="layer must be one of"):
            results.define(conn, "dbt", [("marts", "marts/m", "y")], run_id="r3")
        got = conn.execute(
            "select scope, layer, asset, check_name, run_id from ops.quality_checks order by scope, check_name"
        ).fetchall()
    assert got == [
        ("dbt", "mart", "marts/m", "not_null_columns", "r2"),
        ("dbt", "seed", "seeds/s", "x", "r2"),
        ("raw:openai/costs", "raw", "openai/costs", "unique_natural_key", "r1"),
        ("raw:openai/costs", "raw", "openai/costs", "volume", "r1"),
    ]
