"""Opening the warehouse file: a lock held by another program is waited out briefly, then named."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from orchestration.errors import FinopsError
from orchestration.settings import duckdb_memory_limit

LOCK_WAIT_SECONDS = 10.0
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def connect_warehouse(
    path: Path, *, wait: float = LOCK_WAIT_SECONDS, sleep=time.sleep, monotonic=time.monotonic
) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the DuckDB file ``path``.

    Another program holding DuckDB's own file lock (an analyst's `duckdb` shell, a process that is just
    dying) is waited for up to ``wait`` seconds; after that a FinopsError names it and the fix.
    """
    memory_limit = duckdb_memory_limit()  # validated: digits and a unit
    deadline = monotonic() + wait
    delay = 0.1
    while True:
        try:
            conn = duckdb.connect(str(path))
            conn.execute(f"set memory_limit = '{memory_limit}'")
            return conn
        except duckdb.IOException as exc:
            found = _HOLDER.search(str(exc))
            if found is None:
                raise
            if monotonic() >= deadline:
                program = Path(found["program"]).name
                raise FinopsError(
                    f"the warehouse {path} is open in another program ({program}, PID {found['pid']}), and DuckDB "
                    f"lets one program write it at a time; close that program (read the published "
                    f"serving.duckdb instead) and run again."
                ) from None
            sleep(delay)
            delay = min(delay * 2, 1.0)
