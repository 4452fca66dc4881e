"""orchestration/dbt_state.py: which dbt nodes a build leaves alone, on a small hand-made manifest and a real DuckDB.

The manifest has the shape dbt writes (nodes, sources, macros with depends_on); the chain is
raw.usage -> stg_usage -> fct_cost (reads a var and a macro) -> mart_today (reads the current date), a seed
prices -> fct_cost, a file-drop source raw.requests -> stg_requests, and data tests on fct_cost and stg_requests.
"""

from datetime import date

import duckdb
import pytest

from orchestration import dbt_state

DAY = date(2026, 12, 3)
VARS = {"finops_price_book_version": "v1", "unused": 1}


def _node(uid, kind, parents=(), code="select 1", macros=(), schema="marts", **extra):
    name = uid.split(".")[-1]
    return {
        "unique_id": uid,
        "resource_type": kind,
        "name": name,
        "alias": name,
        "schema": schema,
        "fqn": ["proj", schema, name],
        "checksum": {"name": "sha256", "checksum": f"sum-of-{code}"},
        "config": {"materialized": "table"},
        "columns": {},
        "raw_code": code,
        "depends_on": {"nodes": list(parents), "macros": list(macros)},
        **extra,
    }


def manifest():
    nodes = [
        _node("seed.proj.prices", "seed", schema="pricing"),
        _node("model.proj.stg_usage", "model", ["source.proj.raw.usage"], schema="staging"),
        _node("model.proj.stg_requests", "model", ["source.proj.raw.requests"], schema="staging"),
        _node(
            "model.proj.fct_cost",
            "model",
            ["model.proj.stg_usage", "seed.proj.prices"],
            code="select {{ price_version() }}",
            macros=["macro.proj.price_version"],
        ),
        _node(
            "model.proj.mart_today",
            "model",
            ["model.proj.fct_cost"],
            code="select * from x where d < cast({{ dbt.current_timestamp() }} as date)",
        ),
        _node("test.proj.not_null_fct_cost_usd", "test", ["model.proj.fct_cost"], test_metadata={"name": "not_null"}),
        _node("test.proj.unique_stg_requests_id", "test", ["model.proj.stg_requests"], test_metadata={"name": "u"}),
    ]
    return {
        "nodes": {n["unique_id"]: n for n in nodes},
        "sources": {
            "source.proj.raw.usage": {"source_name": "raw", "schema": "raw", "name": "usage", "identifier": "usage"},
            "source.proj.raw.requests": {
                "source_name": "raw",
                "schema": "raw",
                "name": "requests",
                "identifier": "requests",
            },
            "source.proj.raw.absent": {"source_name": "raw", "schema": "raw", "name": "absent", "identifier": "absent"},
        },
        "macros": {
            "macro.proj.price_version": {
                "macro_sql": "{% macro price_version() %}'{{ var(\"finops_price_book_version\") }}'{% endmacro %}",
                "depends_on": {"macros": []},
            }
        },
    }


@pytest.fixture
def conn():
    conn = duckdb.connect(":memory:")
    conn.execute("create schema raw")
    conn.execute("create table raw.usage (day date, tokens bigint, _loaded_at timestamp, _run_id varchar)")
    conn.execute(
        "insert into raw.usage values ('2026-12-01', 10, '2026-12-02 01:00', 'r1'), ('2026-12-02', 20, "
        "'2026-12-03 01:00', 'r1')"
    )
    conn.execute("create table raw.requests (id varchar, _file varchar, _loaded_at timestamp, _run_id varchar)")
    conn.execute("insert into raw.requests values ('a', 'f1.parquet', now(), 'r1')")
    conn.execute(
        "create table raw._files (table_name varchar, path varchar, sha256 varchar, rows bigint, "
        "loaded_at timestamp, run_id varchar)"
    )
    conn.execute("insert into raw._files values ('requests', 'f1.parquet', 'abc', 1, now(), 'r1')")
    for schema in ("pricing", "staging", "marts"):
        conn.execute(f"create schema {schema}")
    for schema, name in [
        ("pricing", "prices"),
        ("staging", "stg_usage"),
        ("staging", "stg_requests"),
        ("marts", "fct_cost"),
        ("marts", "mart_today"),
    ]:
        conn.execute(f"create table {schema}.{name} (x int)")
    yield conn
    conn.close()


def _everything_passed(plan):
    return {
        "results": [{"unique_id": uid, "status": "pass" if "test." in uid else "success"} for uid in plan.changed()]
    }


def _built(conn, *, today=DAY, dbt_vars=VARS):
    """Plan a build, record it as all passed, and return the plan."""
    plan = dbt_state.plan(conn, manifest(), dbt_vars=dbt_vars, today=today)
    dbt_state.record(conn, plan, _everything_passed(plan), run_id="run")
    return plan


