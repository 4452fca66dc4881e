"""Raw-landing checks (orchestration/quality/raw.py, wired on every ingest asset): a vendor-shaped OpenAI usage
page that repeats one result row is caught on the raw landing, names the asset, the day and the key, lets the
build go on but refuses the publish (a stored error of the run), and leaves the published serving copy as it was; once the vendor's page is right
again, the next run publishes. The ingest asset, its checks, the gate and publish are the real ones; the mart
is a stand-in (no dbt) that sums the raw rows as the warehouse would."""

import copy
import json
from datetime import date, datetime

import dagster as dg
import duckdb
import pytest
import responses

from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE, OPENAI_PROJECTS
from connectors.registry import BY_NAME
from connectors.schema import RawTable
from orchestration.defs.ingest.factory import build_api_asset
from orchestration.defs.partitions import daily
from orchestration.defs.publish.serving import publish
from orchestration.defs.quality.checks import build_gate
from orchestration.defs.resources import SourceResource, WarehouseResource
from orchestration.loader import ensure_raw_tables, land
from orchestration.quality.raw import check_landing, check_quarantine
from orchestration.runner import summarise

pytestmark = pytest.mark.filterwarnings("ignore")

BASE, KEY = "https://api.openai.test/v1", "sk-admin-test-not-a-real-key"
DAY = "2026-03-20"
START, END = 1773964800, 1774051200  # 2026-03-20T00:00:00Z, 2026-03-21T00:00:00Z


def result(model: str, inp: int, cached: int, out: int) -> dict:
    """One completions result as OpenAI documents it (provider-apis.md §1.4), grouped by project, key, model."""
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": inp,
        "input_cached_tokens": cached,
        "input_cache_write_tokens": 0,
        "input_uncached_tokens": inp - cached,
        "output_tokens": out,
        "input_text_tokens": inp,
        "output_text_tokens": out,
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "output_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": 100,
        "project_id": "proj_acme",
        "user_id": None,
        "api_key_id": "key_acme",
        "model": model,
        "batch": False,
        "service_tier": "default",
    }


GOOD = [result("gpt-5.1-2025-11-13", 3_000_000, 1_000_000, 500_000), result("gpt-5-mini", 200_000, 0, 40_000)]
REPEATED = [*GOOD, copy.deepcopy(GOOD[0])]  # the page repeats its first result


def page(results: list[dict]) -> dict:
    bucket = {"object": "bucket", "start_time": START, "end_time": END, "results": results}
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


def stand_in_mart():
    @dg.asset(
        key=["marts", "fct_usage_cost_daily"],
        deps=[dg.AssetKey(["openai", "completions_usage"])],
        partitions_def=daily,
        backfill_policy=dg.BackfillPolicy.single_run(),
        required_resource_keys={"warehouse"},
    )
    def fct_usage_cost_daily(context):
        with context.resources.warehouse.connect() as conn:
            conn.execute("create schema if not exists marts")
            conn.execute(
                """create or replace table marts.fct_usage_cost_daily as
                select _partition_date as usage_date, 'openai' as provider, project_id as account_id, api_key_id,
                    model as model_raw, service_tier, 'all' as context_tier, 'input_tokens' as usage_type,
                    sum(input_tokens) as quantity, null::decimal(38,12) as list_cost_usd,
                    null::decimal(38,12) as effective_cost_usd, true as is_priced
                from raw.openai_completions_usage group by all"""
            )

    return fct_usage_cost_daily


def run(home, monkeypatch, results: list[dict]):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE)
    with responses.RequestsMock() as mock:
        mock.get(f"{BASE}/organization/usage/completions", json=page(results))
        return materialize_day(home)


def materialize_day(home):
    """DAY of the OpenAI completions report landed and checked, the stand-in mart, its gate and publish, with
    the report's replies from the caller's ``responses`` mock."""
    feed = BY_NAME["openai"].feeds[0]
    assert feed.table is OPENAI_COMPLETIONS_USAGE
    return dg.materialize(
        [
            build_api_asset(BY_NAME["openai"], feed),
            stand_in_mart(),
            build_gate("fct_usage_cost_daily"),
            publish,
        ],
        resources={
            "warehouse": WarehouseResource(home=str(home)),
            "openai_source": SourceResource(source="openai"),
        },
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=DAY,
        raise_on_error=False,
    )


