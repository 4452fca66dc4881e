"""One `dbt build` as a scheduled run's dbt step makes it, in a process of its own, for bench/request_logs.py's
``dbt_build`` (which reads this process's peak memory from outside).

First, untimed, what a run does at its start: import dbt and parse the project for this home
(runner._execute, ``parse_manifest``). Then, timed, what the run's dbt step does (orchestration/defs/transform/dbt.py):
plan which nodes' inputs changed, build the others in this process on that parse (project.build_in_process,
without dbt's unit tests), record the plan. Prints the timed seconds as JSON on its last line; exits 1, naming the
first failing node, when the build fails.

    .venv/bin/python bench/dbt_step.py <FINOPS_HOME>
"""

import json
import os
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    home = Path(sys.argv[1]).resolve()
    os.environ["FINOPS_HOME"] = str(home)
    from orchestration import dbt_state
    from orchestration.defs.transform.project import (
        FILE_LOG_LEVEL,
        NO_UNIT_TESTS,
        build_in_process,
        dbt_project,
        failure_sentence,
        parse_manifest,
        project_vars,
        vars_arg,
    )
    from orchestration.settings import MEMORY_LIMIT_ENV, duckdb_memory_limit

    os.environ.setdefault(*FILE_LOG_LEVEL)  # as a scheduled run logs
    os.environ[MEMORY_LIMIT_ENV] = duckdb_memory_limit()
    target, logs = home / "dbt_target", home / "dbt_logs"
    parse_manifest(build_target=target)

    started = time.perf_counter()
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        plan = dbt_state.plan(conn, manifest, dbt_vars=project_vars())
    (target / "run_results.json").unlink(missing_ok=True)
    skip = dbt_state.exclude_args(manifest, plan.unchanged, plan.fingerprints)
    result = build_in_process(["build", *vars_arg(), *NO_UNIT_TESTS, *skip], target=target, logs=logs)
    if not result.success:
        print(failure_sentence(result, logs / "dbt.log"), file=sys.stderr)
        return 1
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        dbt_state.record(conn, plan, json.loads((target / "run_results.json").read_text()), run_id="bench")
    print(json.dumps({"seconds": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
