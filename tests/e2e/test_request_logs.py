"""End to end, request logs: the emulator writes each request-log format for its organisation (and serves
Langfuse when its plugin is there), `finops run` lands them, prices every request from the price book and
publishes; the emulator knows who made each call and what it costs, so the marts must reproduce that truth
to the cent, each request once, on its UTC day, without any secret in the serving copy - and adding request
logs must leave the provider totals as they were."""

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from e2e_helpers import billing_sources, serving

from connectors.registry import SOURCES
from orchestration.errors import FinopsError
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 3)
END = LAST + timedelta(days=1)
REQUEST_SOURCES = tuple(s for s in SOURCES if "request_lines" in s.conformed)


@pytest.fixture(scope="module")
def emulator():
    """The billing sources with their whole history (OpenRouter keeps 30 days: its own test) and the request logs."""
    from emulator import EmulatorServer, SimulatedOrg
    from emulator.plugin import plugins_for

    sources = (*billing_sources(), *(s for s in REQUEST_SOURCES if s.emulator))
    with EmulatorServer(SimulatedOrg(plugins=plugins_for(sources)), sources=sources).start() as server:
        yield server


def _run(home: Path, env: dict[str, str]) -> Paths:
    saved = dict(os.environ)
    os.environ.update(FINOPS_HOME=str(home), **env)
    try:
        paths = Paths(home)
        prepare_environment(paths)
        check_summary(run_pipeline(FIRST, LAST))
        return paths
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def logged(emulator, tmp_path_factory):
    """A run with every source the emulator has (request logs included), and the logs it wrote."""
    env = emulator.environ(drop_dir=tmp_path_factory.mktemp("drops"), start=FIRST, end=END)
    logs = tuple(s.name for s in REQUEST_SOURCES if s.name in emulator.plugins)
    return {"paths": _run(tmp_path_factory.mktemp("home"), env), "env": env, "logs": logs}


@pytest.fixture(scope="module")
def truth(emulator, logged):
    from emulator.requests import request_truth

    return request_truth(emulator.org, FIRST, END, logs=logged["logs"])


def test_every_request_source_the_emulator_writes_is_landed(logged):
    assert {"litellm", "otel", "jsonl_requests"} <= set(logged["logs"])
    got = dict(serving(logged["paths"], "select source, count(*) from marts.fct_request_cost group by source"))
    assert set(got) == set(logged["logs"])


def test_cost_by_team_feature_user_and_day_equals_the_emulators_truth(logged, truth):
    expected: dict[tuple, list] = {}
    for row in truth:
        key = (row["usage_date"], row["log"], row["provider"], row["team"], row["feature"], row["user_id"])
        acc = expected.setdefault(key, [0, Decimal(0), 0])
        acc[0] += row["requests"]
        acc[1] += row["list_cost_usd"]
        acc[2] += row["unpriced_requests"]
    rows = serving(
        logged["paths"],
        "select usage_date, source, provider, team, feature, user_id, sum(requests), "
        "coalesce(sum(list_cost_usd), 0), sum(unpriced_requests) from marts.fct_request_cost_daily "
        "group by all",
    )
    got = {tuple(r[:6]): [r[6], r[7], r[8]] for r in rows}
    assert got.keys() == expected.keys()
    for key, (requests, cost, unpriced) in expected.items():
        assert got[key][0] == requests, key  # every request once: the re-exported one is not counted twice
        assert got[key][2] == unpriced, key
        assert got[key][1] == cost, key  # exact: both sides price each request in Decimal


def test_cost_by_team_is_the_emulators_truth_to_the_cent(emulator, logged):
    from emulator.requests import list_cost_by_team

    expected = list_cost_by_team(emulator.org, FIRST, END, logs=logged["logs"])
    got = dict(
        serving(
            logged["paths"],
            "select team, sum(list_cost_usd) from marts.fct_request_cost_daily where list_cost_usd is not null "
            "group by team",
        )
    )
    assert {t: round(c, 2) for t, c in got.items()} == {t: round(c, 2) for t, c in expected.items() if c}


def test_unknown_model_is_flagged_never_zero_and_a_failed_call_costs_zero(logged):
    unpriced = serving(
        logged["paths"],
        "select count(*), count(list_cost_usd), min(model_id) from marts.fct_request_cost where not is_priced",
    )
    assert unpriced[0][0] > 0 and unpriced[0][1] == 0 and unpriced[0][2].startswith("ft:")
    failed = serving(
        logged["paths"],
        "select count(*), sum(list_cost_usd), bool_and(is_priced) from marts.fct_request_cost "
        "where status = 'error' and input_tokens + output_tokens + cached_tokens = 0",
    )
    # one failed call a day per log
    assert failed == [(len(logged["logs"]) * 3, Decimal(0), True)]


def test_the_wrong_gateway_cost_shows_as_drift(logged):
    """The emulator's gateways report one request a day at 10x its list cost: reported - list is that
    request's 9x, visible per provider and day in the coverage mart."""
    rows = serving(
        logged["paths"],
        "select reported_cost_usd, list_cost_usd from marts.fct_request_cost "
        "where reported_cost_usd is not null and list_cost_usd > 0 and reported_cost_usd <> list_cost_usd",
    )
    reporting_logs = {"litellm", "jsonl_requests", "helicone", "langfuse"} & set(logged["logs"])
    assert len(rows) == len(reporting_logs) * 3
    assert all(reported == 10 * listed for reported, listed in rows)


