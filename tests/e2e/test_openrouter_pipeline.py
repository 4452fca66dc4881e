"""OpenRouter end to end, against the emulator on the days before today (its activity keeps the last 30
completed UTC days): a daily run pulls every day the API still has, so a daily schedule leaves no gap; a
backfill older than that says so in one line and keeps what it has; usage, price history from /models and
billed cost reappear as the emulator's ground truth, with bring-your-own-key spend kept apart."""

import logging
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from e2e_helpers import serving

from connectors.registry import BY_NAME
from orchestration.defs.schedules import daily_window
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]
OPENROUTER = BY_NAME["openrouter"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from emulator import EmulatorServer, SimulatedOrg
    from emulator.plugin import plugins_for

    sources = (OPENROUTER,)
    org = SimulatedOrg(plugins=plugins_for(sources))
    with EmulatorServer(org, sources=sources).start() as emulator:
        home = tmp_path_factory.mktemp("finops_home")
        saved = dict(os.environ)
        os.environ.update(FINOPS_HOME=str(home), **emulator.environ(sources))
        handler, logger = _Lines(), logging.getLogger("finops")
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)  # the run's progress lines, as `finops run` prints them
        try:
            paths = Paths(home)
            prepare_environment(paths)
            today = datetime.now(UTC).date()
            # the daily run, as the schedule (and `finops run` without dates) starts it
            first, last = daily_window(today, os.environ)
            check_summary(run_pipeline(first, last, trailing=True))
            daily = _days(paths)
            # then a backfill reaching further back than the API keeps
            check_summary(run_pipeline(today - timedelta(days=35), today - timedelta(days=1)))
            yield {
                "paths": paths,
                "org": org,
                "today": today,
                "window": (first, last),
                "daily_days": daily,
                "lines": handler.lines,
            }
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            os.environ.clear()
            os.environ.update(saved)


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _days(paths):
    rows = serving(paths, "select distinct usage_date from marts.fct_usage_cost_daily order by 1")
    return [day for (day,) in rows]


def test_a_daily_run_pulls_all_thirty_days_the_api_keeps(runs):
    today = runs["today"]
    assert runs["window"] == (today - timedelta(days=30), today - timedelta(days=1))
    assert runs["daily_days"] == [today - timedelta(days=n) for n in range(30, 0, -1)]


def test_a_backfill_older_than_thirty_days_says_so_and_keeps_what_it_has(runs):
    today = runs["today"]
    oldest = today - timedelta(days=30)
    expected = (
        f"openrouter/activity: {today - timedelta(days=35)}..{oldest - timedelta(days=1)} cannot be pulled: "
        f"OpenRouter keeps only the last 30 completed UTC days (from {oldest}); days landed earlier stay as they are."
    )
    assert expected in runs["lines"]
    assert _days(runs["paths"]) == runs["daily_days"]


def test_usage_cost_per_day_and_model_is_the_ground_truth(runs):
    org, today = runs["org"], runs["today"]
    truth = org.ground_truth_totals(today - timedelta(days=30), today)
    marts = {
        (d, p, m): c
        for d, p, m, c in serving(
            runs["paths"],
            "select usage_date, provider, model_id, sum(list_cost_usd) from marts.fct_usage_cost_daily "
            "where is_priced group by all",
        )
    }
    assert truth and set(marts) == set(truth)
    for key, expected in truth.items():
        assert abs(marts[key] - expected) < Decimal("1e-9"), key
    (unpriced,) = serving(runs["paths"], "select count(*) from marts.fct_usage_cost_daily where not is_priced")[0]
    assert unpriced == 0


def test_billed_usage_is_what_openrouter_reported_and_reconciles(runs):
    org, today = runs["org"], runs["today"]
    truth = org.billed_totals(today - timedelta(days=30), today)
    billed = dict(
        serving(
            runs["paths"],
            "select usage_date, sum(billed_cost_usd) from marts.fct_billed_cost_daily "
            "where line_type = 'usage' and usage_type = 'model_usage' group by 1",
        )
    )
    assert {day: amount for (day, _, _), amount in truth.items()} == {
        day: amount.quantize(Decimal("1e-12")) for day, amount in billed.items()
    }
    statuses = serving(runs["paths"], "select status, count(*) from marts.fct_cost_reconciliation_daily group by 1")
    assert statuses == [("matched", 30)]


def test_bring_your_own_key_spend_is_kept_apart(runs):
    paths = runs["paths"]
    # OpenRouter's fee on BYOK requests is its own line type (waived under 1M requests a month: $0)
    fees = serving(
        paths, "select count(*), sum(billed_cost_usd) from marts.fct_billed_cost_daily where line_type = 'fee'"
    )
    assert fees[0][0] > 0 and fees[0][1] == 0
    # the tokens the upstream provider billed on the caller's key are not OpenRouter's usage
    org, today = runs["org"], runs["today"]
    byok_tokens = sum(
        row["prompt_tokens"]
        for n in range(1, 31)
        for row in org.usage("openrouter", today - timedelta(days=n))
        if row["byok"]
    )
    all_tokens = sum(
        row["prompt_tokens"] for n in range(1, 31) for row in org.usage("openrouter", today - timedelta(days=n))
    )
    (input_tokens,) = serving(
        paths, "select sum(quantity) from marts.fct_usage_cost_daily where usage_type = 'input_tokens'"
    )[0]
    assert byok_tokens > 0 and input_tokens == all_tokens - byok_tokens


def test_prices_come_from_the_models_snapshot(runs):
    rows = serving(
        runs["paths"],
        "select model_id, usage_type, unit_price_usd, cast(effective_from as varchar), sources from marts.dim_price "
        "where provider = 'openrouter' and usage_type in ('input_tokens', 'output_tokens') order by 1, 2",
    )
    assert ("openai/gpt-4.1-mini", "input_tokens", Decimal("0.4"), "2025-04-14", "OPENROUTER-MODELS") in rows
    assert ("anthropic/claude-sonnet-4.5", "output_tokens", Decimal("15"), "2025-09-29", "OPENROUTER-MODELS") in rows
    assert len(rows) == 8
