"""End to end: emulator -> connectors -> raw -> dbt -> quality gate -> serving copy, through the same
Dagster job `finops run` executes. The emulator knows the ground truth, so the marts must reproduce it
to the cent, twice in a row, without any key reaching a file."""

import logging
import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from e2e_helpers import api_keys, billing_emulator, serving, snapshot, usage_sources

from orchestration.errors import FinopsError
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

# Four UTC days around OpenAI's o3 price cut (2025-06-10) and after the Anthropic 1-hour cache launch.
FIRST, LAST = date(2025, 6, 8), date(2025, 6, 11)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def emulator():
    with billing_emulator().start() as server:
        yield server


@pytest.fixture(scope="module")
def pipeline(emulator, tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    saved = dict(os.environ)
    os.environ.update(FINOPS_HOME=str(home), **emulator.environ(usage_sources(emulator)))
    paths = Paths(home)
    prepare_environment(paths)
    try:
        started_on = datetime.now(UTC).date()
        first = run_pipeline(FIRST, LAST)
        check_summary(first)
        snapshot_1 = snapshot(paths)
        second = run_pipeline(FIRST, LAST)
        check_summary(second)
        snapshot_2 = snapshot(paths)
        days = (started_on, datetime.now(UTC).date())  # UTC days the two runs began and ended on
        yield {"paths": paths, "runs": (first, second), "snapshots": (snapshot_1, snapshot_2), "days": days}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def point_at(monkeypatch, home, server) -> None:
    """This test's environment: FINOPS_HOME and the emulator's base URLs and fake keys. (The autouse
    fixture in tests/conftest.py resets them for every test.)"""
    monkeypatch.setenv("FINOPS_HOME", str(home))
    for name, value in server.environ(usage_sources(server)).items():
        monkeypatch.setenv(name, value)


def test_list_cost_per_day_provider_model_equals_ground_truth(pipeline, emulator):
    truth = {}
    for row in emulator.org.ground_truth(FIRST, LAST + timedelta(days=1)):
        if row["is_priced"]:
            key = (row["usage_date"], row["provider"], row["model_id"])
            truth[key] = truth.get(key, Decimal(0)) + row["list_cost_usd"]
    marts = {
        (d, p, m): c
        for d, p, m, c in serving(
            pipeline["paths"],
            "select usage_date, provider, model_id, sum(list_cost_usd) from marts.fct_usage_cost_daily "
            "where is_priced group by all",
        )
    }
    assert truth, "the emulator produced no priced usage"
    assert set(marts) == set(truth)
    for key, expected in truth.items():
        assert marts[key].quantize(CENT) == expected.quantize(CENT), key
        assert abs(marts[key] - expected) < Decimal("1e-9"), key


def test_the_o3_price_cut_shows(pipeline):
    rows = dict(
        serving(
            pipeline["paths"],
            "select usage_date, max(unit_price_usd) from marts.fct_usage_cost_daily "
            "where model_id = 'o3-2025-04-16' and usage_type = 'output_tokens' and service_tier = 'standard' "
            "group by 1",
        )
    )
    assert rows[date(2025, 6, 9)] == Decimal("40")
    assert rows[date(2025, 6, 10)] == Decimal("8")


def test_unpriced_usage_is_flagged_never_zero(pipeline):
    rows = serving(
        pipeline["paths"],
        "select count(*), count(list_cost_usd), count(unit_price_usd) from marts.fct_usage_cost_daily where not is_priced",
    )
    unpriced, with_cost, with_price = rows[0]
    assert unpriced > 0 and with_cost == 0 and with_price == 0


def test_reconciliation_matches_wherever_the_invoice_matches(pipeline):
    statuses = serving(
        pipeline["paths"],
        "select status, count(*), max(abs(variance_usd)) filter (where status = 'matched') "
        "from marts.fct_cost_reconciliation_daily group by 1",
    )
    by_status = {s: (n, v) for s, n, v in statuses}
    assert set(by_status) <= {"matched", "unpriced_usage"}, by_status
    assert by_status["matched"][0] > 0 and by_status["matched"][1] < CENT
    # every non-matched (day, account) is one where unpriced usage happened
    unmatched = serving(
        pipeline["paths"],
        "select r.usage_date, r.account_id from marts.fct_cost_reconciliation_daily r "
        "where r.status <> 'matched' and not exists (select 1 from marts.fct_usage_cost_daily u "
        "where u.usage_date = r.usage_date and u.account_id = r.account_id and not u.is_priced)",
    )
    assert unmatched == []


def test_every_day_sums_to_the_range(pipeline, emulator):
    """The sum rule, against numbers this project did not compute: each day of the marts equals the
    emulator's ground truth of that day alone, the range equals its ground truth of the whole range
    (double-counted or lost rows at a day's edge would break one or the other), and the reconciliation
    mart's computed cost adds up to the same range total."""
    paths = pipeline["paths"]
    days = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    by_day = dict(
        serving(
            paths, "select usage_date, sum(list_cost_usd) from marts.fct_usage_cost_daily where is_priced group by 1"
        )
    )
    for day in days:
        truth = sum(emulator.org.ground_truth_totals(day, day + timedelta(days=1)).values(), Decimal(0))
        assert abs(by_day[day] - truth) < Decimal("1e-9"), day
    whole = sum(emulator.org.ground_truth_totals(FIRST, LAST + timedelta(days=1)).values(), Decimal(0))
    assert abs(sum(by_day.values(), Decimal(0)) - whole) < Decimal("1e-9")
    (reconciled,) = serving(paths, "select sum(computed_cost_usd) from marts.fct_cost_reconciliation_daily")[0]
    assert abs(reconciled - whole) < Decimal("1e-9")


def test_every_key_in_usage_has_its_name_from_the_key_lists(pipeline, emulator):
    """dim_api_key names each key the usage mart mentions as the providers' key lists name it (the emulator's
    organisation is the truth); usage without a key is 'No API key'; no part of a key's secret is kept."""
    paths = pipeline["paths"]
    names = dict(serving(paths, "select api_key_id, api_key_name from marts.dim_api_key"))
    used = {k for (k,) in serving(paths, "select distinct api_key_id from marts.fct_usage_cost_daily")}
    truth = {k.id: k.name for provider in ("openai", "anthropic") for k in emulator.org.keys(provider)}
    listed_and_used = used & set(truth)
    assert len(listed_and_used) >= 4, used
    assert {k: names[k] for k in listed_and_used} == {k: truth[k] for k in listed_and_used}
    assert used <= set(names)
    if "(none)" in used:
        assert names["(none)"] == "No API key"
    with duckdb.connect(str(paths.warehouse), read_only=True) as conn:
        raws = conn.execute(
            "select id, cast(_raw as varchar) from raw.openai_api_keys union all "
            "select id, cast(_raw as varchar) from raw.anthropic_api_keys"
        ).fetchall()
    assert listed_and_used <= {i for i, _ in raws} <= set(truth)
    assert not [r for _, r in raws if "****" in r or "redacted_value" in r or "partial_key_hint" in r]


def test_key_owners_are_named_from_the_users_lists(pipeline, emulator):
    """The providers' users lists land as dim_user; a key whose list gives only its owner's user id (Anthropic's
    created_by, OpenAI's owner without a name) is named from them; service accounts keep their id."""
    paths = pipeline["paths"]
    users = {
        (p, u): (n, e)
        for p, u, n, e in serving(paths, "select provider, user_id, user_name, email from marts.dim_user")
    }
    truth = {
        (provider, u.id): (u.name, u.email)
        for provider in ("openai", "anthropic")
        for u in emulator.org.tenancy(provider).users
    }
    assert users == truth
    owners = dict(
        serving(paths, "select api_key_id, owned_by from marts.dim_api_key where is_listed and owner_type = 'user'")
    )
    names = {u.id: u.name for provider in ("openai", "anthropic") for u in emulator.org.tenancy(provider).users}
    expected = {k.id: names[k.user_id] for k in emulator.org.keys("openai") if k.user_id} | {
        k.id: names[emulator.org.tenancy("anthropic").admin] for k in emulator.org.keys("anthropic")
    }
    assert owners == expected


def test_running_twice_changes_nothing(pipeline):
    first, second = pipeline["snapshots"]
    assert first.keys() == second.keys()
    assert all(
        first[t] for t in ("raw.openai_completions_usage", "raw.anthropic_messages_usage", "marts.fct_usage_cost_daily")
    )
    for table in first:
        assert first[table] == second[table], table


def test_a_second_run_on_the_same_data_leaves_every_dbt_node_as_it_was(pipeline):
    """The second run re-lands the same four days: every raw row, config table and seed is what it was, so dbt
    builds no model again (orchestration/dbt_state.py), and test_running_twice_changes_nothing shows the marts are
    still right. Only a node that reads the current date would be rebuilt, if the UTC day turned between the runs."""
    import json

    from orchestration import dbt_state
    from orchestration.defs.transform.project import dbt_project

    first, second = pipeline["runs"]
    with duckdb.connect(str(pipeline["paths"].warehouse), read_only=True) as conn:
        state = dict(conn.execute(f"select unique_id, run_id from {dbt_state.STATE_TABLE}").fetchall())
    built_first = {uid for uid, run in state.items() if run == first.run_id}
    built_second = {uid for uid, run in state.items() if run == second.run_id}
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    models = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] in dbt_state.BUILT}
    assert models <= built_first | built_second, "every model, seed and snapshot built and recorded"
    assert len(built_first) > 400  # models and passing tests of the first run
    # The forecast table is written after the first phase of dbt: the first run's tests of it saw no table, the
    # second run's see the forecast the first run wrote, so they run again (and only they).
    changed = _descendants(manifest, {"source.ai_spend.forecast.spend_forecast_daily"})
    if pipeline["days"][0] != pipeline["days"][1]:  # the UTC day turned: what reads the date is built again too
        changed |= _descendants(
            manifest, {uid for uid, node in manifest["nodes"].items() if dbt_state.reads_today(node, manifest)}
        )
    assert built_second <= changed
    assert not built_second & models or pipeline["days"][0] != pipeline["days"][1], "no model built twice"