def serving(home) -> list[tuple]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select run_id, (select sum(quantity) from marts.fct_usage_cost_daily) from marts.publish_info"
        ).fetchall()


def stored(home, run_id) -> dict[str, tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select check_name, layer, asset, severity, status, partition_start, partition_end, rows_checked, "
            "unexpected_count, observed_value, sample from ops.quality_results where run_id = ? and layer = 'raw'",
            [run_id],
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_a_page_that_repeats_a_row_is_reported_publishes_nothing_and_the_fixed_page_publishes(tmp_path, monkeypatch):
    home = tmp_path / "home"
    first = run(home, monkeypatch, GOOD)
    assert first.success
    assert serving(home) == [(first.run_id, 3_200_000)]

    bad = run(home, monkeypatch, REPEATED)
    assert not bad.success
    failed = [e for e in bad.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.path, e.check_name) for e in failed] == [
        (["openai", "completions_usage"], "openai_completions_usage__unique_natural_key")
    ]
    finding = failed[0].metadata["finding"].value
    assert finding.startswith("2 rows with a duplicate key on 2026-03-20 (bucket_start=2026-03-20, ")
    assert "model=gpt-5.1-2025-11-13" in finding and "project_id=proj_acme" in finding
    # `finops run` ends on this line: the check, what, the day and the key
    assert summarise(bad).gate_failures == [f"openai_completions_usage__unique_natural_key: {finding}"]
    assert finding.endswith(" in 2026-03-20..2026-03-21 (exclusive)")
    # the check has severity error but does not stop the build: the stand-in mart and its gate ran (so the same run
    # can name the day's other problems), and publish refused the run from its stored error; the serving copy still
    # holds the first run's 3.2M, not 6.2M
    ran = {e.asset_key.path[0] for e in bad.get_asset_materialization_events()}
    assert ran == {"openai", "marts"}
    refused = summarise(bad).failures
    assert len(refused) == 1 and refused[0].startswith("serving__marts: the quality gate failed (")
    assert (
        f"openai/completions_usage unique_natural_key: {finding.removesuffix(' in 2026-03-20..2026-03-21 (exclusive)')}"
        in refused[0]
    )
    assert serving(home) == [(first.run_id, 3_200_000)]
    results = stored(home, bad.run_id)
    window = (date(2026, 3, 20), date(2026, 3, 21))
    dup = results["unique_natural_key"]
    assert dup[:8] == ("raw", "openai/completions_usage", "error", "failed", *window, 3, 2)
    assert json.loads(dup[9]) == [
        {
            "_partition_date": "2026-03-20",
            "bucket_start": "2026-03-20",
            "project_id": "proj_acme",
            "user_id": None,
            "api_key_id": "key_acme",
            "model": "gpt-5.1-2025-11-13",
            "batch": "False",
            "service_tier": "default",
        }
    ]
    assert results["no_negative_quantity"][:8] == ("raw", "openai/completions_usage", "error", "passed", *window, 3, 0)

    fixed = run(home, monkeypatch, GOOD)
    assert fixed.success
    assert serving(home) == [(fixed.run_id, 3_200_000)]
    assert stored(home, fixed.run_id)["unique_natural_key"][3:8] == ("passed", *window, 2, 0)
    # the catalog of checks holds every rule of the landing, judged in this run or not: the checks Dagster declares
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        defined = conn.execute(
            "select layer, asset, check_name, run_id from ops.quality_checks where scope = 'raw:openai/completions_usage'"
        ).fetchall()
    declared = {
        e.check_name.removeprefix("openai_completions_usage__")
        for e in fixed.get_asset_check_evaluations()
        if e.asset_key.path == ["openai", "completions_usage"]
    }
    assert sorted(defined) == [("raw", "openai/completions_usage", rule, fixed.run_id) for rule in sorted(declared)]
    assert set(stored(home, fixed.run_id)) < declared  # some rules were not judged in this run, and are defined


def landed(tmp_path, table: RawTable, rows: list[dict], window=None):
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(conn, [table])
    land(conn, table, rows, run_id="r", window=window)
    return conn


