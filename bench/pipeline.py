"""Benchmark: the whole pipeline (emulator -> raw -> dbt -> gate -> publish) for N days, R times.

Reports the median wall time of each Dagster step and of the whole run, over R runs into a fresh
FINOPS_HOME each, plus the rows landed, so figures compare across machines as ratios (seconds per
1,000 raw rows) rather than as absolute promises. Timing lives here, never in tests.

    .venv/bin/python bench/pipeline.py --days 90 --repeat 3
"""

import argparse
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import duckdb


def one_run(days: int) -> tuple[float, dict[str, float], int]:
    from emulator import EmulatorServer
    from orchestration import runner
    from orchestration.settings import Paths

    home = Path(tempfile.mkdtemp(prefix="finops-bench-"))
    with EmulatorServer().start() as emulator:
        last = runner.utc_today() - timedelta(days=1)
        first = last - timedelta(days=days - 1)
        os.environ.update(FINOPS_HOME=str(home), **emulator.environ(start=first, end=last + timedelta(days=1)))
        paths = Paths(home)
        runner.prepare_environment(paths)
        started = time.perf_counter()
        summary = runner.run_pipeline(first, last)
        total = time.perf_counter() - started
    runner.check_summary(summary)
    steps = _step_seconds(summary.run_id)
    with duckdb.connect(str(paths.warehouse), read_only=True) as conn:
        raw_rows = sum(
            conn.execute(f"select count(*) from raw.{name}").fetchall()[0][0]
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        )
    return total, steps, raw_rows


def _step_seconds(run_id: str) -> dict[str, float]:
    import dagster as dg

    instance = dg.DagsterInstance.get()
    stats = instance.get_run_step_stats(run_id)
    return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    totals, rows = [], 0
    steps: dict[str, list[float]] = defaultdict(list)
    for i in range(args.repeat):
        total, step_times, rows = one_run(args.days)
        totals.append(total)
        for key, seconds in step_times.items():
            steps[key].append(seconds)
        print(f"run {i + 1}/{args.repeat}: {total:.1f} s")
    median = statistics.median(totals)
    print(f"\n{args.days} days, {rows} raw rows, median of {args.repeat} runs")
    for key, values in sorted(steps.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {key:<45} {statistics.median(values):7.2f} s")
    print(f"  {'whole run':<45} {median:7.2f} s  ({median / max(rows, 1) * 1000:.3f} s per 1,000 raw rows)")


if __name__ == "__main__":
    main()
