"""`finops demo --no-app` as a user runs it: a child process, its own FINOPS_HOME, nothing but the CLI."""

import os
import subprocess
import sys

import duckdb
import pytest

from emulator import EmulatorServer

pytestmark = pytest.mark.slow


def test_demo_publishes_and_never_prints_a_key(tmp_path):
    env = {**os.environ, "FINOPS_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "demo", "--days", "2", "--no-app"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    for line in ("emulator serving", "openai/completions_usage", "dbt build", "quality gate", "published"):
        assert line in output
    server = EmulatorServer()  # not started: only its default fake keys are read
    assert server.sources and all(server.key(source.name) not in output for source in server.sources)
    with duckdb.connect(str(tmp_path / "home" / "serving.duckdb"), read_only=True) as conn:
        days, cost = conn.execute(
            "select count(distinct usage_date), sum(list_cost_usd) from marts.fct_usage_cost_daily"
        ).fetchall()[0]
    assert days == 2 and cost > 0
