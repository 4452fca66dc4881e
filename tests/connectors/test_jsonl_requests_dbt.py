"""The conformed request lines of helicone and jsonl_requests, built by dbt from the fixtures landed as files,
with every bucket worked out by hand."""

import json
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.files import digest
from connectors.helicone import SOURCE as HELICONE
from connectors.jsonl_requests import SOURCE as PLAIN
from orchestration.loader import land_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_dbt, vars_with  # noqa: E402

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = [
    (HELICONE, FIXTURES / "helicone" / "query_clickhouse_reply.json"),
    (HELICONE, FIXTURES / "helicone" / "requests.jsonl"),
    (HELICONE, FIXTURES / "helicone" / "requests.csv"),
    (PLAIN, FIXTURES / "jsonl_requests" / "requests.jsonl"),
]
COLUMNS = (
    "source, provider, model_raw, service_tier, status, latency_ms, user_id, team, feature, session_id, tags, "
    "input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, "
    "reported_cost_usd, cast(usage_date as varchar)"
)


@pytest.fixture(scope="module")
def lines(tmp_path_factory):

    home = tmp_path_factory.mktemp("finops_home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        for source, path in FILES:
            (feed,) = source.feeds
            land_file(conn, feed.table, feed.read(path), path=str(path), digest=digest(path), run_id="test")
    models = ["stg_helicone__requests", "stg_helicone__request_lines", "stg_jsonl_requests__requests"]
    models += ["stg_jsonl_requests__request_lines", "int_requests_unioned"]
    # the union reads only the two sources under test (the others' staging models are not built here)
    request_lines = ["stg_helicone__request_lines", "stg_jsonl_requests__request_lines"]
    result = run_dbt(home, ["build", *vars_with(request_lines=request_lines), "--select", *models])
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        found = conn.execute(f"select request_id, {COLUMNS} from intermediate.int_requests_unioned").fetchall()
    return {row[0]: row[1:] for row in found}


def test_helicone_lines(lines):
    assert len([k for k in lines if k.startswith("hc-")]) == 6
    # OpenAI via Helicone: prompt_tokens 1,000 is already uncached (cached 2,000 apart), properties Team/feature
    # give team and feature whatever their case, the api-key property never reaches the tags.
    assert lines["hc-0001"] == (
        "helicone", "openai", "gpt-4o-mini", "standard", "success", 850, "alice", "search", "answers", None,
        '{"env":"prod"}', 1000, 2000, 0, 0, 300, 0, Decimal("0.00045"), "2025-06-10",
    )  # fmt: skip
    # Anthropic: 50 uncached + 1,200 cache writes; no request_user_id -> helicone_user; costUSD kept as cost;
    # the session id is its own column, not a tag (one tag value per session would swamp the tag roll-up)
    assert lines["hc-0002"][1:11] == (
        "anthropic", "claude-sonnet-4-20250514", "standard", "success", 1900, "bob", "support", None, "sess-42", "{}",
    )  # fmt: skip
    assert lines["hc-0002"][11:] == (50, 0, 1200, 0, 400, None, Decimal("0.01065"), "2025-06-10")
    # a 500 is an error; the gateway's routing prefix is dropped from the model
    assert lines["hc-0003"][2:5] == ("gpt-4o", "standard", "error") and lines["hc-0003"][-1] == "2025-06-11"
    assert lines["hc-0101"][8] == "summaries" and lines["hc-0102"][4] == "error"
    # CSV: the Authorization property is dropped, team kept
    assert lines["hc-0201"][7] == "search" and lines["hc-0201"][10] == "{}"
    assert lines["hc-0201"][11:16] == (1200, 0, 0, 0, 80)


def test_plain_lines(lines):
    # 23:30 at +02:00 is 21:30 UTC on 2025-06-01; default tier -> standard; the api_key tag never reaches marts
    assert lines["req-1"] == (
        "jsonl_requests", "openai", "gpt-4o-mini", "standard", "success", 812, "alice", "search", "answers", None,
        '{"env":"prod"}', 1200, 800, 0, 0, 150, 0, Decimal("0.00033"), "2025-06-01",
    )  # fmt: skip
    assert lines["req-2"][2:4] == ("claude-sonnet-4-20250514", "batch")
    assert lines["req-2"][11:] == (40, 0, 1000, 2000, 500, None, Decimal("0.0123"), "2025-06-02")
    assert lines["req-3"][4] == "error" and lines["req-3"][11:16] == (0, 0, 0, 0, 0)
    assert all(json.loads(row[10]) is not None for row in lines.values())
