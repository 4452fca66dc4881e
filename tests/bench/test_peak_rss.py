"""bench/request_logs.py PeakRss: a child's peak memory is its own, not the bench process's high-water mark (which
Linux hands to a child started by vfork + exec, as wait4's ru_maxrss shows)."""

import os
import subprocess
import sys
import textwrap

import pytest

from bench.request_logs import PeakRss

MIB = 2**20


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status (Linux)")
def test_the_peak_is_the_childs_own_not_the_parents():
    held = bytearray(600 * MIB)
    for offset in range(0, len(held), 4096):  # touch every page: resident
        held[offset] = 1
    del held  # the parent's high-water mark stays at 600 MiB or more

    # the child holds 200 MiB for half a second, then exits
    proc = _child(
        """
        import time
        block = bytearray(200 * 2**20)
        for offset in range(0, len(block), 4096):
            block[offset] = 1
        time.sleep(0.5)
        """
    )
    peak = PeakRss(proc.pid, interval=0.05)
    _, _, usage = os.wait4(proc.pid, 0)
    mib = peak.stop()
    assert 200 <= mib < 400, mib  # the 200 MiB block plus the interpreter
    assert usage.ru_maxrss / 1024 >= 600  # what wait4 says: the parent's mark, the figure this class replaces


def test_a_child_gone_before_the_first_read_reports_none_not_a_guess():
    proc = _child("pass")
    proc.wait()
    assert PeakRss(proc.pid, interval=0.05).stop() is None
