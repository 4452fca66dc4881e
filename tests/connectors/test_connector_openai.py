"""OpenAIAdminClient against the vendor example envelopes (tests/fixtures/openai) and edge cases."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.errors import AuthError, ConnectionFailed, NotFoundError, ResponseShapeError
from connectors.openai import OpenAIAdminClient
from connectors.openai.tables import (
    OPENAI_API_KEYS,
    OPENAI_COMPLETIONS_USAGE,
    OPENAI_COSTS,
    OPENAI_OTHER_USAGE,
    OPENAI_PROJECTS,
    OPENAI_USERS,
    OTHER_USAGE_ENDPOINTS,
)

KEY = "sk-admin-test-not-a-real-key-openai"
BASE = "https://api.openai.test/v1"
COMPLETIONS = f"{BASE}/organization/usage/completions"
COSTS = f"{BASE}/organization/costs"
PROJECTS = f"{BASE}/organization/projects"
DAY = date(2024, 11, 1)  # the vendor examples' bucket: 1730419200 .. 1730505600
NEXT_DAY = date(2024, 11, 2)
LAST_PAGE = {"object": "page", "data": [], "has_more": False, "next_page": None}


@pytest.fixture
def client(sleeps):
    with OpenAIAdminClient(KEY, BASE, sleep=sleeps.append, jitter=lambda d: d) as c:
        yield c


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


def page(results, start=1730419200, end=1730505600, **extra):
    return {
        "object": "page",
        "data": [{"object": "bucket", "start_time": start, "end_time": end, "results": results}],
        "has_more": False,
        "next_page": None,
        **extra,
    }


# -- completions usage --------------------------------------------------------------------------------------------


def test_completions_vendor_example_parses_into_typed_rows(rsps, client, fixture_text, fixture_json):
    rsps.get(COMPLETIONS, body=fixture_text("openai", "completions_usage"), content_type="application/json")
    rsps.get(COMPLETIONS, json=LAST_PAGE)  # the example says has_more: true
    rows = list(client.iter_completions_usage(DAY, NEXT_DAY))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [*OPENAI_COMPLETIONS_USAGE.column_names, "_raw"]
    assert row["bucket_start"] == datetime(2024, 11, 1) and row["bucket_end"] == datetime(2024, 11, 2)
    assert row["input_tokens"] == 1000 and row["input_cached_tokens"] == 400
    assert row["input_cache_write_tokens"] == 100 and row["input_uncached_tokens"] == 500
    assert row["output_image_tokens"] == 50 and row["num_model_requests"] == 5
    assert row["project_id"] is None and row["batch"] is None
    assert row["_raw"] == fixture_json("openai", "completions_usage")["data"][0]["results"][0]
    assert query(rsps.calls[1])[-1] == ("page", "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=")


def test_completions_query_is_aligned_epoch_days_with_bracket_group_by(rsps, client):
    rsps.get(COMPLETIONS, json=page([], start=1735689600, end=1735776000))
    list(client.iter_completions_usage(date(2025, 1, 1), date(2025, 1, 3)))
    assert query(rsps.calls[0]) == [
        ("start_time", "1735689600"),  # 2025-01-01T00:00:00Z
        ("end_time", "1735862400"),  # 2025-01-03T00:00:00Z, exclusive
        ("bucket_width", "1d"),
        ("limit", "31"),
        ("group_by[]", "project_id"),
        ("group_by[]", "api_key_id"),
        ("group_by[]", "model"),
        ("group_by[]", "batch"),
        ("group_by[]", "service_tier"),
    ]
    headers = rsps.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {KEY}"


def test_dagster_style_utc_midnight_datetimes_are_accepted(rsps, client):
    rsps.get(COMPLETIONS, json=page([]))
    start = datetime(2024, 11, 1, tzinfo=UTC)
    list(client.iter_completions_usage(start, datetime(2024, 11, 2, tzinfo=UTC)))
    assert query(rsps.calls[0])[:2] == [("start_time", "1730419200"), ("end_time", "1730505600")]


def test_legacy_row_missing_fields_are_none_not_zero(rsps, client, fixture_text):
    rsps.get(COMPLETIONS, body=fixture_text("openai", "completions_usage_legacy"), content_type="application/json")
    (row,) = client.iter_completions_usage(date(2025, 1, 12), date(2025, 1, 13))
    assert row["input_tokens"] == 141201 and row["output_tokens"] == 9756 and row["num_model_requests"] == 470
    assert row["input_cached_tokens"] == 0  # present as 0 stays 0
    for absent in (
        "input_cache_write_tokens",
        "input_uncached_tokens",
        "input_text_tokens",
        "input_cached_image_tokens",
        "output_image_tokens",
        "service_tier",
    ):
        assert row[absent] is None, absent


def completions_result(**fields):
    return {
        "object": "organization.usage.completions.result",
        "output_tokens": 5,
        "num_model_requests": 1,
        "model": "gpt-4o-2024-08-06",
        **fields,
    }


def test_a_missing_cached_count_is_derived_from_the_other_buckets_not_read_as_zero(rsps, client):
    # It used to land as NULL, which pricing reads as 0: cached input was then priced as uncached (+13.6 %).
    result = completions_result(input_tokens=1000, input_uncached_tokens=500, input_cache_write_tokens=100)
    rsps.get(COMPLETIONS, json=page([result]))
    (row,) = client.iter_completions_usage(DAY, NEXT_DAY)
    assert row["input_cached_tokens"] == 400
    assert "input_cached_tokens" not in row["_raw"]  # what the API said is kept as it said it


def test_without_cache_write_counts_the_rest_of_input_is_cached(rsps, client):
    rsps.get(COMPLETIONS, json=page([completions_result(input_tokens=1000, input_uncached_tokens=700)]))
    (row,) = client.iter_completions_usage(DAY, NEXT_DAY)
    assert row["input_cached_tokens"] == 300 and row["input_cache_write_tokens"] is None


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"input_tokens": 1000}, "input_cached_tokens and input_uncached_tokens are both missing"),
        ({"input_tokens": 1000, "input_uncached_tokens": 1200}, "input_cached_tokens is missing and cannot be derived"),
        (
            {
                "input_tokens": 1000,
                "input_cached_tokens": 400,
                "input_uncached_tokens": 500,
                "input_cache_write_tokens": 200,
            },
            r"input_tokens \(1000\) is not input_uncached_tokens \(500\)",
        ),
        ({"input_tokens": 100, "input_cached_tokens": 400}, r"input_cached_tokens \(400\) and the other input"),
        ({"output_tokens": 3}, "input_tokens is missing"),
    ],
)
def test_input_buckets_that_cannot_be_made_consistent_fail_naming_the_field(rsps, client, fields, named):
    rsps.get(COMPLETIONS, json=page([{**completions_result(), **fields}]))
    with pytest.raises(ResponseShapeError, match=named) as info:
        list(client.iter_completions_usage(DAY, NEXT_DAY))
    assert "2024-11-01, model gpt-4o-2024-08-06" in str(info.value)


def test_consistent_buckets_pass_unchanged(rsps, client):
    fields = {
        "input_tokens": 1000,
        "input_cached_tokens": 400,
        "input_uncached_tokens": 500,
        "input_cache_write_tokens": 100,
    }
    rsps.get(COMPLETIONS, json=page([completions_result(**fields)]))
    (row,) = client.iter_completions_usage(DAY, NEXT_DAY)
    assert {k: row[k] for k in fields} == fields


def test_unknown_fields_are_kept_in_raw(rsps, client):
    result = {
        "object": "organization.usage.completions.result",
        "input_tokens": 3,
        "input_cached_tokens": 0,
        "output_tokens": 1,
        "num_model_requests": 1,
        "api_source": "agents_api",
        "input_cache_write_30m_tokens": 2,
        "future": {"nested": [1, 2]},
    }
    rsps.get(COMPLETIONS, json=page([result]))
    (row,) = client.iter_completions_usage(DAY, NEXT_DAY)
    assert row["_raw"]["api_source"] == "agents_api"
    assert row["_raw"]["future"] == {"nested": [1, 2]}
    assert "api_source" not in row  # only contract columns are typed


def test_bucket_outside_the_requested_window_is_skipped(rsps, client):
    result = {"input_tokens": 1, "input_cached_tokens": 0, "output_tokens": 1, "num_model_requests": 1}
    body = page([result])
    body["data"].append({"object": "bucket", "start_time": 1730505600, "end_time": 1730592000, "results": [result]})
    rsps.get(COMPLETIONS, json=body)
    rows = list(client.iter_completions_usage(DAY, NEXT_DAY))
    assert [r["bucket_start"] for r in rows] == [datetime(2024, 11, 1)]


def test_rows_are_produced_lazily(rsps, client):
    rsps.get(COMPLETIONS, json=page([]))
    rows = client.iter_completions_usage(DAY, NEXT_DAY)
    assert len(rsps.calls) == 0
    list(rows)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"object": "page", "has_more": False}, "no 'data' list"),
        ({"object": "page", "data": [{"start_time": 1730419200, "end_time": 1730505600}]}, "no 'results' list"),
        ({"object": "page", "data": [{"end_time": 1730505600, "results": []}]}, "no 'start_time'"),
    ],
)
def test_missing_envelope_is_a_shape_error_naming_the_fix(rsps, client, body, problem):
    rsps.get(COMPLETIONS, json=body, headers={"x-request-id": "req_shape"})
    with pytest.raises(ResponseShapeError) as info:
        list(client.iter_completions_usage(DAY, NEXT_DAY))
    message = str(info.value)
    assert problem in message and "/v1/organization/usage/completions" in message
    assert "OPENAI_BASE_URL" in message and "req_shape" in message


def test_a_non_integer_token_count_is_a_shape_error_naming_the_field(rsps, client):
    rsps.get(COMPLETIONS, json=page([{"input_tokens": "lots", "output_tokens": 1, "num_model_requests": 1}]))
    with pytest.raises(ResponseShapeError, match="input_tokens"):
        list(client.iter_completions_usage(DAY, NEXT_DAY))


def test_a_field_whose_type_changed_names_the_source_the_field_and_the_day(rsps, client):
    good = {"input_tokens": 10, "input_cached_tokens": 0, "output_tokens": 1, "num_model_requests": 1}
    body = {
        "object": "page",
        "data": [
            {"object": "bucket", "start_time": 1730419200, "end_time": 1730505600, "results": [good]},
            # the next day, output_tokens arrives as an object: a changed type, not a missing field
            {
                "object": "bucket",
                "start_time": 1730505600,
                "end_time": 1730592000,
                "results": [{**good, "output_tokens": {"text": 1}}],
            },
        ],
        "has_more": False,
        "next_page": None,
    }
    rsps.get(COMPLETIONS, json=body)
    with pytest.raises(ResponseShapeError) as caught:
        list(client.iter_completions_usage(DAY, date(2024, 11, 3)))
    message = str(caught.value)
    assert message.startswith("openai: ") and "'output_tokens'" in message and "the UTC day 2024-11-02" in message


def test_whole_number_floats_become_ints_but_fractions_are_refused(rsps, client):
    rsps.get(
        COMPLETIONS,
        body=page_text(
            '{"input_tokens": 1500.0, "input_cached_tokens": 0, "output_tokens": 2, "num_model_requests": 1}'
        ),
        content_type="application/json",
    )
    (row,) = client.iter_completions_usage(DAY, NEXT_DAY)
    assert row["input_tokens"] == 1500 and type(row["input_tokens"]) is int
    fraction = page_text('{"input_tokens": 1.5, "input_cached_tokens": 0, "output_tokens": 2, "num_model_requests": 1}')
    rsps.replace("GET", COMPLETIONS, body=fraction, content_type="application/json")
    with pytest.raises(ResponseShapeError, match="'input_tokens'.*not BIGINT"):
        list(client.iter_completions_usage(DAY, NEXT_DAY))


def page_text(result_json: str) -> str:
    return (
        '{"object":"page","has_more":false,"next_page":null,"data":[{"object":"bucket",'
        f'"start_time":1730419200,"end_time":1730505600,"results":[{result_json}]}}]}}'
    )


def test_empty_window_is_refused_before_any_request(rsps, client):
    with pytest.raises(ValueError):
        list(client.iter_completions_usage(NEXT_DAY, DAY))
    assert len(rsps.calls) == 0


# -- the other usage endpoints ------------------------------------------------------------------------------------

# Each endpoint's documented example result (tests/fixtures/openai/other_usage.json): the metric and its value.
OTHER_USAGE_EXAMPLES = {
    "embeddings": {"input_tokens": 16, "num_model_requests": 2},
    "moderations": {"input_tokens": 16, "num_model_requests": 2},
    "images": {"images": 2, "num_model_requests": 2},
    "audio_speeches": {"characters": 45, "num_model_requests": 1},
    "audio_transcriptions": {"seconds": 20, "num_model_requests": 1},
    "vector_stores": {"usage_bytes": 1024},
    "code_interpreter_sessions": {"num_sessions": 1},
    "file_search_calls": {"num_requests": 2},
    "web_search_calls": {"num_model_requests": 2, "num_requests": 2},
}


@pytest.mark.parametrize("endpoint", sorted(OTHER_USAGE_ENDPOINTS))
def test_other_usage_vendor_examples_land_their_metrics_and_group_by_their_dimensions(
    rsps, client, fixture_json, endpoint
):
    body = fixture_json("openai", "other_usage")[endpoint]
    rsps.get(f"{BASE}/organization/usage/{endpoint}", json=body)
    (row,) = client.iter_other_usage(endpoint, DAY, NEXT_DAY)
    assert list(row) == [*OPENAI_OTHER_USAGE[endpoint].column_names, "_raw"]
    assert {name: row[name] for name in OTHER_USAGE_EXAMPLES[endpoint]} == OTHER_USAGE_EXAMPLES[endpoint]
    assert row["bucket_start"] == datetime(2024, 11, 1) and row["project_id"] is None
    assert row["_raw"] == body["data"][0]["results"][0]  # unknown fields (object, user_id) kept
    dims, _ = OTHER_USAGE_ENDPOINTS[endpoint]
    assert [value for key, value in query(rsps.calls[0]) if key == "group_by[]"] == list(dims)
    assert ("bucket_width", "1d") in query(rsps.calls[0])


def test_other_usage_images_keep_model_size_and_source_and_a_missing_metric_is_none(rsps, client):
    result = {
        "object": "organization.usage.images.result",
        "images": 3,
        "project_id": "proj_a",
        "api_key_id": "key_a",
        "model": "dall-e-2",
        "size": "512x512",
        "source": "image.generation",
    }  # num_model_requests left out: NULL, not 0
    rsps.get(f"{BASE}/organization/usage/images", json=page([result]))
    (row,) = client.iter_other_usage("images", DAY, NEXT_DAY)
    assert (row["model"], row["size"], row["source"], row["images"]) == ("dall-e-2", "512x512", "image.generation", 3)
    assert row["num_model_requests"] is None


def test_other_usage_negative_metric_is_a_shape_error_naming_field_and_day(rsps, client):
    bad = {"object": "organization.usage.vector_stores.result", "usage_bytes": -5, "project_id": "proj_a"}
    rsps.get(f"{BASE}/organization/usage/vector_stores", json=page([bad]))
    with pytest.raises(ResponseShapeError, match=r"usage_bytes is negative \(-5\).*2024-11-01, project proj_a"):
        list(client.iter_other_usage("vector_stores", DAY, NEXT_DAY))


# -- costs --------------------------------------------------------------------------------------------------------


def test_costs_vendor_example(rsps, client, fixture_text):
    rsps.get(COSTS, body=fixture_text("openai", "costs"), content_type="application/json")
    (row,) = client.iter_costs(DAY, NEXT_DAY)
    assert list(row) == [*OPENAI_COSTS.column_names, "_raw"]
    assert row["amount_value"] == Decimal("0.06") and isinstance(row["amount_value"], Decimal)
    assert row["amount_currency"] == "usd"
    assert row["quantity"] is None and row["line_item"] is None
    assert query(rsps.calls[0]) == [
        ("start_time", "1730419200"),
        ("end_time", "1730505600"),
        ("bucket_width", "1d"),
        ("limit", "180"),
        ("group_by[]", "project_id"),
        ("group_by[]", "line_item"),
    ]


def test_costs_grouped_example_with_misspelt_object_still_parses(rsps, client, fixture_text):
    rsps.get(COSTS, body=fixture_text("openai", "costs_grouped"), content_type="application/json")
    first, second = client.iter_costs(DAY, NEXT_DAY)
    assert first["quantity"] == Decimal(10000) and isinstance(first["quantity"], Decimal)
    assert first["quantity_unit"] == "tokens" and first["line_item"] == "input_tokens"
    assert first["project_id"] == "proj_abc"
    assert second["line_item"] == "Image models" and second["quantity"] is None and second["quantity_unit"] is None


def test_cost_amounts_are_exact_decimals(rsps, client):
    body = (
        '{"object":"page","has_more":false,"next_page":null,"data":[{"object":"bucket",'
        '"start_time":1730419200,"end_time":1730505600,"results":['
        '{"object":"organization.costs.result","amount":{"value":0.1,"currency":"usd"}},'
        '{"object":"organization.costs.result","amount":{"value":0.2,"currency":"usd"}},'
        '{"object":"organization.costs.result","amount":{"value":1e-7,"currency":"usd"},"quantity":12.5}]}]}'
    )
    rsps.get(COSTS, body=body, content_type="application/json")
    rows = list(client.iter_costs(DAY, NEXT_DAY))
    assert rows[0]["amount_value"] + rows[1]["amount_value"] == Decimal("0.3")
    assert rows[2]["amount_value"] == Decimal("1E-7") and rows[2]["quantity"] == Decimal("12.5")


def test_costs_follow_next_page(rsps, client):
    first = page([{"amount": {"value": 1, "currency": "usd"}}], has_more=True, next_page="page_two")
    second = page([{"amount": {"value": 2, "currency": "usd"}}])
    rsps.get(COSTS, json=first)
    rsps.get(COSTS, json=second)
    assert [r["amount_value"] for r in client.iter_costs(DAY, NEXT_DAY)] == [Decimal(1), Decimal(2)]
    assert query(rsps.calls[1])[-1] == ("page", "page_two")
    assert query(rsps.calls[1])[:-1] == query(rsps.calls[0])


# -- projects -----------------------------------------------------------------------------------------------------


def test_projects_vendor_example(rsps, client, fixture_text):
    rsps.get(PROJECTS, body=fixture_text("openai", "projects"), content_type="application/json")
    (row,) = client.iter_projects()
    assert list(row) == [*OPENAI_PROJECTS.column_names, "_raw"]
    assert row["id"] == "proj_abc" and row["name"] == "Project example" and row["status"] == "active"
    assert row["created_at"] == datetime(2024, 3, 26, 16, 45, 33) and row["archived_at"] is None
    assert query(rsps.calls[0]) == [("include_archived", "true"), ("limit", "100")]


def test_projects_page_with_after_last_id(rsps, client):
    rsps.get(
        PROJECTS,
        json={
            "object": "list",
            "data": [{"id": "proj_1", "name": "a", "status": "active", "created_at": 1711471533, "archived_at": None}],
            "first_id": "proj_1",
            "last_id": "proj_1",
            "has_more": True,
        },
    )
    rsps.get(
        PROJECTS,
        json={
            "object": "list",
            "data": [
                {
                    "id": "proj_2",
                    "name": None,
                    "status": "archived",
                    "created_at": 1711471533,
                    "archived_at": 1730419200,
                }
            ],
            "first_id": "proj_2",
            "last_id": "proj_2",
            "has_more": False,
        },
    )
    rows = list(client.iter_projects())
    assert [r["id"] for r in rows] == ["proj_1", "proj_2"]
    assert rows[1]["archived_at"] == datetime(2024, 11, 1) and rows[1]["name"] is None
    assert query(rsps.calls[1]) == [("include_archived", "true"), ("limit", "100"), ("after", "proj_1")]


# -- API keys -----------------------------------------------------------------------------------------------------


def _projects(*ids: str) -> dict:
    data = [{"id": i, "name": i, "status": "active", "created_at": 1711471533} for i in ids]
    return {"object": "list", "data": data, "first_id": ids[0], "last_id": ids[-1], "has_more": False}


def test_api_keys_vendor_example_lands_names_owners_and_no_part_of_the_key(rsps, client, fixture_text):
    rsps.get(PROJECTS, json=_projects("proj_abc"))
    rsps.get(f"{PROJECTS}/proj_abc/api_keys", body=fixture_text("openai", "api_keys"), content_type="application/json")
    (row,) = client.iter_api_keys()
    assert list(row) == [*OPENAI_API_KEYS.column_names, "_raw"]
    assert (row["project_id"], row["id"], row["name"]) == ("proj_abc", "key_abc", "My API Key")
    assert (row["owner_type"], row["owner_id"], row["owner_name"]) == ("user", "user_abc", "First Last")
    assert row["created_at"] == datetime(2024, 3, 26, 16, 45, 33)
    assert row["last_used_at"] == datetime(2024, 3, 26, 16, 45, 34)
    assert "redacted_value" not in row["_raw"] and "sk-abc" not in repr(row)
    # every enabled key, not only those whose owner still has access to the project
    assert query(rsps.calls[1]) == [("owner_project_access", "any"), ("limit", "100")]


def test_users_vendor_example_lands_names_emails_and_roles_and_pages_with_after(rsps, client, fixture_json):
    body = fixture_json("openai", "users")
    second = {
        "object": "list",
        "data": [
            {
                "object": "organization.user",
                "id": "user_def",
                "name": None,
                "email": "b@example.com",
                "role": "reader",
                "added_at": 1711471600,
            }
        ],
        "first_id": "user_def",
        "last_id": "user_def",
        "has_more": False,
    }
    rsps.get(f"{BASE}/organization/users", json={**body, "has_more": True, "last_id": "user_abc"})
    rsps.get(f"{BASE}/organization/users", json=second)
    first, other = client.iter_users()
    assert list(first) == [*OPENAI_USERS.column_names, "_raw"]
    assert (first["id"], first["name"], first["email"], first["role"]) == (
        "user_abc",
        "First Last",
        "user@example.com",
        "owner",
    )
    assert first["added_at"] == datetime(2024, 3, 26, 16, 45, 33)
    assert first["_raw"]["is_service_account"] is False  # fields outside the table are kept in _raw
    assert other["id"] == "user_def" and other["name"] is None
    assert query(rsps.calls[0]) == [("limit", "100")]
    assert query(rsps.calls[1]) == [("limit", "100"), ("after", "user_abc")]


def test_api_keys_of_every_project_service_accounts_and_paging(rsps, client):
    rsps.get(PROJECTS, json=_projects("proj_1", "proj_2"))
    svc = {"type": "service_account", "service_account": {"id": "svc_acct_1", "name": "ci-bot", "role": "member"}}
    rsps.get(
        f"{PROJECTS}/proj_1/api_keys",
        json={
            "object": "list",
            "data": [{"id": "key_1", "name": "ci", "created_at": 1711471533, "owner": svc}],
            "first_id": "key_1",
            "last_id": "key_1",
            "has_more": True,
        },
    )
    rsps.get(
        f"{PROJECTS}/proj_1/api_keys",
        json={
            "object": "list",
            "data": [{"id": "key_2", "name": None, "created_at": 1711471533, "owner": {}}],
            "first_id": "key_2",
            "last_id": "key_2",
            "has_more": False,
        },
    )
    rsps.get(f"{PROJECTS}/proj_2/api_keys", json={"object": "list", "data": [], "has_more": False})
    rows = list(client.iter_api_keys())
    assert [(r["project_id"], r["id"], r["owner_type"], r["owner_id"], r["owner_name"]) for r in rows] == [
        ("proj_1", "key_1", "service_account", "svc_acct_1", "ci-bot"),
        ("proj_1", "key_2", None, None, None),
    ]
    assert query(rsps.calls[2])[-1] == ("after", "key_1")
    assert [urlsplit(c.request.url).path for c in rsps.calls][-1] == "/v1/organization/projects/proj_2/api_keys"


# -- errors and secrets -------------------------------------------------------------------------------------------


def test_empty_key_is_an_auth_error_naming_the_setting():
    with pytest.raises(AuthError, match="set OPENAI_ADMIN_KEY"):
        OpenAIAdminClient("  ")


def test_401_is_an_auth_error_naming_the_env_var_and_the_key_is_never_logged(rsps, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    client = OpenAIAdminClient(KEY, BASE, sleep=sleeps.append, jitter=lambda d: d)
    rsps.get(COMPLETIONS, status=429, headers={"retry-after": "1", "x-request-id": "req_1"})
    rsps.get(COMPLETIONS, status=500, json={"error": {"message": f"internal, key {KEY}", "type": "server_error"}})
    rsps.get(COMPLETIONS, body=requests.ConnectionError(f"reset while sending Bearer {KEY}"))
    rsps.get(
        COMPLETIONS,
        status=401,
        headers={"x-request-id": "req_401"},
        json={
            "error": {
                "message": f"Incorrect API key provided: {KEY}.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "param": None,
            }
        },
    )
    with pytest.raises(AuthError) as info:
        list(client.iter_completions_usage(DAY, NEXT_DAY))
    message = str(info.value)
    assert message.startswith("openai: the admin key was rejected (HTTP 401) at /v1/organization/usage/completions")
    assert "OPENAI_ADMIN_KEY" in message and "req_401" in message
    assert KEY not in message and KEY not in repr(info.value) and KEY not in repr(client)
    assert info.value.status == 401 and info.value.request_id == "req_401" and info.value.source == "openai"
    assert len(rsps.calls) == 4 and sleeps == [1.0, 1.0, 2.0]
    assert caplog.records
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert "Bearer" not in record.getMessage()  # headers are never logged
    assert "connectors.openai" in {r.name for r in caplog.records}


def test_404_names_the_base_url_convention(rsps, sleeps):
    client = OpenAIAdminClient(KEY, "https://api.openai.test", sleep=sleeps.append)  # forgot /v1
    rsps.get("https://api.openai.test/organization/costs", status=404, json={"error": {"message": "not found"}})
    with pytest.raises(NotFoundError) as info:
        list(client.iter_costs(DAY, NEXT_DAY))
    message = str(info.value)
    assert "HTTP 404 at https://api.openai.test/organization/costs" in message
    assert "OPENAI_BASE_URL" in message and "must include /v1" in message
    assert len(rsps.calls) == 1


def test_connection_refused_names_the_url(rsps, sleeps):
    client = OpenAIAdminClient(KEY, "http://127.0.0.1:9/v1", sleep=sleeps.append, max_retries=1)
    rsps.get("http://127.0.0.1:9/v1/organization/costs", body=requests.ConnectionError("refused"))
    with pytest.raises(ConnectionFailed) as info:
        list(client.iter_costs(DAY, NEXT_DAY))
    assert "nothing answers at http://127.0.0.1:9/v1/organization/costs" in str(info.value)
    assert "OPENAI_BASE_URL" in str(info.value)
