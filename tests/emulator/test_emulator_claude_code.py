"""The Claude Code usage report of the emulator: the documented shape (one UTC day, both actor types, RFC 3339
dates, cents), paging, parameter errors, determinism, and that it is an attribution view: an API customer's
Claude Code tokens are part of the organisation's messages usage, never added to it."""

from __future__ import annotations

import base64
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from emulator import EmulatorServer, SimulatedOrg
from emulator.plugins.anthropic import CLAUDE_CODE_FROM, PLUGIN, REMOTE_FROM

CODE = "/v1/organizations/usage_report/claude_code"
DAY = date(2025, 12, 3)  # every actor is active: Evan from 2025-11-24, remote records from REMOTE_FROM
RFC3339_MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00Z$")


def test_a_day_of_the_report_has_the_documented_shape(emu, emu_org):
    resp = emu.anthropic(CODE, [("starting_at", DAY.isoformat())])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"data", "has_more", "next_page"} and body["has_more"] is False and body["next_page"] is None
    records = body["data"]
    assert records == PLUGIN.claude_code_records(emu_org, DAY) and len(records) == 6
    actors = {(r["actor"]["type"], r["actor"].get("email_address") or r["actor"]["api_key_name"]) for r in records}
    assert actors == {
        ("api_actor", "product-staging"),
        ("user_actor", "dana@example.com"),
        ("user_actor", "evan@example.com"),
        ("user_actor", "grace@example.com"),
    }
    assert {(r["customer_type"], r["subscription_type"]) for r in records} == {("api", None), ("subscription", "team")}
    assert Counter(r["is_remote"] for r in records) == Counter({False: 4, True: 2})
    for r in records:
        assert r["date"] == f"{DAY.isoformat()}T00:00:00Z" and RFC3339_MIDNIGHT.match(r["date"])
        assert set(r) == {
            "actor",
            "core_metrics",
            "customer_type",
            "date",
            "is_remote",
            "model_breakdown",
            "organization_id",
            "subscription_type",
            "terminal_type",
            "tool_actions",
        }
        assert set(r["core_metrics"]) == {
            "commits_by_claude_code",
            "lines_of_code",
            "num_sessions",
            "pull_requests_by_claude_code",
        }
        assert set(r["tool_actions"]) == {"edit_tool", "multi_edit_tool", "notebook_edit_tool", "write_tool"}
        assert r["core_metrics"]["num_sessions"] >= 1 and r["model_breakdown"]
        for m in r["model_breakdown"]:
            assert set(m["tokens"]) == {"input", "output", "cache_read", "cache_creation"}
            assert m["estimated_cost"]["currency"] == "USD"
            assert isinstance(m["estimated_cost"]["amount"], int)  # whole cents, a JSON number


