"""File drops: the setting's paths and globs, content fingerprints, and bulk readers that keep each row."""

import json
import os
import threading

import duckdb
import pyarrow as pa
import pytest

from connectors.files import FileDropError, digest, expand, file_format, read_table, scratch


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_paths_and_globs_separated_by_colons_each_file_once(tmp_path):
    a = write(tmp_path / "a.csv", "x\n")
    b = write(tmp_path / "sub" / "deep" / "b.csv", "x\n")
    write(tmp_path / "notes.txt", "x\n")
    spec = os.pathsep.join([str(tmp_path / "*.csv"), str(tmp_path / "**" / "*.csv"), str(a), ""])
    assert expand(spec, "FINOPS_X") == sorted([a.resolve(), b.resolve()])


def test_a_glob_that_matches_nothing_is_no_files_but_a_missing_path_is_an_error(tmp_path):
    assert expand(str(tmp_path / "*.parquet"), "FINOPS_X") == []
    with pytest.raises(FileDropError, match=r"FINOPS_X: .*missing\.csv does not exist"):
        expand(str(tmp_path / "missing.csv"), "FINOPS_X")
    with pytest.raises(FileDropError, match="is a folder; name its files with a glob"):
        expand(str(tmp_path), "FINOPS_X")


def test_digest_follows_content_not_name_or_time(tmp_path):
    a = write(tmp_path / "a.csv", "x\n1\n")
    b = write(tmp_path / "b.csv", "x\n1\n")
    assert digest(a) == digest(b)
    write(a, "x\n2\n")
    assert digest(a) != digest(b)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.csv", "csv"),
        ("a.csv.gz", "csv"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.json", "json"),
        ("a.parquet", "parquet"),
    ],
)
def test_format_from_the_name(tmp_path, name, kind):
    assert file_format(tmp_path / name) == kind


def test_an_unknown_format_is_refused_naming_the_file(tmp_path):
    with pytest.raises(FileDropError, match=r"x\.xlsx: cannot tell its format"):
        file_format(tmp_path / "x.xlsx")


def test_csv_is_read_as_text_with_each_row_kept_whole(tmp_path):
    path = write(tmp_path / "a.csv", 'id,model,startTime,extra\n1,"gpt,4o",2025-06-01T23:30:00+02:00,x\n')
    table = read_table(path, ["id", "model", "startTime", "missing"])
    (row,) = table.to_pylist()
    assert row["model"] == "gpt,4o" and row["startTime"] == "2025-06-01T23:30:00+02:00" and row["missing"] is None
    assert json.loads(row["_raw"]) == {
        "id": "1",
        "model": "gpt,4o",
        "startTime": "2025-06-01T23:30:00+02:00",
        "extra": "x",
    }


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_json_keeps_nested_values_in_raw(tmp_path, layout):
    rows = [{"id": 1, "meta": {"team": "search"}, "ts": "2025-06-01T00:00:00Z"}, {"id": 2, "ts": "2025-06-02"}]
    text = "\n".join(json.dumps(r) for r in rows) if layout == "lines" else json.dumps(rows)
    path = write(tmp_path / ("a.jsonl" if layout == "lines" else "a.json"), text)
    table = read_table(path, ["id", "ts"])
    assert [r["id"] for r in table.to_pylist()] == ["1", "2"]
    assert json.loads(table.to_pylist()[0]["_raw"])["meta"] == {"team": "search"}


def test_parquet_keeps_its_types(tmp_path):
    path = tmp_path / "a.parquet"
    with duckdb.connect() as conn:
        conn.execute(f"copy (select 7::bigint as n, 'x' as s) to '{path}' (format parquet)")
    (row,) = read_table(path, ["n", "s"]).to_pylist()
    assert row["n"] == 7 and json.loads(row["_raw"]) == {"n": 7, "s": "x"}


def test_a_broken_file_is_one_sentence_naming_it(tmp_path):
    path = write(tmp_path / "a.parquet", "this is not parquet")
    with pytest.raises(FileDropError, match=r"a\.parquet: not a readable parquet file"):
        read_table(path, ["n"])


def test_scratch_connections_share_one_database_but_not_their_settings_tables_or_registered_rows():
    with scratch() as a, scratch() as b:
        a.execute("set TimeZone = 'America/New_York'")
        a.execute("create temp table src as select 1 as x")
        a.register("_in", pa.table({"x": [7]}))
        b.execute("create temp table src as select 2 as x")  # no clash with a's
        assert b.sql("select x from src").fetchall() == [(2,)]
        assert b.sql("select current_setting('TimeZone')").fetchall() != [("America/New_York",)]
        with pytest.raises(duckdb.CatalogException):
            b.sql("select * from _in").fetchall()
        # one database: what one connection makes global (a table in main) the other sees
        a.execute("create or replace table main.scratch_probe as select 3 as x")
        assert b.sql("select x from main.scratch_probe").fetchall() == [(3,)]
        b.execute("drop table main.scratch_probe")
    with scratch() as c:  # a closed connection's temporary tables are gone with it
        with pytest.raises(duckdb.CatalogException):
            c.sql("select * from src").fetchall()

    # readers on several threads at once, each typing its own rows under the same names
    answers, errors = {}, []

    def read(k: int) -> None:
        try:
            for _ in range(20):
                with scratch() as conn:
                    conn.register("_in", pa.table({"x": [k] * 3}))
                    conn.execute("create temp table t as select sum(x) as s from _in")
                    answers[k] = conn.sql("select s from t").fetchall()[0][0]
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and answers == {k: 3 * k for k in range(1, 5)}
