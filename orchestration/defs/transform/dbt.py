"""The dbt build, in two phases around the Python forecast step (orchestration/defs/transform/forecast.py).

dbt knows nothing of Python, so a model that reads the forecast (tagged ``after_forecast``: mart_budget_status)
cannot be built in the same ``dbt build`` as the models the forecast reads. Phase 1 (``dbt_models``) builds
everything else; the forecast asset then reads int_budget_actuals_daily and writes source
forecast.spend_forecast_daily; phase 2 (``dbt_after_forecast``) builds the tagged models. The source's default
Dagster key (forecast/spend_forecast_daily) is the forecast asset's key, so Dagster orders the three steps and
the lineage reads ledger -> forecast -> mart. One `finops run` runs all three.

Either phase builds on the engine FINOPS_ENGINE names (orchestration/settings.py ``dbt_engine``). On DuckDB, dbt
builds in the step's own process, on the project as the run parsed it at its start (``_in_process``). On Spark, dbt
runs with ``--target spark`` (the ``finops-dbt`` child lands the raw tables for Spark first, orchestration/spark.py
``dbt_child``) and the tables it built are then copied into the DuckDB warehouse (``spark.read_back``), so the
forecast, the quality gate and the publish step read the warehouse as after a DuckDB build.
"""

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration import dbt_state, spark
from orchestration.config import load_config, write_config_tables
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import project
from orchestration.defs.transform.project import FILE_LOG_LEVEL, NO_UNIT_TESTS, dbt_project, project_vars, vars_arg
from orchestration.errors import FinopsError
from orchestration.processes import DBT_PARENT_ENV, SPARK_TARGET
from orchestration.progress import report
from orchestration.quality import dbt_tests
from orchestration.settings import DBT_PROJECT_DIR, MEMORY_LIMIT_ENV, dbt_engine, duckdb_memory_limit

AFTER_FORECAST = "tag:after_forecast"


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "transform"


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    what: str,
    *,
    first_phase: bool,
) -> Iterator:
    paths = warehouse.paths
    engine = dbt_engine()
    # profiles.yml reads FINOPS_HOME; dbt runs in its own folder, so hand it the absolute path.
    os.environ["FINOPS_HOME"] = str(paths.home)
    os.environ["DBT_LOG_PATH"] = str(paths.logs / "dbt")
    os.environ.setdefault(*FILE_LOG_LEVEL)
    os.environ[MEMORY_LIMIT_ENV] = duckdb_memory_limit()  # profiles.yml hands it to DuckDB
    os.environ[DBT_PARENT_ENV] = str(os.getpid())  # finops-dbt: dbt dies with this process
    with warehouse.writing(context):
        report(context, f"dbt build: {what} ...")
        # an earlier build's run results must never be recorded as this one's (a dbt that dies before writing)
        (paths.dbt_target / "run_results.json").unlink(missing_ok=True)
        (paths.dbt_target / spark.BUILT_TABLES).unlink(missing_ok=True)  # nor an earlier Spark build's tables
        manifest = _manifest()
        plan = _plan(context, warehouse, manifest, source_tests=first_phase, engine=engine)
        left_out = LeftOut(context, plan, manifest)
        with warehouse.connect(context) as conn:  # the project's data tests, whichever of them this build runs
            dbt_tests.define(conn, manifest, run_id=context.run.run_id)
        if not plan.changed():
            yield from left_out.rest()
            report(context, f"dbt build: nothing to build, the inputs of all {len(plan.unchanged)} nodes are unchanged")
            return
        # dbt unions repeated --exclude flags, so the asset's own exclusion (after_forecast) still holds
        skip = dbt_state.exclude_args(manifest, plan.unchanged, plan.fingerprints)
        args = ["build", *vars_arg(), *NO_UNIT_TESTS, *skip]
        if engine == "spark":
            events = dbt.cli([*args, "--target", SPARK_TARGET], context=context, target_path=paths.dbt_target).stream()
        else:
            events = _in_process(context, args, manifest, target=paths.dbt_target, logs=paths.logs / "dbt")
        try:
            for event in events:
                if isinstance(event, dg.Output):
                    yield from left_out.before(event.output_name)
                yield event
            yield from left_out.rest()
        finally:
            if engine == "spark":  # Spark's tables into the warehouse, for the gate, the publish step and the app
                _read_back(context, warehouse)
            # every data test's outcome into ops.quality_results, a failing blocking test too before the run stops
            _record_tests(context, warehouse)
            _record_state(context, warehouse, plan)
    results = json.loads((paths.dbt_target / "run_results.json").read_text()).get("results", [])
    report(
        context,
        f"dbt build: {len(results)} nodes built and tested, {len(plan.unchanged)} left as they were (inputs unchanged)",
    )


