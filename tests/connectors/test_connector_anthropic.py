"""AnthropicAdminClient against the vendor example envelopes (tests/fixtures/anthropic) and edge cases."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.anthropic import AnthropicAdminClient
from connectors.anthropic.tables import (
    ANTHROPIC_API_KEYS,
    ANTHROPIC_COST_REPORT,
    ANTHROPIC_MESSAGES_USAGE,
    ANTHROPIC_USERS,
    ANTHROPIC_WORKSPACES,
)
from connectors.errors import AuthError, ConnectionFailed, NotFoundError, ResponseShapeError

KEY = "sk-ant-admin01-test-not-a-real-key-anthropic"
BASE = "https://api.anthropic.test"
USAGE = f"{BASE}/v1/organizations/usage_report/messages"
COST = f"{BASE}/v1/organizations/cost_report"
WORKSPACES = f"{BASE}/v1/organizations/workspaces"
API_KEYS = f"{BASE}/v1/organizations/api_keys"
USERS = f"{BASE}/v1/organizations/users"
DAY = date(2025, 8, 1)  # the vendor examples' bucket
NEXT_DAY = date(2025, 8, 2)
LAST_PAGE = {"data": [], "has_more": False, "next_page": None}


@pytest.fixture
def client(sleeps):
    with AnthropicAdminClient(KEY, BASE, sleep=sleeps.append, jitter=lambda d: d) as c:
        yield c


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


def page(results, **extra):
    return {
        "data": [{"starting_at": "2025-08-01T00:00:00Z", "ending_at": "2025-08-02T00:00:00Z", "results": results}],
        "has_more": False,
        "next_page": None,
        **extra,
    }


# -- messages usage -----------------------------------------------------------------------------------------------


def test_messages_usage_vendor_example_flattens_nested_fields(rsps, client, fixture_text, fixture_json):
    rsps.get(USAGE, body=fixture_text("anthropic", "messages_usage"), content_type="application/json")
    rsps.get(USAGE, json=LAST_PAGE)  # the example says has_more: true
    (row,) = client.iter_messages_usage(DAY, NEXT_DAY)
    assert list(row) == [*ANTHROPIC_MESSAGES_USAGE.column_names, "_raw"]
    assert row["bucket_start"] == datetime(2025, 8, 1) and row["bucket_end"] == datetime(2025, 8, 2)
    assert row["workspace_id"] == "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
    assert row["api_key_id"] == "apikey_01Rj2N8SVvo6BePZj99NhmiT"
    assert row["model"] == "claude-opus-5" and row["service_tier"] == "standard"
    assert row["context_window"] == "0-200k" and row["inference_geo"] == "global"
    assert row["uncached_input_tokens"] == 1500 and row["cache_read_input_tokens"] == 200
    assert row["cache_creation_5m_input_tokens"] == 500  # not swapped with the 1h bucket
    assert row["cache_creation_1h_input_tokens"] == 1000
    assert row["output_tokens"] == 500 and row["web_search_requests"] == 10
    assert row["_raw"] == fixture_json("anthropic", "messages_usage")["data"][0]["results"][0]
    assert row["_raw"]["account_id"] == "user_01WCz1FkmYMm4gnmykNKUu3Q"  # not a column, kept raw
    assert query(rsps.calls[1])[-1] == ("page", "page_MjAyNS0wNS0xNFQwMDowMDowMFo=")
    assert query(rsps.calls[1])[:-1] == query(rsps.calls[0])


def test_messages_usage_query_and_headers(rsps, client):
    rsps.get(USAGE, json=page([]))
    list(client.iter_messages_usage(date(2025, 7, 30), NEXT_DAY))
    assert query(rsps.calls[0]) == [
        ("starting_at", "2025-07-30T00:00:00Z"),
        ("ending_at", "2025-08-02T00:00:00Z"),
        ("bucket_width", "1d"),
        ("limit", "31"),
        ("group_by[]", "model"),
        ("group_by[]", "workspace_id"),
        ("group_by[]", "api_key_id"),
        ("group_by[]", "service_tier"),
        ("group_by[]", "context_window"),
        ("group_by[]", "inference_geo"),
        ("group_by[]", "speed"),
    ]
    headers = rsps.calls[0].request.headers
    assert headers["x-api-key"] == KEY
    assert headers["anthropic-version"] == "2023-06-01"
    # "fast-mode-2026-02-01 is required to filter/group by speed"
    assert headers["anthropic-beta"] == "fast-mode-2026-02-01"
    assert "ai-spend-warehouse" in headers["User-Agent"]
    assert "Authorization" not in headers


def test_fast_mode_rows_land_their_speed(rsps, client, fixture_json):
    # the vendor example's result, grouped by speed as well: the field named as the group_by value
    example = fixture_json("anthropic", "messages_usage")
    result = {**example["data"][0]["results"][0], "speed": "fast"}
    rsps.get(USAGE, json={**example, "data": [{**example["data"][0], "results": [result]}], "has_more": False})
    (row,) = client.iter_messages_usage(DAY, NEXT_DAY)
    assert row["speed"] == "fast" and row["service_tier"] == "standard"


def test_older_row_without_account_or_geo_gives_none(rsps, client, fixture_text):
    rsps.get(USAGE, body=fixture_text("anthropic", "messages_usage_legacy"), content_type="application/json")
    (row,) = client.iter_messages_usage(DAY, NEXT_DAY)
    assert row["model"] == "claude-sonnet-4-20250514"
    assert row["inference_geo"] is None
    assert row["speed"] is None
    assert "account_id" not in row["_raw"]
    assert row["cache_creation_5m_input_tokens"] == 500


def test_missing_nested_objects_give_none_not_zero(rsps, client):
    result = {
        "uncached_input_tokens": 7,
        "output_tokens": 3,
        "cache_creation": None,
        "workspace_id": None,
        "speed": "fast",
    }
    rsps.get(USAGE, json=page([result]))
    (row,) = client.iter_messages_usage(DAY, NEXT_DAY)
    assert row["cache_creation_5m_input_tokens"] is None and row["cache_creation_1h_input_tokens"] is None
    assert row["web_search_requests"] is None and row["cache_read_input_tokens"] is None
    assert row["workspace_id"] is None  # the default workspace
    assert row["_raw"]["speed"] == "fast"


def test_bucket_outside_the_requested_window_is_skipped(rsps, client):
    body = page([{"uncached_input_tokens": 1}])
    body["data"].insert(
        0,
        {
            "starting_at": "2025-07-31T00:00:00Z",
            "ending_at": "2025-08-01T00:00:00Z",
            "results": [{"uncached_input_tokens": 99}],
        },
    )
    rsps.get(USAGE, json=body)
    rows = list(client.iter_messages_usage(DAY, NEXT_DAY))
    assert [r["uncached_input_tokens"] for r in rows] == [1]


def test_bucket_without_starting_at_is_a_shape_error(rsps, client):
    rsps.get(
        USAGE,
        json={"data": [{"ending_at": "2025-08-02T00:00:00Z", "results": []}]},
        headers={"request-id": "req_ant_1"},
    )
    with pytest.raises(ResponseShapeError) as info:
        list(client.iter_messages_usage(DAY, NEXT_DAY))
    assert "no 'starting_at'" in str(info.value) and "req_ant_1" in str(info.value)
    assert "ANTHROPIC_BASE_URL" in str(info.value)


# -- cost report --------------------------------------------------------------------------------------------------


def test_cost_report_vendor_example_amount_is_exact_cents(rsps, client, fixture_text):
    rsps.get(COST, body=fixture_text("anthropic", "cost_report"), content_type="application/json")
    rsps.get(COST, json=page([{"amount": "0.1", "currency": "USD"}, {"amount": "0.2", "currency": "USD"}]))
    rows = list(client.iter_cost_report(DAY, NEXT_DAY))
    row = rows[0]
    assert list(row) == [*ANTHROPIC_COST_REPORT.column_names, "_raw"]
    assert row["amount_cents"] == Decimal("123.78912") and isinstance(row["amount_cents"], Decimal)
    assert row["currency"] == "USD"
    assert row["description"] == "Claude Sonnet 4 Usage - Input Tokens"
    assert row["cost_type"] == "tokens" and row["token_type"] == "uncached_input_tokens"
    assert row["model"] == "claude-sonnet-4-20250514" and row["service_tier"] == "standard"
    assert row["inference_geo"] is None
    assert rows[1]["amount_cents"] + rows[2]["amount_cents"] == Decimal("0.3")
    assert query(rsps.calls[0]) == [
        ("starting_at", "2025-08-01T00:00:00Z"),
        ("ending_at", "2025-08-02T00:00:00Z"),
        ("bucket_width", "1d"),
        ("limit", "31"),
        ("group_by[]", "workspace_id"),
        ("group_by[]", "description"),
    ]
    assert query(rsps.calls[1])[-1] == ("page", "page_MjAyNS0wNS0xNFQwMDowMDowMFo=")


def test_cost_amount_that_is_not_a_number_is_a_shape_error(rsps, client):
    rsps.get(COST, json=page([{"amount": "12,50", "currency": "USD"}]))
    with pytest.raises(ResponseShapeError, match="amount_cents"):
        list(client.iter_cost_report(DAY, NEXT_DAY))


# -- workspaces ---------------------------------------------------------------------------------------------------


def test_workspaces_vendor_example(rsps, client, fixture_text):
    rsps.get(WORKSPACES, body=fixture_text("anthropic", "workspaces"), content_type="application/json")
    (row,) = client.iter_workspaces()
    assert list(row) == [*ANTHROPIC_WORKSPACES.column_names, "_raw"]
    assert row["id"] == "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ" and row["name"] == "Workspace Name"
    assert row["created_at"] == datetime(2024, 10, 30, 23, 58, 27, 427722) and row["archived_at"] is None
    assert row["_raw"]["display_color"] == "#6C5BB9"
    assert query(rsps.calls[0]) == [("include_archived", "true"), ("limit", "100")]


def test_workspaces_page_with_after_id(rsps, client):
    rsps.get(
        WORKSPACES,
        json={
            "data": [{"id": "wrkspc_a", "name": "A", "created_at": "2024-10-30T23:58:27Z"}],
            "first_id": "wrkspc_a",
            "last_id": "wrkspc_a",
            "has_more": True,
        },
    )
    rsps.get(
        WORKSPACES,
        json={
            "data": [
                {
                    "id": "wrkspc_b",
                    "name": "B",
                    "created_at": "2024-11-01T00:00:00Z",
                    "archived_at": "2025-01-01T12:00:00+00:00",
                }
            ],
            "first_id": "wrkspc_b",
            "last_id": "wrkspc_b",
            "has_more": False,
        },
    )
    rows = list(client.iter_workspaces())
    assert [r["id"] for r in rows] == ["wrkspc_a", "wrkspc_b"]
    assert rows[1]["archived_at"] == datetime(2025, 1, 1, 12)
    assert query(rsps.calls[1]) == [("include_archived", "true"), ("limit", "100"), ("after_id", "wrkspc_a")]


# -- API keys -----------------------------------------------------------------------------------------------------


def test_api_keys_vendor_example_lands_names_and_no_part_of_the_key(rsps, client, fixture_text):
    rsps.get(API_KEYS, body=fixture_text("anthropic", "api_keys"), content_type="application/json")
    (row,) = client.iter_api_keys()
    assert list(row) == [*ANTHROPIC_API_KEYS.column_names, "_raw"]
    assert row["id"] == "apikey_01Rj2N8SVvo6BePZj99NhmiT" and row["name"] == "Developer Key"
    assert row["workspace_id"] == "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ" and row["status"] == "active"
    assert row["created_by_id"] == "user_01WCz1FkmYMm4gnmykNKUu3Q" and row["expires_at"] is None
    assert row["created_at"] == datetime(2024, 10, 30, 23, 58, 27, 427722)
    assert "partial_key_hint" not in row["_raw"] and "R2D" not in repr(row)
    assert query(rsps.calls[0]) == [("limit", "100")]


def test_users_vendor_example_lands_names_emails_and_roles(rsps, client, fixture_json):
    body = fixture_json("anthropic", "users")
    rsps.get(USERS, json=body)
    (row,) = client.iter_users()
    assert list(row) == [*ANTHROPIC_USERS.column_names, "_raw"]
    assert (row["id"], row["name"], row["email"], row["role"]) == (
        "user_01WCz1FkmYMm4gnmykNKUu3Q",
        "Jane Doe",
        "user@emaildomain.com",
        "user",
    )
    assert row["added_at"] == datetime(2024, 10, 30, 23, 58, 27, 427722)
    assert row["_raw"] == body["data"][0]
    assert query(rsps.calls[0]) == [("limit", "100")]


def test_api_keys_newer_scope_shape_and_paging(rsps, client):
    """The SDK's newer model puts the workspace under ``scope``; an organisation-scoped key has none."""
    rsps.get(
        API_KEYS,
        json={
            "data": [
                {
                    "id": "apikey_a",
                    "name": "A",
                    "status": "archived",
                    "scope": {"type": "workspace", "workspace_id": "wrkspc_a"},
                    "created_at": "2025-01-01T00:00:00Z",
                    "created_by": {"id": "user_a", "type": "user"},
                }
            ],
            "first_id": "apikey_a",
            "last_id": "apikey_a",
            "has_more": True,
        },
    )
    rsps.get(
        API_KEYS,
        json={
            "data": [{"id": "apikey_b", "name": "B", "status": "expired", "scope": {"type": "organization"}}],
            "first_id": "apikey_b",
            "last_id": "apikey_b",
            "has_more": False,
        },
    )
    rows = list(client.iter_api_keys())
    assert [(r["id"], r["workspace_id"], r["status"]) for r in rows] == [
        ("apikey_a", "wrkspc_a", "archived"),
        ("apikey_b", None, "expired"),
    ]
    assert query(rsps.calls[1]) == [("limit", "100"), ("after_id", "apikey_a")]


