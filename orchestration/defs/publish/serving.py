import dagster as dg

from orchestration.defs.quality.checks import mart_key
from orchestration.progress import report
from orchestration.publish import publish_serving
from orchestration.quality.gate import RULES

MARTS = [mart_key(table) for table in RULES]
# The alert log (orchestration/defs/alerts): published with the marts, so the app shows this run's alerts.
ALERT_LOG = dg.AssetKey(["ops", "alert_log"])


def failed_warning_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The warning-severity checks that failed in run ``run_id``: read from that run's own events, so a run
    going on beside it can never change the count."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    failed = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN:
            failed.append(evaluation.check_name)
    return failed


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
    warnings = len(failed_warning_checks(context.instance, context.run_id))
    with warehouse.connect(context) as conn:
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
