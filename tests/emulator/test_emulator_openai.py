"""The OpenAI admin endpoints: envelopes, pagination, group_by, units, costs, projects, errors."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from emu_helpers import unix

from emulator.org import UNPRICED_MODEL
from emulator.plugins.openai import USAGE_DIMS as OPENAI_USAGE_DIMS

COMPLETIONS = "/organization/usage/completions"
COSTS = "/organization/costs"
METRICS = (
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_uncached_tokens",
    "output_tokens",
    "num_model_requests",
)


def _totals(rows) -> dict[str, int]:
    return {m: sum(r[m] for r in rows) for m in METRICS}


def completions(org, day: date) -> list[dict]:
    """The org's full-grain completions usage of ``day`` (its other usage rows carry ``endpoint``)."""
    return [r for r in org.usage("openai", day) if "endpoint" not in r]


def test_pagination_walks_every_day_once_in_order(emu, emu_org):
    start = date(2025, 5, 20)
    end = start + timedelta(days=40)
    params = [("start_time", unix(start)), ("end_time", unix(end)), ("limit", 7)] + [
        ("group_by[]", d) for d in OPENAI_USAGE_DIMS
    ]
    pages = emu.openai_pages(COMPLETIONS, params)
    assert [len(p["data"]) for p in pages] == [7, 7, 7, 7, 7, 5]
    assert all(p["object"] == "page" for p in pages)
    assert [p["has_more"] for p in pages] == [True] * 5 + [False] and pages[-1]["next_page"] is None
    buckets = [b for p in pages for b in p["data"]]
    days = [datetime.fromtimestamp(b["start_time"], UTC).date() for b in buckets]
    assert days == [start + timedelta(days=i) for i in range(40)]
    for day, bucket in zip(days, buckets, strict=True):
        assert bucket["object"] == "bucket"
        assert bucket["end_time"] - bucket["start_time"] == 86400
        # grouped by every dimension, a bucket is exactly the org's full-grain usage of that day
        assert bucket["results"] == completions(emu_org, day)
        assert bucket["results"], f"no usage on {day}"


def test_group_by_fewer_dims_sums_metrics_and_nulls_the_rest(emu, emu_org):
    day = date(2025, 9, 3)
    window = [("start_time", unix(day)), ("end_time", unix(day + timedelta(days=1)))]
    truth = _totals(completions(emu_org, day))
    for group_by in ([], ["model"], ["project_id", "api_key_id"], ["batch", "service_tier"], list(OPENAI_USAGE_DIMS)):
        resp = emu.openai(COMPLETIONS, window + [("group_by", g) for g in group_by])  # repeated-key form
        assert resp.status_code == 200, resp.text
        (bucket,) = resp.json()["data"]
        rows = bucket["results"]
        assert _totals(rows) == truth, group_by
        for dim in OPENAI_USAGE_DIMS:
            values = {r[dim] for r in rows}
            if dim in group_by and len(group_by) == 1:
                assert len(values) == len(rows), "one row per value of the only grouped dimension"
            elif dim not in group_by:
                assert values == {None}, (group_by, dim)
        keys = [tuple(r[d] for d in group_by) for r in rows]
        assert len(keys) == len(set(keys)), "one row per group"
    # the ungrouped row is the single total
    (only,) = emu.openai(COMPLETIONS, window).json()["data"][0]["results"]
    assert {m: only[m] for m in METRICS} == truth


def test_bracket_and_repeated_group_by_forms_are_the_same(emu):
    window = [("start_time", unix(date(2025, 9, 1))), ("end_time", unix(date(2025, 9, 4)))]
    brackets = emu.openai(COMPLETIONS, window + [("group_by[]", "model"), ("group_by[]", "project_id")])
    repeated = emu.openai(COMPLETIONS, window + [("group_by", "model"), ("group_by", "project_id")])
    assert brackets.status_code == repeated.status_code == 200
    assert brackets.content == repeated.content