def test_a_first_build_builds_everything_and_an_identical_second_build_nothing(conn):
    first = _built(conn)
    assert first.unchanged == frozenset()
    assert len(first.changed()) == 7
    assert dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed() == []


def test_an_identical_relanding_changes_nothing_but_a_changed_value_rebuilds_its_descendants_only(conn):
    _built(conn)
    # the same rows landed again by another run, later
    conn.execute("update raw.usage set _loaded_at = _loaded_at + interval 1 day, _run_id = 'r2'")
    assert dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed() == []
    conn.execute("update raw.usage set tokens = 21 where day = '2026-12-02'")
    changed = dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed()
    assert changed == [
        "model.proj.fct_cost",
        "model.proj.mart_today",
        "model.proj.stg_usage",
        "test.proj.not_null_fct_cost_usd",
    ]


def test_a_file_drop_source_changes_with_its_ledger(conn):
    _built(conn)
    conn.execute("update raw._files set sha256 = 'def'")  # the file was replaced by new content
    changed = dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed()
    assert changed == ["model.proj.stg_requests", "test.proj.unique_stg_requests_id"]


def test_a_new_day_rebuilds_only_what_reads_the_current_date(conn):
    _built(conn)
    changed = dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=date(2026, 12, 4)).changed()
    assert changed == ["model.proj.mart_today"]


def test_a_var_change_rebuilds_the_nodes_whose_macros_read_it_and_an_unread_var_nothing(conn):
    _built(conn)
    assert dbt_state.plan(conn, manifest(), dbt_vars={**VARS, "unused": 2}, today=DAY).changed() == []
    changed = dbt_state.plan(
        conn, manifest(), dbt_vars={**VARS, "finops_price_book_version": "v2"}, today=DAY
    ).changed()
    assert changed == ["model.proj.fct_cost", "model.proj.mart_today", "test.proj.not_null_fct_cost_usd"]


def test_a_changed_seed_or_model_file_rebuilds_it_and_its_descendants(conn):
    _built(conn)
    edited = manifest()
    edited["nodes"]["seed.proj.prices"]["checksum"]["checksum"] = "new prices"
    changed = dbt_state.plan(conn, edited, dbt_vars=VARS, today=DAY).changed()
    assert changed == [
        "model.proj.fct_cost",
        "model.proj.mart_today",
        "seed.proj.prices",
        "test.proj.not_null_fct_cost_usd",
    ]


def test_a_failed_test_runs_again_with_its_model_and_a_failed_model_is_rebuilt(conn):
    plan = dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY)
    results = _everything_passed(plan)
    for result in results["results"]:
        if result["unique_id"] == "test.proj.not_null_fct_cost_usd":
            result["status"] = "fail"
        if result["unique_id"] == "model.proj.stg_requests":
            result["status"] = "error"
        if result["unique_id"] == "test.proj.unique_stg_requests_id":
            result["status"] = "skipped"  # dbt skips the tests of a model that errored
    dbt_state.record(conn, plan, results, run_id="run")
    # nothing changed, yet the failed test runs again (with the model it tests, so dbt keeps it selected) and the
    # model that errored is built again, with its test
    assert dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed() == [
        "model.proj.fct_cost",
        "model.proj.stg_requests",
        "test.proj.not_null_fct_cost_usd",
        "test.proj.unique_stg_requests_id",
    ]


def test_a_test_to_run_keeps_an_unchanged_parent_out_while_another_parent_is_built(conn):
    """A relationship test from a rebuilt model to an unchanged one runs against the unchanged one as it is (dbt keeps
    a test while one of its parents is selected); only a test with no parent built has its parents built again."""
    m = _with_source_and_relationship_tests()
    plan = dbt_state.plan(conn, m, dbt_vars=VARS, today=DAY)
    dbt_state.record(conn, plan, _everything_passed(plan), run_id="run")
    conn.execute("update raw._files set sha256 = 'def'")  # new requests: stg_requests and its tests change
    new_requests = dbt_state.plan(conn, m, dbt_vars=VARS, today=DAY)
    assert new_requests.changed() == [
        "model.proj.stg_requests",
        "test.proj.relationships_fct_cost_request",
        "test.proj.unique_stg_requests_id",
    ]
    assert new_requests.unchanged >= {"model.proj.fct_cost", "test.proj.not_null_fct_cost_usd"}
    # the relationship test failed in that build: with nothing new, it runs again, and as neither of its parents
    # changed, both are built again for dbt to keep it
    results = _everything_passed(new_requests)
    for result in results["results"]:
        if result["unique_id"] == "test.proj.relationships_fct_cost_request":
            result["status"] = "fail"
    dbt_state.record(conn, new_requests, results, run_id="run2")
    assert dbt_state.plan(conn, m, dbt_vars=VARS, today=DAY).changed() == [
        "model.proj.fct_cost",
        "model.proj.stg_requests",
        "test.proj.relationships_fct_cost_request",
    ]


