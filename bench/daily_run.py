"""Benchmark: what a daily run costs after the first load, at demo size (issue 13: "<= 10 s at demo size").

One emulator, one fresh FINOPS_HOME: a first run of ``--days`` UTC days ending the day before yesterday, then the
daily run (the schedule's trailing window, which re-pulls the days a source may still revise and adds
yesterday), then the same daily run again (nothing new upstream). For each run it prints the wall time, the
slowest Dagster steps and how many dbt nodes each dbt step built and left out (orchestration/dbt_state.py),
read from the progress lines the steps report. Timing lives here, never in tests.

    .venv/bin/python bench/daily_run.py --days 35
"""

import argparse
import logging
import os
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# this checkout's code first: the editable install would import the checkout it was installed from (an A/B of two
# checkouts sharing one venv would measure the same code twice)
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from pipeline import _step_seconds  # noqa: E402  (bench/ is not a package)

_BUILT = re.compile(r"dbt build: (\d+) nodes built and tested, (\d+) left as they were|dbt build: nothing to build")


def main() -> None:
    from emulator import EmulatorServer
    from orchestration import runner
    from orchestration.defs.schedules import daily_window
    from orchestration.settings import Paths

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=35)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="finops-bench-daily-"))
    with EmulatorServer().start() as emulator:
        today = runner.utc_today()
        last = today - timedelta(days=1)
        first = last - timedelta(days=args.days - 1)
        os.environ.update(FINOPS_HOME=str(home), **emulator.environ(start=first, end=last + timedelta(days=1)))
        paths = Paths(home)
        runner.prepare_environment(paths)
        window = daily_window(today, os.environ)
        plan = [("first load", first, last - timedelta(days=1), False), ("daily", *window, True)]
        plan.append(("daily again", *window, True))
        lines: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: lines.append(record.getMessage())
        logging.getLogger("finops").addHandler(handler)
        logging.getLogger("finops").setLevel(logging.INFO)
        for name, start, end, trailing in plan:
            lines.clear()
            started = time.perf_counter()
            summary = runner.run_pipeline(start, end, trailing=trailing)
            seconds = time.perf_counter() - started
            runner.check_summary(summary)
            builds = [m.group(0) for line in lines if (m := _BUILT.search(line))]
            print(f"== {name} {start}..{end}: {seconds:.1f} s")
            for build in builds:
                print(f"   {build}")
            for step, step_seconds in sorted(_step_seconds(summary.run_id).items(), key=lambda kv: -kv[1])[:6]:
                print(f"   {step:<50} {step_seconds:6.1f} s")
    print(f"FINOPS_HOME: {home}")


if __name__ == "__main__":
    main()
