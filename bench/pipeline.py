"""Benchmark: the whole pipeline (emulator -> raw -> dbt -> gate -> publish) for N days, R times.

Reports the median wall time of each Dagster step and of the whole run, over R runs into a fresh
FINOPS_HOME each, plus the rows landed, so figures compare across machines as ratios (seconds per
1,000 raw rows) rather than as absolute promises. Timing lives here, never in tests.

It also reports what the quality checks cost (issue 12: "the checks add less than 20% to a 90-day pipeline
run"), as a share of each run's wall time, from the same runs:

* the raw landings' checks, which run inside each ingest asset's step (``checks_seconds`` in its materialization
  metadata), and the marts' gate, its own asset-check steps (``*__quality_gate``, Dagster's step statistics);
* dbt's data tests and, apart, its unit tests, from the per-node times dbt prints into the run's log
  (``N of M PASS <test> ... [PASS in 0.12s]``; dbt runs one thread, so node times add up to wall time).

Not counted: the loader's row screening for quarantine, which runs inside the ingest steps and cannot be
timed apart from them; the dbt test results' recording into ops.quality_results (one insert per build).

    .venv/bin/python bench/pipeline.py --days 90 --repeat 3
"""

import argparse
import os
import re
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import duckdb

GATE_STEPS = "__quality_gate"  # the op names of the marts' gate (orchestration/defs/quality/checks.py)
# one dbt node's line in the run log: "12 of 744 PASS not_null_x_id .... [PASS in 0.05s]" (colour codes stripped)
_NODE = re.compile(r"^\s*\d+ of \d+ (PASS|WARN|FAIL|ERROR) (\S+) .*\[(?:PASS|WARN|FAIL|ERROR)[^\]]* in ([0-9.]+)s\]")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check_seconds(steps: dict[str, float], raw_checks: float, log_text: str) -> dict[str, float]:
    """Seconds the quality checks took in one run: the raw landings' checks (``raw_checks``), the marts' gate
    steps, dbt's data tests, dbt's unit tests (a unit test's node is ``model::test``)."""
    data_tests = unit_tests = 0.0
    for line in log_text.splitlines():
        match = _NODE.match(_ANSI.sub("", line))
        if match:
            if "::" in match.group(2):
                unit_tests += float(match.group(3))
            else:
                data_tests += float(match.group(3))
    return {
        "raw landings' checks (in the ingest steps)": raw_checks,
        "marts' gate (asset-check steps)": sum(v for k, v in steps.items() if k.endswith(GATE_STEPS)),
        "dbt data tests": data_tests,
        "dbt unit tests": unit_tests,
    }


def one_run(days: int) -> tuple[float, dict[str, float], int, dict[str, float]]:
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
    log_text = (paths.logs / "finops-run.log").read_text(encoding="utf-8", errors="replace")
    checks = check_seconds(steps, _raw_check_seconds(summary.run_id), log_text)
    return total, steps, raw_rows, checks


def _raw_check_seconds(run_id: str) -> float:
    """What the ingest assets' own checks took in the run: ``checks_seconds`` of each materialization."""
    import dagster as dg

    from orchestration.defs.ingest.factory import CHECKS_SECONDS

    instance = dg.DagsterInstance.get()
    total = 0.0
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records:
        value = record.event_log_entry.asset_materialization.metadata.get(CHECKS_SECONDS)
        total += float(value.value) if value is not None else 0.0
    return total


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
    checks: dict[str, list[float]] = defaultdict(list)
    shares: list[float] = []
    for i in range(args.repeat):
        total, step_times, rows, check_times = one_run(args.days)
        totals.append(total)
        for key, seconds in step_times.items():
            steps[key].append(seconds)
        for key, seconds in check_times.items():
            checks[key].append(seconds)
        shares.append(sum(check_times.values()) / total)
        print(f"run {i + 1}/{args.repeat}: {total:.1f} s, checks {sum(check_times.values()):.1f} s")
    median = statistics.median(totals)
    print(f"\n{args.days} days, {rows} raw rows, median of {args.repeat} runs")
    for key, values in sorted(steps.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {key:<45} {statistics.median(values):7.2f} s")
    print(f"  {'whole run':<45} {median:7.2f} s  ({median / max(rows, 1) * 1000:.3f} s per 1,000 raw rows)")
    print("\nquality checks, median seconds (share of the run's wall time)")
    for key, values in checks.items():
        print(f"  {key:<45} {statistics.median(values):7.2f} s")
    # the checks' share of the run, and what they add to the run without them: share / (1 - share)
    share = statistics.median(shares)
    print(f"  {'all checks':<45} {share:7.1%} of the run; they add {share / (1 - share):.1%} to a run without them")


if __name__ == "__main__":
    main()
