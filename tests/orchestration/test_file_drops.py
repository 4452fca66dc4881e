"""File drops end to end below dbt: each file landed once, a changed file replaces what it loaded, rows on
their UTC day, a sensor that notices new files. A toy file-drop source is declared here, in the test."""

import os
import threading
from datetime import date, datetime
from decimal import Decimal

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from connectors import registry
from connectors.files import read_table
from connectors.openai.tables import OPENAI_COSTS
from connectors.schema import RawTable
from connectors.source import Feed, FileDrop, Source
from orchestration.defs.ingest.factory import build_file_asset, build_file_sensor
from orchestration.defs.resources import SourceResource, WarehouseResource
from orchestration.errors import FinopsError
from orchestration.loader import DroppedFile, land, land_file, land_files, loaded_digests

TOY_USAGE = RawTable(
    source="toydrop",
    endpoint="usage",
    columns=(("used_at", "TIMESTAMP"), ("model", "VARCHAR"), ("tokens", "BIGINT")),
    partition_column="used_at",
    from_files=True,
)
TOY = Source(
    name="toydrop",
    title="Toy file drop",
    setting=FileDrop("FINOPS_TOY_FILES", "CSV files of toy usage"),
    feeds=(Feed(TOY_USAGE, "Toy usage rows.", read=lambda path: read_table(path, TOY_USAGE.column_names)),),
)


def rows(conn):
    return conn.execute("select _partition_date, model, tokens, _file from raw.toydrop_usage order by all").fetchall()


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as c:
        yield c


def write(path, text):
    path.write_text(text)
    return path


def test_a_file_lands_on_the_utc_days_of_its_rows_once_and_a_changed_file_replaces_only_its_rows(conn, tmp_path):
    a = write(
        tmp_path / "a.csv", "used_at,model,tokens\n2025-06-01T23:30:00+02:00,m1,10\n2025-06-01T23:30:00-02:00,m1,20\n"
    )
    b = write(tmp_path / "b.csv", "used_at,model,tokens\n2025-06-03 12:00:00,m2,5\n")
    for path in (a, b):
        land_file(conn, TOY_USAGE, read_table(path, TOY_USAGE.column_names), path=str(path), digest="d1", run_id="r1")
    assert rows(conn) == [
        (date(2025, 6, 1), "m1", 10, str(a)),  # 21:30 UTC
        (date(2025, 6, 2), "m1", 20, str(a)),  # 01:30 UTC the next day
        (date(2025, 6, 3), "m2", 5, str(b)),
    ]
    assert loaded_digests(conn, TOY_USAGE).get(str(a)) == "d1" and "/nowhere" not in loaded_digests(conn, TOY_USAGE)
    write(a, "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,99\n")
    land_file(conn, TOY_USAGE, read_table(a, TOY_USAGE.column_names), path=str(a), digest="d2", run_id="r2")
    assert rows(conn) == [(date(2025, 6, 1), "m1", 99, str(a)), (date(2025, 6, 3), "m2", 5, str(b))]
    assert loaded_digests(conn, TOY_USAGE).get(str(a)) == "d2"


def test_a_row_without_a_day_refuses_the_whole_file(conn, tmp_path):
    good = write(tmp_path / "good.csv", "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,1\n")
    land_file(conn, TOY_USAGE, read_table(good, TOY_USAGE.column_names), path=str(good), digest="g", run_id="r")
    bad = write(tmp_path / "bad.csv", "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,1\n,m1,2\n")
    with pytest.raises(FinopsError, match=r"bad\.csv: 1 of 2 rows have no used_at"):
        land_file(conn, TOY_USAGE, read_table(bad, TOY_USAGE.column_names), path=str(bad), digest="b", run_id="r")
    assert len(rows(conn)) == 1 and str(bad) not in loaded_digests(conn, TOY_USAGE)