def test_negative_tokens_are_quarantined_and_the_backstop_still_finds_one_landed_another_way(tmp_path):
    from connectors.openai import OpenAIAdminClient

    bad = result("gpt-5-mini", 200_000, 0, 40_000)
    bad["output_tokens"] = -7
    with responses.RequestsMock() as mock:
        mock.get(f"{BASE}/organization/usage/completions", json=page([GOOD[0], bad]))
        with OpenAIAdminClient(KEY, BASE) as client:
            rows = list(client.iter_completions_usage(date(2026, 3, 20), date(2026, 3, 21)))
    window = (date(2026, 3, 20), date(2026, 3, 21))
    conn = landed(tmp_path, OPENAI_COMPLETIONS_USAGE, rows, window)
    # the bad row is not in the raw table: only GOOD[0] landed, and the blocking checks pass
    assert conn.execute("select model, output_tokens from raw.openai_completions_usage").fetchall() == [
        ("gpt-5.1-2025-11-13", 500_000)
    ]
    unique, negative = check_landing(conn, OPENAI_COMPLETIONS_USAGE, window)
    assert (unique.passed, unique.rows_checked, unique.unexpected_count) == (True, 1, 0)
    assert (negative.passed, negative.unexpected_count) == (True, 0)
    kept = check_quarantine(conn, OPENAI_COMPLETIONS_USAGE, window)
    assert (kept.passed, kept.blocking, kept.check_name, kept.unexpected_count) == (
        False,
        False,
        "quarantined_rows",
        1,
    )
    assert kept.observed_value == "1 row kept in quarantine (output_tokens is negative (-7) on 2026-03-20)"
    # a row that reached the table some other way is still found by the backstop, with its column
    conn.execute(
        "insert into raw.openai_completions_usage (bucket_start, model, output_tokens, _partition_date) "
        "values (timestamp '2026-03-20', 'x', -9, date '2026-03-20')"
    )
    _, negative = check_landing(conn, OPENAI_COMPLETIONS_USAGE, window)
    assert (negative.passed, negative.unexpected_count) == (False, 1)
    assert negative.observed_value == "1 negative value (output_tokens=-9)"
    assert list(negative.sample) == [{"column": "output_tokens", "value": "-9"}]
    # a window with no rows checks nothing and passes
    empty = check_landing(conn, OPENAI_COMPLETIONS_USAGE, (date(2026, 3, 22), date(2026, 3, 23)))
    assert [(r.passed, r.rows_checked) for r in empty] == [(True, 0), (True, 0)]


def quarantined(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select raw_table, asset, source, window_start, window_end, file, partition_date, natural_key, reason, "
            "row_json, run_id from ops.quarantine order by all"
        ).fetchall()


def test_a_negative_row_is_quarantined_the_rest_publishes_with_a_warning_and_a_relanding_keeps_one_copy(
    tmp_path, monkeypatch
):
    home = tmp_path / "home"
    bad = result("gpt-5-mini", 200_000, 0, 40_000)
    bad["output_tokens"] = -40_000
    first = run(home, monkeypatch, [GOOD[0], bad])
    assert first.success
    # published without the bad row: GOOD[0]'s 3M input tokens, not 3.2M
    assert serving(home) == [(first.run_id, 3_000_000)]
    failed = [e for e in first.get_asset_check_evaluations() if not e.passed]
    assert [(e.check_name, e.severity) for e in failed] == [
        ("openai_completions_usage__quarantined_rows", dg.AssetCheckSeverity.WARN)
    ]
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as conn:
        assert conn.execute("select quality_warnings from marts.publish_info").fetchall() == [(1,)]
        published = conn.execute("select raw_table, reason from marts.quarantine").fetchall()
    assert published == [("raw.openai_completions_usage", "output_tokens is negative (-40000)")]
    window = (date(2026, 3, 20), date(2026, 3, 21))
    kept = stored(home, first.run_id)["quarantined_rows"]
    assert kept[:8] == ("raw", "openai/completions_usage", "warning", "failed", *window, 1, 1)
    assert stored(home, first.run_id)["no_negative_quantity"][3] == "passed"  # the backstop finds nothing
    (row,) = quarantined(home)
    assert row[:7] == (
        "raw.openai_completions_usage",
        "openai/completions_usage",
        "openai/completions_usage 2026-03-20..2026-03-20",
        *window,
        None,
        date(2026, 3, 20),
    )
    assert json.loads(row[7]) == {
        "bucket_start": "2026-03-20 00:00:00",
        "project_id": "proj_acme",
        "user_id": None,
        "api_key_id": "key_acme",
        "model": "gpt-5-mini",
        "batch": False,
        "service_tier": "default",
    }
    assert row[8] == "output_tokens is negative (-40000)"
    assert json.loads(row[9]) == bad  # the row as the vendor sent it
    assert row[10] == first.run_id

    again = run(home, monkeypatch, [GOOD[0], bad])  # re-landing the window: still one quarantined row
    assert again.success
    assert [r[10] for r in quarantined(home)] == [again.run_id]

    fixed = run(home, monkeypatch, GOOD)  # the vendor fixed the row: it lands, quarantine empties
    assert fixed.success
    assert quarantined(home) == []
    assert serving(home) == [(fixed.run_id, 3_200_000)]
    assert stored(home, fixed.run_id)["quarantined_rows"][3:8] == ("passed", *window, 0, 0)


