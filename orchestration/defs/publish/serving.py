import dagster as dg

from orchestration.defs.quality.checks import check_name, mart_key
from orchestration.progress import report
from orchestration.publish import publish_serving
from orchestration.quality.gate import RULES

MARTS = [mart_key(table) for table in RULES]
WARNING_CHECKS = [
    dg.AssetCheckKey(mart_key(table), check_name(table, rule.name))
    for table, rules in RULES.items()
    for rule in rules
    if not rule.blocking
]


@dg.asset(
    key=["serving", "marts"],
    deps=MARTS,
    group_name="publish",
    kinds={"duckdb"},
    pool="duckdb_write",
    required_resource_keys={"warehouse"},
    description="Copies the checked marts to the read-only serving database the app and analysts read "
    "(written aside, swapped in atomically). Runs only when every blocking quality check passed.",
)
def publish(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    warehouse = context.resources.warehouse
    warnings = 0
    for check_key in WARNING_CHECKS:
        record = context.instance.get_latest_asset_check_evaluation_record(check_key)
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if record and record.run_id == context.run_id and evaluation is not None and not evaluation.passed:
            warnings += 1
    with warehouse.connect() as conn:
        result = publish_serving(conn, warehouse.paths.serving, run_id=context.run_id, quality_warnings=warnings)
    span = f"data {result.data_start}..{result.data_end}" if result.data_start else "no usage data yet"
    report(
        context,
        f"published {len(result.tables)} marts to {warehouse.paths.serving.name} ({span}, {warnings} quality warnings)",
    )
    return dg.MaterializeResult(
        metadata={
            "tables": ", ".join(result.tables),
            "data_start": str(result.data_start),
            "data_end_exclusive": str(result.data_end),
            "quality_warnings": warnings,
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[publish])
