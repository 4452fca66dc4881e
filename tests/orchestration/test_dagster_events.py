"""The run history's event log (orchestration/dagster_events.py): what `finops run` writes through it reads the same
through Dagster's own SQLite storage, it holds few database files open, and it lets them all go."""

import os
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.dagster_events import KEEP_OPEN, PooledSqliteEventLogStorage
from orchestration.runner import DAGSTER_YAML


@dg.asset
def spend() -> int:
    return 1


@dg.asset_check(asset=spend)
def spend_is_positive(spend: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=spend > 0)


def open_databases(folder: Path) -> set[str]:
    """The SQLite files under ``folder`` this process holds open."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc to see this process's open files (Linux)")
    names = set()
    for fd in fds.iterdir():
        try:
            target = Path(os.readlink(fd))
        except OSError:
            continue
        if target.suffix == ".db" and folder in target.parents:
            names.add(target.stem)
    return names


@pytest.fixture
def instance(tmp_path, monkeypatch):
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        yield instance


def test_finops_dagster_yaml_selects_it_and_dagster_own_storage_reads_what_it_wrote(instance):
    storage = instance.event_log_storage
    assert isinstance(storage, PooledSqliteEventLogStorage)
    result = dg.materialize([spend, spend_is_positive], instance=instance)
    assert result.success
    written = [
        record.event_log_entry.dagster_event_type for record in storage.get_records_for_run(result.run_id).records
    ]
    assert dg.DagsterEventType.ASSET_MATERIALIZATION in written
    assert dg.DagsterEventType.ASSET_CHECK_EVALUATION in written

    # the same files, read by Dagster's default storage: the run's events and the index's mirror of them
    plain = SqliteEventLogStorage(str(Path(os.environ["DAGSTER_HOME"]) / "history" / "runs"))
    read = [record.event_log_entry.dagster_event_type for record in plain.get_records_for_run(result.run_id).records]
    assert read == written
    latest = plain.get_latest_materialization_events([dg.AssetKey("spend")])[dg.AssetKey("spend")]
    assert latest is not None and latest.run_id == result.run_id
    check = dg.AssetCheckKey(dg.AssetKey("spend"), "spend_is_positive")
    executions = plain.get_asset_check_execution_history(check, limit=5)
    assert [e.run_id for e in executions] == [result.run_id]
    assert executions[0].status.value == "SUCCEEDED"
    plain.dispose()


def test_it_holds_the_index_and_the_latest_runs_open_and_no_more(tmp_path):
    folder = tmp_path / "runs"
    storage = PooledSqliteEventLogStorage(str(folder))
    runs = [f"run-{i}" for i in range(KEEP_OPEN + 3)]
    for run_id in runs:
        with storage.run_connection(run_id) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: no sync to disk per commit
    with storage.index_connection():
        pass
    assert open_databases(folder) == {"index", *runs[-KEEP_OPEN:]}
    storage.dispose()
    assert open_databases(folder) == set()


def test_wipe_lets_go_of_the_files_it_deletes_and_the_log_works_after(instance):
    storage = instance.event_log_storage
    first = dg.materialize([spend], instance=instance)
    folder = Path(os.environ["DAGSTER_HOME"]) / "history" / "runs"
    assert first.run_id in open_databases(folder)
    storage.wipe()
    assert first.run_id not in open_databases(folder)
    assert storage.get_records_for_run(first.run_id).records == []
    second = dg.materialize([spend], instance=instance)
    assert (
        storage.get_latest_materialization_events([dg.AssetKey("spend")])[dg.AssetKey("spend")].run_id == second.run_id
    )
