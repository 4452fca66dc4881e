"""The real connectors against the emulator: multi-page, multi-day pulls, through every fault the emulator
can inject, arrive exactly once (the money equals the emulator's ground truth), and bad configuration
fails with one sentence that never contains the key."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from connectors.anthropic.client import AnthropicAdminClient
from connectors.errors import AuthError, ConnectorError, NotFoundError
from connectors.openai.client import OpenAIAdminClient
from emulator import EmulatorServer, SimulatedOrg

START, END = date(2025, 5, 20), date(2025, 6, 30)  # 41 days: two pages of 31 buckets per pull
ALL_FAULTS = "429x2,500x1,502x1,503x1,529x1,truncatex2,slowx1,retry_after=0,slow_seconds=3"


@pytest.fixture(scope="module")
def org():
    return SimulatedOrg(seed=42)


def clients(server, **kwargs):
    kwargs.setdefault("sleep", lambda seconds: None)
    return (
        OpenAIAdminClient(server.key("openai"), server.base_url("openai"), **kwargs),
        AnthropicAdminClient(server.key("anthropic"), server.base_url("anthropic"), **kwargs),
    )


def billed_by_provider(openai, anthropic):
    return {
        "openai": sum((r["amount_value"] for r in openai.iter_costs(START, END)), Decimal(0)),
        "anthropic": sum((r["amount_cents"] for r in anthropic.iter_cost_report(START, END)), Decimal(0)) / 100,
    }


def truth_by_provider(org):
    """What the two providers pulled here billed (OpenRouter has its own tests: its activity keeps 30 days)."""
    totals = Counter()
    for (_day, provider, _account), amount in org.billed_totals(START, END).items():
        if provider in ("openai", "anthropic"):
            totals[provider] += amount
    return dict(totals)


def test_every_fault_is_survived_and_every_dollar_arrives_once(org, caplog):
    with EmulatorServer(org, faults=ALL_FAULTS).start() as server:
        openai, anthropic = clients(server, timeout=2.0, max_retries=10)
        got = billed_by_provider(openai, anthropic)
        usage_rows = list(openai.iter_completions_usage(START, END))
        messages_rows = list(anthropic.iter_messages_usage(START, END))
        projects = list(openai.iter_projects())
        workspaces = list(anthropic.iter_workspaces())
        faults = Counter(entry.get("fault") for entry in server.requests if entry.get("fault"))
    assert got == truth_by_provider(org)
    # the slow answer is logged by the emulator only once it is sent, after the client gave up waiting
    assert faults - Counter({"slow": 1}) == Counter({"429": 2, "500": 1, "502": 1, "503": 1, "529": 1, "truncate": 2})
    assert any("Timeout" in record.getMessage() for record in caplog.records)
    # each usage row of the window exactly once (grain: day x every grouped dimension)
    openai_keys = [
        (r["bucket_start"], r["project_id"], r["api_key_id"], r["model"], r["batch"], r["service_tier"])
        for r in usage_rows
    ]
    assert len(openai_keys) == len(set(openai_keys)) > 0
    assert {r["bucket_start"].date() for r in usage_rows} == {d for d in _days()}
    anthropic_tokens = sum(r["output_tokens"] for r in messages_rows)
    expected_tokens = sum(row["output_tokens"] for day in _days() for row in org.usage("anthropic", day))
    assert anthropic_tokens == expected_tokens
    assert projects and workspaces


def _days():
    from connectors.windows import utc_days

    return utc_days(START, END)


def test_wrong_keys_fail_with_one_sentence_without_the_key(org):
    with EmulatorServer(org).start() as server:
        openai = OpenAIAdminClient(
            "sk-admin-this-is-wrong-but-fake-000000", server.base_url("openai"), sleep=lambda s: None
        )
        with pytest.raises(AuthError) as excinfo:
            list(openai.iter_costs(START, END))
        anthropic = AnthropicAdminClient(
            "sk-ant-admin01-wrong-fake-000000000", server.base_url("anthropic"), sleep=lambda s: None
        )
        with pytest.raises(AuthError) as excinfo_a:
            list(anthropic.iter_cost_report(START, END))
    for exc, env, key in (
        (excinfo.value, "OPENAI_ADMIN_KEY", "sk-admin-this-is-wrong"),
        (excinfo_a.value, "ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-wrong"),
    ):
        message = str(exc)
        assert env in message and key not in message and "\n" not in message


def test_base_url_conventions_are_explained(org):
    with EmulatorServer(org).start() as server:
        # OpenAI's base URL must include /v1; Anthropic's must not
        no_v1 = OpenAIAdminClient(
            server.key("openai"), server.base_url("openai").removesuffix("/v1"), sleep=lambda s: None
        )
        with pytest.raises(NotFoundError, match="OPENAI_BASE_URL"):
            list(no_v1.iter_costs(START, END))
        extra_v1 = AnthropicAdminClient(
            server.key("anthropic"), server.base_url("anthropic") + "/v1", sleep=lambda s: None
        )
        with pytest.raises(NotFoundError, match="ANTHROPIC_BASE_URL"):
            list(extra_v1.iter_cost_report(START, END))
    with pytest.raises(ConnectorError, match="OPENAI_BASE_URL"):
        dead = OpenAIAdminClient("sk-admin-fake", "http://127.0.0.1:9/v1", max_retries=1, sleep=lambda s: None)
        list(dead.iter_costs(START, END))