def test_a_dropped_relation_is_built_again(conn):
    _built(conn)
    conn.execute("drop table marts.mart_today")
    assert dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed() == ["model.proj.mart_today"]


def test_another_engine_builds_everything_again_and_needs_its_own_tables_too(conn):
    _built(conn)
    every = {
        ("pricing", "prices"),
        ("staging", "stg_usage"),
        ("staging", "stg_requests"),
        ("marts", "fct_cost"),
        ("marts", "mart_today"),
    }
    # the DuckDB build's records do not cover a Spark build: every node is built on Spark
    on_spark = dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY, engine="spark", engine_relations=every)
    assert on_spark.unchanged == frozenset() and len(on_spark.changed()) == 7
    dbt_state.record(conn, on_spark, _everything_passed(on_spark), run_id="spark-run")
    again = dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY, engine="spark", engine_relations=every)
    assert again.changed() == []
    # a table Spark lost is built again there, though its copy in the warehouse is still there
    lost = dbt_state.plan(
        conn, manifest(), dbt_vars=VARS, today=DAY, engine="spark", engine_relations=every - {("marts", "mart_today")}
    )
    assert lost.changed() == ["model.proj.mart_today"]
    # and back on DuckDB, everything is built again
    assert len(dbt_state.plan(conn, manifest(), dbt_vars=VARS, today=DAY).changed()) == 7


def test_a_missing_source_has_a_fingerprint_of_its_own():
    conn = duckdb.connect(":memory:")
    prints = dbt_state.source_fingerprints(conn, manifest())
    assert set(prints.values()) == {"absent"}


def test_exclude_args_name_each_node_by_its_whole_fqn_and_keep_changed_tests():
    args = dbt_state.exclude_args(manifest(), ["model.proj.fct_cost", "seed.proj.prices"])
    assert args == [
        "--indirect-selection",
        "cautious",
        "--exclude",
        "fqn:proj.marts.fct_cost fqn:proj.pricing.prices",
    ]
    assert dbt_state.exclude_args(manifest(), []) == []


def _with_source_and_relationship_tests():
    m = manifest()
    for uid, parents in [
        ("test.proj.not_null_raw_usage_day", ["source.proj.raw.usage"]),
        ("test.proj.relationships_fct_cost_request", ["model.proj.fct_cost", "model.proj.stg_requests"]),
    ]:
        m["nodes"][uid] = _node(uid, "test", parents, test_metadata={"name": "t"})
    return m


def test_exclude_args_leave_to_dbt_the_tests_all_of_whose_parents_are_excluded():
    """Only requests changed: the usage chain, its tests and its source test are left out. dbt (cautious) takes out
    a test whose parents are all excluded, so only the relationship test to the rebuilt stg_requests is named, and
    the source is excluded rather than its test."""
    m = _with_source_and_relationship_tests()
    unchanged = [uid for uid in m["nodes"] if "request" not in uid or uid.endswith("relationships_fct_cost_request")]
    assert dbt_state.exclude_args(m, unchanged)[-1].split() == [
        "fqn:proj.marts.fct_cost",
        "fqn:proj.marts.mart_today",
        "fqn:proj.marts.relationships_fct_cost_request",
        "fqn:proj.pricing.prices",
        "fqn:proj.staging.stg_usage",
        "source:raw.usage",
    ]


def test_exclude_args_keep_a_source_whose_test_must_run():
    m = _with_source_and_relationship_tests()
    unchanged = [uid for uid in m["nodes"] if uid != "test.proj.not_null_raw_usage_day"]
    criteria = dbt_state.exclude_args(m, unchanged)[-1].split()
    assert "source:raw.usage" not in criteria and "fqn:proj.marts.not_null_raw_usage_day" not in criteria
    # a test of another step (not considered here) does not keep its source in
    considered = [uid for uid in m["nodes"] if uid != "test.proj.not_null_raw_usage_day"]
    assert "source:raw.usage" in dbt_state.exclude_args(m, unchanged, considered)[-1].split()


