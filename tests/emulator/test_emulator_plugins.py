"""Plugins: found through the sources that name them, served by prefix, written as file drops, and the one
place (``EmulatorServer.environ``) that says how each source finds the emulator.

The two sources defined here exist only in this test and bring their own plugins: the file-drop one names
this module (``PLUGIN`` below), the API one a module the test creates. The emulator's core knows neither.
"""

from __future__ import annotations

import ast
import json
import sys
import types
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests

import emulator
from connectors.errors import Hints
from connectors.registry import SOURCES
from connectors.schema import RawTable
from connectors.source import Feed, FileDrop, Source
from emulator import ApiPlugin, EmulatorServer, FileDropPlugin, SimulatedOrg, plugins_for
from emulator.api import ApiError, Request, Response
from emulator.org import Split
from emulator.plugin import check_prefixes, plugin_of, registered_sources
from emulator.pricing import PriceTable, parse_prices

EMULATOR_DIR = Path(emulator.__file__).parent


# -- a file-drop source and its plugin: a gateway's request log, one JSONL file per UTC day ---------------


class GatewayLogs(FileDropPlugin):
    """Two teams calling one model through a gateway that logs every day's totals."""

    name = "acme_gateway"
    usage_dims = ("team", "model")
    metrics = ("requests", "tokens")

    def simulate(self, org, day):
        rng = org.rng(self.name, day.isoformat())
        for team in ("search", "support"):
            yield (
                {"team": team, "model": "acme-small"},
                {"requests": rng.randint(1, 50), "tokens": rng.randint(1_000, 90_000)},
            )

    def usage_row(self, dims, metrics):
        return {**dims, **metrics}

    def split(self, row):
        return Split(row["model"], row["team"], None, "standard", 0, None, {"input_tokens": row["tokens"]})

    def write_drops(self, org, start, end, folder):
        paths = []
        day = start
        while day < end:
            path = folder / f"gateway-{day.isoformat()}.jsonl"
            path.write_text(
                "".join(json.dumps({"day": day.isoformat(), **row}) + "\n" for row in org.usage(self.name, day))
            )
            paths.append(path)
            day += timedelta(days=1)
        return paths


GATEWAY_TABLE = RawTable(
    "acme_gateway",
    "requests",
    (("day", "DATE"), ("team", "VARCHAR"), ("tokens", "BIGINT")),
    partition_column="day",
    from_files=True,
)
GATEWAY = Source(
    name="acme_gateway",
    title="ACME gateway request logs",
    setting=FileDrop("ACME_GATEWAY_LOGS", "JSONL request logs of the ACME gateway"),
    feeds=(Feed(GATEWAY_TABLE, "one row per team and day", read=lambda path: path.read_text()),),
    emulator=__name__,  # this test module: the plugin is PLUGIN below
)
GATEWAY_PRICES = "provider model_id usage_type tier gt from to unit price\nacme_gateway acme-small input_tokens standard 0 2020-01-01 - per_1m_tokens 2\n"


# -- an API source and its plugin: a vendor with its own key header, envelope and request-id header --------


class Acme(ApiPlugin):
    name = "acme"
    prefix = "/acme/api"
    fake_key = "acme-fake-key"
    request_id_header = "acme-request-id"

    def route(self, sub):
        if sub == "/teams":
            return lambda request: {"teams": [{"name": "search"}], "seed": request.org.seed}
        if sub == "/fail":

            def fail(request):
                raise ApiError(418, "teapot")

            return fail
        return None

    def authenticate(self, request: Request):
        return None if request.headers.get("acme-key") == request.key else self.error(401, "who are you")

    def error(self, status, message, kind=None, **details):
        return Response(status, {"problem": {"status": status, "detail": message}})


ACME = Source(
    name="acme",
    title="ACME API",
    setting=Hints(key_env="ACME_KEY", base_url_env="ACME_BASE_URL"),
    feeds=(
        Feed(RawTable("acme", "teams", (("name", "VARCHAR"),), partitioned=False), "teams", fetch=lambda c, s, e: []),
    ),
    client=lambda api_key, base_url: None,
    emulator="acme_emulator_plugin",  # a module only this test creates (see the acme_sources fixture)
)


PLUGIN = GatewayLogs()  # what GATEWAY's emulator= module exports


# -----------------------------------------------------------------------------------------------------------