# -- errors and secrets -------------------------------------------------------------------------------------------


def test_empty_key_is_an_auth_error_naming_the_setting():
    with pytest.raises(AuthError, match="set ANTHROPIC_ADMIN_KEY"):
        AnthropicAdminClient("")


def test_401_names_the_env_var_and_the_key_never_leaks(rsps, client, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    rsps.get(COST, status=529, json={"type": "error", "error": {"type": "overloaded_error", "message": "busy"}})
    rsps.get(
        COST,
        status=401,
        headers={"request-id": "req_ant_401"},
        json={"type": "error", "error": {"type": "authentication_error", "message": f"invalid x-api-key {KEY}"}},
    )
    with pytest.raises(AuthError) as info:
        list(client.iter_cost_report(DAY, NEXT_DAY))
    message = str(info.value)
    assert "ANTHROPIC_ADMIN_KEY" in message and "/v1/organizations/cost_report" in message
    assert "req_ant_401" in message and info.value.request_id == "req_ant_401"
    assert KEY not in message
    assert sleeps == [0.5]
    for record in caplog.records:
        assert KEY not in record.getMessage()


def test_connection_refused_names_the_base_url_and_its_convention(rsps, sleeps):
    client = AnthropicAdminClient(KEY, "http://127.0.0.1:9", sleep=sleeps.append, jitter=lambda d: d, max_retries=2)
    rsps.get("http://127.0.0.1:9/v1/organizations/cost_report", body=requests.ConnectionError("refused"))
    with pytest.raises(ConnectionFailed) as info:
        list(client.iter_cost_report(DAY, NEXT_DAY))
    message = str(info.value)
    assert message.startswith("anthropic: nothing answers at http://127.0.0.1:9/v1/organizations/cost_report")
    assert "ANTHROPIC_BASE_URL (it must not end in /v1" in message
    assert len(rsps.calls) == 3 and sleeps == [0.5, 1.0]


def test_404_when_the_base_url_ends_in_v1(rsps, sleeps):
    client = AnthropicAdminClient(KEY, "https://api.anthropic.test/v1/", sleep=sleeps.append)
    rsps.get(
        "https://api.anthropic.test/v1/v1/organizations/workspaces",
        status=404,
        json={"type": "error", "error": {"type": "not_found_error", "message": "Not found"}},
    )
    with pytest.raises(NotFoundError) as info:
        list(client.iter_workspaces())
    assert "https://api.anthropic.test/v1/v1/organizations/workspaces" in str(info.value)
    assert "must not end in /v1" in str(info.value)