def test_no_data_test_of_the_project_straddles_the_two_build_phases():
    """The dbt build runs in two phases around the forecast (orchestration/defs/transform/dbt.py); with unchanged
    nodes excluded, dbt runs a test only in a phase that selects all its parents (cautious). A test reading a model
    of each phase would run in neither: keep every test within one phase."""
    import json
    from pathlib import Path

    from orchestration.defs.transform.project import dbt_project

    nodes = json.loads(Path(dbt_project.manifest_path).read_text())["nodes"]
    after = {uid for uid, node in nodes.items() if "after_forecast" in node.get("tags", [])}
    assert after, "the after_forecast models are tagged"
    straddling = [
        node["name"]
        for node in nodes.values()
        if node["resource_type"] == "test"
        and (parents := {p for p in node["depends_on"]["nodes"] if p in nodes and nodes[p]["resource_type"] != "test"})
        and parents & after
        and parents - after
    ]
    assert straddling == []


def test_the_project_s_date_readers_are_found():
    """The models that compare with today's date (price in effect today, future price changes) are fingerprinted
    with the date, so a new day rebuilds them even when no data changed."""
    import json
    from pathlib import Path

    from orchestration.defs.transform.project import dbt_project

    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    readers = {node["name"] for node in manifest["nodes"].values() if dbt_state.reads_today(node, manifest)}
    assert {"dim_price", "dim_model", "mart_price_changes", "mart_whatif_reprice"} <= readers
    assert "fct_usage_cost_daily" not in readers


def test_left_out_models_go_out_in_topological_order_among_the_built_ones():
    """Dagster takes a multi-asset's outputs in topological order only. stg_usage is left out (unchanged) while
    fct_cost, downstream of it, is built: stg_usage's output must come before fct_cost's, and a left-out model
    with nothing built downstream (stg_requests) after dbt's last event, then the left-out test's check."""
    from types import SimpleNamespace

    import dagster as dg

    from orchestration.defs.transform.dbt import LeftOut

    specs = {
        name: SimpleNamespace(metadata={"dagster_dbt/unique_id": uid})
        for name, uid in [
            ("stg_usage", "model.proj.stg_usage"),
            ("stg_requests", "model.proj.stg_requests"),
            ("fct_cost", "model.proj.fct_cost"),
        ]
    }
    check = SimpleNamespace(
        metadata={"dagster_dbt/unique_id": "test.proj.unique_stg_requests_id"},
        asset_key=dg.AssetKey(["staging", "stg_requests"]),
        name="unique_stg_requests_id",
    )
    context = SimpleNamespace(
        assets_def=SimpleNamespace(
            keys_by_output_name={name: name for name in specs},
            specs_by_key=specs,
            check_specs_by_output_name={"check_1": check},
        ),
        selected_output_names={"stg_usage", "stg_requests", "fct_cost", "check_1"},
    )
    unchanged = {"model.proj.stg_usage", "model.proj.stg_requests", "test.proj.unique_stg_requests_id"}
    plan = dbt_state.BuildPlan(
        fingerprints={uid: f"fp-{uid}" for uid in [*unchanged, "model.proj.fct_cost"]},
        unchanged=frozenset(unchanged),
        recorded_runs={uid: "run-1" for uid in unchanged},
    )
    left_out = LeftOut(context, plan, manifest())
    events = [*left_out.before("fct_cost"), "fct_cost built by dbt", *left_out.rest()]
    assert [getattr(e, "output_name", getattr(e, "check_name", e)) for e in events] == [
        "stg_usage",
        "fct_cost built by dbt",
        "stg_requests",
        "unique_stg_requests_id",
    ]
    assert events[0].metadata["input_fingerprint"].value == "fp-model.proj.stg_usage"
    assert events[0].metadata["rebuilt"].value is False
    assert events[-1].passed and events[-1].metadata["passed_in_run"].value == "run-1"
    assert list(left_out.rest()) == []  # each goes out once


def test_a_large_seed_is_fingerprinted_by_its_content_not_its_path(conn, tmp_path):
    """dbt checksums a seed over 1 MiB by its path only ({"name": "path"}): its content must still count."""
    seed = tmp_path / "prices.csv"
    seed.write_text("model,price\nx,1\n")
    large = manifest()
    large["nodes"]["seed.proj.prices"].update(
        checksum={"name": "path", "checksum": "prices.csv"}, root_path=str(tmp_path), original_file_path="prices.csv"
    )
    plan = dbt_state.plan(conn, large, dbt_vars=VARS, today=DAY)
    dbt_state.record(conn, plan, _everything_passed(plan), run_id="run")
    assert dbt_state.plan(conn, large, dbt_vars=VARS, today=DAY).changed() == []
    seed.write_text("model,price\nx,2\n")
    assert "seed.proj.prices" in dbt_state.plan(conn, large, dbt_vars=VARS, today=DAY).changed()
