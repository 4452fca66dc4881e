import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.config import load_config, write_config_tables
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.project import dbt_project, vars_arg
from orchestration.processes import DBT_PARENT_ENV
from orchestration.progress import report


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "transform"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Staging, pricing, intermediate and marts: `dbt build` (seeds, models, unit and data tests)."""
    paths = warehouse.paths
    # profiles.yml reads FINOPS_HOME; dbt runs in its own folder, so hand it the absolute path.
    os.environ["FINOPS_HOME"] = str(paths.home)
    os.environ["DBT_LOG_PATH"] = str(paths.logs / "dbt")
    os.environ[DBT_PARENT_ENV] = str(os.getpid())  # finops-dbt: dbt dies with this process
    config = load_config()  # finops.yaml, validated; dbt reads it from schema config
    with warehouse.writing(context):
        with warehouse.connect(context) as conn:
            write_config_tables(conn, config)
        report(context, "dbt build: seeds, staging, pricing, marts and their tests ...")
        invocation = dbt.cli(["build", *vars_arg()], context=context, target_path=paths.dbt_target)
        yield from invocation.stream()
    results = invocation.get_artifact("run_results.json").get("results", [])
    report(context, f"dbt build: {len(results)} nodes built and tested")


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[dbt_models])
