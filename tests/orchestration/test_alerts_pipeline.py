"""The alerts in the pipeline: the real quality gate, alert asset and publish asset on stand-in marts (no dbt),
run three times a day against a real local HTTP receiver; the retry sensor and its delivery-only job; a gate
that fails keeps alerts from unchecked data."""

import dagster as dg
import duckdb
import pytest

from orchestration.defs.alerts.assets import WEBHOOK_ENV, alert_log, alert_retry_sensor, deliver_alerts_job
from orchestration.defs.publish.serving import publish
from orchestration.defs.quality.checks import build_gate
from orchestration.defs.resources import WarehouseResource
from tests.orchestration.alert_fixtures import Receiver, budget_at, closed_port_url
from tests.orchestration.test_gate_blocks_publish import GOOD, NEGATIVE, UNPRICED, stand_in_mart

pytestmark = pytest.mark.filterwarnings("ignore")

KEY_80 = "budget_threshold|search-monthly|2026-11-01|0.8"
KEY_UNPRICED = "unpriced_model|openai|ft:custom"


def stand_in_budget(actual: str, highest: str):
    @dg.asset(key=["marts", "mart_budget_status"], required_resource_keys={"warehouse"})
    def mart_budget_status(context):
        with context.resources.warehouse.connect() as conn:
            budget_at(conn, actual, highest)

    return mart_budget_status


def run(warehouse, instance, usage: str, actual: str = "4250", highest: str = "0.8"):
    return dg.materialize(
        [
            stand_in_mart(usage),
            stand_in_budget(actual, highest),
            build_gate("fct_usage_cost_daily"),
            alert_log,
            publish,
        ],
        resources={"warehouse": warehouse},
        instance=instance,
        raise_on_error=False,
    )


def published_log(warehouse) -> list[tuple[str, str, int]]:
    with duckdb.connect(str(warehouse.paths.serving), read_only=True) as conn:
        return conn.execute("select alert_key, status, attempts from marts.alert_log order by alert_key").fetchall()


def test_three_runs_a_day_send_each_alert_once_and_publish_the_log(tmp_path, monkeypatch):
    warehouse, instance = WarehouseResource(home=str(tmp_path)), dg.DagsterInstance.ephemeral()
    with Receiver() as receiver:
        monkeypatch.setenv(WEBHOOK_ENV, receiver.url)
        for _ in range(3):
            assert run(warehouse, instance, f"{GOOD}, {UNPRICED}").success
        # budget at 4250 / 5000 = 85% -> the 0.8 alert; ft:custom unpriced -> one unpriced_model alert
        assert sorted(receiver.keys()) == [KEY_80, KEY_UNPRICED]
    assert published_log(warehouse) == [(KEY_80, "sent", 1), (KEY_UNPRICED, "sent", 1)]


def test_no_webhook_logs_for_the_app(tmp_path, monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    warehouse, instance = WarehouseResource(home=str(tmp_path)), dg.DagsterInstance.ephemeral()
    assert run(warehouse, instance, GOOD).success
    assert published_log(warehouse) == [(KEY_80, "logged", 0)]
    context = dg.build_sensor_context(instance=instance)
    assert isinstance(alert_retry_sensor(context), dg.SkipReason)


def test_a_failed_gate_sends_no_alert_from_unchecked_data(tmp_path, monkeypatch):
    warehouse, instance = WarehouseResource(home=str(tmp_path)), dg.DagsterInstance.ephemeral()
    with Receiver() as receiver:
        monkeypatch.setenv(WEBHOOK_ENV, receiver.url)
        result = run(warehouse, instance, f"{GOOD}, {NEGATIVE}, {UNPRICED}")
        assert not result.success
        assert receiver.bodies == []
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["ops", "alert_log"]]


def test_the_sensor_retries_a_failed_delivery_with_a_delivery_only_run(tmp_path, monkeypatch):
    warehouse, instance = WarehouseResource(home=str(tmp_path)), dg.DagsterInstance.ephemeral()
    monkeypatch.setenv(WEBHOOK_ENV, closed_port_url())
    monkeypatch.setattr("orchestration.alerts.time.sleep", lambda seconds: None)
    assert run(warehouse, instance, GOOD).success  # the webhook is down: the run still publishes
    assert published_log(warehouse) == [(KEY_80, "failed", 3)]

    request = alert_retry_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(request, dg.RunRequest)
    with Receiver() as receiver:
        monkeypatch.setenv(WEBHOOK_ENV, receiver.url)
        # the budget moved to 100% meanwhile: a delivery-only run evaluates nothing new
        with warehouse.connect() as conn:
            budget_at(conn, "5000", "1.0")
        job = dg.Definitions(
            assets=[alert_log], jobs=[deliver_alerts_job], resources={"warehouse": warehouse}
        ).resolve_job_def("deliver_alerts_job")
        assert job.execute_in_process(instance=instance, tags=request.tags).success
        assert receiver.keys() == [KEY_80]
    with warehouse.connect() as conn:
        # 3 refused + 1 delivered
        assert conn.execute("select alert_key, status, attempts from ops.alert_log").fetchall() == [(KEY_80, "sent", 4)]
    assert isinstance(alert_retry_sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