def test_input_tokens_include_cached_and_cache_write(emu):
    params = [("start_time", unix(date(2025, 8, 1))), ("end_time", unix(date(2025, 9, 1))), ("limit", 31)] + [
        ("group_by[]", d) for d in OPENAI_USAGE_DIMS
    ]
    rows = [r for b in emu.openai(COMPLETIONS, params).json()["data"] for r in b["results"]]
    assert rows
    for r in rows:
        assert r["input_tokens"] >= r["input_cached_tokens"] + r["input_cache_write_tokens"]
        assert (
            r["input_tokens"] == r["input_uncached_tokens"] + r["input_cached_tokens"] + r["input_cache_write_tokens"]
        )
        assert r["object"] == "organization.usage.completions.result" and "api_source" in r
    assert any(r["input_cache_write_tokens"] for r in rows), "some rows should have cache writes"
    assert any(r["input_cached_tokens"] for r in rows)
    assert {r["service_tier"] for r in rows} == {"default", "flex"}
    assert {r["batch"] for r in rows} == {True, False}
    assert {r["model"] for r in rows if r["service_tier"] == "flex"} <= {"o3-2025-04-16", "gpt-5-2025-08-07"}


def test_filters(emu, emu_org):
    day = date(2025, 9, 3)
    window = [("start_time", unix(day)), ("end_time", unix(day + timedelta(days=1))), ("group_by[]", "model")]
    rows = emu.openai(COMPLETIONS, window + [("models[]", "gpt-4o-mini"), ("batch", "true")]).json()["data"][0][
        "results"
    ]
    truth = [r for r in completions(emu_org, day) if r["model"] == "gpt-4o-mini" and r["batch"]]
    assert [r["model"] for r in rows] == ["gpt-4o-mini"]
    assert rows[0]["input_tokens"] == sum(r["input_tokens"] for r in truth)


def test_hourly_buckets_add_up_to_the_day(emu):
    day = date(2025, 9, 3)
    window = [("start_time", unix(day)), ("end_time", unix(day + timedelta(days=1)))]
    daily = emu.openai(COMPLETIONS, window).json()["data"][0]["results"][0]
    hourly = emu.openai(COMPLETIONS, window + [("bucket_width", "1h"), ("limit", 24)]).json()
    assert len(hourly["data"]) == 24 and not hourly["has_more"]
    assert all(b["end_time"] - b["start_time"] == 3600 for b in hourly["data"])
    assert _totals([r for b in hourly["data"] for r in b["results"]]) == {m: daily[m] for m in METRICS}


def test_unaligned_start_opens_a_partial_first_bucket(emu):
    start = unix(date(2025, 9, 3)) + 10 * 3600 + 37 * 60 + 12
    data = emu.openai(COMPLETIONS, {"start_time": start, "limit": 2}).json()["data"]
    assert data[0]["start_time"] == start - 12  # truncated to the minute
    assert data[0]["end_time"] == unix(date(2025, 9, 4))
    assert data[1]["start_time"] == unix(date(2025, 9, 4))


def test_costs_are_exact_json_numbers_that_sum_to_the_ground_truth(emu, emu_org):
    start, end = date(2025, 6, 1), date(2025, 6, 15)
    params = [
        ("start_time", unix(start)),
        ("end_time", unix(end)),
        ("limit", 30),
        ("group_by[]", "line_item"),
        ("group_by[]", "project_id"),
    ]
    resp = emu.openai(COSTS, params)
    assert resp.status_code == 200
    assert not re.search(r'"value":\s*-?[0-9.]+[eE]', resp.text), "amounts must be written without exponent"
    page = resp.json(parse_float=Decimal)
    assert len(page["data"]) == 14 and page["has_more"] is False
    truth_by_project = emu_org.billed_totals(start, end)
    seen: Counter = Counter()
    for bucket in page["data"]:
        day = datetime.fromtimestamp(bucket["start_time"], UTC).date()
        for r in bucket["results"]:
            assert r["object"] == "organization.costs.result"
            assert r["amount"]["currency"] == "usd" and isinstance(r["amount"]["value"], Decimal)
            assert r["api_key_id"] is None and isinstance(r["quantity"], int)
            seen[(day, r["project_id"])] += r["amount"]["value"]
            if r["line_item"] == "file search tool calls":  # a tool line: a count with no single unit
                assert r["quantity_unit"] is None
                continue
            model_id, charge = r["line_item"].split(", ")
            assert charge.split(" (")[0] in ("input", "cached input", "cache write input", "output", "audio")
            assert r["quantity_unit"] == ("duration_seconds" if charge == "audio" else "tokens")
    assert seen == {(d, p): v for (d, prov, p), v in truth_by_project.items() if prov == "openai"}
    total = sum(seen.values())
    assert total == sum(g["billed_cost_usd"] for g in emu_org.ground_truth(start, end) if g["provider"] == "openai")


