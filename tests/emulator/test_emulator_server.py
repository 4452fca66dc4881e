"""The server object, the out-of-process helpers and the command line."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from emu_helpers import ANTHROPIC_HEADERS, rfc3339

from connectors.registry import SOURCES
from emulator import EmulatorServer, SimulatedOrg, serve
from emulator.api import decimal_text, dumps

REPO = Path(__file__).resolve().parents[2]


def test_urls_and_lifecycle():
    server = EmulatorServer()
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        assert server.base_url("openai") == server.url + "/openai/v1"
        assert server.base_url("anthropic") == server.url + "/anthropic"
        assert server.start() is server  # idempotent
        assert requests.get(server.url + "/_emulator/health", timeout=5).json()["ok"] is True
        url = server.url
    assert not server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/_emulator/health", timeout=2)


def test_binds_to_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(host="0.0.0.0")


def test_ground_truth_endpoint_has_decimal_strings(emu, emu_org):
    resp = emu.session.get(
        emu.server.url + "/_emulator/ground_truth", params={"start": "2025-06-09", "end": "2025-06-11"}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert (body["start"], body["end"], body["seed"]) == ("2025-06-09", "2025-06-11", 42)
    truth = emu_org.ground_truth(date(2025, 6, 9), date(2025, 6, 11))
    assert len(body["data"]) == len(truth)
    for got, want in zip(body["data"], truth, strict=True):
        assert got["usage_date"] == want["usage_date"].isoformat() and got["model_raw"] == want["model_raw"]
        assert isinstance(got["billed_cost_usd"], str) and Decimal(got["billed_cost_usd"]) == want["billed_cost_usd"]
        assert (
            got["list_cost_usd"] is None
            if not want["is_priced"]
            else Decimal(got["list_cost_usd"]) == want["list_cost_usd"]
        )
    assert (
        emu.session.get(emu.server.url + "/_emulator/ground_truth", params={"start": "2025-06-09"}).status_code == 400
    )


def test_revise_changes_one_provider_day_and_can_be_undone():
    def totals(org, provider):
        return {
            day: sum(
                r["billed_cost_usd"]
                for r in org.ground_truth(day, day + timedelta(days=1))
                if r["provider"] == provider
            )
            for day in (date(2025, 6, 9), date(2025, 6, 10))
        }

    with EmulatorServer() as server:
        revise = server.url + "/_emulator/revise"
        before = {p: totals(server.org, p) for p in ("openai", "anthropic")}
        answer = requests.post(revise, params={"provider": "openai", "day": "2025-06-09", "factor": "2"}, timeout=5)
        assert answer.status_code == 200 and answer.json()["factor"] == 2
        after = {p: totals(server.org, p) for p in ("openai", "anthropic")}
        # about twice the usage (token counts are whole numbers), only on that provider and day
        assert abs(after["openai"][date(2025, 6, 9)] / before["openai"][date(2025, 6, 9)] - 2) < Decimal("0.001")
        assert after["openai"][date(2025, 6, 10)] == before["openai"][date(2025, 6, 10)]
        assert after["anthropic"] == before["anthropic"]
        requests.post(revise, params={"provider": "openai", "day": "2025-06-09", "factor": "1"}, timeout=5)
        assert totals(server.org, "openai") == before["openai"]
        for params in (
            {"provider": "nobody", "day": "2025-06-09", "factor": "2"},
            {"provider": "openai", "day": "June"},
            {"provider": "openai", "day": "2025-06-09", "factor": "0"},
        ):
            bad = requests.post(revise, params=params, timeout=5)
            assert bad.status_code == 400 and "provider=P&day=YYYY-MM-DD&factor=F" in bad.json()["error"]
        assert requests.get(revise, timeout=5).status_code == 405


def test_methods_other_than_get_are_refused(emu):
    resp = emu.session.post(
        emu.server.base_url("openai") + "/organization/projects",
        headers={"Authorization": f"Bearer {emu.server.key('openai')}"},
        json={},
    )
    assert resp.status_code == 405 and "error" in resp.json()
    assert emu.session.get(emu.server.url + "/nowhere").status_code == 404


def test_exact_decimal_json():
    assert decimal_text(Decimal("1E-7")) == "0.0000001"
    assert decimal_text(Decimal("12.3400")) == "12.34"
    assert decimal_text(Decimal("1.2E+3")) == "1200"
    assert dumps({"v": Decimal("0.00000375"), "s": "x", "n": None}) == b'{"v":0.00000375,"s":"x","n":null}'


def test_serve_prints_urls_and_keys_then_stops():
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=serve, kwargs={"port": 0, "seed": 3, "faults": "429x1", "out": out, "stop": stop})
    thread.start()
    try:
        for _ in range(3000):  # it writes 30 days of request-log files before it prints
            if "Ctrl-C" in out.getvalue():
                break
            threading.Event().wait(0.02)
        lines = dict(line.split("=", 1) for line in out.getvalue().splitlines() if "=" in line and " " not in line)
        # every registered source's settings: API keys and base URLs, Langfuse's three, the request logs' files
        assert set(lines) == {name for source in SOURCES for name in source.env_vars if source.emulator}
        truth = requests.get(
            lines["OPENAI_BASE_URL"].replace("/openai/v1", "/_emulator/ground_truth"),
            params={"start": "2025-01-01", "end": "2025-01-02"},
            timeout=5,
        )
        assert truth.json()["seed"] == 3
        resp = requests.get(
            lines["ANTHROPIC_BASE_URL"] + "/v1/organizations/workspaces",
            headers={"x-api-key": lines["ANTHROPIC_ADMIN_KEY"], "anthropic-version": "2023-06-01"},
            timeout=5,
        )
        assert resp.status_code == 429
    finally:
        stop.set()
        thread.join(5)
    assert "Emulator stopped." in out.getvalue()


def test_command_line_runs_in_the_foreground_and_stops_on_ctrl_c():
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--seed", "7"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell running pytest in the background makes children ignore SIGINT; give Ctrl-C back
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        url = lines[0].strip().split("=", 1)[1]
        assert lines[0].startswith("OPENAI_BASE_URL=http://127.0.0.1:") and url.endswith("/openai/v1")
        assert lines[1].strip() == "OPENAI_ADMIN_KEY=sk-admin-emulator-fake"
        assert requests.get(url.replace("/openai/v1", "/_emulator/health"), timeout=5).json() == {"ok": True}
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0 and "Traceback" not in err and "Emulator stopped." in out


def test_command_line_stops_cleanly_on_sigterm():
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().startswith("OPENAI_BASE_URL=")
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0 and "Traceback" not in err and "Emulator stopped." in out


def test_command_line_rejects_a_bad_fault_spec():
    proc = subprocess.run(
        [sys.executable, "-m", "emulator", "--faults", "429:lots"], cwd=REPO, capture_output=True, text=True, timeout=20
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: Invalid fault spec") and proc.stderr.count("\n") == 1


def test_parallel_requests_get_the_same_answers_as_sequential_ones():
    starts = [date(2024, 1, 1).replace(month=m) for m in range(1, 13)]
    with EmulatorServer(SimulatedOrg(seed=42)) as server:

        def fetch(start: date) -> bytes:
            params = [
                ("starting_at", rfc3339(start)),
                ("limit", 31),
                ("group_by[]", "model"),
                ("group_by[]", "workspace_id"),
            ]
            url = server.base_url("anthropic") + "/v1/organizations/usage_report/messages"
            return requests.get(url, params=params, headers=ANTHROPIC_HEADERS, timeout=10).content

        with ThreadPoolExecutor(max_workers=12) as pool:
            parallel = list(pool.map(fetch, starts))
        assert parallel == [fetch(s) for s in starts]
        assert len(server.requests) == 24 and {r["status"] for r in server.requests} == {200}
