"""dbt's own data tests in ops.quality_results (orchestration/quality/dbt_tests.py), and one count of warnings for
publish_info and the Data health page. The artifacts below have the shape dbt 1.11 writes (run_results.json,
manifest.json), cut to the fields read; the publish wiring runs the real gate and publish assets (no dbt)."""

import json

import dagster as dg
import duckdb
import pytest

from orchestration.defs.publish.serving import publish
from orchestration.defs.quality.checks import build_gate
from orchestration.defs.resources import WarehouseResource
from orchestration.quality import dbt_tests, results

pytestmark = pytest.mark.filterwarnings("ignore")

P = "ai_spend"
PRICED = f"model.{P}.int_usage_priced"


def model(name: str, folder: str, schema: str) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "schema": schema,
        "original_file_path": f"models/{folder}/{name}.sql",
        "relation_name": f'"warehouse"."{schema}"."{name}"',
    }


def generic(name, test, column, attached, severity="ERROR", description="", **kwargs) -> dict:
    return {
        "resource_type": "test",
        "name": name,
        "test_metadata": {"name": test, "kwargs": {"column_name": column, **kwargs}},
        "column_name": column,
        "attached_node": attached,
        "depends_on": {"nodes": [attached]},
        "original_file_path": "models/x.yml",
        "description": description,
        "config": {"severity": severity},
    }


BILLED = f"model.{P}.fct_billed_cost_daily"
USAGE = f"model.{P}.stg_openai__completions_usage"
LINES = f"model.{P}.stg_openai__usage_lines"
MANIFEST = {
    "nodes": {
        BILLED: model("fct_billed_cost_daily", "marts", "marts"),
        USAGE: model("stg_openai__completions_usage", "staging/openai", "staging"),
        LINES: model("stg_openai__usage_lines", "staging/openai", "staging"),
        PRICED: {**model("int_usage_priced", "intermediate", "intermediate"), "config": {"materialized": "view"}},
        "test.priced": generic("priced_test", "not_null", "model_id", PRICED),
        f"seed.{P}.price_book": {
            "resource_type": "seed",
            "name": "price_book",
            "schema": "pricing",
            "original_file_path": "seeds/price_book.csv",
        },
        "test.currency": generic("currency_test", "accepted_values", "currency", BILLED, "warn", values=["USD"]),
        "test.cached": generic(
            "cached_test", "expression_is_true", None, USAGE, description="cached input tokens <= input tokens"
        ),
        "test.cached_too": generic("cached_audio_test", "expression_is_true", None, USAGE),
        "test.not_null": generic("nn_test", "not_null", "model_id", f"seed.{P}.price_book"),
        "test.broken": generic("broken_test", "unique", "line_item", BILLED),
        "test.skipped": generic("skipped_test", "not_null", "usage_type", LINES),
        "test.singular": {
            "resource_type": "test",
            "name": "assert_one_usage_source_per_provider_day",
            "test_metadata": None,
            "column_name": None,
            "attached_node": None,
            "depends_on": {"nodes": [USAGE, LINES]},
            "original_file_path": "tests/staging/assert_one_usage_source_per_provider_day.sql",
            "description": "",
            "config": {"severity": "ERROR"},
        },
    },
    "unit_tests": {f"unit_test.{P}.fct_billed_cost_daily.sums": {"resource_type": "unit_test"}},
    "sources": {},
}
RUN_RESULTS = {
    "results": [
        {"unique_id": BILLED, "status": "success", "failures": None, "message": "OK"},
        {"unique_id": "test.currency", "status": "warn", "failures": 1, "message": "Got 1 result"},
        {"unique_id": "test.cached", "status": "fail", "failures": 3, "message": "Got 3 results"},
        {"unique_id": "test.cached_too", "status": "pass", "failures": 0, "message": None},
        {"unique_id": "test.not_null", "status": "pass", "failures": 0, "message": None},
        {
            "unique_id": "test.broken",
            "status": "error",
            "failures": None,
            "message": 'Binder Error: column "line_item" not found\n  LINE 3',
        },
        {"unique_id": "test.skipped", "status": "skipped", "failures": None, "message": None},
        {"unique_id": "test.singular", "status": "pass", "failures": 0, "message": None},
        {"unique_id": "test.priced", "status": "pass", "failures": 0, "message": None},
        {"unique_id": f"unit_test.{P}.fct_billed_cost_daily.sums", "status": "pass", "failures": 0},
    ]
}
ROWS = {
    '"warehouse"."marts"."fct_billed_cost_daily"': 82,
    '"warehouse"."staging"."stg_openai__completions_usage"': 7,
    '"warehouse"."intermediate"."int_usage_priced"': 5,  # never asked: an intermediate view is not counted
}