# dbt's events that report a node's result: dagster-dbt makes an asset's output or check result of each
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


def _in_process(
    context: dg.AssetExecutionContext, args: list[str], manifest: dict, *, target: Path, logs: Path
) -> Iterator:
    """`dbt <args>` in this process (project.build_in_process), with the selection dagster-dbt gives the step; then
    the Dagster events of each node's result, as dagster-dbt's own ``dbt.cli(...).stream()`` makes them from a dbt
    child's log. Spark keeps the child: its dbt needs the raw tables landed for Spark first (orchestration/spark.py
    ``dbt_child``).

    The events reach Dagster once dbt returns, not one by one; an interrupted build yields none, and its nodes
    that did build are recorded from dbt's run results (``_record_state``)."""
    from dagster_dbt.asset_utils import (
        extract_runtime_selection_from_args,
        get_updated_cli_invocation_params_for_context,
    )
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
    from dbt_common.events.functions import msg_to_dict

    cleaned, selects, excludes = extract_runtime_selection_from_args(args)
    params = get_updated_cli_invocation_params_for_context(
        context=context,
        manifest=manifest,
        dagster_dbt_translator=Translator(),
        runtime_selects=selects,
        runtime_excludes=excludes,
    )
    raw: list[dict] = []

    def keep(message) -> None:  # called on dbt's worker thread
        if message.info.name in RESULT_EVENTS:
            raw.append(msg_to_dict(message))

    result = project.build_in_process(
        [*cleaned, *params.selection_args],
        target=target,
        logs=logs,
        project_dir=params.dbt_project.project_dir if params.dbt_project else DBT_PROJECT_DIR,
        indirect_selection=params.indirect_selection,
        on_event=keep,
    )
    for event in raw:
        yield from DbtCoreCliEventMessage(raw_event=event, event_history_metadata={}).to_default_asset_events(
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            context=context,
            target_path=target,
            project=params.dbt_project,
        )
    if not result.success:
        raise FinopsError(project.failure_sentence(result, logs / "dbt.log"))


def _manifest() -> dict:
    return json.loads(Path(dbt_project.manifest_path).read_text())


UNIQUE_ID = "dagster_dbt/unique_id"  # dagster-dbt's metadata on each asset and check spec


def _plan(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    manifest: dict,
    *,
    source_tests: bool,
    engine: str,
) -> dbt_state.BuildPlan:
    """The nodes of this step (its selected models, seeds and snapshots, their data tests, and with
    ``source_tests`` the tests of sources alone, which the first phase runs) and which of them are unchanged since
    their last build."""
    built = set(_selected(context))

    def mine(parents: set[str]) -> bool:
        return bool(parents & built) or (source_tests and all(p.startswith("source.") for p in parents))

    tests = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and mine(set(node.get("depends_on", {}).get("nodes", [])))
    }
    on_engine = spark.spark_relations(warehouse.paths.home) if engine == "spark" else None
    with warehouse.connect(context) as conn:
        return dbt_state.plan(
            conn, manifest, dbt_vars=project_vars(), nodes=built | tests, engine=engine, engine_relations=on_engine
        )


def _selected(context: dg.AssetExecutionContext, *, checks: bool = False) -> dict:
    """unique_id -> the spec of each model, seed and snapshot this step materializes (``checks``: of each dbt test
    it runs as an asset check)."""
    assets_def, selected = context.assets_def, set(context.selected_output_names)
    if checks:
        specs = assets_def.check_specs_by_output_name.items()
    else:
        specs = ((name, assets_def.specs_by_key[key]) for name, key in assets_def.keys_by_output_name.items())
    return {spec.metadata[UNIQUE_ID]: (name, spec) for name, spec in specs if name in selected and spec.metadata}


