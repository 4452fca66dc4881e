"""Dagster's run history on SQLite, without paying for a new database engine on every event.

Dagster's own SQLite event log (``SqliteEventLogStorage``) creates a SQLAlchemy engine, opens a SQLite
connection, commits and closes it for each statement of each event: a run's event in its run database, an asset
or check event mirrored into the index database. One `finops run` logs about 3,000 events (a planned event and an
evaluation for each of the ~660 dbt tests Dagster shows as asset checks, a materialization for each dbt model),
so this cost was about half of a run whose data had not changed. Three parts of it are avoidable:

* **the engine per statement:** SQLAlchemy caches compiled statements per engine, so a new engine compiles every
  insert again;
* **the connection per statement:** closing the last connection of a WAL database checkpoints it;
* **a sync to disk per commit:** SQLite's default ``synchronous=FULL``. In WAL mode, ``NORMAL`` keeps the database
  consistent after a crash and only syncs at checkpoints; a power cut can lose the last events, never corrupt the
  file. The warehouse's data is in DuckDB and does not depend on this log: a run whose end is lost is marked failed
  by the next run (orchestration/runner.py ``reap_dead_runs``).

This storage keeps one engine and one open connection per database, for the index and the most recently used runs
(``KEEP_OPEN``; older ones are closed, so the web UI reading many runs holds few files open). Everything else,
file layout included, is Dagster's: a home written with the default storage reads the same, and back.
dagster.yaml names it (orchestration/runner.py ``DAGSTER_YAML``).
"""

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool

KEEP_OPEN = 4  # run databases kept open besides the index: the current run, and a few the web UI is showing


def _pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with one engine and one connection kept per database (see the module)."""

    def __init__(self, base_dir: str | None = None, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # guarded by Dagster's _db_lock, as connections are
        if base_dir is None:  # Dagster's own place for it: $DAGSTER_HOME/history/runs/
            base_dir = os.path.join(os.environ["DAGSTER_HOME"], "history", "runs", "")
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, made on first use; the caller holds _db_lock."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        # one connection per thread, kept open (SingletonThreadPool), used under _db_lock only; not bound to its
        # thread (check_same_thread), so an eviction or dispose from any thread can close it
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=SingletonThreadPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _pragmas)
        self._engines[shard] = engine
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[: max(0, len(runs) - KEEP_OPEN)]:
            self._engines.pop(name).dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_all()  # Dagster deletes the run databases' files
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_all()
