"""Helpers of the end-to-end tests: the warehouse's rows as data, and `finops` as a user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from orchestration.settings import Paths

REPO_ROOT = Path(__file__).resolve().parents[2]


def snapshot(paths: Paths) -> dict:
    """Every raw and mart row, without load metadata that legitimately changes between runs."""
    out = {}
    with duckdb.connect(str(paths.warehouse), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts') and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            cols = [
                c
                for (c,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in ("_loaded_at", "_run_id")
            ]
            col_list = ", ".join(f'"{c}"' for c in cols)
            out[f"{schema}.{table}"] = conn.execute(f"select {col_list} from {schema}.{table} order by all").fetchall()
    return out


def serving(paths: Paths, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(paths.serving), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def serving_snapshot(paths: Paths) -> dict:
    """Every published table's rows (publish_info included)."""
    with duckdb.connect(str(paths.serving), read_only=True) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {n: conn.execute(f"select * from marts.{n} order by all").fetchall() for n in names}


def usage_sources(server) -> list:
    """The API sources of the emulator that report provider usage (the billing side): what the pipeline and fault
    tests drive. Request logs (test_request_logs.py) and cloud billing exports (test_cloud_exports.py) are file
    drops with end-to-end tests of their own."""
    return [source for source in server.sources if source.is_api and "usage_lines" in source.conformed]


def billing_sources() -> tuple:
    """The registered billing APIs that keep their whole history: the ones the pipeline, fault and revision tests
    drive over fixed days of 2025. OpenRouter's activity keeps only the last 30 days, so its own end-to-end test
    (test_openrouter_pipeline.py) runs on the days before today; cloud billing exports are file drops
    (test_cloud_exports.py)."""
    from connectors.registry import SOURCES

    return tuple(s for s in SOURCES if s.is_api and "usage_lines" in s.conformed and s.history_days is None)


def billing_emulator(seed: int = 42, org=None, **kwargs):
    """An emulator of the organisation at the billing sources only (its ground truth holds only them)."""
    from emulator import EmulatorServer, SimulatedOrg
    from emulator.plugin import plugins_for

    sources = billing_sources()
    org = org if org is not None else SimulatedOrg(seed, plugins=plugins_for(sources))
    return EmulatorServer(org, sources=sources, **kwargs)


def api_keys(server) -> list[str]:
    """The fake keys of the emulator's API sources (none can appear in any output or file)."""
    return [server.key(source.name) for source in server.sources if source.is_api]


def emulator_env(home: Path, server) -> dict[str, str]:
    """The environment of a user who points finops at the emulator's usage sources (fake keys only)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "DAGSTER_"))}
    env.update(FINOPS_HOME=str(home), **server.environ(usage_sources(server)))
    return env


class Finops:
    """`finops ...` in a child process whose stderr is read line by line as it comes."""

    def __init__(
        self, args: list[str], env: dict[str, str], *, python_code: str | None = None, ignore_sigint: bool = False
    ) -> None:
        command = (
            [sys.executable, "-c", python_code, *args]
            if python_code
            else [sys.executable, "-m", "orchestration.cli", *args]
        )

        def as_a_background_job() -> None:  # what `finops ... &` in a script does to SIGINT
            signal.signal(signal.SIGINT, signal.SIG_IGN)

        self.proc = subprocess.Popen(
            command,
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=as_a_background_job if ignore_sigint else None,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, fragment: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if fragment in line:
                        return line
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"finops ended ({self.proc.returncode}) before {fragment!r}:\n{self.stderr}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line with {fragment!r} within {timeout} s:\n{self.stderr}")
                self._changed.wait(min(left, 0.5))

    def wait(self, timeout: float = 300) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # say what the command printed before it hung, then stop it
            self.proc.kill()
            self.proc.wait()
            self._reader.join(timeout=10)
            raise AssertionError(f"finops still running after {timeout} s:\n{self.stderr}") from None
        self._reader.join(timeout=10)
        return code

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live child processes of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append((int(entry.name), cmdline))
        except (OSError, ValueError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        time.sleep(0.1)
