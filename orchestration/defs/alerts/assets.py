"""Alerts in the pipeline (issue 10 item 7; the logic is orchestration/alerts.py).

* The asset ``ops/alert_log`` runs in every pipeline run (`finops run`, the schedule) after the quality gate
  (it depends on the gated marts, so it runs only when their blocking checks passed, and it refuses a run with
  any failed check of severity error in ops.quality_results, as publish does: alerts come from checked data
  only) and before publish (publish depends on it, so the app sees this run's log). A webhook that is
  down never fails the asset: the alert stays ``failed`` and is retried, so publish is never held up by it.
* The sensor ``alert_retry_sensor`` (running by default under `dagster dev`) looks at the latest alert run's
  metadata and, when deliveries failed and a webhook is set, requests a delivery-only run (``deliver_alerts_job``):
  it never re-reads marts a failed gate may have left unchecked. The serving copy shows the retried statuses
  after the next publish.

FINOPS_ALERT_WEBHOOK is read from the environment when needed, never stored in resource config (config is
shown in the Dagster UI; a Slack webhook URL is a secret).
"""

import os

import dagster as dg

from orchestration.alerts import run_alerts
from orchestration.defs.publish.serving import ALERT_LOG, MARTS, refuse_a_failed_gate
from orchestration.defs.quality.checks import mart_key
from orchestration.defs.resources import WarehouseResource
from orchestration.progress import report

WEBHOOK_ENV = "FINOPS_ALERT_WEBHOOK"
# The marts alerts read besides the gated ones (built by dbt; issue 10 items 5 and 6).
ALERT_MARTS = [mart_key("mart_budget_status"), mart_key("mart_cost_anomalies")]
RETRY_INTERVAL_SECONDS = 15 * 60


def webhook() -> str | None:
    return os.environ.get(WEBHOOK_ENV) or None


class AlertsConfig(dg.Config):
    retry_only: bool = False  # deliver failed alerts only; evaluate nothing (the retry sensor's runs)


@dg.asset(
    key=ALERT_LOG,
    deps=[*MARTS, *ALERT_MARTS],
    group_name="publish",
    kinds={"duckdb"},
    description="Budget thresholds, projected breaches, cost anomalies and newly unpriced models from the checked "
    "marts: each logged once in ops.alert_log (published with the marts) and posted to FINOPS_ALERT_WEBHOOK "
    "(Slack-compatible JSON), retried until delivered.",
)
def alert_log(context: dg.AssetExecutionContext, config: AlertsConfig, warehouse: WarehouseResource):
    url = webhook()
    with warehouse.connect(context) as conn:
        if not config.retry_only:  # alerts come from checked data only; a retry evaluates nothing
            refuse_a_failed_gate(conn, context.run.run_id)
        result = run_alerts(conn, url, retry_only=config.retry_only)
    hint = f"; set {WEBHOOK_ENV} to post them" if result.delivery.logged else ""
    report(context, result.line() + hint)
    d = result.delivery
    return dg.MaterializeResult(
        metadata={
            "evaluated": result.evaluated,
            "new": result.new,
            "suppressed": result.suppressed,
            "sent": d.sent,
            "failed": d.failed,
            "logged": d.logged,
            "webhook_set": url is not None,
        }
    )


deliver_alerts_job = dg.define_asset_job(
    "deliver_alerts_job",
    selection=[ALERT_LOG],
    description="Retry the alerts whose delivery failed (evaluates nothing new).",
    config={"ops": {"ops__alert_log": {"config": {"retry_only": True}}}},
)


def failed_last_time(instance: dg.DagsterInstance) -> int:
    """How many deliveries failed in the latest materialization of the alert log (its own metadata)."""
    event = instance.get_latest_materialization_event(ALERT_LOG)
    if event is None or event.asset_materialization is None:
        return 0
    entry = event.asset_materialization.metadata.get("failed")
    return int(entry.value) if entry is not None else 0


@dg.sensor(
    job=deliver_alerts_job,
    minimum_interval_seconds=RETRY_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Retries failed alert deliveries between pipeline runs, when the latest alert run reported "
    "failures (read from Dagster's own records: the sensor never opens the warehouse, so it never blocks a run).",
)
def alert_retry_sensor(context: dg.SensorEvaluationContext):
    if webhook() is None:
        return dg.SkipReason(f"{WEBHOOK_ENV} is not set: alerts go to the log and the app")
    failed = failed_last_time(context.instance)
    if not failed:
        return dg.SkipReason("no failed alert deliveries")
    return dg.RunRequest(tags={"finops/alerts": "retry"})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[alert_log], jobs=[deliver_alerts_job], sensors=[alert_retry_sensor])
