"""The simulated organisation: determinism, model mix by period, traffic shape, ground truth."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from statistics import mean

from emu_helpers import rfc3339, unix

from emulator import SimulatedOrg
from emulator.org import EPOCH, UNPRICED_MODEL
from emulator.plugins.anthropic import USAGE_DIMS as ANTHROPIC_USAGE_DIMS
from emulator.plugins.openai import USAGE_DIMS as OPENAI_USAGE_DIMS

TIMELINE_END = date(2027, 1, 1)


def _days(start: date, end: date, step: int = 1):
    day = start
    while day < end:
        yield day
        day += timedelta(days=step)


def _spend(org: SimulatedOrg, day: date) -> Decimal:
    return sum(g["billed_cost_usd"] for g in org.ground_truth(day, day + timedelta(days=1)))


def test_same_seed_same_responses_other_seed_differs(emu, make_emu):
    twin = make_emu(SimulatedOrg(seed=42))
    other = make_emu(SimulatedOrg(seed=43))
    o_params = [("start_time", unix(date(2025, 7, 1))), ("end_time", unix(date(2025, 7, 15))), ("limit", 14)] + [
        ("group_by[]", d) for d in OPENAI_USAGE_DIMS
    ]
    a_params = [("starting_at", rfc3339(date(2025, 7, 1))), ("limit", 14)] + [
        ("group_by[]", d) for d in ANTHROPIC_USAGE_DIMS
    ]
    calls = (
        lambda c: c.openai("/organization/usage/completions", o_params),
        lambda c: c.anthropic("/v1/organizations/usage_report/messages", a_params),
    )
    for call in calls:
        base, same, diff = call(emu), call(twin), call(other)
        assert base.status_code == same.status_code == diff.status_code == 200
        assert base.content == same.content
        assert base.content != diff.content
    costs = [("start_time", unix(date(2025, 7, 1))), ("end_time", unix(date(2025, 7, 8))), ("group_by[]", "line_item")]
    assert emu.openai("/organization/costs", costs).content == twin.openai("/organization/costs", costs).content


def test_a_day_does_not_depend_on_the_window_or_the_order_of_requests(emu):
    day = date(2025, 11, 20)
    group = [("group_by[]", d) for d in OPENAI_USAGE_DIMS]
    alone = emu.openai(
        "/organization/usage/completions",
        [("start_time", unix(day)), ("end_time", unix(day + timedelta(days=1)))] + group,
    ).json()["data"][0]
    wide = emu.openai(
        "/organization/usage/completions",
        [("start_time", unix(day - timedelta(days=20))), ("end_time", unix(day + timedelta(days=5))), ("limit", 31)]
        + group,
    ).json()["data"]
    (same,) = [b for b in wide if b["start_time"] == unix(day)]
    assert same == alone
    # a fresh org asked for the days in reverse order gives the same rows
    fresh = SimulatedOrg(seed=42)
    days = list(_days(date(2025, 1, 1), date(2025, 1, 8)))
    backwards = {d: fresh.usage("anthropic", d) for d in reversed(days)}
    assert all(backwards[d] == SimulatedOrg(seed=42).usage("anthropic", d) for d in days)


def test_every_row_on_every_day_is_priced_except_the_fine_tune(emu_org):
    models_seen: set[tuple[str, str]] = set()
    # every other day, plus each day on which a price or alias of the emulator's table starts or ends (and the
    # day before)
    edges = set()
    for row in (*emu_org.prices.rows, *emu_org.prices.aliases):
        for day in (row.effective_from, row.effective_to):
            if day is not None and day > EPOCH:
                edges |= {day, day - timedelta(days=1)}
    prices_used = set()
    for day in sorted(set(_days(EPOCH - timedelta(days=3), TIMELINE_END, step=2)) | edges):
        for provider in emu_org.providers:
            for line in emu_org.priced_lines(provider, day):
                models_seen.add((provider, line.model_raw))
                prices_used.add((provider, line.model_id, line.usage_type, line.service_tier, line.prompt_tier))
                assert line.is_priced == (line.model_raw != UNPRICED_MODEL), (day, line)
                assert line.billed_cost_usd > 0
                first = emu_org.prices.first_price_day(provider, line.model_id)
                assert line.model_raw == UNPRICED_MODEL or first <= day, (
                    f"{line.model_id} used on {day} before its first price"
                )
    assert (("openai", UNPRICED_MODEL)) in models_seen
    # the price table holds exactly what the organisation uses (the fine-tune is billed at gpt-4o-mini's prices)
    prices_used.discard(("openai", UNPRICED_MODEL, "input_tokens", "standard", 0))
    assert {r.key for r in emu_org.prices.rows} == {k for k in prices_used if k[1] != UNPRICED_MODEL}
    assert {m for p, m in models_seen if p == "anthropic"} >= {
        "claude-3-5-sonnet-20241022",
        "claude-3-5-haiku-20241022",
        "claude-sonnet-4-5-20250929",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-5-20251101",
    }
    assert {m for p, m in models_seen if p == "openai"} >= {
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1-2025-04-14",
        "o3-2025-04-16",
        "gpt-5-2025-08-07",
    }
    assert emu_org.usage("openai", EPOCH - timedelta(days=1)) == []


def test_model_mix_follows_launches_and_aliases(emu_org):
    def models(provider: str, day: date) -> set[str]:
        return {g["model_id"] for g in emu_org.ground_truth(day, day + timedelta(days=1)) if g["provider"] == provider}

    assert "gpt-4o-2024-05-13" in models("openai", date(2024, 10, 1)) and "gpt-4o-2024-08-06" not in models(
        "openai", date(2024, 10, 1)
    )
    assert "gpt-4o-2024-08-06" in models("openai", date(2024, 10, 2)) and "gpt-4o-2024-05-13" not in models(
        "openai", date(2024, 10, 2)
    )
    assert "gpt-5-2025-08-07" not in models("openai", date(2025, 8, 6)) and "gpt-5-2025-08-07" in models(
        "openai", date(2025, 8, 7)
    )
    assert "o3-2025-04-16" in models("openai", date(2025, 4, 16))
    assert "claude-sonnet-4-5-20250929" in models("anthropic", date(2025, 9, 29))
    assert "claude-opus-4-5-20251101" not in models("anthropic", date(2025, 11, 23))
    # long context only where the price book has a >200k tier, from that tier's first day
    windows = {(r["model"], r["context_window"]) for r in emu_org.usage("anthropic", date(2025, 10, 1))}
    assert ("claude-sonnet-4-5-20250929", "200k-1M") in windows
    assert all(m.startswith(("claude-sonnet-4-", "claude-sonnet-4-5")) for m, w in windows if w == "200k-1M")
    assert not any(r["context_window"] == "200k-1M" for r in emu_org.usage("anthropic", date(2025, 8, 11)))
    # 1h cache writes and web search only after their launches
    before = emu_org.usage("anthropic", date(2025, 5, 6))
    assert all(
        r["cache_creation"]["ephemeral_1h_input_tokens"] == 0 and r["server_tool_use"]["web_search_requests"] == 0
        for r in before
    )


def test_entities(emu_org):
    assert len(emu_org.accounts("openai")) == 6 and sum(p.archived is not None for p in emu_org.accounts("openai")) == 1
    workspaces = emu_org.accounts("anthropic")
    assert (
        sum(w.id is None for w in workspaces) == 1
        and sum(w.id is not None and w.archived is None for w in workspaces) == 4
    )
    assert all(k.id.startswith("key_") for k in emu_org.keys("openai"))
    assert all(k.id.startswith("apikey_") for k in emu_org.keys("anthropic"))
    hack = next(p for p in emu_org.accounts("openai") if p.archived)
    assert any(r["project_id"] == hack.id for r in emu_org.usage("openai", hack.archived - timedelta(days=1)))
    assert not any(r["project_id"] == hack.id for r in emu_org.usage("openai", hack.archived))


def test_weekly_pattern_growth_spikes_and_scale(emu_org):
    start = date(2026, 1, 5)  # a Monday
    spend = {d: _spend(emu_org, d) for d in _days(start, start + timedelta(days=84))}
    weekdays = [v for d, v in spend.items() if d.weekday() < 5]
    weekends = [v for d, v in spend.items() if d.weekday() >= 5]
    assert mean(weekends) < Decimal("0.7") * mean(weekdays)
    assert 1000 < mean(weekdays) < 5000, "daily totals in the low thousands of dollars"
    assert mean(spend.values()) > mean(_spend(emu_org, d) for d in _days(date(2024, 6, 3), date(2024, 8, 26)))
    # one spike day per provider per 30-day block: that account's traffic is several times its usual level
    spike_day, account = emu_org.spike("openai", date(2026, 2, 1))
    assert emu_org.spike("openai", spike_day) == (spike_day, account)

    def tokens(day):
        return sum(r["input_tokens"] for r in emu_org.usage("openai", day) if r["project_id"] == account)

    usual = mean(tokens(spike_day + timedelta(days=k)) for k in (-14, -7, 7, 14))
    assert tokens(spike_day) > 2.5 * usual


def test_hourly_split_adds_up_exactly(emu_org):
    day = date(2025, 10, 1)
    for provider in ("openai", "anthropic"):
        daily = {}
        for r in emu_org.records(provider, day):
            for k, v in r.metrics:
                daily[(r.dims, k)] = daily.get((r.dims, k), 0) + v
        hourly = {}
        for hour in emu_org.hourly_records(provider, day):
            for r in hour:
                for k, v in r.metrics:
                    hourly[(r.dims, k)] = hourly.get((r.dims, k), 0) + v
        assert {k: v for k, v in hourly.items() if v} == {k: v for k, v in daily.items() if v}


def test_ground_truth_shape_half_open_and_totals(emu_org):
    day = date(2025, 6, 9)
    assert emu_org.ground_truth(day, day) == []
    rows = emu_org.ground_truth(day, day + timedelta(days=2))
    assert {r["usage_date"] for r in rows} == {day, day + timedelta(days=1)}
    for r in rows:
        assert set(r) == {
            "usage_date",
            "provider",
            "model_raw",
            "model_id",
            "list_cost_usd",
            "billed_cost_usd",
            "is_priced",
        }
        assert isinstance(r["billed_cost_usd"], Decimal)
        assert (r["list_cost_usd"] is None) == (not r["is_priced"])
    totals = emu_org.ground_truth_totals(day, day + timedelta(days=2))
    assert sum(totals.values()) == sum(r["list_cost_usd"] for r in rows if r["is_priced"])
    assert all(isinstance(v, Decimal) for v in totals.values())
    assert ("openai", UNPRICED_MODEL) not in {(p, m) for (_, p, m) in totals}
