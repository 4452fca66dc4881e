import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import cli
from orchestration.errors import FinopsError


def finops(*args, env=None):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["run", "--start", "2025-13-01"], "--start must be a UTC date like 2025-06-01 (got '2025-13-01')"),
        (["run", "--start", "2025-06-10", "--end", "2025-06-01"], "is after --end"),
        (["run", "--start", "2021-06-01", "--end", "2021-06-02"], "before 2022-01-01"),
        (["run", "--source", "bedrock"], "--source 'bedrock' is not a source"),
        (["demo", "--days", "0", "--no-app"], "--days must be at least 1"),
    ],
)
def test_user_mistakes_get_one_sentence_and_exit_2(args, fragment):
    proc = finops(*args)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # a progress line at most, then the error


def test_a_bad_revision_window_override_is_one_sentence_and_exit_2(tmp_path):
    env = {
        **os.environ,
        "FINOPS_HOME": str(tmp_path / "home"),
        "OPENAI_ADMIN_KEY": "sk-admin-test-not-a-real-key",
        "FINOPS_OPENAI_REVISION_DAYS": "three",
    }
    proc = finops("run", env=env)
    assert proc.returncode == 2, proc.stderr
    assert "FINOPS_OPENAI_REVISION_DAYS must be a whole number of days from 1 to 400 (got 'three')" in proc.stderr
    assert "Traceback" not in proc.stderr and "sk-admin" not in proc.stderr
    assert not (tmp_path / "home").exists()  # nothing was started


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        (
            "FINOPS_DUCKDB_MEMORY_LIMIT",
            "lots",
            "FINOPS_DUCKDB_MEMORY_LIMIT='lots' is not an amount of memory DuckDB can use; set it like 6GB",
        ),
        (
            "FINOPS_ENGINE",
            "snowflake",
            "FINOPS_ENGINE='snowflake' is not an engine this project builds on; set it to duckdb or spark",
        ),
    ],
)
def test_a_bad_setting_is_one_sentence_and_exit_2_before_anything_starts(tmp_path, name, value, sentence):
    env = {**os.environ, "FINOPS_HOME": str(tmp_path / "home"), name: value}
    proc = finops("run", env=env)
    assert proc.returncode == 2, proc.stderr
    assert sentence in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()


def test_end_must_be_a_complete_day(monkeypatch):
    today = cli.utc_today()
    with pytest.raises(FinopsError, match="not a complete UTC day"):
        cli.run_pipeline(today, today)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--start", ""],
        ["run", "--end", ""],
    ],
)
def test_an_empty_date_is_an_error_not_the_default(args, tmp_path):
    env = {**os.environ, "FINOPS_HOME": str(tmp_path / "home")}
    proc = finops(*args, env=env)
    assert proc.returncode == 2 and "must be a UTC date like 2025-06-01 (got '')" in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--start", "2025-13-01"],
        ["run", "--start", "2025-06-10", "--end", "2025-06-01"],
        ["run", "--source", "bedrock"],
        ["demo", "--days", "0", "--no-app"],
    ],
)
def test_bad_arguments_create_no_folder(args, tmp_path):
    home = tmp_path / "never"
    proc = finops(*args, env={**os.environ, "FINOPS_HOME": str(home)})
    assert proc.returncode == 2
    assert not home.exists()


def home_that_is_a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path, "is a file, not a folder"


def home_on_a_read_only_mount(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        return folder / "home", "cannot be used (permission denied)"
    return folder / "home", "cannot be used (read-only file system)"


def read_only(command: list[str], folder: Path) -> list[str]:
    """``command`` run with ``folder`` mounted read-only (root: in a private mount namespace)."""
    if os.geteuid() != 0:
        return command
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("root cannot be refused a write without a read-only mount, and unshare --mount is not allowed here")
    script = 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(folder), *command]


@pytest.mark.parametrize(
    "make_home",
    [
        home_that_is_a_file,
        home_on_a_read_only_mount,
        lambda tmp_path: (Path("/proc/finops"), "is inside /proc, a system folder"),
        lambda tmp_path: (Path("/sys/finops"), "is inside /sys, a system folder"),
    ],
    ids=["file", "read-only", "proc", "sys"],
)
@pytest.mark.parametrize("command", [["run", "--start", "2025-06-01", "--end", "2025-06-01"], ["app", "--port", "1"]])
def test_an_unusable_finops_home_is_one_sentence_and_exit_2(tmp_path, make_home, command):
    home, fragment = make_home(tmp_path)
    argv = [sys.executable, "-m", "orchestration.cli", *command]
    if make_home is home_on_a_read_only_mount:
        argv = read_only(argv, home.parent)
    proc = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "FINOPS_HOME": str(home)})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().startswith(f"finops: FINOPS_HOME={home}") and fragment in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["emulator", "--faults", "bogus:1"], "--faults: Invalid fault spec item 'bogus:1'"),
        (["emulator", "--faults", "429:2"], "the rate must be between 0 and 1"),
        (["emulator", "--faults", "dup_row@2025-02-30"], "Invalid fault spec item 'dup_row@2025-02-30': the day must"),
    ],
)
def test_emulator_mistakes_are_one_sentence(args, fragment):
    proc = finops(*args)
    assert proc.returncode == 2 and fragment in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_emulator_on_a_port_in_use_is_one_sentence():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = finops("emulator", "--port", str(port))
    assert proc.returncode == 2, proc.stderr
    assert f"Cannot listen on 127.0.0.1:{port}" in proc.stderr and "pick another --port" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_bad_finops_yaml_stops_the_run_with_exit_1_before_anything_is_fetched(tmp_path):
    config = tmp_path / "finops.yaml"
    config.write_text("reconciliation:\n  tolerance:\n    absolute_usd: -0.01\n")
    env = {
        **os.environ,
        "FINOPS_HOME": str(tmp_path / "home"),
        "FINOPS_CONFIG": str(config),
        # a configured source pointed at a closed port: a fetch would fail with another sentence
        "OPENAI_ADMIN_KEY": "sk-admin-test-not-a-real-key",
        "OPENAI_BASE_URL": "http://127.0.0.1:9",
    }
    proc = finops("run", "--start", "2025-06-01", "--end", "2025-06-01", env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == (
        "finops: finops.yaml line 3: reconciliation.tolerance.absolute_usd is -0.01, below 0; "
        "give a number of at least 0."
    )
    assert not (tmp_path / "home").exists()  # nothing was written, nothing fetched
