"""The writer lock of FINOPS_HOME dies with its process, says who holds it, and is re-entrant in-process;
a DuckDB file held by another program is named, never waited on forever."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from orchestration.errors import FinopsError
from orchestration.warehouse import connect_warehouse
from orchestration.writer_lock import writer_lock

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.writer_lock import writer_lock
    with writer_lock(Path(sys.argv[1]), "finops run"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def holder(home, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(home), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_reentrant_in_one_process(tmp_path):
    with writer_lock(tmp_path, "outer") as outer:
        with writer_lock(tmp_path, "inner") as inner:
            assert (outer, inner) == (True, False)
    with writer_lock(tmp_path, "again") as again:
        assert again is True


def test_a_second_process_is_told_who_holds_it_and_waits(tmp_path):
    proc = holder(tmp_path, 1.5)
    told: list[str] = []
    with writer_lock(tmp_path, "second", on_wait=told.append):
        pass  # reached only once the holder let go
    proc.wait(timeout=10)
    assert len(told) == 1 and told[0].startswith(f"pid {proc.pid}, finops run, since ")


def test_a_killed_holder_frees_it_at_once(tmp_path):
    proc = holder(tmp_path, 600)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    told: list[str] = []
    with writer_lock(tmp_path, "next", on_wait=told.append):
        pass
    assert told == []


def test_threads_of_one_process_take_turns(tmp_path):
    inside, overlaps = [0], []

    def work():
        for _ in range(20):
            with writer_lock(tmp_path, "thread"):
                inside[0] += 1
                overlaps.append(inside[0])
                time.sleep(0.001)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(overlaps) == 1


def test_a_warehouse_open_in_another_program_is_named(tmp_path):
    path = tmp_path / "w.duckdb"
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        sleeps: list[float] = []
        clock = iter(range(1000))
        with pytest.raises(FinopsError) as info:
            connect_warehouse(path, wait=5, sleep=sleeps.append, monotonic=lambda: float(next(clock)))
        message = str(info.value)
        assert f"PID {proc.pid}" in message and "close that program" in message
        assert sleeps and len(sleeps) <= 6
    finally:
        proc.kill()
        proc.wait()
    connect_warehouse(path).close()  # free again: opens at once
    assert os.path.exists(path)
