"""stg_litellm__request_lines and stg_litellm_postgres__request_lines built by dbt on the LiteLLM fixture,
every bucket worked out by hand from the usage objects in tests/fixtures/litellm/spend_logs.csv (the rules,
and the litellm source they follow, are in dbt_project/macros/litellm.sql). The file lands through the real
reader and loader into raw.litellm_spend_logs; the same rows, as a Parquet export, into
raw.litellm_postgres_spend_logs through land() (the Postgres pull itself is tested against a real server in
tests/connectors/test_litellm_postgres.py)."""

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.litellm import read_spend_logs
from connectors.litellm.tables import LITELLM_SPEND_LOGS
from connectors.litellm_postgres import LITELLM_POSTGRES_SPEND_LOGS
from orchestration.loader import ensure_raw_tables, land, land_file

pytestmark = pytest.mark.slow

CSV = Path(__file__).parents[1] / "fixtures" / "litellm" / "spend_logs.csv"
KEY2 = "5a1f3c9e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a"

COLUMNS = (
    "request_id, source, requested_at, usage_date, provider, model_raw, service_tier, status, latency_ms, user_id, "
    "team, feature, api_key_alias, session_id, tags, input_tokens, cache_read_tokens, cache_write_tokens, "
    "cache_write_1h_tokens, output_tokens, reasoning_tokens, reported_cost_usd"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:

    home = tmp_path_factory.mktemp("finops_home")
    path = home / "warehouse.duckdb"
    folder = tmp_path_factory.mktemp("export")
    parquet = folder / "spend_logs.parquet"
    with duckdb.connect() as conn:
        conn.execute(f"copy (select * from read_csv('{CSV}', header = true)) to '{parquet}' (format parquet)")
    with duckdb.connect(str(path)) as conn:
        ensure_raw_tables(conn)
        land_file(conn, LITELLM_SPEND_LOGS, read_spend_logs(CSV), path=str(CSV), digest="x", run_id="t")
        land(
            conn,
            LITELLM_POSTGRES_SPEND_LOGS,
            read_spend_logs(parquet),
            run_id="t",
            window=(date(2025, 6, 1), date(2025, 6, 3)),
        )
    selection = "path:models/staging/litellm path:models/staging/litellm_postgres int_requests_unioned"
    request_lines = ["stg_litellm__request_lines", "stg_litellm_postgres__request_lines"]
    result = run_dbt(home, ["build", "--select", selection, *vars_with(request_lines=request_lines)])
    require_success(result)
    return path


def lines(path: Path, model: str) -> dict[str, dict]:
    with duckdb.connect(str(path), read_only=True) as conn:
        cursor = conn.execute(f"select {COLUMNS} from staging.{model}")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_openai_cached_tokens_come_out_of_the_prompt(warehouse):
    row = lines(warehouse, "stg_litellm__request_lines")["chatcmpl-9f2b1c"]
    # usage_object: prompt_tokens 1200 INCLUDES prompt_tokens_details.cached_tokens 1000 -> 200 uncached
    assert (row["input_tokens"], row["cache_read_tokens"], row["cache_write_tokens"], row["cache_write_1h_tokens"]) == (
        200,
        1000,
        0,
        0,
    )
    assert (row["output_tokens"], row["reasoning_tokens"]) == (100, 0)
    assert (row["provider"], row["model_raw"], row["service_tier"], row["status"]) == (
        "openai",
        "gpt-4o",
        "standard",
        "success",
    )
    assert row["requested_at"] == datetime(2025, 6, 1, 9, 15, 2, 123000) and row["usage_date"] == date(2025, 6, 1)
    assert row["latency_ms"] == 1333 and row["reported_cost_usd"] == Decimal("0.0015")
    # end_user (the request's own user) wins over the key owner; team alias over team_id; feature from metadata
    assert (row["user_id"], row["team"], row["feature"], row["api_key_alias"], row["session_id"]) == (
        "cust-42",
        "search",
        "autocomplete",
        "search-svc",
        "sess-1",
    )
    # request_tags ["prod", "customer:acme"] + spend_logs_metadata, its "api_key" entry dropped
    assert json.loads(row["tags"]) == {"prod": "", "customer": "acme", "feature": "autocomplete", "env": "prod"}


def test_anthropic_reads_and_writes_are_apart_and_writes_split_by_ttl(warehouse):
    row = lines(warehouse, "stg_litellm__request_lines")["msg_01XyZ"]
    # Anthropic: input 50, cache read 2000, cache creation 3000 (1h: 1000, 5m: 2000); litellm's prompt_tokens
    # 5050 = 50 + 2000 + 3000, text_tokens 50 -> buckets 50 / 2000 / 2000 / 1000, sum 5050
    assert (row["input_tokens"], row["cache_read_tokens"], row["cache_write_tokens"], row["cache_write_1h_tokens"]) == (
        50,
        2000,
        2000,
        1000,
    )
    assert (row["output_tokens"], row["reasoning_tokens"]) == (400, 120)
    assert (row["provider"], row["model_raw"]) == ("anthropic", "claude-sonnet-4-5-20250929")
    # starts 23:59:59.999 on 06-01: that is its UTC day
    assert row["usage_date"] == date(2025, 6, 1) and row["latency_ms"] == 4501
    # no alias: the hashed key; no end_user: the key owner; no team alias: the team_id column
    assert (row["user_id"], row["team"], row["api_key_alias"], row["tags"]) == ("user-internal-2", "team-2", KEY2, "{}")
    assert row["reported_cost_usd"] == Decimal("0.01551")


def test_an_anthropic_row_of_the_litellm_versions_that_left_writes_out_of_prompt_tokens(warehouse):
    row = lines(warehouse, "stg_litellm__request_lines")["msg_02AbC"]
    # prompt_tokens 31 = input only (cache_read 0; the 1253 written are not in it: no cache_creation_tokens in
    # prompt_tokens_details) -> 31 / 0 / 1253 / 0
    assert (row["input_tokens"], row["cache_read_tokens"], row["cache_write_tokens"], row["cache_write_1h_tokens"]) == (
        31,
        0,
        1253,
        0,
    )
    assert row["output_tokens"] == 467
    # 'anthropic/claude-3-7-sonnet-20250219' less its routing prefix; no duration logged: end - start
    assert (row["model_raw"], row["latency_ms"]) == ("claude-3-7-sonnet-20250219", 7250)
    # end_user '' and user '' are no one: metadata.user_api_key_user_id; the metadata's feature beats the tag's
    assert (row["user_id"], row["team"], row["feature"], row["api_key_alias"]) == (
        "user-internal-3",
        None,
        "summaries",
        "batch-jobs",
    )
    assert json.loads(row["tags"]) == {"feature": "summaries", "nightly": ""}


def test_a_failure_is_an_error_with_no_tokens(warehouse):
    row = lines(warehouse, "stg_litellm__request_lines")["chatcmpl-fail-7"]
    assert (row["status"], row["latency_ms"], row["reported_cost_usd"]) == ("error", 1250, Decimal("0"))
    assert (row["input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (0, 0, 0)


def test_both_sources_conform_alike_and_reach_the_union(warehouse):
    files = lines(warehouse, "stg_litellm__request_lines")
    database = lines(warehouse, "stg_litellm_postgres__request_lines")
    # the same requests but for the source's name and the time each was landed
    assert {k: {**v, "source": None, "loaded_at": None} for k, v in files.items()} == {
        k: {**v, "source": None, "loaded_at": None} for k, v in database.items()
    }
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        union = conn.execute(
            "select source, count(*), sum(input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) "
            "from intermediate.int_requests_unioned group by 1 order by 1"
        ).fetchall()
    # input-side tokens: 200 + 1000 | 50 + 2000 + 2000 + 1000 | 31 + 1253 | 0 = 7534 per source
    assert union == [("litellm", 4, 7534), ("litellm_postgres", 4, 7534)]


def test_no_key_reaches_the_conformed_or_staged_models(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        text = " ".join(
            str(conn.execute(f"select * from staging.{m}").fetchall())
            for m in ("stg_litellm__request_lines", "stg_litellm__spend_logs")
        )
    assert "sk-should-never-show" not in text
