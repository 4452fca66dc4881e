"""Backtest: the budget forecast (orchestration/forecast.py) against the naive run-rate, on the emulator's days.

Takes the daily priced list cost of each scope a budget can have (org, each provider, each model with spend on
at least 80% of the days) from the emulator's own ground truth (SimulatedOrg.ground_truth_totals, a pure
function of the day: the figures fct_usage_cost_daily holds after a pipeline run, which the acceptance tests
check to the cent; a 120-day pipeline run takes over 25 minutes on a busy machine, the ground truth seconds),
or from marts.fct_usage_cost_daily of a warehouse with --warehouse, and for every complete calendar month and
every origin day k (1 .. days in month - 1) -- a rolling origin -- forecasts the month's total from the days
up to day k:

    forecast  = actual of days 1..k + forecast_days(all history up to day k, month end)   (what the mart shows)
    run-rate  = actual of days 1..k / k x days in month                                   (the naive baseline)

and compares each with the month's actual total. Reports, as medians over (scope, month, origin): the
absolute percentage error (APE, MAPE-style but median) and the absolute error in dollars of the period total,
overall and by origin week. Numbers only from a real run; nothing here is a test.

    .venv/bin/python bench/forecast_backtest.py --first 2025-07-01 --last 2026-06-30
    .venv/bin/python bench/forecast_backtest.py --warehouse ~/.finops/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import calendar
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb


def emulator_series(first: date, last: date) -> dict[str, list[tuple[date, Decimal]]]:
    """The emulator's own list cost of priced usage per day (SimulatedOrg.ground_truth_totals: what
    fct_usage_cost_daily holds after a run, which the acceptance tests check to the cent), per scope."""
    from emulator.org import SimulatedOrg

    totals = SimulatedOrg().ground_truth_totals(first, last + timedelta(days=1))
    rows = [(scope, day, usd) for (day, provider, model), usd in totals.items()
            for scope in ("org", f"provider={provider}", f"model={model}")]  # fmt: skip
    return _series(rows, first, last)


def scope_series(warehouse: Path) -> dict[str, list[tuple[date, Decimal]]]:
    """Each scope's consecutive daily spend (0 on a day without) over the ledger's whole range."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        first, last = conn.execute("select min(usage_date), max(usage_date) from marts.fct_usage_cost_daily").fetchone()
        rows = conn.execute(
            "select 'org', usage_date, sum(list_cost_usd) from marts.fct_usage_cost_daily group by all "
            "union all select 'provider=' || provider, usage_date, sum(list_cost_usd) "
            "from marts.fct_usage_cost_daily group by all "
            "union all select 'model=' || model_id, usage_date, sum(list_cost_usd) "
            "from marts.fct_usage_cost_daily where is_priced group by all"
        ).fetchall()
    return _series(rows, first, last)


def _series(rows, first: date, last: date) -> dict[str, list[tuple[date, Decimal]]]:
    spend: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for scope, day, usd in rows:
        if usd is not None:
            spend[scope][day] = spend[scope].get(day, Decimal(0)) + usd
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return {
        scope: [(day, by_day.get(day, Decimal(0))) for day in days]
        for scope, by_day in spend.items()
        if len(by_day) >= 0.8 * len(days) and sum(by_day.values()) > 0  # a scope that spends most days
    }


def backtest(series: dict[str, list[tuple[date, Decimal]]]) -> list[dict]:
    from orchestration.forecast import forecast_days

    results = []
    for scope, history in series.items():
        first, last = history[0][0], history[-1][0]
        month = date(first.year, first.month, 1)
        while month <= last:
            length = calendar.monthrange(month.year, month.month)[1]
            end = month + timedelta(days=length - 1)
            if month >= first and end <= last:  # a complete month inside the data
                start_index = (month - first).days
                actual = sum(usd for _, usd in history[start_index : start_index + length])
                for k in range(1, length):
                    seen = history[: start_index + k]
                    to_date = sum(usd for _, usd in seen[start_index:])
                    result = forecast_days(seen, end)
                    predicted = to_date + sum(usd for _, usd in result.days)
                    run_rate = to_date / k * length
                    results.append(
                        dict(scope=scope, month=month, k=k, method=result.method, actual=actual,
                             forecast=predicted, run_rate=run_rate)
                    )  # fmt: skip
            month = end + timedelta(days=1)
    return results


def summarise(results: list[dict]) -> str:
    def medians(rows: list[dict], key: str) -> tuple[float, float]:
        ape = [abs(r[key] - r["actual"]) / r["actual"] * 100 for r in rows if r["actual"] > 0]
        abs_error = [abs(r[key] - r["actual"]) for r in rows]
        return float(statistics.median(ape)), float(statistics.median(abs_error))

    buckets = [("all origins", lambda k: True)] + [
        (f"origin day {lo}-{hi}", lambda k, lo=lo, hi=hi: lo <= k <= hi)
        for lo, hi in ((1, 7), (8, 14), (15, 21), (22, 30))
    ]
    scopes = sorted({r["scope"] for r in results})
    months = sorted({r["month"] for r in results})
    methods = defaultdict(int)
    for r in results:
        methods[r["method"]] += 1
    lines = [
        f"{len(scopes)} scopes ({', '.join(scopes)}), complete months {', '.join(m.strftime('%Y-%m') for m in months)}, "
        f"{len(results)} (scope, month, origin) forecasts; methods: "
        + ", ".join(f"{name} {count}" for name, count in sorted(methods.items())),
        "",
        "| origins | n | forecast median APE | run-rate median APE | forecast median abs error | run-rate median abs error |",
        "|---|---|---|---|---|---|",
    ]
    for name, keep in buckets:
        rows = [r for r in results if keep(r["k"])]
        if not rows:
            continue
        f_ape, f_abs = medians(rows, "forecast")
        r_ape, r_abs = medians(rows, "run_rate")
        lines.append(f"| {name} | {len(rows)} | {f_ape:.2f}% | {r_ape:.2f}% | ${f_abs:,.2f} | ${r_abs:,.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=date.fromisoformat, default=date(2025, 7, 1), help="first emulator day")
    parser.add_argument("--last", type=date.fromisoformat, default=date(2026, 6, 30), help="last emulator day")
    parser.add_argument("--warehouse", type=Path, help="read marts.fct_usage_cost_daily of this warehouse instead")
    args = parser.parse_args()
    series = scope_series(args.warehouse) if args.warehouse else emulator_series(args.first, args.last)
    print(summarise(backtest(series)))


if __name__ == "__main__":
    main()