def test_a_value_that_does_not_fit_names_the_file(conn, tmp_path):
    bad = write(tmp_path / "bad.csv", "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,lots\n")
    with pytest.raises(FinopsError, match=r"bad\.csv: a value does not fit toydrop_usage's columns"):
        land_file(conn, TOY_USAGE, read_table(bad, TOY_USAGE.column_names), path=str(bad), digest="b", run_id="r")


def toy_file(tmp_path, name, day, tokens, rows=1):
    lines = "".join(f"2025-06-{day:02d}T00:00:00Z,m1,{tokens}\n" for _ in range(rows))
    path = write(tmp_path / name, "used_at,model,tokens\n" + lines)
    return DroppedFile(str(path), f"sha-{name}", read_table(path, TOY_USAGE.column_names))


class Connections:
    """``connect`` for land_files on one warehouse file, counting the connections opened."""

    def __init__(self, path):
        self.path, self.opened = str(path), 0

    def __call__(self):
        self.opened += 1
        return duckdb.connect(self.path)

    def rows(self):
        with duckdb.connect(self.path) as c:
            return rows(c), loaded_digests(c, TOY_USAGE)


def test_a_backlog_of_files_lands_several_files_per_connection_each_in_the_ledger(tmp_path):
    files = [toy_file(tmp_path, f"{day}.csv", day, tokens=day, rows=2) for day in range(1, 6)]
    connect = Connections(tmp_path / "w.duckdb")
    landed = []
    total = land_files(
        connect, TOY_USAGE, files, run_id="r", on_landed=lambda f, n: landed.append((f.path, n)), group_rows=4
    )
    # two files (4 rows) fill a group: 1+2, 3+4, then 5 alone at the end
    assert (total, connect.opened) == (10, 3)
    assert landed == [(f.path, 2) for f in files]
    table, ledger = connect.rows()
    assert [(day.day, tokens) for day, _, tokens, _ in table] == [(d, d) for d in range(1, 6) for _ in range(2)]
    assert ledger == {f.path: f.digest for f in files}
    # a group also closes on its bytes of Arrow, whatever its rows
    again = Connections(tmp_path / "w2.duckdb")
    land_files(again, TOY_USAGE, files, run_id="r", group_rows=10**9, group_bytes=1)
    assert again.opened == 5


def test_a_file_that_cannot_be_read_still_lands_every_file_read_before_it(tmp_path):
    good = [toy_file(tmp_path, f"{day}.csv", day, tokens=1) for day in (1, 2)]

    def read_in_order():
        yield from good
        raise FinopsError("FINOPS_TOY_FILES: 3.csv is not a CSV file")

    connect = Connections(tmp_path / "w.duckdb")
    with pytest.raises(FinopsError, match="3.csv is not a CSV file"):
        land_files(connect, TOY_USAGE, read_in_order(), run_id="r", group_rows=100)
    table, ledger = connect.rows()
    assert len(table) == 2 and set(ledger) == {f.path for f in good}


def test_an_interrupt_while_reading_stops_at_once_without_landing_the_group(tmp_path):
    def read_then_stopped():
        yield toy_file(tmp_path, "1.csv", 1, tokens=1)
        raise KeyboardInterrupt

    connect = Connections(tmp_path / "w.duckdb")
    with pytest.raises(KeyboardInterrupt):
        land_files(connect, TOY_USAGE, read_then_stopped(), run_id="r", group_rows=100)
    assert connect.opened == 0  # the file read lands with the next run: the ledger does not hold it