def test_billed_equals_list_for_priced_models(emu, emu_org):
    start, end = date(2025, 9, 1), date(2025, 9, 8)
    truth = emu_org.ground_truth(start, end)
    for g in truth:
        if g["is_priced"]:
            assert g["billed_cost_usd"] == g["list_cost_usd"]
    expected: Counter = Counter()
    for g in truth:
        if g["provider"] == "openai" and g["is_priced"]:
            expected[g["model_id"]] += g["list_cost_usd"]
    params = [("start_time", unix(start)), ("end_time", unix(end)), ("group_by[]", "line_item")]
    billed: Counter = Counter()
    for bucket in emu.openai(COSTS, params).json(parse_float=Decimal)["data"]:
        for r in bucket["results"]:
            # a tool line names no model: its usage is keyed '(none)', as the warehouse keys it
            model = "(none)" if r["line_item"] == "file search tool calls" else r["line_item"].split(", ")[0]
            billed[model] += r["amount"]["value"]
    unpriced = billed.pop(UNPRICED_MODEL)
    assert unpriced > 0
    assert billed == expected


def test_costs_without_group_by_are_one_total_per_day(emu, emu_org):
    day = date(2025, 6, 10)
    resp = emu.openai(COSTS, {"start_time": unix(day), "end_time": unix(day + timedelta(days=1))})
    (row,) = resp.json(parse_float=Decimal)["data"][0]["results"]
    assert row["line_item"] is None and row["project_id"] is None and row["quantity"] is None
    assert row["amount"]["value"] == sum(
        g["billed_cost_usd"] for g in emu_org.ground_truth(day, day + timedelta(days=1)) if g["provider"] == "openai"
    )


