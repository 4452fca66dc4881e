"""The Anthropic admin endpoints: envelopes, pagination, group_by[], cents strings, workspaces, errors."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from emu_helpers import ANTHROPIC_HEADERS, rfc3339

from emulator.plugins.anthropic import USAGE_DIMS as ANTHROPIC_USAGE_DIMS

USAGE = "/v1/organizations/usage_report/messages"
COSTS = "/v1/organizations/cost_report"
RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00Z$")


def _flat(row: dict) -> dict[str, int]:
    return {
        "uncached": row["uncached_input_tokens"],
        "read": row["cache_read_input_tokens"],
        "w5m": row["cache_creation"]["ephemeral_5m_input_tokens"],
        "w1h": row["cache_creation"]["ephemeral_1h_input_tokens"],
        "output": row["output_tokens"],
        "searches": row["server_tool_use"]["web_search_requests"],
    }


def _totals(rows) -> Counter:
    total: Counter = Counter()
    for r in rows:
        total.update(_flat(r))
    return total


def test_pagination_walks_every_day_once_in_order(emu, emu_org):
    start = date(2025, 9, 10)
    params = [("starting_at", rfc3339(start)), ("ending_at", rfc3339(start + timedelta(days=40))), ("limit", 7)]
    params += [("group_by[]", d) for d in ANTHROPIC_USAGE_DIMS]
    pages = emu.anthropic_pages(USAGE, params)
    assert [len(p["data"]) for p in pages] == [7, 7, 7, 7, 7, 5]
    assert pages[-1]["has_more"] is False and pages[-1]["next_page"] is None
    assert all(p["next_page"].startswith("page_") for p in pages[:-1])
    buckets = [b for p in pages for b in p["data"]]
    assert [b["starting_at"] for b in buckets] == [rfc3339(start + timedelta(days=i)) for i in range(40)]
    for b in buckets:
        assert RFC3339_Z.match(b["starting_at"]) and RFC3339_Z.match(b["ending_at"])
        day = date.fromisoformat(b["starting_at"][:10])
        assert b["ending_at"] == rfc3339(day + timedelta(days=1))
        assert b["results"] == emu_org.usage("anthropic", day) and b["results"]


def test_group_by_fewer_dims_sums_metrics_and_nulls_the_rest(emu, emu_org):
    day = date(2025, 10, 7)
    window = [("starting_at", rfc3339(day)), ("ending_at", rfc3339(day + timedelta(days=1)))]
    truth = _totals(emu_org.usage("anthropic", day))
    assert truth["w5m"] and truth["w1h"] and truth["searches"] and truth["read"]
    for group_by in (
        [],
        ["model"],
        ["workspace_id"],
        ["api_key_id", "context_window"],
        ["service_tier"],
        list(ANTHROPIC_USAGE_DIMS),
    ):
        resp = emu.anthropic(USAGE, window + [("group_by[]", g) for g in group_by])
        assert resp.status_code == 200, resp.text
        rows = resp.json()["data"][0]["results"]
        assert _totals(rows) == truth, group_by
        for dim in ANTHROPIC_USAGE_DIMS:
            if dim not in group_by:
                assert {r[dim] for r in rows} == {None}, (group_by, dim)
        keys = [tuple(r[d] for d in group_by) for r in rows]
        assert len(keys) == len(set(keys))


def test_default_workspace_and_console_usage_are_null(emu):
    day = date(2025, 12, 1)
    window = [("starting_at", rfc3339(day)), ("ending_at", rfc3339(day + timedelta(days=1)))]
    by_ws = emu.anthropic(USAGE, window + [("group_by[]", "workspace_id")]).json()["data"][0]["results"]
    assert None in {r["workspace_id"] for r in by_ws} and len(by_ws) >= 4
    by_key = emu.anthropic(USAGE, window + [("group_by[]", "api_key_id"), ("group_by[]", "account_id")]).json()["data"][
        0
    ]["results"]
    console = [r for r in by_key if r["api_key_id"] is None]
    assert console and all(r["account_id"].startswith("user_") for r in console)
    tiers = emu.anthropic(USAGE, window + [("group_by[]", "service_tier"), ("group_by[]", "context_window")]).json()[
        "data"
    ][0]["results"]
    assert {(r["service_tier"], r["context_window"]) for r in tiers} == {
        ("standard", "0-200k"),
        ("batch", "0-200k"),
        ("standard", "200k-1M"),
    }


def test_cost_report_amounts_are_cent_strings_that_sum_to_ground_truth(emu, emu_org):
    start, end = date(2025, 9, 25), date(2025, 10, 10)
    params = [
        ("starting_at", rfc3339(start)),
        ("ending_at", rfc3339(end)),
        ("group_by[]", "workspace_id"),
        ("group_by[]", "description"),
    ]
    pages = emu.anthropic_pages(COSTS, params)
    assert len(pages) == 3  # 15 days, 7 per page
    per_workspace: Counter = Counter()
    descriptions = set()
    for bucket in (b for p in pages for b in p["data"]):
        day = date.fromisoformat(bucket["starting_at"][:10])
        for r in bucket["results"]:
            assert isinstance(r["amount"], str) and re.fullmatch(r"\d+(\.\d+)?", r["amount"]), r["amount"]
            assert r["currency"] == "USD" and r["inference_geo"] is None
            per_workspace[(day, r["workspace_id"])] += Decimal(r["amount"])
            descriptions.add(
                (r["description"], r["cost_type"], r["model"], r["token_type"], r["service_tier"], r["context_window"])
            )
    truth = {(d, ws): v * 100 for (d, prov, ws), v in emu_org.billed_totals(start, end).items() if prov == "anthropic"}
    assert per_workspace == truth
    total_truth = sum(g["billed_cost_usd"] for g in emu_org.ground_truth(start, end) if g["provider"] == "anthropic")
    assert sum(per_workspace.values()) == total_truth * 100
    token_types = {d[3] for d in descriptions}
    assert token_types == {
        None,
        "uncached_input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation.ephemeral_5m_input_tokens",
        "cache_creation.ephemeral_1h_input_tokens",
    }
    assert ("Web Search Usage", "web_search", None, None, None, None) in descriptions
    assert (
        "Claude Sonnet 4.5 Usage - Input Tokens (Long Context)",
        "tokens",
        "claude-sonnet-4-5-20250929",
        "uncached_input_tokens",
        "standard",
        "200k-1M",
    ) in descriptions
    assert (
        "Claude Haiku 3.5 Usage - Output Tokens (Batch)",
        "tokens",
        "claude-3-5-haiku-20241022",
        "output_tokens",
        "batch",
        "0-200k",
    ) in descriptions
    assert len({d[0] for d in descriptions}) == len(descriptions), "a description names exactly one line"


def test_cost_report_grouping(emu, emu_org):
    day = date(2025, 10, 7)
    window = [("starting_at", rfc3339(day)), ("ending_at", rfc3339(day + timedelta(days=1)))]
    truth = (
        sum(
            g["billed_cost_usd"]
            for g in emu_org.ground_truth(day, day + timedelta(days=1))
            if g["provider"] == "anthropic"
        )
        * 100
    )
    (total,) = emu.anthropic(COSTS, window).json()["data"][0]["results"]
    assert Decimal(total["amount"]) == truth
    assert all(
        total[k] is None
        for k in ("workspace_id", "description", "cost_type", "model", "token_type", "service_tier", "context_window")
    )
    by_ws = emu.anthropic(COSTS, window + [("group_by[]", "workspace_id")]).json()["data"][0]["results"]
    assert sum(Decimal(r["amount"]) for r in by_ws) == truth and all(r["description"] is None for r in by_ws)
    assert None in {r["workspace_id"] for r in by_ws}  # the default workspace


def test_usage_and_cost_limits_and_params(emu):
    start = rfc3339(date(2025, 6, 1))
    bad = [
        (USAGE, {}),
        (USAGE, {"starting_at": "June 1st"}),
        (USAGE, {"starting_at": start, "limit": 32}),
        (USAGE, {"starting_at": start, "group_by[]": "project_id"}),
        (USAGE, {"starting_at": start, "bucket_width": "1w"}),
        (USAGE, {"starting_at": start, "page": "garbage"}),
        (COSTS, {"starting_at": start, "limit": 32}),
        (COSTS, {"starting_at": start, "group_by[]": "model"}),
        (COSTS, {"starting_at": start, "bucket_width": "1h"}),
    ]
    for path, params in bad:
        resp = emu.anthropic(path, params)
        assert resp.status_code == 400, (path, params, resp.text)
        body = resp.json()
        assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    page = emu.anthropic(USAGE, {"starting_at": start, "limit": 31, "ending_at": rfc3339(date(2025, 7, 2))}).json()
    assert len(page["data"]) == 31 and page["has_more"] is False
    # starting_at is snapped to the start of its day
    snapped = emu.anthropic(USAGE, {"starting_at": "2025-06-01T13:45:00Z", "limit": 1}).json()
    assert snapped["data"][0]["starting_at"] == start
    hourly = emu.anthropic(
        USAGE, {"starting_at": start, "ending_at": rfc3339(date(2025, 6, 2)), "bucket_width": "1h"}
    ).json()
    assert len(hourly["data"]) == 24 and hourly["data"][1]["starting_at"] == "2025-06-01T01:00:00Z"


def test_auth_version_and_unknown_path(emu):
    params = {"starting_at": rfc3339(date(2025, 6, 1))}
    for headers in (
        {"anthropic-version": "2023-06-01"},
        {"x-api-key": "sk-ant-admin01-wrong", "anthropic-version": "2023-06-01"},
    ):
        resp = emu.anthropic(USAGE, params, headers=headers)
        assert resp.status_code == 401
        assert resp.json() == {
            "type": "error",
            "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        }
    resp = emu.anthropic(USAGE, params, headers={"x-api-key": emu.server.key("anthropic")})
    assert resp.status_code == 400 and resp.json()["error"]["type"] == "invalid_request_error"
    assert "anthropic-version" in resp.json()["error"]["message"]
    resp = emu.anthropic("/v1/organizations/usage_report/nothing", params)
    assert resp.status_code == 404 and resp.json()["error"]["type"] == "not_found_error"


def test_workspaces_list(emu, emu_org):
    active = emu.anthropic("/v1/organizations/workspaces").json()
    assert set(active) == {"data", "first_id", "last_id", "has_more"}
    assert [w["name"] for w in active["data"]] == ["Product", "Data science", "Agents", "Platform"]
    assert all(
        w["type"] == "workspace" and w["archived_at"] is None and w["created_at"].endswith("Z") for w in active["data"]
    )
    seen, after = [], None
    while True:
        page = emu.anthropic(
            "/v1/organizations/workspaces",
            {"include_archived": "true", "limit": 1, **({"after_id": after} if after else {})},
        ).json()
        seen += page["data"]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert len(seen) == 5 and sum(w["archived_at"] is not None for w in seen) == 1
    assert emu.anthropic("/v1/organizations/workspaces", {"limit": 1001}).status_code == 400
    assert emu.anthropic("/v1/organizations/workspaces", {"limit": 1000}).status_code == 200
    # every workspace and key in the usage is named by the list endpoints (the default workspace is null)
    keys = {k["id"] for k in emu.anthropic("/v1/organizations/api_keys", {"limit": 100}).json()["data"]}
    used = {
        (r["workspace_id"], r["api_key_id"])
        for d in (date(2024, 12, 2), date(2025, 12, 1))
        for r in emu_org.usage("anthropic", d)
    }
    assert {w for w, _ in used} - {None} <= {w["id"] for w in seen}
    assert {k for _, k in used} - {None} <= keys


def test_speed_needs_the_fast_mode_beta_header(emu):
    day = date(2026, 3, 2)
    window = [("starting_at", rfc3339(day)), ("ending_at", rfc3339(day + timedelta(days=1)))]
    without_beta = {k: v for k, v in ANTHROPIC_HEADERS.items() if k != "anthropic-beta"}
    for params in ([("group_by[]", "speed")], [("speeds[]", "standard")]):
        resp = emu.anthropic(USAGE, window + params, headers=without_beta)
        assert resp.status_code == 400 and "fast-mode-2026-02-01" in resp.json()["error"]["message"]
    # with it, several betas in one header: every row at standard speed (the organisation never uses fast mode)
    beta = {**without_beta, "anthropic-beta": "some-other-beta, fast-mode-2026-02-01"}
    resp = emu.anthropic(USAGE, window + [("group_by[]", "speed"), ("group_by[]", "model")], headers=beta)
    assert resp.status_code == 200, resp.text
    results = [r for bucket in resp.json()["data"] for r in bucket["results"]]
    assert results and {r["speed"] for r in results} == {"standard"}
    fast = emu.anthropic(USAGE, window + [("speeds[]", "fast")], headers=beta).json()
    assert [r for bucket in fast["data"] for r in bucket["results"]] == []
