"""The wiring of the gate: a blocking check that fails stops the publish step, and the serving copy keeps
its last good version; a warning does not stop it. Runs the real checks and the real publish asset on a
stand-in mart (no dbt), so it is fast."""

import dagster as dg
import duckdb
import pytest

from orchestration.defs.publish.serving import publish
from orchestration.defs.quality.checks import build_gate
from orchestration.defs.resources import WarehouseResource

pytestmark = pytest.mark.filterwarnings("ignore")

GOOD = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'input_tokens', 1000, 2.5::decimal(38,12), 2.5::decimal(38,12), true)"
NEGATIVE = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'output_tokens', -7, 1::decimal(38,12), 1::decimal(38,12), true)"
UNPRICED = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'ft:custom', 'standard', 'all', 'input_tokens', 10, null, null, false)"


def stand_in_mart(values: str):
    @dg.asset(key=["marts", "fct_usage_cost_daily"], required_resource_keys={"warehouse"})
    def fct_usage_cost_daily(context):
        with context.resources.warehouse.connect() as conn:
            conn.execute("create schema if not exists marts")
            conn.execute(
                "create or replace table marts.fct_usage_cost_daily (usage_date date, provider varchar, "
                "account_id varchar, api_key_id varchar, model_raw varchar, service_tier varchar, "
                "context_tier varchar, usage_type varchar, quantity bigint, list_cost_usd decimal(38,12), "
                "effective_cost_usd decimal(38,12), is_priced boolean)"
            )
            conn.execute(f"insert into marts.fct_usage_cost_daily values {values}")

    return fct_usage_cost_daily


def published_run(serving_path):
    with duckdb.connect(str(serving_path), read_only=True) as conn:
        return conn.execute("select run_id, quality_warnings from marts.publish_info").fetchall()[0]


def run(tmp_path, values):
    warehouse = WarehouseResource(home=str(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [stand_in_mart(values), build_gate("fct_usage_cost_daily"), publish],
        resources={"warehouse": warehouse},
        instance=instance,
        raise_on_error=False,
    )
    return warehouse, result


def test_blocking_failure_keeps_the_last_good_copy(tmp_path):
    warehouse, result = run(tmp_path, GOOD)
    assert result.success
    first_run = published_run(warehouse.paths.serving)[0]
    assert first_run == result.run_id

    warehouse, result = run(tmp_path, f"{GOOD}, {NEGATIVE}")
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["fct_usage_cost_daily__no_negative_quantity"]
    published = [
        e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(["serving", "marts"])
    ]
    assert not published
    assert published_run(warehouse.paths.serving)[0] == first_run  # still the last good publish


def test_unpriced_usage_warns_and_still_publishes(tmp_path):
    warehouse, result = run(tmp_path, f"{GOOD}, {UNPRICED}")
    assert result.success
    warning = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in warning] == ["fct_usage_cost_daily__usage_has_price"]
    assert published_run(warehouse.paths.serving) == (result.run_id, 1)