def test_a_file_that_fails_to_land_stops_the_group_after_the_files_before_it(tmp_path):
    first = toy_file(tmp_path, "1.csv", 1, tokens=1)
    path = write(tmp_path / "bad.csv", "used_at,model,tokens\n,m1,2\n")
    bad = DroppedFile(str(path), "sha-bad", read_table(path, TOY_USAGE.column_names))
    after = toy_file(tmp_path, "3.csv", 3, tokens=3)
    later = [toy_file(tmp_path, f"{day}.csv", day, tokens=day) for day in (4, 5, 6, 7)]
    read = []

    def read_in_order():
        for file in (first, bad, after, *later):
            read.append(file.path)
            yield file

    connect = Connections(tmp_path / "w.duckdb")
    with pytest.raises(FinopsError, match=r"bad\.csv: 1 of 1 rows have no used_at"):
        land_files(connect, TOY_USAGE, read_in_order(), run_id="r", group_rows=3)
    table, ledger = connect.rows()
    # the group was 1, bad, 3: the file before the bad one landed, the one after it was not landed nor tried
    # again, nor any file of the next group (4, 5, 6), which may have been read meanwhile; none after it was read
    assert [t for _, _, t, _ in table] == [1] and set(ledger) == {first.path}
    assert read[:3] == [first.path, bad.path, after.path] and len(read) <= 6 and connect.opened == 1


def test_the_next_group_is_read_while_this_one_lands_and_no_further(tmp_path):
    files = [toy_file(tmp_path, f"{day}.csv", day, tokens=day) for day in range(1, 6)]
    read, landing, read_during_landing = [], [], []
    second_read = threading.Event()

    def read_in_order():
        for file in files:
            read.append(file.path)
            if len(read) == 2:
                second_read.set()
            yield file

    class Blocking(Connections):
        def __call__(self):
            landing.append(len(read))
            if len(landing) == 1:
                # the first group (file 1) lands only once file 2 has been read: a landing that read only between
                # groups would never get there, and fail here
                assert second_read.wait(timeout=30), "file 2 was not read while file 1 was landing"
            return super().__call__()

    def on_landed(file, n):
        read_during_landing.append(len(read))

    connect = Blocking(tmp_path / "w.duckdb")
    assert land_files(connect, TOY_USAGE, read_in_order(), run_id="r", on_landed=on_landed, group_rows=1) == 5
    # one file a group; when file k has landed, at most file k + 1 has been read: one group ahead, no further
    assert all(n <= k + 1 for k, n in enumerate(read_during_landing, start=1)), read_during_landing
    assert connect.rows()[1] == {f.path: f.digest for f in files}
    assert not [t for t in threading.enumerate() if t.name == "finops-read-ahead"]


def test_an_interrupt_while_landing_stops_the_reader_and_lands_nothing_more(tmp_path):
    files = [toy_file(tmp_path, f"{day}.csv", day, tokens=day) for day in range(1, 6)]
    read = []

    def read_in_order():
        for file in files:
            read.append(file.path)
            yield file

    def interrupted(file, n):
        raise KeyboardInterrupt

    connect = Connections(tmp_path / "w.duckdb")
    with pytest.raises(KeyboardInterrupt):
        land_files(connect, TOY_USAGE, read_in_order(), run_id="r", on_landed=interrupted, group_rows=1)
    # file 1 landed (its transaction committed before the callback), nothing after it; the reader is gone, having
    # read at most the next file
    assert connect.rows()[1] == {files[0].path: files[0].digest} and connect.opened == 1
    assert len(read) <= 2
    assert not [t for t in threading.enumerate() if t.name == "finops-read-ahead"]


def test_land_takes_arrow_tables_and_duckdb_relations(conn):
    window = (date(2025, 3, 1), date(2025, 3, 2))
    batch = pa.table(
        {
            "bucket_start": pa.array([datetime(2025, 3, 1)], pa.timestamp("us")),
            "bucket_end": pa.array([datetime(2025, 3, 2)], pa.timestamp("us")),
            "project_id": ["p"],
            "line_item": ["gpt-4o, input"],
            "amount_value": ["1.25"],
            "_raw": ['{"a": 1}'],
        }
    )
    assert land(conn, OPENAI_COSTS, batch, run_id="r", window=window) == 1
    relation = conn.sql(
        "select timestamp '2025-03-01' as bucket_start, timestamp '2025-03-02' as bucket_end, 'q' as project_id, "
        "'gpt-4o, output' as line_item, '2.50' as amount_value"
    )
    assert land(conn, OPENAI_COSTS, relation, run_id="r", window=window, accept_shrink=True) == 1
    assert conn.execute("select project_id, amount_value, api_key_id from raw.openai_costs").fetchall() == [
        ("q", Decimal("2.5"), None)
    ]