class LeftOut:
    """The Dagster events of the nodes a build leaves out (their inputs are unchanged), yielded among dbt's own:
    Dagster takes a multi-asset's outputs in topological order only, so each left-out model goes out just before
    the first built model downstream of it (``before``), the rest after dbt's last (``rest``).

    A left-out model, seed or snapshot yields its output marked ``rebuilt: False`` with the run that built it and
    its input fingerprint, so the steps after this one run; a left-out data test yields its asset check as passed,
    not executed again, naming the run it passed in on these same inputs."""

    def __init__(self, context: dg.AssetExecutionContext, plan: dbt_state.BuildPlan, manifest: dict):
        self.plan = plan
        self.outputs = {uid: name for uid, (name, _) in _selected(context).items()}
        self.uid_of = {name: uid for uid, name in self.outputs.items()}
        self.checks = {uid: spec for uid, (_, spec) in _selected(context, checks=True).items() if uid in plan.unchanged}
        order = _topological(manifest)
        self.pending = sorted((uid for uid in self.outputs if uid in plan.unchanged), key=order.__getitem__)
        self.manifest = manifest

    def before(self, output_name: str) -> Iterator[dg.Output]:
        uid = self.uid_of.get(output_name)
        if uid is None or not self.pending:
            return
        upstream = _ancestors(self.manifest, uid)
        due = [p for p in self.pending if p in upstream]
        self.pending = [p for p in self.pending if p not in upstream]
        yield from (self._output(p) for p in due)

    def rest(self) -> Iterator:
        due, self.pending = self.pending, []
        yield from (self._output(uid) for uid in due)
        for uid, spec in sorted(self.checks.items()):
            yield dg.AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=True,
                metadata={"executed": False, "passed_in_run": self.plan.recorded_runs.get(uid, "")},
                description="Not run again: its inputs are those it passed on in the run named.",
            )
        self.checks = {}

    def _output(self, uid: str) -> dg.Output:
        return dg.Output(
            None,
            output_name=self.outputs[uid],
            metadata={
                "rebuilt": False,
                "built_by_run": self.plan.recorded_runs.get(uid, ""),
                "input_fingerprint": self.plan.fingerprints[uid],
            },
        )


def _topological(manifest: dict) -> dict[str, int]:
    """unique_id -> its place in an order where every node comes after what it reads."""
    nodes, order = manifest["nodes"], {}

    def visit(uid: str) -> None:
        stack = [(uid, False)]
        while stack:
            current, done = stack.pop()
            if current in order or current not in nodes:
                continue
            if done:
                order[current] = len(order)
                continue
            stack.append((current, True))
            stack.extend((p, False) for p in nodes[current].get("depends_on", {}).get("nodes", []) if p not in order)

    for uid in sorted(nodes):
        visit(uid)
    return order


def _ancestors(manifest: dict, uid: str) -> set[str]:
    nodes, found, stack = manifest["nodes"], set(), [uid]
    while stack:
        for parent in nodes.get(stack.pop(), {}).get("depends_on", {}).get("nodes", []):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return found


def _read_back(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    with warehouse.connect(context) as conn:
        copied = spark.read_back(conn, warehouse.paths.home, warehouse.paths.dbt_target)
    report(context, f"Spark: {len(copied)} tables copied into the warehouse")


def _record_state(context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan) -> None:
    run_results = warehouse.paths.dbt_target / "run_results.json"
    if not run_results.exists():
        return
    with warehouse.connect(context) as conn:
        dbt_state.record(conn, plan, json.loads(run_results.read_text()), run_id=context.run.run_id)


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
        yield from _build(context, dbt, warehouse, "seeds, staging, pricing, marts and their tests", first_phase=True)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
    select=AFTER_FORECAST,
    name="dbt_after_forecast",
)
def dbt_after_forecast(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """The marts that read the forecast (mart_budget_status): `dbt build` of the after_forecast models."""
    yield from _build(context, dbt, warehouse, "the marts that read the forecast (budgets)", first_phase=False)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[dbt_models, dbt_after_forecast])
