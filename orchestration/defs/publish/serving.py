import dagster as dg

from orchestration.defs.quality.checks import mart_key
from orchestration.errors import FinopsError
from orchestration.progress import report
from orchestration.publish import publish_serving
from orchestration.quality import results
from orchestration.quality.gate import RULES

MARTS = [mart_key(table) for table in RULES]
# The alert log (orchestration/defs/alerts): published with the marts, so the app shows this run's alerts.
ALERT_LOG = dg.AssetKey(["ops", "alert_log"])


def refuse_a_failed_gate(conn, run_id: str) -> None:
    """Raise the gate's sentence (FinopsError) when run ``run_id`` has a failed check of severity error in
    ops.quality_results. The raw checks are not Dagster-blocking (the build goes on, so the mart gate can name the
    other problems of the same day): this stored verdict is what keeps their failures out of the serving copy.
    The mart gate's blocking checks still skip publish in Dagster before this runs."""
    failures = results.run_errors(conn, run_id)
    if failures:
        raise FinopsError(results.gate_failed_message(failures))


@dg.asset(
    key=["serving", "marts"],
    deps=[*MARTS, ALERT_LOG],
    group_name="publish",
    kinds={"duckdb"},
    required_resource_keys={"warehouse"},
    description="Copies the checked marts to the read-only serving database the app and analysts read "
    "(written aside, swapped in atomically). Refuses the run, writing nothing, when any of its checks with "
    "severity error failed (raw landings, dbt tests, the mart gate; read from ops.quality_results).",
)
def publish(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    warehouse = context.resources.warehouse
    with warehouse.connect(context) as conn:
        refuse_a_failed_gate(conn, context.run_id)
        # from the run's rows of ops.quality_results, which the Data health page shows: one count for both
        warnings = results.run_warnings(conn, context.run_id)
        result = publish_serving(conn, warehouse.paths.serving, run_id=context.run_id, quality_warnings=warnings)
    span = f"data {result.data_start}..{result.data_end}" if result.data_start else "no usage data yet"
    report(
        context,
        f"published {len(result.tables)} marts to {warehouse.paths.serving.name} ({span}, {warnings} quality warnings; "
        f"{result.days_written} request days written)",
    )
    return dg.MaterializeResult(
        metadata={
            "tables": ", ".join(result.tables),
            "data_start": str(result.data_start),
            "data_end_exclusive": str(result.data_end),
            "quality_warnings": warnings,
            "request_days_written": result.days_written,
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[publish])
