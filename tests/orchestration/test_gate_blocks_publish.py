"""The wiring of the gate: a blocking check that fails stops the publish step, and the serving copy keeps
its last good version; a warning does not stop it. Runs the real checks and the real publish asset on a
stand-in mart (no dbt), so it is fast."""

from datetime import date

import dagster as dg
import duckdb
import pytest

from orchestration.defs.alerts.assets import alert_log
from orchestration.defs.publish.serving import publish
from orchestration.defs.quality.checks import build_gate
from orchestration.defs.resources import WarehouseResource
from orchestration.errors import FinopsError
from orchestration.quality import results
from orchestration.runner import check_summary, summarise

pytestmark = pytest.mark.filterwarnings("ignore")

GOOD = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'input_tokens', 1000, 2.5::decimal(38,12), 2.5::decimal(38,12), true)"
NEGATIVE = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'gpt-4o', 'standard', 'all', 'output_tokens', -7, 1::decimal(38,12), 1::decimal(38,12), true)"
UNPRICED = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'ft:custom', 'standard', 'all', 'input_tokens', 10, null, null, false)"


def stand_in_mart(values: str, deps=()):
    @dg.asset(key=["marts", "fct_usage_cost_daily"], deps=list(deps), required_resource_keys={"warehouse"})
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


# ---- a stored verdict: raw checks no longer stop the build (blocking=False), so publish and the alert log read
# the run's rows of ops.quality_results and refuse a run with a failed check of severity error

REPEAT = "2 rows with a duplicate key on 2025-03-01 (bucket_start=2025-03-01, model=gpt-4o)"


def landing_with_a_stored_result(blocking: bool):
    """A stand-in raw landing that stores, under the run's id, a failed raw check of the given severity."""

    @dg.asset(key=["openai", "completions_usage"], required_resource_keys={"warehouse"})
    def completions_usage(context):
        with context.resources.warehouse.connect() as conn:
            results.write(
                conn,
                [
                    results.CheckResult(
                        layer="raw",
                        asset="openai/completions_usage",
                        check_name="unique_natural_key" if blocking else "volume",
                        blocking=blocking,
                        passed=False,
                        window=(date(2025, 3, 1), date(2025, 3, 2)),
                        rows_checked=3,
                        unexpected_count=2,
                        observed_value=REPEAT if blocking else "3 rows, 10x the usual",
                        sample=[],
                        description="stand-in",
                    )
                ],
                run_id=context.run.run_id,
            )

    return completions_usage


def run_with_stored(tmp_path, blocking: bool, *, alerts: bool = False):
    landing = landing_with_a_stored_result(blocking)
    steps = [landing, stand_in_mart(GOOD, deps=[landing.key]), build_gate("fct_usage_cost_daily"), publish]
    return dg.materialize(
        [*steps, alert_log] if alerts else steps,
        resources={"warehouse": WarehouseResource(home=str(tmp_path))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_a_stored_error_of_the_run_refuses_publish_and_leaves_the_serving_copy_byte_for_byte(tmp_path):
    warehouse, first = run(tmp_path, GOOD)
    assert first.success
    before = warehouse.paths.serving.read_bytes()

    bad = run_with_stored(tmp_path, blocking=True)
    assert not bad.success
    # the mart and its gate ran (nothing Dagster-blocking failed) and passed; publish refused the run
    gate = bad.get_asset_check_evaluations()
    assert len(gate) == 5 and all(e.passed for e in gate)
    materialized = {tuple(e.asset_key.path) for e in bad.get_asset_materialization_events()}
    assert materialized == {("openai", "completions_usage"), ("marts", "fct_usage_cost_daily")}
    expected = results.gate_failed_message(
        [f"openai/completions_usage unique_natural_key: {REPEAT} in 2025-03-01..2025-03-02 (exclusive)"]
    )
    assert expected.startswith("the quality gate failed (openai/completions_usage unique_natural_key: 2 rows with")
    summary = summarise(bad)
    assert summary.failures == [f"serving__marts: {expected}"] and not summary.published
    with pytest.raises(FinopsError) as refused:
        check_summary(summary)
    assert str(refused.value) == expected
    assert warehouse.paths.serving.read_bytes() == before
    assert published_run(warehouse.paths.serving)[0] == first.run_id


def test_a_stored_warning_of_the_run_still_publishes_and_is_counted(tmp_path):
    result = run_with_stored(tmp_path, blocking=False)
    assert result.success
    assert published_run(WarehouseResource(home=str(tmp_path)).paths.serving) == (result.run_id, 1)


def test_the_alert_log_refuses_a_run_with_a_stored_error_and_evaluates_nothing(tmp_path):
    bad = run_with_stored(tmp_path, blocking=True, alerts=True)
    failures = summarise(bad).failures
    assert [f.split(": ", 1)[0] for f in failures] == ["ops__alert_log"]
    assert failures[0].endswith(
        ": "
        + results.gate_failed_message(
            [f"openai/completions_usage unique_natural_key: {REPEAT} in 2025-03-01..2025-03-02 (exclusive)"]
        )
    )
    # publish depends on the alert log: it never ran, so no serving copy was written at all
    assert not WarehouseResource(home=str(tmp_path)).paths.serving.exists()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        logged = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'ops' and table_name = 'alert_log'"
        ).fetchall()
    assert logged == [(0,)]
