"""AnthropicAdminClient.iter_claude_code_usage against records shaped as Anthropic documents them (the newest
reference page: ``date`` an RFC 3339 midnight, ``is_remote``; the older one: ``date`` YYYY-MM-DD, no
``is_remote``), paging, and an organisation without Claude Code analytics (404 / 403): nothing lands, one
notice says why, the key is never in it."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from responses import matchers

from connectors.anthropic import SOURCE, AnthropicAdminClient
from connectors.anthropic.tables import ANTHROPIC_CLAUDE_CODE_USAGE
from connectors.errors import AuthError, NotFoundError, ResponseShapeError

KEY = "sk-ant-admin01-test-not-a-real-key-claude-code"
BASE = "https://api.anthropic.test"
CODE = f"{BASE}/v1/organizations/usage_report/claude_code"
USAGE = f"{BASE}/v1/organizations/usage_report/messages"
DAY, NEXT_DAY = date(2025, 8, 8), date(2025, 8, 9)

# The newest reference page's example record (platform.claude.com/docs/en/api/admin-api/claude-code/
# get-claude-code-usage-report), with is_remote, which that page's schema adds.
NEWEST = {
    "actor": {"email_address": "user@emaildomain.com", "type": "user_actor"},
    "core_metrics": {
        "commits_by_claude_code": 8,
        "lines_of_code": {"added": 342, "removed": 128},
        "num_sessions": 15,
        "pull_requests_by_claude_code": 2,
    },
    "customer_type": "api",
    "date": "2025-08-08T00:00:00Z",
    "is_remote": False,
    "model_breakdown": [
        {
            "estimated_cost": {"amount": 186, "currency": "USD"},
            "model": "claude-sonnet-4-20250514",
            "tokens": {"cache_creation": 2340, "cache_read": 8790, "input": 45230, "output": 12450},
        },
        {
            "estimated_cost": {"amount": 42, "currency": "USD"},
            "model": "claude-3-5-haiku-20241022",
            "tokens": {"cache_creation": 890, "cache_read": 3420, "input": 23100, "output": 5680},
        },
    ],
    "organization_id": "12345678-1234-5678-1234-567812345678",
    "terminal_type": "iTerm.app",
    "tool_actions": {
        "edit_tool": {"accepted": 25, "rejected": 3},
        "multi_edit_tool": {"accepted": 12, "rejected": 1},
        "notebook_edit_tool": {"accepted": 5, "rejected": 2},
        "write_tool": {"accepted": 8, "rejected": 0},
    },
    "subscription_type": "enterprise",
}
# The older page: `date` as YYYY-MM-DD, no is_remote; an API key actor; a fractional estimate.
OLDER = {
    "actor": {"api_key_name": "ci-runner", "type": "api_actor"},
    "core_metrics": {
        "commits_by_claude_code": 3,
        "lines_of_code": {"added": 842, "removed": 210},
        "num_sessions": 5,
        "pull_requests_by_claude_code": 1,
    },
    "customer_type": "api",
    "date": "2025-08-08",
    "model_breakdown": [
        {
            "estimated_cost": {"amount": 1234.5678, "currency": "USD"},
            "model": "claude-3-7-sonnet",
            "tokens": {"cache_creation": 0, "cache_read": 1200, "input": 5400, "output": 2100},
        }
    ],
    "organization_id": "org_123456789",
    "terminal_type": "vscode",
    "tool_actions": {"edit_tool": {"accepted": 45, "rejected": 5}},
    "subscription_type": None,
}
NEXT = "page_MjAyNS0wNS0xNFQwMDowMDowMFo="


@pytest.fixture
def client(sleeps):
    with AnthropicAdminClient(KEY, BASE, sleep=sleeps.append, jitter=lambda d: d) as c:
        yield c


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


def on_day(day: date, **extra: str):
    return [matchers.query_param_matcher({"starting_at": day.isoformat(), **extra}, strict_match=False)]


def report(*records, next_page=None) -> dict:
    return {"data": list(records), "has_more": next_page is not None, "next_page": next_page}


def with_date(record: dict, day: date, rfc3339: bool = True) -> dict:
    return {**record, "date": f"{day.isoformat()}T00:00:00Z" if rfc3339 else day.isoformat()}


def test_the_newest_documented_record_lands_one_row_per_model_typed_and_exact(rsps, client):
    rsps.get(CODE, json=report(NEWEST, next_page=NEXT), match=on_day(DAY, limit="1000"))
    rsps.get(CODE, json=report(OLDER), match=on_day(DAY, page=NEXT))
    rows = list(client.iter_claude_code_usage(DAY, NEXT_DAY))
    assert len(rows) == 3 and all(list(r) == [*ANTHROPIC_CLAUDE_CODE_USAGE.column_names, "_raw"] for r in rows)
    sonnet, haiku, older = rows
    assert sonnet["bucket_start"] == datetime(2025, 8, 8) and sonnet["bucket_end"] == datetime(2025, 8, 9)
    assert (sonnet["record_index"], sonnet["model_index"], haiku["record_index"], haiku["model_index"]) == (0, 0, 0, 1)
    assert sonnet["actor_type"] == "user_actor" and sonnet["actor_email_address"] == "user@emaildomain.com"
    assert sonnet["actor_api_key_name"] is None
    assert sonnet["customer_type"] == "api" and sonnet["subscription_type"] == "enterprise"
    assert sonnet["terminal_type"] == "iTerm.app" and sonnet["is_remote"] is False
    assert sonnet["organization_id"] == "12345678-1234-5678-1234-567812345678"
    assert (sonnet["num_sessions"], sonnet["lines_of_code_added"], sonnet["lines_of_code_removed"]) == (15, 342, 128)
    assert (sonnet["commits_by_claude_code"], sonnet["pull_requests_by_claude_code"]) == (8, 2)
    assert json.loads(sonnet["tool_actions"]) == NEWEST["tool_actions"]
    assert sonnet["model"] == "claude-sonnet-4-20250514"
    tokens = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")
    assert [sonnet[t] for t in tokens] == [45230, 12450, 8790, 2340]
    assert [haiku[t] for t in tokens] == [23100, 5680, 3420, 890]
    assert sonnet["estimated_cost_cents"] == Decimal(186) and isinstance(sonnet["estimated_cost_cents"], Decimal)
    assert haiku["estimated_cost_cents"] == Decimal(42) and haiku["estimated_cost_currency"] == "USD"
    # the record's fields repeat on each of its rows; _raw is the whole record as sent
    assert haiku["num_sessions"] == 15 and haiku["_raw"] == sonnet["_raw"] == NEWEST
    # the second page's record: the older date format, no is_remote, an API key actor, exact fractional cents
    assert older["record_index"] == 1 and older["bucket_start"] == datetime(2025, 8, 8)
    assert older["is_remote"] is None and older["actor_type"] == "api_actor"
    assert older["actor_api_key_name"] == "ci-runner" and older["actor_email_address"] is None
    assert older["estimated_cost_cents"] == Decimal("1234.5678")
    assert query(rsps.calls[0]) == [("starting_at", "2025-08-08"), ("limit", "1000")]
    assert query(rsps.calls[1]) == [("starting_at", "2025-08-08"), ("limit", "1000"), ("page", NEXT)]
    headers = rsps.calls[0].request.headers
    assert headers["x-api-key"] == KEY and headers["anthropic-version"] == "2023-06-01"
    assert client.take_notices() == []


def test_one_request_per_utc_day_each_dated_its_own_day(rsps, client):
    days = [date(2025, 8, 30), date(2025, 8, 31), date(2025, 9, 1)]
    for i, day in enumerate(days):
        rsps.get(CODE, json=report(with_date(OLDER, day, rfc3339=bool(i % 2))), match=on_day(day))
    rows = list(client.iter_claude_code_usage(days[0], date(2025, 9, 2)))
    assert [r["bucket_start"].date() for r in rows] == days
    assert [r["record_index"] for r in rows] == [0, 0, 0]  # a record's index counts within its day
    assert [query(c)[0] for c in rsps.calls] == [("starting_at", d.isoformat()) for d in days]


def test_a_record_without_models_keeps_its_activity_on_one_row(rsps, client):
    idle = {**NEWEST, "model_breakdown": [], "tool_actions": None}
    missing = {k: v for k, v in NEWEST.items() if k != "model_breakdown"}
    rsps.get(CODE, json=report(idle, missing))
    rows = list(client.iter_claude_code_usage(DAY, NEXT_DAY))
    assert [(r["record_index"], r["model_index"], r["model"]) for r in rows] == [(0, None, None), (1, None, None)]
    assert rows[0]["num_sessions"] == 15 and rows[0]["estimated_cost_cents"] is None
    assert rows[0]["input_tokens"] is None and rows[0]["tool_actions"] is None  # unknown, never 0


def test_a_record_of_another_day_is_skipped_with_a_warning(rsps, client, caplog):
    rsps.get(CODE, json=report(with_date(NEWEST, NEXT_DAY), OLDER))
    with caplog.at_level(logging.WARNING, logger="connectors.anthropic"):
        rows = list(client.iter_claude_code_usage(DAY, NEXT_DAY))
    assert [r["record_index"] for r in rows] == [0] and rows[0]["actor_api_key_name"] == "ci-runner"
    assert "skipped a record dated '2025-08-09T00:00:00Z'" in caplog.text


@pytest.mark.parametrize(
    "record, problem",
    [
        ({**NEWEST, "date": "08/08/2025"}, "field 'date'"),
        ({**NEWEST, "model_breakdown": {"model": "x"}}, "'model_breakdown' is not a list"),
        ({**NEWEST, "tool_actions": ["edit_tool"]}, "'tool_actions' is not an object"),
        ({**NEWEST, "core_metrics": {"num_sessions": "many"}}, "num_sessions"),
    ],
)
def test_a_record_that_changed_shape_is_an_error_naming_the_field(rsps, client, record, problem):
    rsps.get(CODE, json=report(record))
    with pytest.raises(ResponseShapeError, match=problem):
        list(client.iter_claude_code_usage(DAY, NEXT_DAY))


def test_empty_windows_land_nothing_and_are_said_in_one_line(rsps, client):
    rsps.get(CODE, json=report(with_date(OLDER, date(2025, 8, 20))), match=on_day(date(2025, 8, 20)))
    rsps.get(CODE, json=report())
    # three windows, as the ingest pulls long ranges: two empty ones next to each other, one with a record
    assert list(client.iter_claude_code_usage(DAY, date(2025, 8, 11))) == []
    assert list(client.iter_claude_code_usage(date(2025, 8, 11), date(2025, 8, 14))) == []
    assert len(list(client.iter_claude_code_usage(date(2025, 8, 19), date(2025, 8, 21)))) == 1
    assert list(client.iter_claude_code_usage(date(2025, 8, 25), date(2025, 8, 26))) == []
    assert len(rsps.calls) == 9  # every day is asked: an empty day is not a missing report
    (notice,) = client.take_notices()
    assert notice == (
        "the Claude Code usage report has no records for UTC days 2025-08-08..2025-08-13, "
        "UTC day 2025-08-25 (nobody in the organisation used Claude Code)."
    )
    assert client.take_notices() == []


@pytest.mark.parametrize("status, kind", [(404, "not_found_error"), (403, "permission_error")])
def test_an_organisation_without_claude_code_analytics_lands_nothing(rsps, client, caplog, status, kind):
    body = {"type": "error", "error": {"type": kind, "message": "Claude Code analytics are not enabled"}}
    rsps.get(CODE, json=body, status=status)
    rsps.get(USAGE, json={"data": [], "has_more": False, "next_page": None})
    with caplog.at_level(logging.INFO, logger="connectors.anthropic"):
        assert list(client.iter_claude_code_usage(DAY, date(2025, 9, 8))) == []
        assert list(client.iter_claude_code_usage(date(2025, 9, 8), date(2025, 10, 9))) == []  # the next chunk
    assert len(rsps.calls) == 1  # the first refusal is the answer: no other day is asked
    (notice,) = client.take_notices()
    assert notice == (
        f"the Claude Code usage report is not available to this organisation (HTTP {status} at "
        "/v1/organizations/usage_report/claude_code), so no Claude Code usage is landed; the other Anthropic "
        "reports are not affected."
    )
    assert notice in caplog.text and KEY not in caplog.text and KEY not in notice
    assert list(client.iter_messages_usage(DAY, NEXT_DAY)) == []  # the other reports still work


def test_a_bad_key_is_an_error_not_a_missing_report(rsps, client):
    rsps.get(CODE, json={"type": "error", "error": {"type": "authentication_error", "message": "no"}}, status=401)
    with pytest.raises(AuthError) as info:
        list(client.iter_claude_code_usage(DAY, NEXT_DAY))
    assert "ANTHROPIC_ADMIN_KEY" in str(info.value) and KEY not in str(info.value)
    assert client.take_notices() == []


def test_a_refusal_after_the_report_answered_is_an_error(rsps, client):
    rsps.get(CODE, json=report(NEWEST), match=on_day(DAY))
    rsps.get(CODE, json={"type": "error", "error": {"type": "not_found_error", "message": "x"}}, status=404)
    with pytest.raises(NotFoundError):
        list(client.iter_claude_code_usage(DAY, date(2025, 8, 10)))
    assert client.take_notices() == []


def test_the_feed_is_declared_with_its_table():
    (feed,) = [f for f in SOURCE.feeds if f.table is ANTHROPIC_CLAUDE_CODE_USAGE]
    assert feed.table.partitioned and feed.table.partition_column == "bucket_start"
    assert "never billing" in feed.description
