"""`finops run` three times a day against the emulator, alerts posted to a real local HTTP receiver: each alert
arrives once, the published log says sent, and the webhook URL's secret path is in no file under FINOPS_HOME.

The emulator's usage includes models with no list price (tests/e2e/test_pipeline.py), so the run raises
unpriced_model alerts; budgets and anomalies come with their marts (issue 10 items 5-6)."""

from datetime import date
from pathlib import Path

import pytest
from e2e_helpers import billing_emulator, serving, usage_sources

from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths
from tests.orchestration.alert_fixtures import SECRET_PATH, Receiver

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

DAY = date(2025, 6, 10)


def test_three_runs_a_day_post_each_alert_once(tmp_path, monkeypatch):
    home = tmp_path / "finops_home"
    with billing_emulator().start() as emulator, Receiver() as receiver:
        monkeypatch.setenv("FINOPS_HOME", str(home))
        for name, value in emulator.environ(usage_sources(emulator)).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("FINOPS_ALERT_WEBHOOK", receiver.url)
        paths = Paths(home)
        for name in ("DAGSTER_HOME", "DBT_LOG_PATH"):  # prepare_environment sets them: restored after the test
            monkeypatch.setenv(name, "")
        prepare_environment(paths)
        for _ in range(3):
            check_summary(run_pipeline(DAY, DAY))
        unpriced = serving(
            paths,
            "select distinct 'unpriced_model|' || provider || '|' || model_raw from marts.fct_usage_cost_daily "
            "where not is_priced order by 1",
        )
        expected = [key for (key,) in unpriced]
        assert expected  # the emulator's day has unpriced usage
        assert sorted(receiver.keys()) == expected  # once each, over three runs
    log = serving(paths, "select alert_key, status, attempts from marts.alert_log order by alert_key")
    assert log == [(key, "sent", 1) for key in expected]
    secret = SECRET_PATH.encode()
    leaked = [p for p in Path(home).rglob("*") if p.is_file() and secret in p.read_bytes()]
    assert leaked == []