def by_name(outcomes):
    return {o.check_name: o for o in outcomes}


def test_every_data_test_that_ran_is_one_result():
    outcomes_list = dbt_tests.test_results(RUN_RESULTS, MANIFEST, row_count=ROWS.get)
    outcomes = by_name(outcomes_list)
    # the skipped test, the model and the unit test are not results; two expression_is_true on one model keep
    # their full names
    assert sorted(o.check_name for o in outcomes_list) == [
        "accepted_values(currency)",
        "assert_one_usage_source_per_provider_day",
        "cached_audio_test",
        "cached_test",
        "not_null(model_id)",
        "not_null(model_id)",
        "unique(line_item)",
    ]
    currency = outcomes["accepted_values(currency)"]
    assert (currency.layer, currency.asset, currency.severity, currency.status) == (
        "mart",
        "marts/fct_billed_cost_daily",
        "warning",
        "failed",
    )
    assert (currency.unexpected_count, currency.rows_checked, currency.observed_value) == (1, 82, "1 failing row")
    assert currency.description == "currency of fct_billed_cost_daily is one of: USD"

    cached = outcomes["cached_test"]
    assert (cached.layer, cached.asset, cached.severity, cached.status) == (
        "staging",
        "staging/stg_openai__completions_usage",
        "error",
        "failed",
    )
    assert (cached.unexpected_count, cached.rows_checked, cached.observed_value) == (3, 7, "3 failing rows")
    assert cached.description == "cached input tokens <= input tokens"

    broken = outcomes["unique(line_item)"]
    assert (broken.severity, broken.status, broken.unexpected_count) == ("error", "failed", 0)
    assert broken.observed_value == 'the test did not run: Binder Error: column "line_item" not found'

    priced = [o for o in dbt_tests.test_results(RUN_RESULTS, MANIFEST, row_count=ROWS.get) if o.layer == "intermediate"]
    assert [(o.asset, o.check_name, o.rows_checked) for o in priced] == [
        ("intermediate/int_usage_priced", "not_null(model_id)", None)
    ]
    seed = [o for o in outcomes_list if o.layer == "seed"][0]
    assert (seed.layer, seed.asset, seed.status, seed.rows_checked) == ("seed", "seeds/price_book", "passed", None)

    # a singular test over two staging models: its folder's layer, no one relation to count
    singular = outcomes["assert_one_usage_source_per_provider_day"]
    assert (singular.layer, singular.asset, singular.rows_checked) == (
        "staging",
        "staging/assert_one_usage_source_per_provider_day",
        None,
    )


def test_a_check_keeps_its_name_whichever_tests_ran():
    """Two expression_is_true on one model are told apart by dbt's full name even in a build that ran one of them
    (dbt leaves out a test whose inputs are unchanged): a check's name depends on the project, not on the build."""
    run = {"results": [{"unique_id": "test.cached", "status": "pass", "failures": 0}]}
    assert [o.check_name for o in dbt_tests.test_results(run, MANIFEST)] == ["cached_test"]
    alone = {"nodes": {k: v for k, v in MANIFEST["nodes"].items() if k != "test.cached_too"}, "sources": {}}
    assert [o.check_name for o in dbt_tests.test_results(run, alone)] == ["expression_is_true"]


