"""Child processes that never outlive the `finops` process that started them.

* ``run_child``: `finops app` and `finops dagster` run Streamlit / `dagster dev` as a child. The wrapper
  forwards SIGINT, SIGTERM and SIGHUP to it, waits for it, and stops it if it is still there when the
  wrapper leaves; if the wrapper itself is killed outright, the kernel sends the child SIGTERM.
* ``dbt_child_main`` (the ``finops-dbt`` command): on Spark, dagster-dbt runs `dbt build` as a subprocess (on
  DuckDB the dbt step builds in its own process: orchestration/defs/transform/project.py ``build_in_process``). Started
  through this wrapper, dbt gets SIGKILL from the kernel when the run that started it dies, so a killed
  run leaves no orphan dbt writing the warehouse (DuckDB's WAL makes the cut safe). With ``--target spark``
  the wrapper runs dbt in its own process after landing the raw tables for Spark (orchestration/spark.py
  ``dbt_child``); Spark's JVM, its child, exits when it does.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PR_SET_PDEATHSIG = 1  # linux/prctl.h
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
DBT_PARENT_ENV = "FINOPS_DBT_PARENT_PID"
SPARK_TARGET = "spark"  # dbt_project/profiles.yml's output for the Spark engine


def set_parent_death_signal(sig: int) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def run_child(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None, stop_timeout: float = 15.0
) -> int:
    """Run ``command`` until it exits; forward stop signals to it; never leave it running. Returns its exit
    code (0 when it was stopped by a forwarded signal)."""

    def in_child() -> None:  # runs in the child between fork and exec
        # A parent started in the background of a script inherits SIGINT ignored; the child must not, or
        # `dagster dev` (which maps SIGTERM to its SIGINT handler) would ignore both.
        for sig in FORWARDED:
            signal.signal(sig, signal.SIG_DFL)
        set_parent_death_signal(signal.SIGTERM)

    # Its own process group: a Ctrl-C in the terminal reaches the wrapper only, which forwards it once.
    proc = subprocess.Popen(list(command), env=dict(env), cwd=cwd, preexec_fn=in_child, process_group=0)
    stopped: list[int] = []

    def forward(signum, frame) -> None:
        stopped.append(signum)
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 0 if stopped else code


def dbt_executable() -> str:
    """The ``finops-dbt`` wrapper beside this Python, else dbt itself (beside this Python, else on PATH)."""
    bin_dir = Path(sys.executable).parent
    for name in ("finops-dbt", "dbt"):
        candidate = bin_dir / name
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_child_main() -> None:
    """``finops-dbt ARGS``: exec ``dbt ARGS`` so that it dies with the process that started it."""
    parent = os.environ.get(DBT_PARENT_ENV)
    set_parent_death_signal(signal.SIGKILL)
    if parent and parent.isdigit() and os.getppid() != int(parent):
        sys.exit(f"finops-dbt: the run that started dbt (pid {parent}) is gone; not starting dbt.")
    args = sys.argv[1:]
    if _target(args) == SPARK_TARGET:  # dbt-spark's session method: Spark runs in this process, after the landing
        from orchestration.spark import dbt_child

        sys.exit(dbt_child(args))
    dbt = Path(sys.executable).parent / "dbt"
    program = str(dbt) if dbt.exists() else "dbt"
    os.execvp(program, [program, *args])


def _target(args: Sequence[str]) -> str | None:
    """The value of dbt's --target in ``args``, if given."""
    for i, arg in enumerate(args):
        if arg == "--target" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return None