def test_parameter_errors_are_400_in_the_openai_envelope(emu):
    start = unix(date(2025, 6, 1))
    cases = [
        (COMPLETIONS, {}),  # missing start_time
        (COMPLETIONS, {"start_time": "yesterday"}),
        (COMPLETIONS, {"start_time": start, "limit": 32}),
        (COMPLETIONS, {"start_time": start, "bucket_width": "1h", "limit": 169}),
        (COMPLETIONS, {"start_time": start, "group_by": "line_item"}),
        (COMPLETIONS, {"start_time": start, "group_by[]": "api_source"}),
        (COMPLETIONS, {"start_time": start, "bucket_width": "1w"}),
        (COMPLETIONS, {"start_time": start, "page": "not-a-cursor"}),
        (COMPLETIONS, {"start_time": start, "end_time": start}),
        (COSTS, {"start_time": start, "limit": 181}),
        (COSTS, {"start_time": start, "group_by": "model"}),
        (COSTS, {"start_time": start, "bucket_width": "1h"}),
    ]
    for path, params in cases:
        resp = emu.openai(path, params)
        assert resp.status_code == 400, (path, params, resp.text)
        error = resp.json()["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["type"] == "invalid_request_error"
    assert emu.openai(COSTS, {"start_time": start, "limit": 180, "end_time": start + 86400}).status_code == 200


def test_auth_and_unknown_paths(emu):
    params = {"start_time": unix(date(2025, 6, 1))}
    for headers in ({}, {"Authorization": "Bearer sk-admin-wrong"}, {"Authorization": "sk-admin-emulator-fake"}):
        resp = emu.openai(COMPLETIONS, params, headers=headers)
        assert resp.status_code == 401
        assert resp.json() == {
            "error": {
                "message": resp.json()["error"]["message"],
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            }
        }
        assert "sk-admin" not in resp.text
    resp = emu.openai("/organization/usage/nonsense", params)
    assert resp.status_code == 404 and resp.json()["error"]["type"] == "invalid_request_error"
    wrong_base = emu.session.get(
        emu.server.url + "/openai/organization/costs",
        params=params,
        headers={"Authorization": "Bearer sk-admin-emulator-fake"},
    )
    assert wrong_base.status_code == 404 and "error" in wrong_base.json()


def test_other_usage_endpoints_serve_the_orgs_tool_usage_and_the_rest_empty(emu, emu_org):
    day = date(2026, 2, 2)
    window = {"start_time": unix(day), "end_time": unix(day + timedelta(days=1))}
    records = {r.dim["endpoint"]: r.metric for r in emu_org.records("openai", day) if r.dim.get("endpoint")}
    assert set(records) == {"embeddings", "audio_transcriptions", "file_search_calls", "web_search_calls"}
    for endpoint, obj, metric in (
        ("embeddings", "embeddings", "input_tokens"),
        ("audio_transcriptions", "audio_transcriptions", "seconds"),
        ("file_search_calls", "file_searches", "num_requests"),
        ("web_search_calls", "web_searches", "num_requests"),
    ):
        (row,) = emu.openai(f"/organization/usage/{endpoint}", window).json()["data"][0]["results"]
        assert row["object"] == f"organization.usage.{obj}.result"
        assert row[metric] == records[endpoint][metric] > 0 and row["project_id"] is None
    grouped = emu.openai("/organization/usage/web_search_calls", {**window, "group_by[]": "model"}).json()
    assert [r["model"] for r in grouped["data"][0]["results"]] == ["gpt-4.1-2025-04-14"]
    # web search is used once it has a price (2026-01-24), so not in 2025
    before = {"start_time": unix(date(2025, 6, 1)), "end_time": unix(date(2025, 6, 2))}
    assert emu.openai("/organization/usage/web_search_calls", before).json()["data"][0]["results"] == []
    for unused in ("moderations", "images", "audio_speeches", "vector_stores", "code_interpreter_sessions"):
        page = emu.openai(f"/organization/usage/{unused}", window).json()
        assert page["data"][0]["results"] == []
    bad = emu.openai("/organization/usage/vector_stores", {**window, "group_by[]": "model"})
    assert bad.status_code == 400 and "group_by" in bad.json()["error"]["message"]


def test_projects_list(emu):
    active = emu.openai("/organization/projects").json()
    assert active["object"] == "list" and active["has_more"] is False
    assert [p["name"] for p in active["data"]] == ["Search", "Support bot", "Internal tools", "Research", "Platform"]
    assert all(
        p["status"] == "active" and p["archived_at"] is None and p["object"] == "organization.project"
        for p in active["data"]
    )
    everything, after = [], None
    while True:
        page = emu.openai(
            "/organization/projects", {"include_archived": "true", "limit": 2, **({"after": after} if after else {})}
        ).json()
        everything += page["data"]
        assert page["first_id"] == page["data"][0]["id"] and page["last_id"] == page["data"][-1]["id"]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert len(everything) == 6 == len({p["id"] for p in everything})
    (archived,) = [p for p in everything if p["status"] == "archived"]
    assert archived["name"] == "Hackathon 2024" and isinstance(archived["archived_at"], int)
    assert emu.openai("/organization/projects", {"limit": 101}).status_code == 400
    keys = emu.openai(f"/organization/projects/{everything[0]['id']}/api_keys").json()
    assert keys["data"] and all(k["id"].startswith("key_") for k in keys["data"])


def test_every_usage_key_and_project_is_listed(emu, emu_org):
    projects = {p["id"] for p in emu.openai("/organization/projects", {"include_archived": "true"}).json()["data"]}
    keys = set()
    for pid in projects:
        keys |= {k["id"] for k in emu.openai(f"/organization/projects/{pid}/api_keys").json()["data"]}
    seen = {
        (r["project_id"], r["api_key_id"])
        for d in (date(2024, 6, 3), date(2025, 9, 3))
        for r in emu_org.usage("openai", d)
    }
    assert {p for p, _ in seen} <= projects and {k for _, k in seen} <= keys
