"""The Dagster definitions load, and the graph is what the design says (catches silent layout breaks)."""

import difflib
import os
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.ingest.factory import chunks
from orchestration.defs.schedules import trailing_window

pytestmark = pytest.mark.filterwarnings("ignore")

INGEST = {
    ("openai", "completions_usage"),
    ("openai", "costs"),
    ("openai", "projects"),
    ("openai", "api_keys"),
    ("anthropic", "messages_usage"),
    ("anthropic", "cost_report"),
    ("anthropic", "workspaces"),
    ("anthropic", "api_keys"),
}
MARTS = {"fct_usage_cost_daily", "fct_billed_cost_daily", "fct_cost_reconciliation_daily", "mart_cost_anomalies"}


GRAPH_FILE = Path(__file__).with_name("asset_graph.txt")


@pytest.fixture(scope="module")
def definitions():
    from orchestration.definitions import defs

    return defs()


def render_graph(definitions) -> str:
    """Every asset with its parents, every check (blocking or not), job, schedule and sensor, one a line."""
    graph = definitions.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        parents = ", ".join(sorted(p.to_user_string() for p in graph.get(key).parent_keys))
        lines.append(f"asset {key.to_user_string()} <- {parents or '-'}")
    blocking = {spec.key: spec.blocking for checks in definitions.asset_checks or [] for spec in checks.check_specs}
    for check in sorted(graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)):
        mark = " (blocking)" if blocking.get(check) else ""
        lines.append(f"check {check.asset_key.to_user_string()}:{check.name}{mark}")
    repository = definitions.get_repository_def()
    lines += [
        f"job {job.name}"
        for job in sorted(repository.get_all_jobs(), key=lambda j: j.name)
        if not job.name.startswith("__")
    ]
    lines += [f"schedule {s.name}" for s in sorted(repository.schedule_defs, key=lambda s: s.name)]
    lines += [f"sensor {s.name}" for s in sorted(repository.sensor_defs, key=lambda s: s.name)]
    return "\n".join(lines) + "\n"


def test_the_graph_is_the_checked_in_one(definitions):
    """A renamed asset, a lost check or a broken lineage shows up in review as a diff of asset_graph.txt.
    After an intended change: UPDATE_ASSET_GRAPH=1 .venv/bin/python -m pytest tests/orchestration/test_defs.py"""
    actual = render_graph(definitions)
    if os.environ.get("UPDATE_ASSET_GRAPH"):
        GRAPH_FILE.write_text(actual)
    expected = GRAPH_FILE.read_text()
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "checked in", "now"))
    assert actual == expected, "the Dagster graph changed (rerun with UPDATE_ASSET_GRAPH=1 if intended):\n" + diff


def test_every_asset_of_the_design_is_there(definitions):
    keys = {tuple(k.path) for k in definitions.resolve_all_asset_keys()}
    assert INGEST <= keys
    assert {("marts", m) for m in MARTS} <= keys
    assert ("serving", "marts") in keys


def test_lineage_runs_from_the_api_to_the_serving_copy(definitions):
    graph = definitions.resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["serving", "marts"])).parent_keys
    assert {dg.AssetKey(["marts", m]) for m in MARTS} <= upstream
    # the dbt source key is the ingest asset key, so lineage joins by itself
    seen, frontier = set(), [dg.AssetKey(["marts", "fct_usage_cost_daily"])]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    assert dg.AssetKey(["openai", "completions_usage"]) in seen
    assert dg.AssetKey(["anthropic", "messages_usage"]) in seen


def test_quality_gate_checks_are_blocking_except_unpriced(definitions):
    specs = {
        (tuple(spec.asset_key.path), spec.name): spec
        for checks in [*(definitions.asset_checks or []), *(definitions.assets or [])]
        for spec in checks.check_specs
    }
    assert specs[(("marts", "fct_usage_cost_daily"), "fct_usage_cost_daily__no_negative_quantity")].blocking
    assert specs[(("marts", "fct_usage_cost_daily"), "fct_usage_cost_daily__unique_natural_key")].blocking
    assert not specs[(("marts", "fct_usage_cost_daily"), "fct_usage_cost_daily__usage_has_price")].blocking
    # raw-landing errors do not stop the build (so the mart gate can name a day's other problems); publish and the
    # alert log refuse a run with a stored error instead (tests/orchestration/test_gate_blocks_publish.py)
    assert (("openai", "completions_usage"), "openai_completions_usage__unique_natural_key") in specs
    raw = [
        spec
        for (key, name), spec in specs.items()
        if key[0] != "marts" and name.endswith(("__unique_natural_key", "__no_negative_quantity"))
    ]
    assert len(raw) > 40 and not any(spec.blocking for spec in raw)
    # ... and run in the ingest asset's own step: every step downstream (dbt, the gate, publish) comes after them
    # under any executor, so publish never reads ops.quality_results before a raw check wrote its error there
    ingest = definitions.resolve_assets_def(dg.AssetKey(["openai", "completions_usage"]))
    assert "openai_completions_usage__unique_natural_key" in {spec.name for spec in ingest.check_specs}


def test_job_and_schedule(definitions):
    job = definitions.resolve_job_def("daily_spend_job")
    assert job.partitions_def is not None
    schedule = definitions.resolve_schedule_def("daily_spend_job_schedule")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 6, 10, 6, tzinfo=UTC))
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["dagster/asset_partition_range_start"] == "2025-06-07"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-06-09"
    assert request.tags["finops/trailing"] == "true"  # each source re-pulls its own window inside the range


def test_the_schedule_widens_to_the_slowest_configured_source(definitions, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "sk-ant-admin-fake-not-a-key")
    monkeypatch.setenv("FINOPS_ANTHROPIC_REVISION_DAYS", "7")
    schedule = definitions.resolve_schedule_def("daily_spend_job_schedule")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 6, 10, 6, tzinfo=UTC))
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["dagster/asset_partition_range_start"] == "2025-06-03"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-06-09"


def test_trailing_window_is_the_last_three_complete_days():
    assert trailing_window(date(2025, 3, 1)) == (date(2025, 2, 26), date(2025, 2, 28))


def test_chunks_cover_the_window_exactly_once():
    parts = list(chunks(date(2024, 1, 1), date(2024, 3, 5), size=31))
    assert parts[0] == (date(2024, 1, 1), date(2024, 2, 1))
    assert parts[-1][1] == date(2024, 3, 5)
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))
    assert sum((hi - lo).days for lo, hi in parts) == (date(2024, 3, 5) - date(2024, 1, 1)).days


def test_a_run_of_one_source_is_a_valid_subset_of_the_daily_job(definitions):
    """`finops run --source openai`: the other sources' ingest is left out, every dbt model stays, and a dbt
    source nothing materialises (config.reconciliation_tolerance, written by the dbt step) is not selected,
    which Dagster would refuse ("Selected keys must be a subset of existing executable asset keys")."""
    from orchestration.runner import source_selection

    selection = source_selection(definitions, ["openai"])
    keys = {"/".join(k.path) for k in selection}
    assert "openai/completions_usage" in keys and "anthropic/messages_usage" not in keys
    assert "marts/fct_cost_reconciliation_daily" in keys
    assert "config/reconciliation_tolerance" not in keys
    job = definitions.resolve_job_def("daily_spend_job")
    assert job.get_subset(asset_selection=set(selection)) is not None
