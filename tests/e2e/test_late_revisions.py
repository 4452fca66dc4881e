"""Late data: a provider revises a past day, and the daily run follows.

Providers revise recent days (DESIGN §4). The emulator revises a day on request (POST /_emulator/revise); a
daily run (`finops run` without --start/--end: the trailing window, run tag finops/trailing) re-pulls each
API source's own revision window (Source.revision_days, FINOPS_<NAME>_REVISION_DAYS) and replaces those
days, so the marts follow the revised ground truth there and keep the days outside the window as landed.
"""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from e2e_helpers import billing_emulator, serving, usage_sources

from orchestration.defs.schedules import daily_window
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, LAST = date(2025, 6, 8), date(2025, 6, 11)
TODAY = LAST + timedelta(days=1)  # the daily run of 2025-06-12 re-pulls up to 2025-06-11


def usage_totals(org, day: date) -> dict[str, Decimal]:
    """The emulator's list cost of priced usage per provider on ``day``."""
    totals: dict[str, Decimal] = {}
    for row in org.ground_truth(day, day + timedelta(days=1)):
        if row["is_priced"]:
            totals[row["provider"]] = totals.get(row["provider"], Decimal(0)) + row["list_cost_usd"]
    return totals


def billed_totals(org, day: date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for (_, provider, _), amount in org.billed_totals(day, day + timedelta(days=1)).items():
        totals[provider] = totals.get(provider, Decimal(0)) + amount
    return totals


def marts_by_provider(paths: Paths, table: str, column: str, day: date) -> dict[str, Decimal]:
    rows = serving(paths, f"select provider, sum({column}) from marts.{table} where usage_date = ? group by 1", [day])
    return dict(rows)


def test_a_daily_run_replaces_each_sources_revision_window_and_keeps_older_days(tmp_path, monkeypatch):
    with billing_emulator().start() as emulator:
        org = emulator.org
        monkeypatch.setenv("FINOPS_HOME", str(tmp_path))
        for name, value in emulator.environ(usage_sources(emulator)).items():
            monkeypatch.setenv(name, value)
        # OpenAI settles faster here: its daily run re-pulls 1 day; Anthropic keeps its default 3
        monkeypatch.setenv("FINOPS_OPENAI_REVISION_DAYS", "1")
        paths = Paths(tmp_path)
        prepare_environment(paths)
        check_summary(run_pipeline(FIRST, LAST))

        day2, day4 = FIRST + timedelta(days=1), LAST
        before = {day: usage_totals(org, day) for day in (day2, day4)}
        assert marts_by_provider(paths, "fct_usage_cost_daily", "list_cost_usd", day2) == pytest.approx(before[day2])

        for provider, day, factor in (("openai", day2, 1.5), ("anthropic", day2, 1.5), ("openai", day4, 2)):
            answer = requests.post(
                f"{emulator.url}/_emulator/revise",
                params={"provider": provider, "day": day.isoformat(), "factor": factor},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
        after = {day: usage_totals(org, day) for day in (day2, day4)}
        assert after[day2]["openai"] > before[day2]["openai"] * Decimal("1.3")  # the revision is real

        # the daily run's range is the widest window (Anthropic's 3 days); OpenAI re-pulls only the last day
        first, last = daily_window(TODAY, os.environ)
        assert (first, last) == (LAST - timedelta(days=2), LAST)
        check_summary(run_pipeline(first, last, trailing=True))

        usage = {day: marts_by_provider(paths, "fct_usage_cost_daily", "list_cost_usd", day) for day in (day2, day4)}
        billed = {
            day: marts_by_provider(paths, "fct_billed_cost_daily", "billed_cost_usd", day) for day in (day2, day4)
        }
        cent = Decimal("0.01")
        # inside each source's window: the revised day, usage and bill
        assert usage[day2]["anthropic"].quantize(cent) == after[day2]["anthropic"].quantize(cent)
        assert usage[day4]["openai"].quantize(cent) == after[day4]["openai"].quantize(cent)
        assert billed[day4]["openai"].quantize(cent) == billed_totals(org, day4)["openai"].quantize(cent)
        assert billed[day2]["anthropic"].quantize(cent) == billed_totals(org, day2)["anthropic"].quantize(cent)
        # outside OpenAI's 1-day window: day 2 stays as first landed, not re-pulled
        assert usage[day2]["openai"].quantize(cent) == before[day2]["openai"].quantize(cent)
        assert usage[day2]["openai"] != after[day2]["openai"]
        # and every day still reconciles: a source's usage and bill are re-pulled together, or not at all
        statuses = serving(
            paths,
            "select provider, usage_date, status from marts.fct_cost_reconciliation_daily "
            "where usage_date in (?, ?) and status not in ('matched', 'unpriced_usage')",
            [day2, day4],
        )
        assert statuses == []


def test_a_revision_override_that_is_not_a_number_is_one_clear_sentence():
    with pytest.raises(ValueError, match=r"FINOPS_OPENAI_REVISION_DAYS must be a whole number of days from 1 to 400"):
        daily_window(TODAY, {"OPENAI_ADMIN_KEY": "sk-admin-fake", "FINOPS_OPENAI_REVISION_DAYS": "3d"})
    # a source that is not configured does not widen the window
    assert daily_window(TODAY, {"FINOPS_OPENAI_REVISION_DAYS": "30"}) == (LAST - timedelta(days=2), LAST)
    assert daily_window(TODAY, {"OPENAI_ADMIN_KEY": "sk-admin-fake", "FINOPS_OPENAI_REVISION_DAYS": "30"}) == (
        TODAY - timedelta(days=30),
        LAST,
    )
