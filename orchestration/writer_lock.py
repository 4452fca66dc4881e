"""One writer per FINOPS_HOME, through an OS file lock that dies with its process.

DuckDB allows one writing process per file. Every step that writes the warehouse (ingest, dbt, the
quality gate, publish) holds ``$FINOPS_HOME/writer.lock``, and `finops run` holds it for its whole run.
The kernel releases an ``flock`` when its process ends, however it ends (SIGKILL, an OOM kill, a reboot),
so a killed run can never wedge the next one; a run that finds the lock really held says who holds it
and waits.

The lock is re-entrant within a process (the CLI holds it while its in-process Dagster run takes it again
for each step) and exclusive between the threads of one process.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = "writer.lock"


@dataclass
class _Holding:
    guard: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    fd: int | None = None


_holdings: dict[Path, _Holding] = {}
_holdings_guard = threading.Lock()


def lock_path(home: Path) -> Path:
    return Path(home) / LOCK_NAME


def holder(home: Path) -> str:
    """Who holds (or last held) the lock, as written by its holder: "pid 123, finops run, since 02:53 UTC"."""
    try:
        return lock_path(home).read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def writer_lock(home: Path, what: str, on_wait: Callable[[str], None] | None = None) -> Iterator[bool]:
    """Hold the writer lock of ``home`` for the block. Yields True when this call took the OS lock, False
    when this process already held it (re-entry).

    When another process holds it, ``on_wait`` is called once with a description of the holder, then this
    call blocks until the lock is free (a signal such as Ctrl-C still interrupts the wait).
    """
    key = Path(home).resolve()
    with _holdings_guard:
        holding = _holdings.setdefault(key, _Holding())
    with holding.guard:
        first = holding.depth == 0
        if first:
            holding.fd = _acquire(key, what, on_wait)
        holding.depth += 1
        try:
            yield first
        finally:
            holding.depth -= 1
            if holding.depth == 0 and holding.fd is not None:
                fd, holding.fd = holding.fd, None
                os.close(fd)  # releases the flock


def _acquire(home: Path, what: str, on_wait: Callable[[str], None] | None) -> int:
    fd = os.open(lock_path(home), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(holder(home))
            fcntl.flock(fd, fcntl.LOCK_EX)
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, {what}, since {since}\n".encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise
