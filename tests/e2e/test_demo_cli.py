"""`finops demo --no-app` as a user runs it: a child process, its own FINOPS_HOME, nothing but the CLI."""

import os
import subprocess
import sys
from datetime import timedelta

import duckdb
import pytest
from e2e_helpers import api_keys

from emulator import EmulatorServer

pytestmark = pytest.mark.slow


def test_demo_publishes_and_never_prints_a_key_and_its_cost_by_team_is_the_truth(tmp_path):
    """`finops demo` runs every source the emulator has, request logs included: it publishes, prints no key,
    and the published cost by team (request logs at list price) equals what the emulator knows each team
    spent, to the cent."""
    from emulator.requests import list_cost_by_team
    from orchestration.runner import utc_today

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
    for line in (
        "emulator serving",
        "openai/completions_usage",
        "dbt build",
        "quality gate",
        "published",
        "request logs (",
    ):
        assert line in output
    server = EmulatorServer()  # not started: only its default fake keys are read
    assert server.sources and all(key not in output for key in api_keys(server))
    with duckdb.connect(str(tmp_path / "home" / "serving.duckdb"), read_only=True) as conn:
        days, cost = conn.execute(
            "select count(distinct usage_date), sum(list_cost_usd) from marts.fct_usage_cost_daily"
        ).fetchall()[0]
    assert days == 2 and cost > 0
    end = utc_today()
    truth = list_cost_by_team(server.org, end - timedelta(days=2), end)
    with duckdb.connect(str(tmp_path / "home" / "serving.duckdb"), read_only=True) as conn:
        published = dict(
            conn.execute(
                "select team, sum(list_cost_usd) from marts.fct_request_cost_daily where list_cost_usd is not null "
                "group by team"
            ).fetchall()
        )
    assert published and {t: round(c, 2) for t, c in published.items()} == {
        t: round(c, 2) for t, c in truth.items() if c
    }
