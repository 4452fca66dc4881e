"""The dbt asset (orchestration/defs/transform/dbt.py) records dbt's test results in ops.quality_results even when a
blocking test stops the run: a real `dbt build` of one staging model, through Dagster and the dbt CLI resource,
on a landing with one OpenAI row that has more cached than input tokens."""

from datetime import date, datetime, timedelta

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtCliResource

from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE
from orchestration.defs.resources import WarehouseResource, dbt_executable
from orchestration.defs.transform.dbt import dbt_models
from orchestration.defs.transform.project import dbt_project
from orchestration.loader import ensure_raw_tables, land
from orchestration.runner import _user_message

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

DAY = date(2025, 3, 1)
START = datetime(2025, 3, 1)


def usage(key: str, input_tokens: int, cached: int) -> dict:
    tokens = {name: 0 for name in OPENAI_COMPLETIONS_USAGE.column_names if name.endswith("_tokens")}
    tokens |= {"input_tokens": input_tokens, "input_cached_tokens": cached, "input_text_tokens": input_tokens}
    return {
        **dict.fromkeys(OPENAI_COMPLETIONS_USAGE.column_names),
        **tokens,
        "bucket_start": START,
        "bucket_end": START + timedelta(days=1),
        "project_id": "proj",
        "api_key_id": key,
        "model": "gpt-4o-2024-08-06",
        "batch": False,
        "service_tier": "default",
        "num_model_requests": 1,
        "_raw": {},
    }


def test_a_failing_blocking_test_is_recorded_before_the_run_stops(tmp_path):
    warehouse = WarehouseResource(home=str(tmp_path / "home"))
    with duckdb.connect(str(warehouse.paths.warehouse)) as conn:
        ensure_raw_tables(conn)
        land(
            conn,
            OPENAI_COMPLETIONS_USAGE,
            [usage("key_good", 1000, 400), usage("key_bad", 100, 150)],
            run_id="landing",
            window=(DAY, DAY + timedelta(days=1)),
        )
    key = dg.AssetKey(["staging", "stg_openai__completions_usage"])
    result = dg.materialize(
        [dbt_models],
        selection=[key],
        resources={
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
            "warehouse": warehouse,
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success  # the error-severity test failed: dbt build exits non-zero
    # the step ends in one sentence naming the failing test and where dbt's log is
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert _user_message(failure.event_specific_data.error) == (
        "dbt build failed at test is_at_most_stg_openai__completions_usage_input_cached_tokens__input_tokens: "
        f"Got 1 result, configured to fail if != 0; see {warehouse.paths.logs / 'dbt' / 'dbt.log'}."
    )
    # and Dagster got the failed check, made from dbt's own event, before the step failed
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["is_at_most_stg_openai__completions_usage_input_cached_tokens__input_tokens"] is False
    assert (len(checks), sum(checks.values())) == (5, 4)  # the rows below: one failed, four passed
    with duckdb.connect(str(warehouse.paths.warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select layer, asset, check_name, severity, status, unexpected_count, rows_checked from ops.quality_results "
            "where run_id = ? order by check_name",
            [result.run_id],
        ).fetchall()
    assert (
        "staging",
        "staging/stg_openai__completions_usage",
        "is_at_most(input_cached_tokens)",
        "error",
        "failed",
        1,
        2,
    ) in rows
    # every other data test of the model ran and passed (its not-null columns, its never-negative ones, the audio
    # and image parts)
    assert [r[2] for r in rows if r[4] == "failed"] == ["is_at_most(input_cached_tokens)"]
    assert len(rows) == 5  # not_null_columns (4 columns), non_negative_columns (3), 3 is_at_most (_openai__models.yml)
