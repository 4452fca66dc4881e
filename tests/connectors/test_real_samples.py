"""Request logs written by the real tools, not by this project (tests/fixtures/real/, provenance in its
README.md), through our readers and dbt staging, with every expected value worked out by hand from the sample.

LiteLLM: tests/fixtures/real/litellm/spend_logs_payload.json is a SpendLogsPayload (the row LiteLLM writes to
LiteLLM_SpendLogs) from BerriAI/litellm's own test data. Users hand us the table as a Postgres CSV export, so the
test writes the payload as ``\\copy ... csv header`` would (one header line with the payload's keys in its order,
NULL as an empty field, JSON columns as the JSON text the payload holds, numbers as Python writes them: the
shortest text that round-trips, as Postgres 12+ writes a float8). That re-encoding is ours; no value is changed.
(The proxy's column is timestamp(3), so Postgres would hold 09:20:46.847; the payload's microseconds are kept.)

    usage_object: prompt_tokens 10, completion_tokens 20, no prompt/completion_tokens_details
      -> input 10, cache read 0, cache write 0, output 20, reasoning 0
    spend 0.00022500000000000002 -> reported_cost_usd 0.000225 (DECIMAL(38,10); 10 x 2.5e-06 + 20 x 1e-05)
    startTime 2025-01-24 09:20:46.847371 -> day 2025-01-24; endTime .851954 -> latency 4 ms (DuckDB's date_diff
      counts millisecond boundaries: 851 - 847; request_duration_ms is not in this payload)
    user, end_user, team_id, api_key: '' -> NULL; session_id 1234567890; request_tags [] -> no tags
"""

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.files import digest
from connectors.litellm import read_spend_logs
from connectors.litellm.spend_logs import claims
from connectors.litellm.tables import LITELLM_SPEND_LOGS
from orchestration.loader import ensure_raw_tables, land_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_dbt, vars_with  # noqa: E402

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
LITELLM_PAYLOAD = REAL / "litellm" / "spend_logs_payload.json"
REQUEST_ID = "chatcmpl-2283081b-dc89-41f6-93e6-d4f914774027"


def _as_postgres_csv(payload: dict, path: Path) -> Path:
    """The payload as one row of a Postgres ``\\copy ... csv header`` export (see the module docstring)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(payload)
        writer.writerow(["" if value is None else value for value in payload.values()])
    return path


@pytest.fixture(scope="module")
def litellm_csv(tmp_path_factory) -> Path:
    payload = json.loads(LITELLM_PAYLOAD.read_text())
    return _as_postgres_csv(payload, tmp_path_factory.mktemp("litellm_real") / "spend_logs.csv")


def test_litellm_payload_is_claimed_and_read_as_litellm_wrote_it(litellm_csv):
    assert claims(litellm_csv)
    (row,) = read_spend_logs(litellm_csv).to_pylist()
    assert row["request_id"] == REQUEST_ID
    assert (row["call_type"], row["model"], row["custom_llm_provider"], row["status"]) == (
        "acompletion",
        "gpt-4o",
        "openai",
        "success",
    )
    assert row["spend"] == Decimal("0.000225")  # the double 0.00022500000000000002, at DECIMAL(38,10)
    assert (row["prompt_tokens"], row["completion_tokens"], row["total_tokens"]) == (10, 20, 30)
    assert row["startTime"] == datetime(2025, 1, 24, 9, 20, 46, 847371)
    assert json.loads(row["metadata"])["usage_object"]["prompt_tokens"] == 10
    assert json.loads(row["request_tags"]) == []
    assert row["cache_hit"] == "None"  # LiteLLM writes str(None) here, not '' or NULL
    assert row["request_duration_ms"] is None and row["agent_id"] is None  # columns this payload does not have


@pytest.mark.slow
def test_litellm_payload_through_staging(litellm_csv, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land_file(
            conn,
            LITELLM_SPEND_LOGS,
            read_spend_logs(litellm_csv),
            path=str(litellm_csv),
            digest=digest(litellm_csv),
            run_id="real",
        )
    result = run_dbt(
        home,
        [
            "build",
            "--select",
            "stg_litellm__spend_logs",
            "stg_litellm__request_lines",
            *vars_with(request_lines=["stg_litellm__request_lines"]),
        ],
    )
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        cursor = conn.execute("select * from staging.stg_litellm__request_lines")
        names = [d[0] for d in cursor.description]
        (line,) = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert (line["request_id"], line["source"], line["provider"], line["model_raw"]) == (
        REQUEST_ID,
        "litellm",
        "openai",
        "gpt-4o",
    )
    buckets = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens")
    assert tuple(line[k] for k in buckets) + (line["reasoning_tokens"],) == (10, 0, 0, 0, 20, 0)
    assert line["reported_cost_usd"] == Decimal("0.000225")
    assert (line["requested_at"], line["usage_date"]) == (datetime(2025, 1, 24, 9, 20, 46, 847371), date(2025, 1, 24))
    assert (line["status"], line["latency_ms"], line["session_id"]) == ("success", 4, "1234567890")
    assert (line["user_id"], line["team"], line["feature"], line["api_key_alias"]) == (None, None, None, None)
    assert json.loads(line["tags"]) == {}
