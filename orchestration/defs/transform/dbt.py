"""The dbt build, in two phases around the Python forecast step (orchestration/defs/transform/forecast.py).

dbt knows nothing of Python, so a model that reads the forecast (tagged ``after_forecast``: mart_budget_status)
cannot be built in the same ``dbt build`` as the models the forecast reads. Phase 1 (``dbt_models``) builds
everything else; the forecast asset then reads int_budget_actuals_daily and writes source
forecast.spend_forecast_daily; phase 2 (``dbt_after_forecast``) builds the tagged models. The source's default
Dagster key (forecast/spend_forecast_daily) is the forecast asset's key, so Dagster orders the three steps and
the lineage reads ledger -> forecast -> mart. One `finops run` runs all three.
"""

import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.config import load_config, write_config_tables
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.project import NO_UNIT_TESTS, dbt_project, vars_arg
from orchestration.processes import DBT_PARENT_ENV
from orchestration.progress import report
from orchestration.quality import dbt_tests
from orchestration.settings import MEMORY_LIMIT_ENV, duckdb_memory_limit

AFTER_FORECAST = "tag:after_forecast"


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "transform"


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, what: str) -> Iterator:
    paths = warehouse.paths
    # profiles.yml reads FINOPS_HOME; dbt runs in its own folder, so hand it the absolute path.
    os.environ["FINOPS_HOME"] = str(paths.home)
    os.environ["DBT_LOG_PATH"] = str(paths.logs / "dbt")
    os.environ[MEMORY_LIMIT_ENV] = duckdb_memory_limit()  # profiles.yml hands it to DuckDB
    os.environ[DBT_PARENT_ENV] = str(os.getpid())  # finops-dbt: dbt dies with this process
    with warehouse.writing(context):
        report(context, f"dbt build: {what} ...")
        # an earlier build's run results must never be recorded as this one's (a dbt that dies before writing)
        (paths.dbt_target / "run_results.json").unlink(missing_ok=True)
        invocation = dbt.cli(["build", *vars_arg(), *NO_UNIT_TESTS], context=context, target_path=paths.dbt_target)
        try:
            yield from invocation.stream()
        finally:
            # every data test's outcome into ops.quality_results, a failing blocking test too before the run stops
            _record_tests(context, warehouse)
    results = invocation.get_artifact("run_results.json").get("results", [])
    report(context, f"dbt build: {len(results)} nodes built and tested")


def _record_tests(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    with warehouse.connect(context) as conn:
        outcomes = dbt_tests.record(conn, warehouse.paths.dbt_target, run_id=context.run.run_id)
    failed = [o for o in outcomes if not o.passed]
    report(
        context,
        f"dbt tests: {len(outcomes)} recorded, {sum(o.blocking for o in failed)} failed, "
        f"{sum(not o.blocking for o in failed)} warnings",
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
    exclude=AFTER_FORECAST,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Staging, pricing, intermediate and marts but the after_forecast models: `dbt build` (seeds, models, unit
    and data tests)."""
    config = load_config()  # finops.yaml, validated; dbt reads it from schema config
    with warehouse.writing(context):
        with warehouse.connect(context) as conn:
            write_config_tables(conn, config)
        yield from _build(context, dbt, warehouse, "seeds, staging, pricing, marts and their tests")


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
    select=AFTER_FORECAST,
    name="dbt_after_forecast",
)
def dbt_after_forecast(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """The marts that read the forecast (mart_budget_status): `dbt build` of the after_forecast models."""
    yield from _build(context, dbt, warehouse, "the marts that read the forecast (budgets)")


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[dbt_models, dbt_after_forecast])