@pytest.fixture
def toy_registered(monkeypatch):
    monkeypatch.setitem(registry.BY_NAME, TOY.name, TOY)


def test_the_asset_lands_new_and_changed_files_and_skips_the_rest(toy_registered, tmp_path, monkeypatch):
    drops = tmp_path / "drops"
    drops.mkdir()
    write(drops / "a.csv", "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,10\n")
    monkeypatch.setenv("FINOPS_TOY_FILES", str(drops / "*.csv"))
    asset = build_file_asset(TOY, TOY.feeds[0])
    resources = {
        "toydrop_source": SourceResource(source="toydrop"),
        "warehouse": WarehouseResource(home=str(tmp_path / "home")),
    }

    def materialize():
        result = dg.materialize([asset], resources=resources)
        assert result.success
        return result.asset_materializations_for_node(asset.op.name)[0].metadata

    first = materialize()
    assert (first["files_landed"].value, first["files_unchanged"].value) == (1, 0)
    write(drops / "b.csv", "used_at,model,tokens\n2025-06-02T00:00:00Z,m2,7\n")
    second = materialize()
    assert (second["files_landed"].value, second["files_unchanged"].value) == (1, 1)
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb")) as c:
        assert c.execute("select sum(tokens), count(distinct _file) from raw.toydrop_usage").fetchall() == [(17, 2)]


def test_an_unset_setting_skips_with_one_line_and_creates_the_table(toy_registered, tmp_path, monkeypatch):
    monkeypatch.delenv("FINOPS_TOY_FILES", raising=False)
    asset = build_file_asset(TOY, TOY.feeds[0])
    home = tmp_path / "home"
    result = dg.materialize(
        [asset],
        resources={
            "toydrop_source": SourceResource(source="toydrop"),
            "warehouse": WarehouseResource(home=str(home)),
        },
    )
    metadata = result.asset_materializations_for_node(asset.op.name)[0].metadata
    assert metadata["skipped"].value == "toydrop: FINOPS_TOY_FILES is not set; skipping toydrop."
    with duckdb.connect(str(home / "warehouse.duckdb")) as c:
        assert c.execute("select count(*) from raw.toydrop_usage").fetchall() == [(0,)]


def test_the_sensor_asks_for_a_run_when_a_file_is_new_or_changed(toy_registered, tmp_path, monkeypatch):
    drops = tmp_path / "drops"
    drops.mkdir()
    a = write(drops / "a.csv", "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,10\n")
    monkeypatch.setenv("FINOPS_TOY_FILES", str(drops / "*.csv"))
    job = dg.define_asset_job("file_drops_job", selection=[dg.AssetKey(["toydrop", "usage"])])
    sensor = build_file_sensor(TOY, job)
    resources = {"toydrop_source": SourceResource(source="toydrop")}

    def tick(cursor):
        context = dg.build_sensor_context(cursor=cursor, resources=resources)
        return sensor.evaluate_tick(context)

    first = tick(None)
    assert [r.asset_selection for r in first.run_requests] == [[dg.AssetKey(["toydrop", "usage"])]]
    quiet = tick(first.cursor)
    assert quiet.run_requests == [] and quiet.skip_message == "no new or changed files"
    write(a, "used_at,model,tokens\n2025-06-01T00:00:00Z,m1,11\n")
    os.utime(a, ns=(1, 2_000_000_000_000_000_000))
    assert len(tick(quiet.cursor).run_requests) == 1