def test_requests_attribute_billing_counts(emulator, logged, tmp_path_factory):
    """The same days without request logs: the provider totals are the same to the digit; the coverage
    mart says what share of usage cost the requests explain."""
    env = {k: v for k, v in logged["env"].items() if k != "FINOPS_REQUEST_LOGS" and not k.startswith("LANGFUSE_")}
    bare = _run(tmp_path_factory.mktemp("home_bare"), env)
    totals = "select usage_date, provider, sum(list_cost_usd) from marts.fct_usage_cost_daily group by all order by all"
    assert serving(bare, totals) == serving(logged["paths"], totals)
    assert serving(bare, "select count(*) from marts.fct_request_cost") == [(0,)]

    coverage = serving(
        logged["paths"],
        "select usage_date, provider, usage_cost_usd, request_cost_usd, gap_usd, explained_share, spend_usd, "
        "is_covered_by_billing from marts.mart_request_coverage_daily order by all",
    )
    assert len(coverage) == 2 * 3  # openai and anthropic, three days
    usage = dict(((d, p), c) for d, p, c in serving(logged["paths"], totals))
    for day, provider, usage_cost, request_cost, gap, share, spend, covered in coverage:
        assert covered and usage_cost == usage[(day, provider)] == spend  # requests never add to a covered day
        assert 0 < request_cost < usage_cost and gap == usage_cost - request_cost
        assert share == round(request_cost / usage_cost, 6)


def test_no_secret_inside_logged_metadata_reaches_the_warehouse_or_the_serving_copy(logged):
    """The LiteLLM export carries a Bearer token in its logged request headers, the Langfuse generations an
    Authorization header in their metadata: neither may reach any table of the warehouse (raw included) or
    of the serving copy."""
    drops = [Path(p) for p in logged["env"]["FINOPS_REQUEST_LOGS"].split(":")]
    assert any(b"sk-fake" in p.read_bytes() for p in drops if p.suffix == ".csv")  # the trap is really there
    paths = logged["paths"]
    for database, schemas in ((paths.warehouse, ("raw", "marts")), (paths.serving, ("marts",))):
        with duckdb.connect(str(database), read_only=True) as conn:
            columns = conn.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_schema in (select unnest(?)) and data_type in ('VARCHAR', 'JSON')",
                [list(schemas)],
            ).fetchall()
            assert columns
            for schema, table, column in columns:
                value = f'cast("{column}" as varchar)'
                (hits,) = conn.execute(
                    f"select count(*) from {schema}.{table} where {value} ilike ? or {value} ilike ?",
                    ["%sk-fake%", "%bearer %"],
                ).fetchone()
                assert hits == 0, f"a secret reached {database.name}: {schema}.{table}.{column}"


def test_a_file_of_no_known_format_fails_the_run_naming_it_and_keeps_what_was_loaded(logged, tmp_path):
    stray = tmp_path / "notes.csv"
    stray.write_text("when,what\n2026-11-01,lunch\n")
    before = serving(logged["paths"], "select count(*), sum(list_cost_usd) from marts.fct_request_cost")
    env = dict(logged["env"], FINOPS_REQUEST_LOGS=logged["env"]["FINOPS_REQUEST_LOGS"] + f":{stray}")
    with pytest.raises(FinopsError) as raised:
        _run(logged["paths"].home, env)
    message = str(raised.value)
    assert str(stray) in message and "not in a format this warehouse reads" in message
    assert serving(logged["paths"], "select count(*), sum(list_cost_usd) from marts.fct_request_cost") == before


def test_a_new_days_files_rebuild_only_that_day(emulator, tmp_path):
    """The request marts are incremental: a run that lands a new day's request logs rebuilds that day and
    leaves the others as they were (a row altered by hand on an earlier day stays altered), and the result
    equals the truth for all days."""
    from emulator.requests import request_truth

    home = tmp_path / "home"
    env_1 = emulator.environ(drop_dir=tmp_path / "drops_1", start=FIRST, end=LAST)
    env_1 = {k: v for k, v in env_1.items() if not k.startswith("LANGFUSE_")}  # files only: days are explicit
    paths = _run(home, env_1)
    with duckdb.connect(str(paths.warehouse)) as conn:
        conn.execute("update marts.fct_request_cost set team = 'altered by hand' where usage_date = ?", [FIRST])
        (altered,) = conn.execute(
            "select count(*) from marts.fct_request_cost where usage_date = ?", [FIRST]
        ).fetchone()

    env_2 = emulator.environ(drop_dir=tmp_path / "drops_2", start=LAST, end=END)
    env_2 = {k: v for k, v in env_2.items() if not k.startswith("LANGFUSE_")}
    both = dict(env_2, FINOPS_REQUEST_LOGS=env_1["FINOPS_REQUEST_LOGS"] + ":" + env_2["FINOPS_REQUEST_LOGS"])
    _run(home, both)
    with duckdb.connect(str(paths.warehouse), read_only=True) as conn:
        kept = conn.execute(
            "select count(*) from marts.fct_request_cost where usage_date = ? and team = 'altered by hand'", [FIRST]
        ).fetchone()
        days = dict(conn.execute("select usage_date, count(*) from marts.fct_request_cost group by 1").fetchall())
    assert kept == (altered,) and altered > 0  # the first day was not rebuilt
    logs = [s.name for s in REQUEST_SOURCES if s.name in emulator.plugins and not s.is_api]
    expected: dict = {}
    for row in request_truth(emulator.org, FIRST, END, logs=logs):
        expected[row["usage_date"]] = expected.get(row["usage_date"], 0) + row["requests"]
    assert days == expected
