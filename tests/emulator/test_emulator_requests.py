"""Request logs of the simulated organisation (emulator.requests): derived from the admin usage exactly, with
known attribution and the documented edge cases."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from emulator import SimulatedOrg
from emulator.org import UNPRICED_MODEL
from emulator.requests import (
    GATEWAY_KEYS,
    LOGS,
    TOKEN_FIELDS,
    list_cost_by_team,
    logged_requests,
    request_truth,
    requests_between,
)

DAYS = (date(2025, 12, 31), date(2026, 1, 1), date(2026, 11, 20))


@pytest.mark.parametrize("day", DAYS)
def test_requests_sum_to_the_admin_usage_of_their_keys(emu_org, day):
    """Per (key, model, service tier, usage type) the successful requests of the day equal exactly the
    disjoint quantities of the vendor's usage rows of that key (what the admin usage APIs report)."""
    usage: Counter = Counter()
    for provider in emu_org.providers:
        plugin = emu_org.plugin(provider)
        for row in emu_org.usage(provider, day):
            s = plugin.split(row)
            if s.api_key_id in GATEWAY_KEYS:
                for usage_type, qty in s.quantities.items():
                    if qty:
                        usage[(GATEWAY_KEYS[s.api_key_id], s.api_key_id, s.model_raw, s.service_tier, usage_type)] += (
                            qty
                        )
    logged: Counter = Counter()
    for log in LOGS:
        for r in logged_requests(emu_org, day, log):
            assert r.log == log and GATEWAY_KEYS[r.api_key_id] == log
            for usage_type in TOKEN_FIELDS:
                if getattr(r, usage_type):
                    logged[(log, r.api_key_id, r.model, r.service_tier, usage_type)] += getattr(r, usage_type)
    assert usage and logged == usage
    assert {k[0] for k in usage} == set(LOGS), "every log has traffic on these days"


def test_openai_request_counts_match_the_usage_api(emu_org):
    """OpenAI reports num_model_requests: the successful requests of a key and model are exactly that many."""
    day = DAYS[-1]
    reported: Counter = Counter()
    for row in emu_org.usage("openai", day):
        if row["api_key_id"] in GATEWAY_KEYS:
            reported[(row["api_key_id"], row["model"])] += row["num_model_requests"]
    counted = Counter(
        (r.api_key_id, r.model)
        for log in LOGS
        for r in logged_requests(emu_org, day, log)
        if r.provider == "openai" and r.status == "success"
    )
    assert counted == reported


def test_list_cost_per_request_sums_to_the_priced_lines(emu_org):
    """Priced per request from the emulator's own table, the requests of a gateway key cost exactly what the
    org's priced lines of that key cost (list price; the fine-tune is unpriced)."""
    day = DAYS[-1]
    lines: dict = defaultdict(Decimal)
    for provider in emu_org.providers:
        for line in emu_org.priced_lines(provider, day):
            if line.api_key_id in GATEWAY_KEYS and line.is_priced:
                lines[(line.api_key_id, line.model_raw)] += line.list_cost_usd
    logged: dict = defaultdict(Decimal)
    for log in LOGS:
        for r in logged_requests(emu_org, day, log):
            if r.list_cost_usd is not None:
                logged[(r.api_key_id, r.model)] += r.list_cost_usd
    assert logged == lines


def test_volumes_are_small_and_prompts_realistic(emu_org):
    for log in LOGS:
        requests = logged_requests(emu_org, DAYS[-1], log)
        per_stream = Counter((r.api_key_id, r.model, r.service_tier) for r in requests)
        assert all(20 <= n <= 400 for n in per_stream.values()), (log, per_stream)
        assert max(r.prompt_tokens for r in requests) < 200_000


@pytest.mark.parametrize("log", LOGS)
def test_edge_cases_of_every_log_and_day(emu_org, log):
    day = DAYS[-1]
    requests = logged_requests(emu_org, day, log)
    assert [r.started_at for r in requests] == sorted(r.started_at for r in requests)
    assert len({r.request_id for r in requests}) == len(requests)
    first, last = requests[0], requests[-1]
    # both sides of midnight: the last starts at 23:59:59.9xx and ends the next day, yet belongs to its start day
    assert first.started_at.time() < time(0, 0, 0, 100_000) and first.usage_date == day
    assert last.started_at.time() >= time(23, 59, 59, 900_000) and last.ended_at.date() == day + timedelta(days=1)
    assert last.usage_date == day and all(r.usage_date == day for r in requests)
    # one failed call: zero tokens, zero reported cost
    (failed,) = [r for r in requests if r.status == "error"]
    assert all(getattr(failed, f) == 0 for f in TOKEN_FIELDS) and failed.reported_cost_usd == 0
    # one wrong gateway-reported cost: 10x list
    wrong = [r for r in requests if r.list_cost_usd is not None and r.reported_cost_usd != r.list_cost_usd]
    assert len(wrong) == 1 and wrong[0].reported_cost_usd == 10 * wrong[0].list_cost_usd > 0
    # attribution is complete, tags are str -> str
    assert all(r.team and r.feature and r.user_id and r.session_id for r in requests)
    assert all(isinstance(k, str) and isinstance(v, str) for r in requests for k, v in r.tags.items())
    assert all(r.started_at.tzinfo is not None and r.ended_at > r.started_at for r in requests)


def test_the_fine_tune_goes_through_litellm_unpriced(emu_org):
    requests = logged_requests(emu_org, DAYS[-1], "litellm")
    ft = [r for r in requests if r.model == UNPRICED_MODEL]
    assert ft and all(r.list_cost_usd is None and r.reported_cost_usd is None for r in ft)
    assert not any(
        r.model == UNPRICED_MODEL for log in LOGS if log != "litellm" for r in logged_requests(emu_org, DAYS[-1], log)
    )


def test_deterministic_in_seed_and_day():
    a, b = SimulatedOrg(seed=7), SimulatedOrg(seed=7)
    later_first = [logged_requests(b, d, "otel") for d in reversed(DAYS)][::-1]
    assert [logged_requests(a, d, "otel") for d in DAYS] == later_first
    assert logged_requests(SimulatedOrg(seed=8), DAYS[-1], "otel") != logged_requests(a, DAYS[-1], "otel")


def test_truth_by_team_sums_to_the_priced_requests(emu_org):
    start, end = date(2026, 11, 18), date(2026, 11, 21)
    truth = request_truth(emu_org, start, end)
    everything = [r for log in LOGS for r in requests_between(emu_org, start, end, log)]
    priced = sum((r.list_cost_usd for r in everything if r.list_cost_usd is not None), Decimal(0))
    by_team = list_cost_by_team(emu_org, start, end)
    assert sum(by_team.values()) == priced == sum(t["list_cost_usd"] for t in truth) > 0
    assert sum(t["requests"] for t in truth) == len(everything)
    assert sum(t["unpriced_requests"] for t in truth) == sum(r.list_cost_usd is None for r in everything) > 0
    assert {t["usage_date"] for t in truth} == {start, start + timedelta(days=1), start + timedelta(days=2)}
    assert set(by_team) == {"search", "support", "ops", "growth", "research", "data"}


def test_unknown_log_is_refused(emu_org):
    with pytest.raises(ValueError, match="Unknown request log 'nope'"):
        logged_requests(emu_org, DAYS[0], "nope")


def test_no_requests_before_the_gateways_exist(emu_org):
    assert all(logged_requests(emu_org, date(2025, 1, 1), log) == () for log in LOGS)
