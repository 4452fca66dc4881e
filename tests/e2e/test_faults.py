"""What production throws at a run, tried as a user meets it: `finops` in a child process against the
emulator with a fault switched on. Every scenario ends in the correct published numbers or in one clear
sentence with nothing lost and nothing wrong published; no run hangs (every wait here has a timeout)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import urllib.request
from datetime import date

import pytest
from e2e_helpers import (
    Finops,
    alive,
    billing_emulator,
    children,
    emulator_env,
    serving,
    serving_snapshot,
    snapshot,
    usage_sources,
    wait_until,
)

from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, LAST = date(2025, 6, 8), date(2025, 6, 9)
RUN = ["run", "--start", FIRST.isoformat(), "--end", LAST.isoformat()]


def run_states(home) -> dict[str, str]:
    with sqlite3.connect(home / "dagster" / "history" / "runs.db") as db:
        return dict(db.execute("select run_id, status from runs").fetchall())


@pytest.fixture(scope="module")
def emulator():
    with billing_emulator().start() as server:
        yield server


@pytest.fixture(scope="module")
def two_runs(emulator, tmp_path_factory):
    """A fresh FINOPS_HOME filled by two `finops run`s started at the same moment."""
    home = tmp_path_factory.mktemp("good") / "home"
    env = emulator_env(home, emulator)
    first = Finops(RUN, env)
    first.wait_for_line("finops run: UTC days")
    second = Finops(RUN, env)
    codes = (first.wait(), second.wait())
    return {"home": home, "runs": (first, second), "codes": codes, "snapshot": snapshot(Paths(home))}


@pytest.fixture
def good_home(two_runs, tmp_path):
    """A copy of the published home, for a scenario to break."""
    home = tmp_path / "home"
    shutil.copytree(two_runs["home"], home)
    (home / "writer.lock").unlink(missing_ok=True)
    return home


def test_two_runs_at_once_wait_for_each_other_and_publish_what_one_run_records(two_runs):
    first, second = two_runs["runs"]
    assert two_runs["codes"] == (0, 0), first.stderr + "\n---\n" + second.stderr
    waited = [r for r in (first, second) if "waiting for it to finish" in r.stderr]
    assert len(waited) == 1, "exactly one run should have waited for the other"
    assert "another run is writing to FINOPS_HOME (pid " in waited[0].stderr
    for run in (first, second):
        warning_lines = [line for line in run.lines if line.startswith("warning: quality gate:")]
        published = run.wait_for_line("published ")
        assert warning_lines, "these days hold unpriced usage: each run warns about it"
        assert f", {len(warning_lines)} quality warning" in published, published
    # The copy published last records the same count its run printed (it used to say 0).
    (recorded,) = serving(Paths(two_runs["home"]), "select quality_warnings from marts.publish_info")[0]
    assert recorded == len([line for line in second.lines if line.startswith("warning: quality gate:")])


@pytest.mark.parametrize(
    ("faults", "sentence"),
    [
        # data: [], has_more: true, no next_page: it used to land as "0 rows" and publish 45 % less spend.
        ("no_cursor:1", "says has_more but gives no cursor"),
        # a fresh cursor on every page, even empty ones: it used to page at 75 requests a second forever.
        ("endless_cursor:1", "is empty but says has_more"),
        # an HTML page with status 200: it used to be retried six times as if truncated (about 50 s).
        ("html:1", "text/html, not the API's JSON"),
    ],
)
def test_a_malformed_reply_changes_nothing_and_ends_in_one_sentence(emulator, good_home, faults, sentence):
    paths = Paths(good_home)
    raw_before, serving_before = snapshot(paths), serving_snapshot(paths)
    with billing_emulator(org=emulator.org, faults=faults).start() as broken:
        run = Finops(RUN, emulator_env(good_home, broken))
        code = run.wait(timeout=120)  # no pull runs on: the run ends by itself, well within this
        requests = len(broken.requests)
    assert code == 2, run.stderr
    last = run.lines[-1]
    assert last.startswith("finops: ") and sentence in last, run.stderr
    assert "Traceback" not in run.stderr
    assert "/v1/organization" in last  # the source's endpoint, and for reports the UTC days
    assert snapshot(paths) == raw_before
    assert serving_snapshot(paths) == serving_before
    # Each endpoint stops at its first bad page (the endless cursor used to get about 75 requests a second).
    endpoints = sum(len(source.feeds) for source in usage_sources(broken))
    assert requests <= 2 * endpoints, f"{requests} requests for {endpoints} endpoints"


def test_a_missing_cached_count_prices_the_same_as_the_full_reply(emulator, two_runs, good_home):
    with billing_emulator(org=emulator.org, faults="no_cached_field:1").start() as broken:
        run = Finops(RUN, emulator_env(good_home, broken))
        assert run.wait() == 0, run.stderr
    marts = {k: v for k, v in snapshot(Paths(good_home)).items() if k.startswith("marts.")}
    assert marts == {k: v for k, v in two_runs["snapshot"].items() if k.startswith("marts.")}


def test_kill_9_during_ingest_dbt_and_publish_then_a_rerun_ends_as_a_clean_run(emulator, two_runs, tmp_path):
    """An OOM kill or a reboot at the worst moments, one after the other on the same FINOPS_HOME. Each time
    the next run must proceed (it used to spin forever on the killed run's pool slot) and the last one must
    publish exactly what a clean run publishes."""
    home = tmp_path / "home"

    # 1. Killed in the middle of ingest (the emulator answers slowly, so there is a middle).
    with billing_emulator(org=emulator.org, faults="slow:1,slow_seconds=0.3").start() as slow:
        run = Finops(RUN, emulator_env(home, slow))
        run.wait_for_line(" landed ")
        run.proc.kill()
        run.wait(timeout=30)
    env = emulator_env(home, emulator)

    # 2. Killed while dbt builds, in the middle of its models (dbt runs in the run's own process: no child of it
    # may live on and hold the warehouse).
    dbt_log = home / "logs" / "dbt" / "dbt.log"
    logged = dbt_log.stat().st_size if dbt_log.exists() else 0

    def dbt_built_a_model() -> bool:
        with open(dbt_log, encoding="utf-8") as log:
            log.seek(logged)
            return " OK created " in log.read()

    run = Finops(RUN, env)
    assert "was left unfinished by a process that is gone" in run.wait_for_line("left unfinished")
    run.wait_for_line("dbt build: seeds")
    wait_until(dbt_built_a_model, 120, "dbt did not build a model")
    assert not [cmd for _, cmd in children(run.proc.pid) if "dbt build" in cmd]
    run.proc.kill()
    run.wait(timeout=30)

    # 3. Killed after writing the new serving copy aside, before swapping it in.
    kill_before_swap = (
        "import os, signal, sys, types\n"
        "import orchestration.publish as publish\n"
        "def die(*args): os.kill(os.getpid(), signal.SIGKILL)\n"
        "publish.os = types.SimpleNamespace(**{**vars(os), 'replace': die})\n"
        "from orchestration.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    run = Finops(RUN, env, python_code=kill_before_swap)
    assert run.wait(timeout=300) == -signal.SIGKILL, run.stderr
    assert "quality gate" in run.stderr and (home / "serving.duckdb.tmp").exists()

    # 4. The next run ends as a clean run would, and leaves no run "in progress" behind.
    run = Finops(RUN, env)
    assert run.wait(timeout=300) == 0, run.stderr
    assert snapshot(Paths(home)) == two_runs["snapshot"]
    assert serving(Paths(home), "select count(*) from marts.fct_usage_cost_daily") == serving(
        Paths(two_runs["home"]), "select count(*) from marts.fct_usage_cost_daily"
    )
    states = run_states(home)
    assert len(states) == 4 and list(states.values()).count("SUCCESS") == 1
    assert set(states.values()) == {"SUCCESS", "FAILURE"}, states


def test_sigterm_during_a_run_says_interrupted_and_publishes_nothing(emulator, good_home):
    serving_before = serving_snapshot(Paths(good_home))
    with billing_emulator(org=emulator.org, faults="slow:1,slow_seconds=0.3").start() as slow:
        run = Finops(RUN, emulator_env(good_home, slow), ignore_sigint=True)  # as a scheduler's job
        run.wait_for_line(" landed ")
        run.proc.send_signal(signal.SIGTERM)
        # about 3 s here; the margin is for a loaded CI worker (a run that goes on instead fails below)
        code = run.wait(timeout=120)
    assert code == 130, run.stderr
    assert run.lines[-1] == "finops: interrupted; nothing was published; rerun to continue.", run.stderr
    assert "DagsterExecutionInterruptedError" not in run.stderr and "Traceback" not in run.stderr
    assert serving_snapshot(Paths(good_home)) == serving_before


def test_sigterm_while_dbt_builds_stops_dbt_where_it_is_and_a_rerun_publishes(emulator, tmp_path):
    """dbt builds in the run's own process: SIGTERM must interrupt it in the middle of its models, end the run
    in one sentence, and leave the warehouse to the next run (no DuckDB instance or lock left behind)."""
    home = tmp_path / "home"
    env = emulator_env(home, emulator)
    dbt_log = Paths(home).logs / "dbt" / "dbt.log"

    def dbt_built_a_model() -> bool:
        return dbt_log.exists() and " OK created " in dbt_log.read_text(encoding="utf-8")

    run = Finops(RUN, env, ignore_sigint=True)
    run.wait_for_line("dbt build: seeds")
    wait_until(dbt_built_a_model, 180, "dbt did not build a model")
    run.proc.send_signal(signal.SIGTERM)
    code = run.wait(timeout=120)
    assert code == 130, run.stderr
    assert run.lines[-1] == "finops: interrupted; nothing was published; rerun to continue.", run.stderr
    assert "Traceback" not in run.stderr
    assert not Paths(home).serving.exists()
    assert " Completed successfully" not in dbt_log.read_text(encoding="utf-8")  # stopped, not run to its end

    run = Finops(RUN, env)
    assert run.wait(timeout=300) == 0, run.stderr
    assert Paths(home).serving.exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.parametrize(
    ("command", "health", "sig"),
    [
        ("app", "/_stcore/health", signal.SIGTERM),
        ("app", "/_stcore/health", signal.SIGKILL),  # the wrapper killed outright: the kernel tells the child
        ("dagster", "/server_info", signal.SIGTERM),
    ],
    ids=["app-sigterm", "app-sigkill", "dagster-sigterm"],
)
def test_stopping_a_serving_command_stops_its_children(good_home, command, health, sig):
    """They used to stay behind serving, as orphans. (Started from a background job, with SIGINT ignored,
    as a script or a test runner may start them.)"""
    port = free_port()
    env = {**os.environ, "FINOPS_HOME": str(good_home)}
    wrapper = Finops([command, "--port", str(port)], env, ignore_sigint=True)
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}{health}"), 120, f"finops {command} did not serve")
        kids = [pid for pid, _ in children(wrapper.proc.pid)]
        assert kids
        wrapper.proc.send_signal(sig)
        code = wrapper.wait(timeout=60)
        assert code == (0 if sig == signal.SIGTERM else -signal.SIGKILL), wrapper.stderr
        wait_until(lambda: not any(alive(pid) for pid in kids), 30, "a child outlived `finops " + command + "`")
        assert not answers(f"http://127.0.0.1:{port}{health}")
    finally:
        if wrapper.proc.poll() is None:
            wrapper.proc.kill()
