"""The Langfuse fixture pages, pulled by the client from a local server, landed, and built by dbt into the
conformed stg_langfuse__request_lines: every bucket and attribute worked out by hand from the fixtures
(tests/fixtures/langfuse/README.md says where each shape comes from)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_dbt  # noqa: E402
from test_langfuse_client import PUBLIC, SECRET, LangfuseStub, page  # noqa: E402

from connectors.langfuse import LangfuseClient  # noqa: E402
from connectors.langfuse.tables import LANGFUSE_GENERATIONS  # noqa: E402
from orchestration.loader import ensure_raw_tables, land  # noqa: E402

pytestmark = pytest.mark.slow

LOADED_AT = datetime(2026, 5, 6, 3, 0)
COLUMNS = (
    "request_id, source, requested_at, usage_date, provider, model_raw, service_tier, status, latency_ms, user_id, "
    "team, feature, api_key_alias, session_id, tags, input_tokens, cache_read_tokens, cache_write_tokens, "
    "cache_write_1h_tokens, output_tokens, reasoning_tokens, reported_cost_usd, loaded_at"
)


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> dict[str, dict]:
    from orchestration.defs.transform.project import vars_arg

    home = tmp_path_factory.mktemp("finops_home")
    stub = LangfuseStub()
    stub.script = [(200, {}, page("observations_page1")), (200, {}, page("observations_page2"))]
    try:
        with LangfuseClient(stub.host, PUBLIC, SECRET) as client:
            rows = list(client.iter_generations(date(2026, 5, 4), date(2026, 5, 6)))
    finally:
        stub.close()
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(
            conn,
            LANGFUSE_GENERATIONS,
            rows,
            run_id="t",
            window=(date(2026, 5, 4), date(2026, 5, 6)),
            loaded_at=LOADED_AT,
        )
    result = run_dbt(home, ["build", *vars_arg(), "--select", "+stg_langfuse__request_lines"])
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        cursor = conn.execute(f"select {COLUMNS} from staging.stg_langfuse__request_lines")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_openai_cached_and_reasoning_tokens_come_back_as_disjoint_buckets(lines):
    line = lines["gen-openai-1"]
    # the call: prompt 1200 (1000 cached), completion 400 (100 reasoning); Langfuse stored input 200, output 300
    assert (line["input_tokens"], line["cache_read_tokens"], line["cache_write_tokens"]) == (200, 1000, 0)
    assert (line["output_tokens"], line["reasoning_tokens"], line["cache_write_1h_tokens"]) == (400, 100, 0)
    assert line["provider"] == "openai" and line["model_raw"] == "gpt-4o-2024-08-06"  # the gpt- family
    assert line["service_tier"] == "flex" and line["status"] == "success"
    assert line["latency_ms"] == 1250  # latency 1.25 s
    assert (line["user_id"], line["team"], line["feature"]) == ("user-1", "search", "autocomplete")
    assert line["session_id"] == "session-1" and line["api_key_alias"] is None
    assert json.loads(line["tags"]) == {"env": "prod", "beta": ""}
    assert line["reported_cost_usd"] == Decimal("0.00575")
    assert line["requested_at"] == datetime(2026, 5, 4, 10) and line["usage_date"] == date(2026, 5, 4)
    assert line["source"] == "langfuse" and line["loaded_at"] == LOADED_AT


def test_anthropic_cache_writes_split_by_ttl_and_an_error(lines):
    line = lines["gen-anthropic-2"]
    # input 50, cache read 2000, writes: 5-minute 300 + unsplit rest 0, 1-hour 700; output 80
    assert (line["input_tokens"], line["cache_read_tokens"]) == (50, 2000)
    assert (line["cache_write_tokens"], line["cache_write_1h_tokens"]) == (300, 700)
    assert (line["output_tokens"], line["reasoning_tokens"]) == (80, 0)
    assert line["provider"] == "anthropic"  # modelParameters.system 'anthropic.messages'
    assert line["status"] == "error"  # level ERROR
    assert line["latency_ms"] == 2500  # no latency: end 00:00:02.000 - start 23:59:59.500
    assert line["usage_date"] == date(2026, 5, 4)  # the UTC day it started
    assert (line["team"], line["feature"]) == ("platform", "triage")  # from the tags team:x / feature:x
    assert json.loads(line["tags"]) == {"team": "platform", "feature": "triage"}
    assert line["reported_cost_usd"] == Decimal("0.0123456789")  # 0.012345678901 at DECIMAL(38,10)


def test_langchain_anthropic_names_metadata_provider_and_routing_prefix(lines):
    line = lines["gen-azure-3"]
    # cache_read_input_tokens 5, cache_creation_input_tokens 20 (no TTL split: the whole write)
    assert (line["input_tokens"], line["cache_read_tokens"], line["cache_write_tokens"]) == (10, 5, 20)
    assert (line["cache_write_1h_tokens"], line["output_tokens"]) == (0, 7)
    assert line["provider"] == "azure"  # metadata ls_provider wins over the model's 'openai/' prefix
    assert line["model_raw"] == "gpt-4o-mini"
    assert line["status"] == "success"  # WARNING is not an error
    assert (line["team"], line["feature"]) == (None, "summaries")
    assert line["tags"] == "{}" and line["latency_ms"] == 900
    assert line["reported_cost_usd"] == Decimal("0.0000123")


def test_an_unknown_model_family_and_missing_values(lines):
    line = lines["gen-mistral-4"]
    assert line["provider"] == "unknown" and line["model_raw"] == "mistral-large-latest"
    assert (line["input_tokens"], line["output_tokens"], line["cache_read_tokens"]) == (40, 60, 0)
    assert line["latency_ms"] is None and line["reported_cost_usd"] is None
    assert line["tags"] == "{}" and line["service_tier"] == "standard"
    assert set(lines) == {"gen-openai-1", "gen-anthropic-2", "gen-azure-3", "gen-mistral-4"}