def test_paging_walks_every_record_once(emu, emu_org):
    records, query = [], [("starting_at", DAY.isoformat()), ("limit", 4)]
    while True:
        resp = emu.anthropic(CODE, query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        records += body["data"]
        if not body["has_more"]:
            break
        assert body["next_page"].startswith("page_") and len(body["data"]) == 4
        query = [("starting_at", DAY.isoformat()), ("limit", 4), ("page", body["next_page"])]
    assert records == PLUGIN.claude_code_records(emu_org, DAY)


def test_parameter_errors_in_the_anthropic_envelope(emu):
    other_day = "page_" + base64.urlsafe_b64encode(b"2025-12-02#4").decode()
    for params, param in [
        ([], "starting_at"),
        ([("starting_at", f"{DAY.isoformat()}T00:00:00Z")], "starting_at"),  # a date, not a time
        ([("starting_at", DAY.isoformat()), ("limit", 1001)], "limit"),
        ([("starting_at", DAY.isoformat()), ("page", other_day)], "page"),
    ]:
        resp = emu.anthropic(CODE, params)
        assert resp.status_code == 400, params
        body = resp.json()
        assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
        assert param in body["error"]["message"]


def test_no_report_before_claude_code_and_the_same_report_for_the_same_seed(emu_org):
    assert PLUGIN.claude_code_records(emu_org, CLAUDE_CODE_FROM - timedelta(days=1)) == []
    assert PLUGIN.claude_code_records(emu_org, CLAUDE_CODE_FROM)
    assert not any(r["is_remote"] for r in PLUGIN.claude_code_records(emu_org, REMOTE_FROM - timedelta(days=1)))
    assert PLUGIN.claude_code_records(SimulatedOrg(seed=42), DAY) == PLUGIN.claude_code_records(emu_org, DAY)
    assert PLUGIN.claude_code_records(SimulatedOrg(seed=7), DAY) != PLUGIN.claude_code_records(emu_org, DAY)


def test_api_customers_claude_code_is_part_of_the_messages_usage_never_added(emu_org):
    """An attribution view: per day and model, the API customers' Claude Code tokens fit inside the messages
    usage of the Console accounts and keys that made them, and the messages usage, the cost report and the
    ground truth are what they were without the report."""
    without = SimulatedOrg(seed=42)
    for day in (date(2025, 6, 10), DAY, date(2025, 12, 6)):
        used: Counter = Counter()
        for r in PLUGIN.claude_code_records(emu_org, day):
            if r["customer_type"] != "api":
                continue
            for m in r["model_breakdown"]:
                for bucket, n in m["tokens"].items():
                    used[(m["model"], bucket)] += n
        assert used
        usage: Counter = Counter()
        for row in emu_org.usage("anthropic", day):
            if row["service_tier"] != "standard":
                continue
            creation = row["cache_creation"]
            usage[(row["model"], "input")] += row["uncached_input_tokens"]
            usage[(row["model"], "cache_read")] += row["cache_read_input_tokens"]
            usage[(row["model"], "cache_creation")] += (
                creation["ephemeral_5m_input_tokens"] + creation["ephemeral_1h_input_tokens"]
            )
            usage[(row["model"], "output")] += row["output_tokens"]
        assert all(n <= usage[key] for key, n in used.items()), day
        assert emu_org.usage("anthropic", day) == without.usage("anthropic", day)
        assert emu_org.cost_records("anthropic", day) == without.cost_records("anthropic", day)
        assert emu_org.ground_truth(day, day + timedelta(days=1)) == without.ground_truth(day, day + timedelta(days=1))


def test_the_estimate_is_the_list_price_of_the_tokens_in_whole_cents(emu_org):
    """Subscription usage is in no other report: its estimate is its tokens at the emulator's list prices."""
    (grace,) = [
        r
        for r in PLUGIN.claude_code_records(emu_org, DAY)
        if r["actor"].get("email_address") == "grace@example.com" and not r["is_remote"]
    ]
    for m in grace["model_breakdown"]:
        model_id = emu_org.prices.resolve_model("anthropic", m["model"], DAY)
        types = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")
        price = {t: emu_org.prices.unit_price("anthropic", model_id, t, "standard", 0, DAY).unit_price for t in types}
        tokens = m["tokens"]
        usd = (
            tokens["input"] * price["input_tokens"]
            + tokens["cache_read"] * price["cache_read_tokens"]
            + tokens["cache_creation"] * price["cache_write_tokens"]  # 5-minute writes only
            + tokens["output"] * price["output_tokens"]
        ) / Decimal(1_000_000)
        assert abs(Decimal(m["estimated_cost"]["amount"]) - usd * 100) <= Decimal("0.5")


def test_the_connector_lands_the_emulators_report_through_faults():
    from connectors.anthropic import AnthropicAdminClient

    org = SimulatedOrg(seed=42)
    start, end = date(2025, 11, 28), date(2025, 12, 8)
    with EmulatorServer(org, faults="429x1,500x1,truncatex1,retry_after=0").start() as server:
        client = AnthropicAdminClient(server.key("anthropic"), server.base_url("anthropic"), sleep=lambda s: None)
        rows = list(client.iter_claude_code_usage(start, end))
    expected = [
        (day, i, j, m["model"], Decimal(m["estimated_cost"]["amount"]))
        for day in (start + timedelta(days=n) for n in range((end - start).days))
        for i, r in enumerate(PLUGIN.claude_code_records(org, day))
        for j, m in enumerate(r["model_breakdown"])
    ]
    got = [
        (r["bucket_start"].date(), r["record_index"], r["model_index"], r["model"], r["estimated_cost_cents"])
        for r in rows
    ]
    assert got == expected and client.take_notices() == []
