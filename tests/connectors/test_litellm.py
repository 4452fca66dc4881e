"""litellm (files): LiteLLM_SpendLogs exports recognised by their header, read in bulk and typed, a bad row
rejecting its whole file by name and line. The fixture tests/fixtures/litellm/spend_logs.csv is shaped as
``\\copy "LiteLLM_SpendLogs" to 'f.csv' csv header`` writes it (columns of litellm/proxy/schema.prisma, JSON
columns as JSON text, Postgres timestamp text, NULL as an empty field); the Parquet one is the same rows as a
DuckDB export writes them (typed timestamps, spend a double)."""

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.files import FileDropError
from connectors.litellm import SOURCE, claims, read_spend_logs
from connectors.registry import BY_NAME, files_of
from orchestration.loader import land_file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "litellm"
CSV = FIXTURES / "spend_logs.csv"


def parquet_export(folder: Path) -> Path:
    """The fixture's rows as DuckDB exports them to Parquet (`copy (select ...) to 'f.parquet'`)."""
    path = folder / "spend_logs.parquet"
    with duckdb.connect() as conn:
        conn.execute(f"copy (select * from read_csv('{CSV}', header = true)) to '{path}' (format parquet)")
    return path


def test_the_csv_export_is_read_typed_with_its_raw_row():
    rows = {r["request_id"]: r for r in read_spend_logs(CSV).to_pylist()}
    assert list(rows) == ["chatcmpl-9f2b1c", "msg_01XyZ", "msg_02AbC", "chatcmpl-fail-7"]
    first = rows["chatcmpl-9f2b1c"]
    assert first["spend"] == Decimal("0.0015")
    assert first["startTime"] == datetime(2025, 6, 1, 9, 15, 2, 123000)
    assert first["completionStartTime"] == datetime(2025, 6, 1, 9, 15, 2, 801000)
    assert (first["prompt_tokens"], first["completion_tokens"], first["request_duration_ms"]) == (1200, 100, 1333)
    assert json.loads(first["metadata"])["usage_object"]["prompt_tokens_details"]["cached_tokens"] == 1000
    assert json.loads(first["request_tags"]) == ["prod", "customer:acme"]
    # NULL (an empty field) stays NULL; a column this LiteLLM version lacks is NULL
    assert rows["msg_01XyZ"]["end_user"] is None and first["billing_agent_id"] is None
    # _raw keeps the export's columns the table lacks, but never its payloads (prompts, outputs, headers)
    assert json.loads(first["_raw"]) == {}


def test_raw_keeps_a_newer_exports_extra_columns_but_no_payload(tmp_path):
    text = CSV.read_text().splitlines()
    extended = tmp_path / "spend_logs_newer.csv"
    extended.write_text("\n".join([text[0] + ",agent_run_id"] + [line + ",run-7" for line in text[1:]]) + "\n")
    rows = read_spend_logs(extended).to_pylist()
    assert {json.dumps(json.loads(r["_raw"]), sort_keys=True) for r in rows} == {'{"agent_run_id": "run-7"}'}


def test_the_parquet_export_reads_the_same_values(tmp_path):
    from_csv = read_spend_logs(CSV).drop(["_raw"]).to_pylist()
    from_parquet = read_spend_logs(parquet_export(tmp_path)).drop(["_raw"]).to_pylist()
    assert from_parquet == from_csv


def test_a_malformed_csv_is_rejected_whole_with_its_name_and_line():
    path = FIXTURES / "spend_logs_malformed.csv"
    with pytest.raises(FileDropError) as caught:
        read_spend_logs(path)
    message = str(caught.value)
    assert str(path) in message and "line 3" in message and "startTime" in message and "'yesterday'" in message


def test_a_ragged_csv_is_rejected_with_its_name(tmp_path):
    path = tmp_path / "cut.csv"
    lines = CSV.read_text().splitlines()
    path.write_text(lines[0] + "\n" + lines[1] + "\nchatcmpl-x,acompletion\n")
    with pytest.raises(FileDropError, match=str(path)):
        read_spend_logs(path)


def test_claims_its_exports_and_nothing_else(tmp_path):
    otel = tmp_path / "spans.jsonl"
    otel.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "chat gpt-4o"}]}]}]}) + "\n")
    plain = tmp_path / "requests.jsonl"
    plain.write_text(json.dumps({"format": "finops.request.v1", "request_id": "r1", "model": "gpt-4o"}) + "\n")
    other_csv = tmp_path / "billing.csv"
    other_csv.write_text("usage_start_time,cost,sku\n2025-06-01,1.0,x\n")
    assert claims(CSV) and claims(parquet_export(tmp_path))
    assert not claims(otel) and not claims(plain) and not claims(other_csv)


def test_the_registry_gives_litellm_its_files_from_the_shared_setting(tmp_path):
    env = {"FINOPS_REQUEST_LOGS": str(CSV)}
    assert files_of(BY_NAME["litellm"], env) == [CSV.resolve()]
    assert SOURCE.setting.paths_env == "FINOPS_REQUEST_LOGS"


def test_the_file_lands_on_the_utc_days_of_start_time(tmp_path):
    table = SOURCE.feeds[0].table
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        n = land_file(conn, table, read_spend_logs(CSV), path=str(CSV), digest="d1", run_id="r")
        days = conn.execute(
            f"select _partition_date::varchar, count(*), sum(spend) from {table.qualified_name} group by 1 order by 1"
        ).fetchall()
    assert n == 4
    # 06-01: 0.0015 + 0.01551 (msg_01XyZ starts 23:59:59.999, ends on 06-02); 06-02: 0.006213 + 0
    assert days == [("2025-06-01", 2, Decimal("0.0170100000")), ("2025-06-02", 2, Decimal("0.0062130000"))]