def test_a_snapshot_table_is_checked_whole_on_its_id(tmp_path):
    project = {
        "id": "proj_a",
        "name": "A",
        "status": "active",
        "created_at": datetime(2023, 11, 14, 22, 13, 20),
        "archived_at": None,
    }
    rows = [{**project, "_raw": project}, {**project, "name": "A again", "_raw": project}]
    conn = landed(tmp_path, OPENAI_PROJECTS, rows)
    unique, negative = check_landing(conn, OPENAI_PROJECTS, None)
    assert (unique.passed, unique.window, unique.unexpected_count) == (False, None, 2)
    assert list(unique.sample) == [{"id": "proj_a"}]
    assert negative.passed and negative.description == "never negative: (no column declared)"


def test_raw_table_defaults_and_declarations():
    assert OPENAI_COMPLETIONS_USAGE.natural_key == (
        "bucket_start",
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
    )
    assert "input_tokens" in OPENAI_COMPLETIONS_USAGE.never_negative
    assert BY_NAME["helicone"].tables[0].key == ("request_id",)
    assert BY_NAME["aws_cur"].tables[0].key == ("identity_line_item_id", "identity_time_interval")
    # credits are never declared never-negative
    for source in ("gcp_billing", "azure_cost", "aws_cur"):
        never = BY_NAME[source].tables[0].never_negative
        assert not any("cost" in c or "credit" in c or "amount" in c for c in never), (source, never)
    with pytest.raises(ValueError, match="name no column: \\['nope'\\]"):
        RawTable(source="s", endpoint="e", columns=(("bucket_start", "TIMESTAMP"),), key=("nope",))


def test_request_logs_are_unique_per_file_since_dbt_keeps_one_copy_of_a_request_in_two_files(tmp_path):
    table = BY_NAME["jsonl_requests"].tables[0]
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(conn, [table])

    def logged(request_id: str, path: str) -> None:
        conn.execute(
            f"insert into {table.qualified_name} (request_id, requested_at, input_tokens, _partition_date, _file) "
            "values (?, timestamp '2026-03-20 10:00:00', 5, date '2026-03-20', ?)",
            [request_id, path],
        )

    window = (date(2026, 3, 20), date(2026, 3, 21))
    logged("req_1", "/drops/a.jsonl")
    logged("req_1", "/drops/b.jsonl")  # the overlap of two exports: deduplicated by fct_request_cost
    logged("req_2", "/drops/b.jsonl")
    unique, _ = check_landing(conn, table, window)
    assert (unique.passed, unique.rows_checked) == (True, 3)
    assert unique.description == "one row per request_id per UTC day and file (a repeated row would be counted twice)"
    logged("req_2", "/drops/b.jsonl")  # the same file logs a request twice
    unique, _ = check_landing(conn, table, window)
    assert (unique.passed, unique.unexpected_count) == (False, 2)
    assert list(unique.sample) == [{"_partition_date": "2026-03-20", "_file": "/drops/b.jsonl", "request_id": "req_2"}]
