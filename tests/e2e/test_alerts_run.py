"""`finops run` three times a day against the emulator, alerts posted to a real local HTTP receiver (issue 10's
acceptance): a budget crossing 80% and then 100% posts exactly one alert each, each unpriced model one alert,
the published log says sent, and the webhook URL's secret path is in no file under FINOPS_HOME.

The budget's amount comes from the emulator's ground truth: OpenAI's priced list cost of the first day is 90% of
it, so the first day's three runs cross 80% only and the second day's cross 100%. The emulator's usage includes
models with no list price (tests/e2e/test_pipeline.py), so the runs also raise unpriced_model alerts."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from e2e_helpers import billing_emulator, serving, usage_sources

from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths
from tests.orchestration.alert_fixtures import SECRET_PATH, Receiver

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

DAY = date(2025, 6, 10)
NEXT_DAY = DAY + timedelta(days=1)
BUDGET = "openai-june"


def openai_list_cost(emulator, day: date) -> Decimal:
    totals = emulator.org.ground_truth_totals(day, day + timedelta(days=1))
    return sum((cost for (_, provider, _), cost in totals.items() if provider == "openai"), Decimal(0))


def test_three_runs_a_day_post_each_budget_threshold_and_unpriced_model_once(tmp_path, monkeypatch):
    home = tmp_path / "finops_home"
    with billing_emulator().start() as emulator, Receiver() as receiver:
        monkeypatch.setenv("FINOPS_HOME", str(home))
        for name, value in emulator.environ(usage_sources(emulator)).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("FINOPS_ALERT_WEBHOOK", receiver.url)
        first, second = openai_list_cost(emulator, DAY), openai_list_cost(emulator, NEXT_DAY)
        amount = (first / Decimal("0.9")).quantize(Decimal("0.01"))
        assert first < amount <= first + second  # day one alone stays under 100%; both days cross it
        config = tmp_path / "finops.yaml"
        config.write_text(
            f"budgets:\n  - id: {BUDGET}\n    scope: {{provider: openai}}\n    period: month\n"
            f"    amount_usd: {amount}\n"
        )
        monkeypatch.setenv("FINOPS_CONFIG", str(config))
        threshold = f"budget_threshold|{BUDGET}|2025-06-01|"
        paths = Paths(home)
        for name in ("DAGSTER_HOME", "DBT_LOG_PATH"):  # prepare_environment sets them: restored after the test
            monkeypatch.setenv(name, "")
        prepare_environment(paths)
        for _ in range(3):
            check_summary(run_pipeline(DAY, DAY))
        assert sorted(k for k in receiver.keys() if k.startswith(threshold)) == [threshold + "0.8"]
        for _ in range(3):
            check_summary(run_pipeline(NEXT_DAY, NEXT_DAY))
        assert sorted(k for k in receiver.keys() if k.startswith(threshold)) == [threshold + "0.8", threshold + "1.0"]
        status = serving(paths, "select actual_usd, status from marts.mart_budget_status where budget_id = ?", [BUDGET])
        assert status == [(first + second, "over")]
        unpriced = serving(
            paths,
            "select distinct 'unpriced_model|' || provider || '|' || model_raw from marts.fct_usage_cost_daily "
            "where not is_priced order by 1",
        )
        expected = sorted(
            [key for (key,) in unpriced]
            + [threshold + "0.8", threshold + "1.0", f"projected_breach|{BUDGET}|2025-06-01"]
        )
        assert unpriced  # the emulator's days have unpriced usage
        assert sorted(receiver.keys()) == expected  # once each, over six runs
    log = serving(paths, "select alert_key, status, attempts from marts.alert_log order by alert_key")
    assert log == [(key, "sent", 1) for key in expected]
    secret = SECRET_PATH.encode()
    leaked = [p for p in Path(home).rglob("*") if p.is_file() and secret in p.read_bytes()]
    assert leaked == []