def test_the_catalog_of_checks_holds_every_check_the_runs_recorded(pipeline):
    """Every check either run recorded (raw landings, dbt tests, the marts' gate) is in the published catalog of
    checks, which the Data health page reads: a check that a part of the pipeline records without defining it
    would vanish from the page. The second run left out the dbt tests whose inputs were unchanged, yet defines them
    all: one row per data test of the manifest."""
    import json

    from orchestration.defs.transform.project import dbt_project

    first, second = pipeline["runs"]
    with duckdb.connect(str(pipeline["paths"].serving), read_only=True) as conn:
        recorded = set(conn.execute("select distinct layer, asset, check_name from marts.quality_results").fetchall())
        defined = conn.execute("select scope, layer, asset, check_name, run_id from marts.quality_checks").fetchall()
        ran_second = conn.execute(
            "select count(distinct check_name || asset) from marts.quality_results where run_id = ? "
            "and layer in ('staging', 'intermediate', 'seed')",
            [second.run_id],
        ).fetchall()[0][0]
    # (and more: a landing with nothing to judge, of a source not configured here, still defines its rules)
    assert recorded <= {(layer, asset, name) for _, layer, asset, name, _ in defined}
    assert {run for *_, run in defined} == {second.run_id}
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    tests = [uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"]
    dbt_defined = [row for row in defined if row[0] == "dbt"]
    assert len(dbt_defined) == len(tests) > 300
    assert ran_second < len(dbt_defined) / 2  # most were left out as unchanged in the second run


def _descendants(manifest: dict, roots: set[str]) -> set[str]:
    found, frontier = set(roots), set(roots)
    while frontier:
        frontier = {
            uid
            for uid, node in manifest["nodes"].items()
            if uid not in found and frontier & set(node.get("depends_on", {}).get("nodes", []))
        }
        found |= frontier
    return found


def test_no_admin_key_in_any_file_under_finops_home(pipeline, emulator):
    secrets = [key.encode() for key in api_keys(emulator)]
    files = [p for p in Path(pipeline["paths"].home).rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret not in data, f"admin key found in {path}"


def test_a_bad_key_fails_with_one_sentence_and_loses_nothing(pipeline, emulator, monkeypatch):
    paths = pipeline["paths"]
    before = snapshot(paths)
    point_at(monkeypatch, paths.home, emulator)
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-wrong-but-fake")
    summary = run_pipeline(FIRST, FIRST, sources=["openai"])
    with pytest.raises(FinopsError) as excinfo:
        check_summary(summary)
    message = str(excinfo.value)
    assert "OPENAI_ADMIN_KEY" in message and "sk-admin-wrong-but-fake" not in message
    assert "\n" not in message
    assert snapshot(paths) == before
    # the failed run's event log (Dagster's sqlite under FINOPS_HOME) holds the error, but never the key
    for path in Path(paths.home).rglob("*"):
        if path.is_file():
            assert b"sk-admin-wrong-but-fake" not in path.read_bytes(), path


def test_another_organisation_and_era_also_matches_ground_truth(tmp_path, monkeypatch, caplog):
    """A different simulated organisation (seed) in another era: the gpt-4o alias moves from the 2024-05-13
    snapshot to 2024-08-06 on 2024-10-02 and prompt caching starts. No code or config changes. Claude Code
    did not exist yet: its report lands nothing and the run says so in one line."""
    first, last = date(2024, 10, 1), date(2024, 10, 2)
    with billing_emulator(seed=7).start() as server:
        home = tmp_path / "home"
        point_at(monkeypatch, home, server)
        paths = Paths(home)
        prepare_environment(paths)
        with caplog.at_level(logging.INFO, logger="finops"):
            check_summary(run_pipeline(first, last))
        truth = server.org.ground_truth_totals(first, last + timedelta(days=1))
    said = [r.getMessage() for r in caplog.records if r.name == "finops" and "Claude Code" in r.getMessage()]
    assert said == [
        "anthropic/claude_code_usage: the Claude Code usage report has no records for UTC days 2024-10-01..2024-10-02 "
        "(nobody in the organisation used Claude Code)."
    ]
    marts = {
        (d, p, m): c
        for d, p, m, c in serving(
            paths,
            "select usage_date, provider, model_id, sum(list_cost_usd) from marts.fct_usage_cost_daily "
            "where is_priced group by all",
        )
    }
    assert set(marts) == set(truth)
    assert all(abs(marts[k] - truth[k]) < Decimal("1e-9") for k in truth)
    aliases = dict(
        serving(
            paths,
            "select usage_date, max(model_id) from marts.fct_usage_cost_daily where model_raw = 'gpt-4o' group by 1",
        )
    )
    assert aliases == {date(2024, 10, 1): "gpt-4o-2024-05-13", date(2024, 10, 2): "gpt-4o-2024-08-06"}


def test_a_failing_dbt_test_blocks_publish_and_keeps_the_last_good_copy(pipeline, emulator, monkeypatch):
    """Runs last in this module: it corrupts the shared warehouse for one run, then repairs it."""
    paths = pipeline["paths"]
    point_at(monkeypatch, paths.home, emulator)
    published_before = serving(paths, "select run_id from marts.publish_info")
    bad_day = FIRST - timedelta(days=30)  # outside the run's window, so the reload does not replace it
    with duckdb.connect(str(paths.warehouse)) as conn:
        conn.execute(
            "insert into raw.openai_completions_usage (bucket_start, bucket_end, project_id, api_key_id, model, batch, "
            "service_tier, input_tokens, output_tokens, num_model_requests, _source, _partition_date, _loaded_at, "
            "_run_id, _raw) values (?, ?, 'proj_x', 'key_x', 'gpt-4o', false, 'default', 100, -50, 1, 'openai', ?, "
            "now(), 'corrupt', '{}')",
            [bad_day, bad_day + timedelta(days=1), bad_day],
        )
    try:
        summary = run_pipeline(FIRST, FIRST)
        with pytest.raises(FinopsError, match="the quality gate failed .*output_tokens.*nothing was published"):
            check_summary(summary)
        assert serving(paths, "select run_id from marts.publish_info") == published_before
    finally:
        with duckdb.connect(str(paths.warehouse)) as conn:
            conn.execute("delete from raw.openai_completions_usage where _run_id = 'corrupt'")