def test_the_registered_sources_bring_the_plugins():
    with_plugin = [s for s in SOURCES if s.emulator]
    assert [s.name for s in registered_sources()] == [s.name for s in with_plugin] and with_plugin
    plugins = plugins_for()
    assert [p.name for p in plugins] == [s.name for s in with_plugin]
    for plugin, source in zip(plugins, with_plugin, strict=True):
        assert isinstance(plugin, ApiPlugin) == source.is_api
        assert not isinstance(plugin, ApiPlugin) or (plugin.prefix and plugin.fake_key)
    assert SimulatedOrg().providers == tuple(p.name for p in plugins)


def test_the_core_has_no_list_of_vendors_and_no_branch_on_a_name():
    """No core module (outside emulator/plugins/) compares anything with a vendor's name, imports a plugin or
    names a plugin module in its code (docstrings aside). The organisation's data (org.py) keys its tenancies
    by plugin name, which is data, not a branch."""
    for path in sorted(EMULATOR_DIR.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                names = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
                assert not {"openai", "anthropic"} & set(names), f"{path.name}:{node.lineno} branches on a vendor name"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = getattr(node, "module", None) or ""
                assert "plugins." not in module and not any("plugins." in a.name for a in node.names), path.name
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)
        }
        code = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and "emulator.plugins." in n.value
            and id(n) not in docstrings
        ]
        assert not code, f"{path.name} names a plugin module: {code}"


@pytest.fixture()
def acme_sources(monkeypatch):
    """This module's two sources: GATEWAY's plugin is this module's PLUGIN, ACME's is in a module that exists
    only while the test runs."""
    module = types.ModuleType("acme_emulator_plugin")
    module.PLUGIN = Acme()
    monkeypatch.setitem(sys.modules, "acme_emulator_plugin", module)
    return ACME, GATEWAY


def test_a_source_outside_the_registry_brings_its_own_api_plugin(acme_sources):
    acme, _ = acme_sources
    sources = (*registered_sources(), acme)
    with EmulatorServer(sources=sources, faults="500x1,429x1,retry_after=0") as server:
        env = server.environ()
        assert env["ACME_BASE_URL"] == server.url + "/acme/api" == server.base_url("acme")
        assert env["ACME_KEY"] == "acme-fake-key" == server.key("acme")
        assert {"OPENAI_BASE_URL", "OPENAI_ADMIN_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_ADMIN_KEY"} < set(env)
        url, headers = env["ACME_BASE_URL"], {"acme-key": env["ACME_KEY"]}
        failed = requests.get(url + "/teams", headers=headers, timeout=5)  # the faults use the plugin's envelope
        assert failed.status_code == 500 and set(failed.json()) == {"problem"} and "acme-request-id" in failed.headers
        limited = requests.get(url + "/teams", headers=headers, timeout=5)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "0" and "problem" in limited.json()
        ok = requests.get(url + "/teams", headers=headers, timeout=5)
        assert ok.json() == {"teams": [{"name": "search"}], "seed": 42} and ok.headers["acme-request-id"].startswith(
            "req_emu"
        )
        assert requests.get(url + "/teams", headers={"acme-key": "nope"}, timeout=5).json() == {
            "problem": {"status": 401, "detail": "who are you"}
        }
        assert requests.get(url + "/fail", headers=headers, timeout=5).status_code == 418
        assert requests.get(url + "/nothing", headers=headers, timeout=5).json()["problem"]["status"] == 404
        # the vendors' own plugins are untouched by the newcomer
        assert (
            requests.get(
                server.base_url("openai") + "/organization/projects",
                headers={"Authorization": f"Bearer {server.key('openai')}"},
                timeout=5,
            ).status_code
            == 200
        )


