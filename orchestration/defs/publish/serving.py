import dagster as dg

from orchestration.defs.quality.checks import mart_key
from orchestration.progress import report
from orchestration.publish import publish_serving
from orchestration.quality import results
from orchestration.quality.gate import RULES

MARTS = [mart_key(table) for table in RULES]
# The alert log (orchestration/defs/alerts): published with the marts, so the app shows this run's alerts.
ALERT_LOG = dg.AssetKey(["ops", "alert_log"])


@dg.asset(
    key=["serving", "marts"],
    deps=[*MARTS, ALERT_LOG],
    group_name="publish",
    kinds={"duckdb"},
    required_resource_keys={"warehouse"},
    description="Copies the checked marts to the read-only serving database the app and analysts read "
    "(written aside, swapped in atomically). Runs only when every blocking quality check passed.",
)
def publish(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    warehouse = context.resources.warehouse
    with warehouse.connect(context) as conn:
        # from the run's rows of ops.quality_results, which the Data health page shows: one count for both
        warnings = results.run_warnings(conn, context.run_id)
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
