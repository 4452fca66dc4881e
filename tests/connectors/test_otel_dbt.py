"""The OTel staging models on the landed fixture (tests/fixtures/otel/spans.jsonl, described in test_otel.py):
only model calls become request lines, with disjoint token buckets worked out by hand below.

    span               reported (input incl. cache / cache read / cache write / output / reasoning)   disjoint input
    chat gpt-4o        1200 / 1000 / - / 300 / -                                                        1200-1000 = 200
    chat claude        5000 / 3000 / 1500 / 800 / 200                                             5000-3000-1500 = 500
    old gpt-3.5        prompt 100 / - / - / completion 50 / -                                                   100
    embeddings         42 / - / - / - / -                                                                        42
    sentry haiku       100 / 400 (apart: 400 > 100, so 100 is the uncached input) / - / 20 / -                 100
    error gpt-4o-mini  none: every bucket 0, status error
Not request lines: the HTTP span, the tool span and the invoke_agent span (whose 5000/800 sum its chat call).
"""

import json
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from connectors.files import digest
from connectors.otel import read_spans
from connectors.otel.tables import OTEL_SPANS
from orchestration.loader import ensure_raw_tables, land_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_dbt  # noqa: E402

pytestmark = pytest.mark.slow

SPANS = Path(__file__).resolve().parents[1] / "fixtures" / "otel" / "spans.jsonl"
COLUMNS = (
    "request_id, source, requested_at, usage_date, provider, model_raw, service_tier, status, latency_ms, user_id, "
    "team, feature, api_key_alias, session_id, tags, input_tokens, cache_read_tokens, cache_write_tokens, "
    "cache_write_1h_tokens, output_tokens, reasoning_tokens, reported_cost_usd"
)


def _build(home: Path, extra_vars: dict | None = None) -> dict[str, dict]:
    from orchestration.defs.transform.project import dbt_vars

    home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land_file(conn, OTEL_SPANS, read_spans(SPANS), path=str(SPANS), digest=digest(SPANS), run_id="r1")
    variables = {**dbt_vars(), **(extra_vars or {})}
    result = run_dbt(
        home, ["build", "--vars", json.dumps(variables), "--select", "stg_otel__spans", "stg_otel__request_lines"]
    )
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        cursor = conn.execute(f"select {COLUMNS} from staging.stg_otel__request_lines")
        names = [d[0] for d in cursor.description]
        return {row[0].split(":")[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> dict[str, dict]:
    return _build(tmp_path_factory.mktemp("otel_home"))


def _buckets(line: dict) -> tuple:
    keys = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens")
    return tuple(line[k] for k in keys) + (line["reasoning_tokens"],)


def test_only_model_calls_are_request_lines(lines):
    assert sorted(lines) == sorted(
        [
            "eee19b7ec3c1b174",  # chat gpt-4o
            "00f067aa0ba902b7",  # chat claude
            "b7ad6b7169203331",  # error
            "1a2b3c4d5e6f7081",  # old convention
            "2b3c4d5e6f708192",  # embeddings
            "3c4d5e6f70819203",  # sentry, cache apart
        ]
    )


def test_disjoint_token_buckets_worked_by_hand(lines):
    assert _buckets(lines["eee19b7ec3c1b174"]) == (200, 1000, 0, 0, 300, 0)
    assert _buckets(lines["00f067aa0ba902b7"]) == (500, 3000, 1500, 0, 800, 200)
    assert _buckets(lines["1a2b3c4d5e6f7081"]) == (100, 0, 0, 0, 50, 0)
    assert _buckets(lines["2b3c4d5e6f708192"]) == (42, 0, 0, 0, 0, 0)
    assert _buckets(lines["3c4d5e6f70819203"]) == (100, 400, 0, 0, 20, 0)
    assert _buckets(lines["b7ad6b7169203331"]) == (0, 0, 0, 0, 0, 0)


def test_the_current_convention_chat_line(lines):
    line = lines["eee19b7ec3c1b174"]
    assert line["request_id"] == "5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174"
    assert (line["source"], line["provider"], line["model_raw"]) == ("otel", "openai", "gpt-4o-2024-08-06")
    assert line["requested_at"] == datetime(2026, 3, 10, 12, 0, 0, 123456)
    assert line["latency_ms"] == 1500
    assert line["service_tier"] == "standard"  # openai.response.service_tier "default"
    assert (line["team"], line["feature"], line["user_id"]) == ("support", "triage", "u-1001")  # team: resource
    assert json.loads(line["tags"]) == {"service.name": "support-bot", "deployment.environment.name": "prod"}
    assert line["status"] == "success" and line["api_key_alias"] is None and line["reported_cost_usd"] is None
    assert line["session_id"] == "5b8efff798038103d269b633813fc60c"  # no conversation id: the trace


def test_the_span_team_wins_over_the_resource_and_midnight_stays_on_the_start_day(lines):
    line = lines["00f067aa0ba902b7"]
    assert (line["provider"], line["model_raw"]) == ("anthropic", "claude-sonnet-4-20250514")  # request model
    assert (line["team"], line["feature"], line["user_id"]) == ("research-platform", "deep-research", None)
    assert line["usage_date"] == date(2026, 3, 10) and line["latency_ms"] == 1750
    assert line["session_id"] == "conv-77"


def test_old_names_error_spans_and_service_tiers(lines):
    old = lines["1a2b3c4d5e6f7081"]
    assert (old["provider"], old["model_raw"], old["service_tier"]) == ("openai", "gpt-3.5-turbo-0125", "flex")
    assert old["team"] == "legacy" and old["usage_date"] == date(2026, 3, 11)
    assert json.loads(old["tags"]) == {"service.name": "legacy-app", "deployment.environment": "prod"}
    assert lines["3c4d5e6f70819203"]["provider"] == "anthropic"  # gen_ai.system
    error = lines["b7ad6b7169203331"]
    assert (error["status"], error["model_raw"], error["latency_ms"]) == ("error", "gpt-4o-mini", 250)
    assert {line["status"] for key, line in lines.items() if key != "b7ad6b7169203331"} == {"success"}


def test_the_attribute_keys_are_dbt_vars(tmp_path):
    lines = _build(
        tmp_path / "home",
        {
            "otel_team_attributes": ["service.name"],
            "otel_user_attributes": ["gen_ai.conversation.id", "user.id"],
            # a key listed twice is written once (json.loads would hide a repeated name: it keeps the last)
            "otel_tag_attributes": ["deployment.environment.name", "service.name", "deployment.environment.name"],
        },
    )
    assert lines["eee19b7ec3c1b174"]["team"] == "support-bot"  # from the resource
    assert lines["00f067aa0ba902b7"]["user_id"] == "conv-77"  # the first key found on the span
    assert lines["eee19b7ec3c1b174"]["user_id"] == "u-1001"
    tags = lines["eee19b7ec3c1b174"]["tags"]
    assert tags == '{"deployment.environment.name":"prod","service.name":"support-bot"}'