def test_define_makes_every_data_test_of_the_manifest_the_dbt_scope(tmp_path):
    """The catalog's 'dbt' scope is every data test of the manifest, whichever a build runs: the skipped one too,
    not the unit test. A later run whose manifest lost a test takes it out of the catalog; the other scopes stay, and
    the test's past results stay in quality_results as history."""
    target = tmp_path / "target"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        results.define(conn, "raw:openai/costs", [("raw", "openai/costs", "volume")], run_id="r0")
        assert dbt_tests.define(conn, MANIFEST, run_id="r1") == 8
        write_target(target, RUN_RESULTS, MANIFEST)
        dbt_tests.record(conn, target, run_id="r1")
        defined = conn.execute(
            "select layer, asset, check_name from ops.quality_checks where scope = 'dbt' and run_id = 'r1' order by all"
        ).fetchall()
        assert defined == [
            ("intermediate", "intermediate/int_usage_priced", "not_null(model_id)"),
            ("mart", "marts/fct_billed_cost_daily", "accepted_values(currency)"),
            ("mart", "marts/fct_billed_cost_daily", "unique(line_item)"),
            ("seed", "seeds/price_book", "not_null(model_id)"),
            ("staging", "staging/assert_one_usage_source_per_provider_day", "assert_one_usage_source_per_provider_day"),
            ("staging", "staging/stg_openai__completions_usage", "cached_audio_test"),
            ("staging", "staging/stg_openai__completions_usage", "cached_test"),
            ("staging", "staging/stg_openai__usage_lines", "not_null(usage_type)"),  # skipped in this build
        ]
        # every check the build recorded is one the catalog defines, under the same name
        recorded = conn.execute("select layer, asset, check_name from ops.quality_results order by all").fetchall()
        assert set(recorded) < set(defined)
        # the next run's project has no unique(line_item): it leaves the catalog
        fewer = {"nodes": {k: v for k, v in MANIFEST["nodes"].items() if k != "test.broken"}, "sources": {}}
        dbt_tests.define(conn, fewer, run_id="r2")
        assert conn.execute(
            "select scope, count(*), min(run_id) from ops.quality_checks group by scope order by scope"
        ).fetchall() == [("dbt", 7, "r2"), ("raw:openai/costs", 1, "r0")]
        assert conn.execute(
            "select run_id from ops.quality_results where check_name = 'unique(line_item)'"
        ).fetchall() == [("r1",)]


def test_a_warn_status_of_an_error_test_is_a_warning():
    """error_if not reached: dbt says warn, and the run goes on."""
    manifest = {"nodes": {BILLED: MANIFEST["nodes"][BILLED], "t": generic("t", "unique", "line_item", BILLED)}}
    run = {"results": [{"unique_id": "t", "status": "warn", "failures": 2}]}
    [outcome] = dbt_tests.test_results(run, manifest)
    assert (outcome.severity, outcome.status, outcome.observed_value) == ("warning", "failed", "2 failing rows")


def write_target(target, run_results, manifest):
    target.mkdir(parents=True, exist_ok=True)
    (target / "run_results.json").write_text(json.dumps(run_results))
    (target / "manifest.json").write_text(json.dumps(manifest))


UNPRICED = "(date '2025-03-01', 'openai', 'proj_a', 'key_1', 'ft:custom', 'standard', 'all', 'input_tokens', 10, null, null, false)"


def stand_in_build(run_results):
    """Stands in for the dbt build: the mart, then dbt's test results recorded from its artifacts, as
    orchestration/defs/transform/dbt.py does after `dbt build`."""

    @dg.asset(key=["marts", "fct_usage_cost_daily"], required_resource_keys={"warehouse"})
    def fct_usage_cost_daily(context):
        warehouse = context.resources.warehouse
        with warehouse.connect() as conn:
            conn.execute("create schema if not exists marts")
            conn.execute(
                "create or replace table marts.fct_usage_cost_daily (usage_date date, provider varchar, "
                "account_id varchar, api_key_id varchar, model_raw varchar, service_tier varchar, "
                "context_tier varchar, usage_type varchar, quantity bigint, list_cost_usd decimal(38,12), "
                "effective_cost_usd decimal(38,12), is_priced boolean)"
            )
            conn.execute(f"insert into marts.fct_usage_cost_daily values {UNPRICED}")
            write_target(warehouse.paths.dbt_target, run_results, MANIFEST)
            dbt_tests.record(conn, warehouse.paths.dbt_target, run_id=context.run.run_id)

    return fct_usage_cost_daily


