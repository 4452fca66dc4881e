"""Fault injection: each fault form, the spec grammar, determinism, and the request log."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from emu_helpers import rfc3339, unix

from emulator import FaultSpec

PROJECTS = "/organization/projects"
WORKSPACES = "/v1/organizations/workspaces"
USAGE = "/organization/usage/completions"


def test_429_twice_then_success_with_retry_after(make_emu):
    emu = make_emu(faults="429x2")
    first, second, third = (emu.openai(PROJECTS) for _ in range(3))
    for resp in (first, second):
        assert resp.status_code == 429
        assert resp.headers["Retry-After"] == "1"
        error = resp.json()["error"]
        assert error["code"] == "rate_limit_exceeded" and set(error) == {"message", "type", "param", "code"}
    assert third.status_code == 200 and third.json()["object"] == "list"
    assert [(r["status"], r["fault"]) for r in emu.server.requests] == [(429, "429"), (429, "429"), (200, None)]


def test_anthropic_429_and_529_use_the_anthropic_envelope(make_emu):
    emu = make_emu(faults="429x1,529x1,retry_after=0")
    limited = emu.anthropic(WORKSPACES)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "0"
    assert limited.json()["type"] == "error" and limited.json()["error"]["type"] == "rate_limit_error"
    overloaded = emu.anthropic(WORKSPACES)
    assert overloaded.status_code == 529 and overloaded.json()["error"]["type"] == "overloaded_error"
    assert emu.anthropic(WORKSPACES).status_code == 200


def test_5xx_forms(make_emu):
    emu = make_emu(faults="500x1,503x3")
    statuses = [emu.openai(PROJECTS).status_code for _ in range(5)]
    assert statuses == [500, 503, 503, 503, 200]
    resp = make_emu(faults="500x1").anthropic(WORKSPACES)
    assert resp.status_code == 500 and resp.json()["error"]["type"] == "api_error"
    resp = make_emu(faults="502x1").openai(PROJECTS)
    assert resp.status_code == 502 and resp.json()["error"]["type"] == "server_error"


def test_truncated_body_is_a_200_that_does_not_parse(make_emu):
    emu = make_emu(faults="truncatex1")
    params = {"start_time": unix(date(2025, 6, 1)), "end_time": unix(date(2025, 6, 3)), "group_by[]": "model"}
    cut = emu.openai(USAGE, params)
    whole = emu.openai(USAGE, params)
    assert cut.status_code == 200 and whole.status_code == 200
    assert len(cut.content) == len(whole.content) // 2 and whole.content.startswith(cut.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)
    assert whole.json()["object"] == "page"
    assert cut.headers.get("Connection") == "close"


def test_slow_answers_normally_after_the_delay(make_emu):
    emu = make_emu(faults="slowx1,slow_seconds=0.2")
    started = time.perf_counter()
    slow = emu.anthropic(
        "/v1/organizations/usage_report/messages", {"starting_at": rfc3339(date(2025, 6, 1)), "limit": 1}
    )
    slow_elapsed = time.perf_counter() - started
    fast = emu.anthropic(
        "/v1/organizations/usage_report/messages", {"starting_at": rfc3339(date(2025, 6, 1)), "limit": 1}
    )
    assert slow.status_code == 200 and slow.json() == fast.json()
    assert slow_elapsed >= 0.2
    assert [r["fault"] for r in emu.server.requests] == ["slow", None]


def test_emulator_paths_are_exempt_and_unlogged(make_emu):
    emu = make_emu(faults="500x1")
    health = emu.session.get(emu.server.url + "/_emulator/health")
    assert health.status_code == 200 and health.json()["ok"] is True
    assert emu.openai(PROJECTS).status_code == 500  # the first vendor request still gets the fault
    assert emu.openai(PROJECTS).status_code == 200
    assert [r["path"] for r in emu.server.requests] == ["/openai/v1/organization/projects"] * 2


def test_request_log_never_holds_keys(make_emu):
    emu = make_emu(faults="429x1")
    emu.openai(PROJECTS, {"limit": 2})
    emu.anthropic(WORKSPACES, {"api_key": "sk-ant-admin01-emulator-fake"})
    emu.openai(PROJECTS, headers={"Authorization": "Bearer sk-admin-wrong-key"})
    log = emu.server.requests
    assert [r["status"] for r in log] == [429, 200, 401]
    assert set(log[0]) == {"method", "path", "query", "status", "fault"}
    assert log[0]["query"] == "limit=2"
    text = repr(log) + emu.session.get(emu.server.url + "/_emulator/requests").text
    assert "sk-" not in text


def test_rates_are_deterministic_per_seed():
    spec = FaultSpec.parse("429:0.1,500:0.05,slow:0.02,truncate:0.02,seed=7")
    draws = [spec.fault_for(n) for n in range(4000)]
    assert draws == [
        FaultSpec.parse("429:0.1,500:0.05,slow:0.02,truncate:0.02,seed=7").fault_for(n) for n in range(4000)
    ]
    assert draws != [
        FaultSpec.parse("429:0.1,500:0.05,slow:0.02,truncate:0.02,seed=8").fault_for(n) for n in range(4000)
    ]
    share = {k: draws.count(k) / len(draws) for k in ("429", "500", "slow", "truncate")}
    assert 0.08 < share["429"] < 0.12 and 0.03 < share["500"] < 0.07
    assert 0.005 < share["slow"] < 0.035 and 0.005 < share["truncate"] < 0.035
    assert draws.count(None) / len(draws) > 0.75
    assert (spec.seed, spec.retry_after, spec.slow_seconds) == (7, 1, 2.0)


def test_scripted_faults_queue_in_order_before_rates():
    spec = FaultSpec.parse("429x2, 500x1 ,retry_after=0,slow_seconds=0.5")
    assert [spec.fault_for(n) for n in range(5)] == ["429", "429", "500", None, None]
    assert (spec.retry_after, spec.slow_seconds) == (0, 0.5)
    assert not FaultSpec.parse(None) and not FaultSpec.parse("")
    assert FaultSpec.parse(spec) is spec


@pytest.mark.parametrize(
    "spec",
    [
        "bogus",
        "404:0.1",
        "429:2",
        "429:-0.1",
        "429:lots",
        "429xmany",
        "teapotx2",
        "seed=abc",
        "colour=red",
        "retry_after=-1",
        "429:0.7,500:0.5",
    ],
)
def test_invalid_spec_is_one_clear_sentence(spec):
    with pytest.raises(ValueError) as err:
        FaultSpec.parse(spec)
    message = str(err.value)
    assert message.startswith("Invalid fault spec") and message.endswith(".") and "\n" not in message
    assert message.count(". ") == 0, message
