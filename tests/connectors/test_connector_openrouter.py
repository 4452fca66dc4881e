"""OpenRouterClient against OpenRouter's documented examples (tests/fixtures/openrouter) and edge cases."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from connectors.errors import AuthError, ResponseShapeError
from connectors.openrouter import SOURCE, OpenRouterClient
from connectors.openrouter.tables import OPENROUTER_ACTIVITY

KEY = "sk-or-v1-test-fake-not-a-real-key"
BASE = "https://openrouter.test/api/v1"
ACTIVITY, MODELS, CREDITS = f"{BASE}/activity", f"{BASE}/models", f"{BASE}/credits"
DAY = date(2025, 8, 24)  # the vendor example's date


@pytest.fixture
def client(sleeps):
    with OpenRouterClient(KEY, BASE, sleep=sleeps.append, jitter=lambda d: d) as c:
        yield c


def query(call) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(call.request.url).query))


def test_activity_vendor_example_lands_exact_dollars_on_its_day(rsps, client, fixture_text):
    rsps.get(ACTIVITY, body=fixture_text("openrouter", "activity"), content_type="application/json")
    (row,) = client.iter_activity(DAY, date(2025, 8, 25))
    assert query(rsps.calls[0]) == {"date": "2025-08-24"}
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"
    assert (row["bucket_start"], row["bucket_end"]) == (datetime(2025, 8, 24), datetime(2025, 8, 25))
    assert (row["model"], row["model_permaslug"], row["provider_name"]) == (
        "openai/gpt-4.1",
        "openai/gpt-4.1-2025-04-14",
        "OpenAI",
    )
    # JSON numbers read exactly, never through a float
    assert row["usage"] == Decimal("0.015") and row["byok_usage_inference"] == Decimal("0.012")
    assert (row["requests"], row["prompt_tokens"], row["completion_tokens"], row["reasoning_tokens"]) == (
        5,
        50,
        125,
        25,
    )
    assert row["workspace_id"] is None  # only with group_by=workspace
    assert row["_raw"]["endpoint_id"] == "550e8400-e29b-41d4-a716-446655440000"


def test_activity_asks_one_day_at_a_time(rsps, client):
    rsps.get(ACTIVITY, json={"data": []})
    assert list(client.iter_activity(date(2025, 8, 1), date(2025, 8, 4))) == []
    assert [query(c)["date"] for c in rsps.calls] == ["2025-08-01", "2025-08-02", "2025-08-03"]


def test_a_row_of_another_day_is_skipped_with_a_warning(rsps, client, fixture_json, caplog):
    example = fixture_json("openrouter", "activity")["data"][0]
    other = {**example, "date": "2025-08-23"}
    rsps.get(ACTIVITY, body=json.dumps({"data": [other, example]}, default=str), content_type="application/json")
    with caplog.at_level(logging.WARNING):
        rows = list(client.iter_activity(DAY, date(2025, 8, 25)))
    assert [r["bucket_start"] for r in rows] == [datetime(2025, 8, 24)]
    assert "skipped a row dated '2025-08-23'" in caplog.text


def test_a_changed_type_fails_naming_the_field_and_the_day(rsps, client, fixture_json):
    example = fixture_json("openrouter", "activity")["data"][0]
    bad = {**example, "prompt_tokens": "fifty"}
    rsps.get(ACTIVITY, body=json.dumps({"data": [bad]}, default=str), content_type="application/json")
    with pytest.raises(ResponseShapeError) as err:
        list(client.iter_activity(DAY, date(2025, 8, 25)))
    message = str(err.value)
    assert "prompt_tokens" in message and "2025-08-24" in message and KEY not in message


def test_a_reply_without_data_is_a_shape_error(rsps, client):
    rsps.get(ACTIVITY, json={"error": "nope"})
    with pytest.raises(ResponseShapeError, match="no 'data'"):
        list(client.iter_activity(DAY, date(2025, 8, 25)))


def test_models_vendor_example_keeps_prices_exact(rsps, client, fixture_text):
    rsps.get(MODELS, body=fixture_text("openrouter", "models"), content_type="application/json")
    (row,) = client.iter_models()
    assert query(rsps.calls[0]) == {"output_modalities": "all"}  # image and audio models too
    assert row["id"] == "openai/gpt-4" and row["created"] == datetime(2023, 8, 24, 18, 20, 34)
    assert row["pricing_prompt"] == Decimal("0.00003") and row["pricing_completion"] == Decimal("0.00006")
    assert row["pricing_request"] == Decimal("0") and row["pricing_input_cache_read"] is None
    assert row["context_length"] == 8192 and row["_raw"]["links"]["details"].endswith("/endpoints")


def test_a_model_without_pricing_is_a_shape_error(rsps, client):
    rsps.get(MODELS, json={"data": [{"id": "x/y", "name": "Y"}]})
    with pytest.raises(ResponseShapeError, match="x/y"):
        list(client.iter_models())


def test_credits_vendor_example(rsps, client, fixture_text):
    rsps.get(CREDITS, body=fixture_text("openrouter", "credits"), content_type="application/json")
    (row,) = client.iter_credits()
    assert (row["total_credits"], row["total_usage"]) == (Decimal("100.5"), Decimal("25.75"))


def test_a_rejected_key_says_which_variable_to_fix_and_never_shows_it(rsps, client):
    rsps.get(CREDITS, status=401, json={"error": {"code": 401, "message": "No auth credentials found"}})
    with pytest.raises(AuthError) as err:
        list(client.iter_credits())
    assert "OPENROUTER_API_KEY" in str(err.value) and KEY not in str(err.value)


def test_the_source_pulls_every_day_the_api_still_has():
    # a daily run re-pulls the 30 days /activity keeps: a schedule that runs at least once in 30 days leaves no gap
    assert SOURCE.history_days == 30 and SOURCE.revision_window({}) == 30
    assert SOURCE.env_vars == ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL")


def test_activity_keeps_byok_in_the_same_row_at_the_documented_grain(rsps, client, fixture_text):
    # a reply written from the spec (tests/fixtures/openrouter/activity_byok.json): one row per model x endpoint,
    # `usage` and `byok_usage_inference` side by side (mixed, none, all-BYOK)
    rsps.get(ACTIVITY, body=fixture_text("openrouter", "activity_byok"), content_type="application/json")
    rows = list(client.iter_activity(DAY, date(2025, 8, 25)))
    assert [(r["model"], r["endpoint_id"][:8], r["usage"], r["byok_usage_inference"]) for r in rows] == [
        ("openai/gpt-4.1", "550e8400", Decimal("0.015"), Decimal("0.012")),
        ("openai/gpt-4.1", "7f3d2c1b", Decimal("0.0072"), Decimal("0")),
        ("anthropic/claude-sonnet-4.5", "3b8f6e5d", Decimal("0"), Decimal("0.0345")),
        ("meta-llama/llama-3.3-70b-instruct", "4c7a8f6e", Decimal("0.00042"), Decimal("0")),
    ]
    # the natural key is the documented grain: no money column, and unique over these rows
    key = OPENROUTER_ACTIVITY.natural_key
    assert key == ("bucket_start", "model", "endpoint_id", "workspace_id")
    assert len({tuple(r[k] for k in key) for r in rows}) == len(rows) == 4