def test_publish_counts_the_warnings_data_health_shows(tmp_path):
    """A dbt warn test failing (currency) and the gate's unpriced-usage warning: 2 warnings in publish_info, and
    the run's rows in the published quality_results count 2 warnings the way the Data health page does."""
    run_results = {"results": [r for r in RUN_RESULTS["results"] if r["status"] in ("warn", "pass")]}
    warehouse = WarehouseResource(home=str(tmp_path))
    result = dg.materialize(
        [stand_in_build(run_results), build_gate("fct_usage_cost_daily"), publish],
        resources={"warehouse": warehouse},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    with duckdb.connect(str(warehouse.paths.serving), read_only=True) as conn:
        assert conn.execute("select run_id, quality_warnings from marts.publish_info").fetchall() == [
            (result.run_id, 2)
        ]
        warned = conn.execute(
            """
            select layer, asset, check_name from marts.quality_results where run_id = ?
            group by all having min(case when status = 'passed' then 2 when severity = 'error' then 0 else 1 end) = 1
            order by all
            """,
            [result.run_id],
        ).fetchall()
    assert warned == [
        ("mart", "marts/fct_billed_cost_daily", "accepted_values(currency)"),
        ("mart", "marts/fct_usage_cost_daily", "usage_has_price"),
    ]


def test_run_warnings_leaves_out_a_check_that_also_blocked(tmp_path):
    """A check with a blocking scope counts as blocking, not as a warning; another run's rows never count."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        base = dict(layer="raw", asset="openai/usage", window=None, rows_checked=10, sample=[], description="d")
        results.write(
            conn,
            [
                results.CheckResult(
                    check_name="a", blocking=True, passed=False, unexpected_count=1, observed_value="", **base
                ),
                results.CheckResult(
                    check_name="a", blocking=False, passed=False, unexpected_count=1, observed_value="", **base
                ),
                results.CheckResult(
                    check_name="b", blocking=False, passed=False, unexpected_count=2, observed_value="", **base
                ),
                results.CheckResult(
                    check_name="c", blocking=False, passed=True, unexpected_count=0, observed_value="", **base
                ),
            ],
            run_id="r1",
        )
        results.write(
            conn,
            [
                results.CheckResult(
                    check_name="d", blocking=False, passed=False, unexpected_count=1, observed_value="", **base
                )
            ],
            run_id="r2",
        )
        assert results.run_warnings(conn, "r1") == 1
        assert results.run_warnings(conn, "r2") == 1
        assert results.run_warnings(conn, "r3") == 0


def test_run_warnings_of_a_warehouse_without_results_is_0_and_creates_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        assert results.run_warnings(conn, "r1") == 0
        assert conn.execute(
            "select count(*) from information_schema.tables where table_name = 'quality_results'"
        ).fetchall() == [(0,)]


def test_staging_unique_tests_that_restate_a_raw_key_warn_and_are_recorded_as_a_warning_only():
    """A raw landing's unique_natural_key check (severity error, not Dagster-blocking) owns these keys; the staging
    test of the same key warns, so a repeated raw row no longer stops the build before the mart gate. Publish still
    refuses the run for the raw error; the staging warning is one more row of the same repeat, never an error."""
    from connectors.anthropic.tables import ANTHROPIC_WORKSPACES
    from connectors.litellm_postgres.tables import LITELLM_POSTGRES_BUDGET_COUNTERS
    from connectors.openai.tables import OPENAI_PROJECTS
    from orchestration.defs.transform.project import dbt_project

    # staging model -> (its tested key, the raw table whose key check owns it, that raw key); the columns are renamed
    # one for one in staging (id as account_id)
    owned = {
        "stg_openai__projects": (("account_id",), OPENAI_PROJECTS, ("id",)),
        "stg_anthropic__workspaces": (("account_id",), ANTHROPIC_WORKSPACES, ("id",)),
        "stg_litellm_postgres__budget_counters": (
            ("entity_type", "entity_id"),
            LITELLM_POSTGRES_BUDGET_COUNTERS,
            ("entity_type", "entity_id"),
        ),
    }
    manifest = json.loads(dbt_project.manifest_path.read_text())
    nodes = manifest["nodes"]
    uniques = {}
    for uid, node in nodes.items():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or meta.get("name") not in ("unique", "unique_combination_of_columns"):
            continue
        tested = nodes.get(node.get("attached_node") or "", {})
        if not tested.get("original_file_path", "").startswith("models/staging/"):
            continue
        key = tuple(meta["kwargs"].get("combination_of_columns") or [node["column_name"]])
        uniques[(tested["name"], key)] = (uid, node["config"]["severity"].lower())
    # warn exactly where a raw check owns the key; every other staging uniqueness test still stops the build
    assert {k for k, (_, severity) in uniques.items() if severity == "warn"} == {
        (m, k) for m, (k, _, _) in owned.items()
    }
    for model_name, (_, table, raw_key) in owned.items():
        assert table.key == raw_key
        parents = nodes[f"model.{P}.{model_name}"]["depends_on"]["nodes"]
        assert parents == [f"source.{P}.{table.source}.{table.endpoint}"]

    # dbt judged one of them 'warn' with 2 failing rows: one warning row, not blocking, and no error for publish
    uid, _ = uniques[("stg_openai__projects", ("account_id",))]
    run = {"results": [{"unique_id": uid, "status": "warn", "failures": 2, "message": "Got 2 results"}]}
    [outcome] = dbt_tests.test_results(run, manifest)
    assert (outcome.layer, outcome.asset, outcome.check_name) == (
        "staging",
        "staging/stg_openai__projects",
        "unique(account_id)",
    )
    assert (outcome.severity, outcome.status, outcome.unexpected_count) == ("warning", "failed", 2)
    with duckdb.connect() as conn:
        results.write(conn, [outcome], run_id="r")
        assert results.run_errors(conn, "r") == []
        assert results.run_warnings(conn, "r") == 1


def test_a_failed_test_of_several_columns_names_the_columns_and_counts_in_its_own_scope():
    """The one test of a model's closed lists (accepted_values_columns) and of its never-negative columns: Data health
    counts each column's failing values with the SQL column_failures gives, within the test's where, on real rows."""
    conn = duckdb.connect()
    conn.execute("create table t (kind varchar, n integer, cost decimal(38,12), line varchar)")
    conn.execute(
        "insert into t values ('a', 0, 1, 'usage'), ('it''s', 1, -2, 'usage'), ('z', 7, -3, 'credit'), (null, null, 0, 'usage')"
    )
    values = {"kind": ["a", "it's"], "n": [0, 1]}
    what, counting = dbt_tests.column_failures("accepted_values_columns", {"values": values})
    counted = conn.execute(f"select {', '.join(counting.values())} from t").fetchall()[0]
    # 'z' and 7 are outside their lists; the quoted value and the nulls pass
    assert (what, dict(zip(counting, counted, strict=True))) == ("other values", {"kind": 1, "n": 1})

    test = generic("values_test", "accepted_values_columns", None, BILLED, values=values)
    negative = {**generic("neg_test", "non_negative_columns", None, BILLED, column_names=["cost", "n"])}
    negative["config"] = {"severity": "warn", "where": "line = 'usage'"}
    manifest = {"nodes": {BILLED: MANIFEST["nodes"][BILLED], "test.values": test, "test.neg": negative}}
    run = {
        "results": [
            {"unique_id": "test.values", "status": "fail", "failures": 1, "message": "Got 1 result"},
            {"unique_id": "test.neg", "status": "warn", "failures": 1, "message": "Got 1 result"},
        ]
    }

    def column_counts(relation, counting, where):
        assert relation == MANIFEST["nodes"][BILLED]["relation_name"]
        sql = f"select {', '.join(counting.values())} from t" + (f" where {where}" if where else "")
        return dict(zip(counting, conn.execute(sql).fetchall()[0], strict=True))

    outcomes = {o.check_name: o for o in dbt_tests.test_results(run, manifest, column_counts=column_counts)}
    assert outcomes["accepted_values_columns"].observed_value == "1 failing row: other values in kind (1), n (1)"
    assert outcomes["accepted_values_columns"].description == (
        "kind of fct_billed_cost_daily is one of: a, it's; n of fct_billed_cost_daily is one of: 0, 1"
    )
    # the credit's -3 is outside the test's where: one negative cost, not two
    assert outcomes["non_negative_columns"].observed_value == "1 failing row: negative values in cost (1)"
    assert not outcomes["non_negative_columns"].blocking
