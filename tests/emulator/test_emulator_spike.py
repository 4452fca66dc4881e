"""An injected spend spike (issue 10 item 9) multiplies exactly one model's usage at one provider on one day,
in the ground truth and so in the usage and costs APIs alike (both are made from the same records).

OpenAI's o3 (2025-04-16) is called by one stream (ops-agents); on 2025-06-25 its input tokens are
int(9e6 x scale x draw) unspiked and int(9e6 x scale x 8 x draw) spiked, so every o3 quantity that day is 8x
the unspiked one up to integer rounding (a few tokens in about 86 million), and nothing else moves."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from emulator import SimulatedOrg
from emulator.spikes import Spike, parse_spikes

DAY = date(2025, 6, 25)
O3 = "o3-2025-04-16"
SPEC = f"{DAY}:openai:{O3}:8"


@pytest.fixture(scope="module")
def orgs():
    return SimulatedOrg(seed=42), SimulatedOrg(seed=42, spikes=SPEC)


def quantities(org: SimulatedOrg, day: date) -> dict:
    return {k[1:]: v for k, v in org.usage_quantities(day, day + timedelta(days=1)).items() if k[1] == "openai"}


def test_the_spike_multiplies_that_models_tokens_on_that_day_and_nothing_else(orgs):
    plain, spiked = orgs
    before, after = quantities(plain, DAY), quantities(spiked, DAY)
    assert before.keys() == after.keys()
    o3 = [k for k in before if k[1] == O3]
    assert len(o3) >= 3  # input, cached input and output tokens at least
    for key in o3:
        # 8x up to integer rounding: the day's total is truncated (|T' - 8T| < 8), then split into parts that
        # are truncated again (< 1 token spiked, < 8 once the unspiked part is scaled): |q' - 8q| < 8 + 1 + 8
        assert abs(after[key] - 8 * before[key]) <= 17, key
    assert {k: v for k, v in after.items() if k[1] != O3} == {k: v for k, v in before.items() if k[1] != O3}
    # the day before and after are untouched
    for day in (DAY - timedelta(days=1), DAY + timedelta(days=1)):
        assert quantities(spiked, day) == quantities(plain, day)


def test_the_bill_follows_the_usage(orgs):
    """The costs API's totals (billed per project) rise by the o3 cost rise, and only in o3's project."""
    plain, spiked = orgs
    end = DAY + timedelta(days=1)
    truth = {True: {}, False: {}}
    for is_spiked, org in ((False, plain), (True, spiked)):
        for row in org.ground_truth(DAY, end):
            if row["provider"] == "openai":
                truth[is_spiked][row["model_raw"]] = row["billed_cost_usd"]
    rise = truth[True][O3] - truth[False][O3]
    assert truth[True][O3] == pytest.approx(8 * truth[False][O3], rel=Decimal("1e-5"))
    bills = plain.billed_totals(DAY, end), spiked.billed_totals(DAY, end)
    moved = {k: bills[1][k] - bills[0][k] for k in bills[0] if bills[1][k] != bills[0][k]}
    assert list(moved.values()) == [rise]  # one project (Internal tools, ops-agents') carries the whole rise
    assert list(moved)[0][1:] == ("openai", "proj_Intl6Bn1Dv8Zs3Uk5Wt2Ly7M")


def test_spike_specs():
    assert parse_spikes("2025-06-18:openai:gpt-4o:8, 2025-06-19:openai:ft:gpt-4o-mini:acme::abc:2.5") == (
        Spike(date(2025, 6, 18), "openai", "gpt-4o", 8.0),
        Spike(date(2025, 6, 19), "openai", "ft:gpt-4o-mini:acme::abc", 2.5),  # a model id with colons
    )
    assert parse_spikes(None) == parse_spikes("") == ()
    for bad, why in (
        ("2025-06-18:openai:8", "four fields"),
        ("2025-13-01:openai:gpt-4o:8", "not a date"),
        ("2025-06-18:openai:gpt-4o:x", "must be a number"),
        ("2025-06-18:openai:gpt-4o:0", "above 0"),
    ):
        with pytest.raises(ValueError, match=why):
            parse_spikes(bad)


def test_the_demo_spikes_o3_ten_days_before_its_last_day_while_o3_is_called():
    from orchestration.cli import demo_spikes

    last = date(2026, 12, 1)
    spike_day = date(2026, 11, 21)  # 12-01 - 10 days
    assert demo_spikes(last - timedelta(days=89), last) == [Spike(spike_day, "openai", O3, 8.0)]
    assert demo_spikes(last - timedelta(days=1), last) == []  # a 2-day demo has no day for it
    called = SimulatedOrg(seed=42).usage_quantities(spike_day, spike_day + timedelta(days=1))
    assert any(provider == "openai" and model == O3 for _, provider, model, _, _ in called)


def test_the_demo_config_names_the_emulators_accounts_and_yields_to_the_users(tmp_path, monkeypatch):
    from emulator.requests import TEAM_USERS
    from orchestration.cli import DEMO_CONFIG, demo_config
    from orchestration.config import load_config

    ownership = load_config(DEMO_CONFIG).sections["ownership"]
    org = SimulatedOrg(seed=42)
    accounts = {(p, a.id or "default") for p in ("openai", "anthropic") for a in org.accounts(p)}
    rules = [*ownership.owners, *ownership.shared]
    assert rules and all((r.provider, r.account) in accounts for r in rules)
    # every team the request logs name is a declared team (so proportional splits reach them)
    assert set(TEAM_USERS) <= {t.name for t in ownership.teams}
    monkeypatch.chdir(tmp_path)
    assert demo_config({}) == DEMO_CONFIG
    assert demo_config({"FINOPS_CONFIG": "mine.yaml"}) is None
    (tmp_path / "finops.yaml").write_text("")
    assert demo_config({}) is None