def test_a_file_drop_plugin_writes_its_files_and_environ_points_at_them(acme_sources, tmp_path):
    _, gateway = acme_sources
    start, end = date(2025, 6, 1), date(2025, 6, 4)
    org = SimulatedOrg(
        seed=5, plugins=plugins_for([gateway]), prices=PriceTable(parse_prices(GATEWAY_PRICES), aliases=())
    )
    server = EmulatorServer(org, sources=[gateway], drop_dir=tmp_path)  # file drops only: no need to start it
    env = server.environ(start=start, end=end)
    paths = [Path(p) for p in env["ACME_GATEWAY_LOGS"].split(":")]
    assert set(env) == {"ACME_GATEWAY_LOGS"}
    assert paths == [tmp_path / "acme_gateway" / f"gateway-2025-06-0{d}.jsonl" for d in (1, 2, 3)]
    rows = [json.loads(line) for p in paths for line in p.read_text().splitlines()]
    assert [(r["day"], r["team"]) for r in rows] == [
        (f"2025-06-0{d}", t) for d in (1, 2, 3) for t in ("search", "support")
    ]
    # the files are the organisation's usage, and its ground truth prices exactly that usage
    truth = org.ground_truth(start, end)
    assert [(t["usage_date"].isoformat(), t["provider"], t["model_id"]) for t in truth] == [
        (f"2025-06-0{d}", "acme_gateway", "acme-small") for d in (1, 2, 3)
    ]
    for t in truth:
        tokens = sum(r["tokens"] for r in rows if r["day"] == t["usage_date"].isoformat())
        assert t["list_cost_usd"] == t["billed_cost_usd"] == tokens * 2 / Decimal(1_000_000)
    # deterministic, and a folder given to environ() wins
    before = [p.read_bytes() for p in paths]
    again = server.environ([gateway], drop_dir=tmp_path / "other", start=start, end=end)
    assert [Path(p).read_bytes() for p in again["ACME_GATEWAY_LOGS"].split(":")] == before
    assert again["ACME_GATEWAY_LOGS"].startswith(str(tmp_path / "other" / "acme_gateway"))


def test_a_file_drop_without_a_folder_gets_a_temporary_one_removed_at_stop(acme_sources):
    _, gateway = acme_sources
    org = SimulatedOrg(plugins=plugins_for([gateway]), prices=PriceTable(parse_prices(GATEWAY_PRICES), aliases=()))
    with EmulatorServer(org, sources=[gateway]) as server:
        (path,) = server.environ(start=date(2025, 1, 1), end=date(2025, 1, 2))["ACME_GATEWAY_LOGS"].split(":")
        assert Path(path).is_file()
    assert not Path(path).exists()


def test_environ_for_some_sources_and_the_mistakes(emu_server):
    assert emu_server.environ(["anthropic"]) == {
        "ANTHROPIC_BASE_URL": emu_server.url + "/anthropic",
        "ANTHROPIC_ADMIN_KEY": "sk-ant-admin01-emulator-fake",
    }
    everything = emu_server.environ()
    for source in SOURCES:  # every source the emulator renders (litellm_postgres is a database: it has none)
        assert not source.emulator or set(source.env_vars) <= set(everything), source.name
    with pytest.raises(ValueError, match="does not serve source 'nope'"):
        emu_server.environ(["nope"])
    with pytest.raises(ValueError, match="not an API source"):
        emu_server.base_url("nope")
    with EmulatorServer(keys={"openai": "sk-admin-other-fake"}) as other:
        assert other.environ(["openai"])["OPENAI_ADMIN_KEY"] == "sk-admin-other-fake" == other.key("openai")
    with pytest.raises(ValueError, match="keys= names no API plugin"):
        EmulatorServer(keys={"nope": "x"})


def test_plugins_are_checked(acme_sources):
    acme, gateway = acme_sources
    assert plugin_of(gateway) is PLUGIN and plugin_of(acme) is sys.modules["acme_emulator_plugin"].PLUGIN
    clash = type("Clash", (Acme,), {"name": "clash", "prefix": "/openai"})()
    with pytest.raises(ValueError, match="overlapping URL prefixes"):
        check_prefixes((*plugins_for(), clash))
    with pytest.raises(ValueError, match="not rendered by the plugins of acme"):
        EmulatorServer(SimulatedOrg(), sources=(*registered_sources(), acme))
    wrong_kind = Source(
        GATEWAY.name,
        GATEWAY.title,
        Hints(key_env="K", base_url_env="U"),
        GATEWAY.feeds,
        client=lambda k, u: None,
        emulator=__name__,
    )
    with pytest.raises(TypeError, match="is an API source"):
        plugins_for([wrong_kind])
    misnamed = Source(
        "other", GATEWAY.title, GATEWAY.setting, (Feed(RawTable("other", "x", ()), "x", read=str),), emulator=__name__
    )
    with pytest.raises(ValueError, match="named 'acme_gateway', but its source is 'other'"):
        plugins_for([misnamed])
