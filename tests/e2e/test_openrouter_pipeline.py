"""OpenRouter end to end, against the emulator on the days before today (its activity keeps the last 30
completed UTC days): a daily run pulls every day the API still has, so a daily schedule leaves no gap; a
backfill older than that says so in one line and keeps what it has; usage, price history from /models and
billed cost reappear as the emulator's ground truth, with bring-your-own-key spend kept apart
(in the same activity row as OpenRouter's own bill, as the vendor reports it)."""

import logging
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb
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
    paths, org, today = runs["paths"], runs["org"], runs["today"]
    days = [today - timedelta(days=n) for n in range(1, 31)]
    # the activity holds mixed rows (both amounts), all-BYOK rows (usage 0) and rows without BYOK, one per endpoint
    with duckdb.connect(str(paths.warehouse), read_only=True) as conn:
        (mixed, all_byok, no_byok, rows) = conn.execute(
            "select count(*) filter (usage > 0 and byok_usage_inference > 0), "
            "count(*) filter (usage = 0 and byok_usage_inference > 0), count(*) filter (byok_usage_inference = 0), "
            "count(*) from raw.openrouter_activity"
        ).fetchone()
    assert mixed > 0 and all_byok > 0 and no_byok > 0 and mixed + all_byok + no_byok == rows
    # BYOK inference is its own billed line, per day what the upstream providers billed on the caller's keys
    plugin = org.plugin("openrouter")
    truth = {day: sum(plugin.byok_totals(org, day).values(), Decimal(0)) for day in days}
    byok = dict(
        serving(
            paths,
            "select usage_date, sum(billed_cost_usd) from marts.fct_billed_cost_daily "
            "where line_type = 'usage' and usage_type = 'byok_inference' group by 1",
        )
    )
    assert all(truth.values()) and byok == {day: amount.quantize(Decimal("1e-12")) for day, amount in truth.items()}
    # OpenRouter reports no fee apart (it is inside `usage`): no fee line
    fees = serving(paths, "select count(*) from marts.fct_billed_cost_daily where line_type = 'fee'")
    assert fees == [(0,)]
    # the API does not split a row's tokens between BYOK and credit-paid requests: they all count as usage
    all_tokens = sum(row["prompt_tokens"] for day in days for row in org.usage("openrouter", day))
    byok_tokens = sum(row["byok_prompt_tokens"] for day in days for row in org.usage("openrouter", day))
    (input_tokens,) = serving(
        paths, "select sum(quantity) from marts.fct_usage_cost_daily where usage_type = 'input_tokens'"
    )[0]
    assert 0 < byok_tokens < all_tokens == input_tokens


def test_prices_come_from_the_models_snapshot(runs):
    rows = serving(
        runs["paths"],
        "select model_id, usage_type, unit_price_usd, cast(effective_from as varchar), sources from marts.dim_price "
        "where provider = 'openrouter' and usage_type in ('input_tokens', 'output_tokens') order by 1, 2",
    )
    assert ("openai/gpt-4.1-mini", "input_tokens", Decimal("0.4"), "2025-04-14", "OPENROUTER-MODELS") in rows
    assert ("anthropic/claude-sonnet-4.5", "output_tokens", Decimal("15"), "2025-09-29", "OPENROUTER-MODELS") in rows
    assert len(rows) == 8
