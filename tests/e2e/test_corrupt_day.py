"""Issue 12's acceptance, end to end through the job `finops run` executes: one emulator day corrupted with a
repeated row, a negative token count and an unknown model (emulator/faults.py: dup_row@, negative_tokens@,
unknown_model@) on both usage reports. The run reports exactly those problems (the repeats as errors on the raw
landings, the negative rows as quarantine warnings, the unknown model as unpriced usage on the marts: a raw error no
longer stops the build, so the mart gate runs too), publishes nothing, keeps the serving copy as it was, and the same
day publishes the emulator's ground truth once the vendor's data is fixed."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from e2e_helpers import billing_emulator, serving, serving_snapshot, usage_sources

from emulator.faults import UNKNOWN_MODEL
from orchestration.errors import FinopsError
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, DAY = date(2025, 6, 8), date(2025, 6, 9)  # the run covers both; DAY is corrupted
ALL = f"dup_row@{DAY},negative_tokens@{DAY},unknown_model@{DAY}"
USAGE = {"openai": "openai/completions_usage", "anthropic": "anthropic/messages_usage"}


@contextmanager
def pointed_at(home, server):
    saved = dict(os.environ)
    os.environ.update(FINOPS_HOME=str(home), **server.environ(usage_sources(server)))
    prepare_environment(Paths(home))  # DAGSTER_HOME and dbt's log folder, as `finops run` sets them
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def warehouse(paths: Paths, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def not_passed(paths: Paths, run_id: str) -> set[tuple]:
    return set(
        warehouse(
            paths,
            "select layer, asset, check_name, severity, unexpected_count from ops.quality_results "
            "where run_id = ? and status <> 'passed'",
            [run_id],
        )
    )


RECON_SQL = (
    "select provider, account_id, compared_billed_usd, compared_computed_usd, variance_usd, tolerance_usd "
    "from marts.fct_cost_reconciliation_daily where usage_date = ? and status not in ('billed_only', 'usage_only')"
)


def day_totals(paths: Paths, day: date) -> dict[str, Decimal]:
    return dict(
        serving(
            paths,
            "select provider, sum(list_cost_usd) from marts.fct_usage_cost_daily where is_priced and usage_date = ? "
            "group by 1",
            [day],
        )
    )


@pytest.fixture(scope="module")
def emulator():
    with billing_emulator().start() as server:
        yield server


@pytest.fixture(scope="module")
def clean(emulator, tmp_path_factory):
    """A FINOPS_HOME with a clean run of FIRST..DAY published."""
    home = tmp_path_factory.mktemp("corrupt_day") / "home"
    paths = Paths(home)
    with pointed_at(home, emulator):
        summary = run_pipeline(FIRST, DAY)
        check_summary(summary)
    return {"home": home, "paths": paths, "run": summary}


def test_a_corrupt_day_reports_exactly_its_problems_keeps_the_published_copy_and_publishes_once_fixed(emulator, clean):
    paths = clean["paths"]
    before = serving_snapshot(paths)
    info_before = serving(paths, "select * from marts.publish_info")
    clean_totals = day_totals(paths, DAY)
    recon = {
        (p, a): (billed, computed, variance, tolerance)
        for p, a, billed, computed, variance, tolerance in serving(paths, RECON_SQL, [DAY])
    }
    unpriced_sql = "select count(*) from marts.fct_usage_cost_daily where not is_priced and usage_date between ? and ?"
    (clean_unpriced,) = serving(paths, unpriced_sql, [FIRST, DAY])[0]

    with billing_emulator(org=emulator.org, faults=ALL).start() as broken, pointed_at(clean["home"], broken):
        bad = run_pipeline(FIRST, DAY)
        with pytest.raises(FinopsError) as failed:
            check_summary(bad)
    message = str(failed.value)
    assert message.startswith("the quality gate failed (") and "nothing was published" in message
    # the sentence names the table, the day and the repeated key
    assert f"openai_completions_usage__unique_natural_key: 2 rows with a duplicate key on {DAY} (" in message
    assert f"anthropic_messages_usage__unique_natural_key: 2 rows with a duplicate key on {DAY} (" in message
    assert "model=" in message
    # the build went on; the alert log refused the run from its stored errors (so publish, after it, never ran)
    assert not bad.published
    assert [f.split(": ", 1)[0] for f in bad.failures] == ["ops__alert_log"]
    assert "openai/completions_usage unique_natural_key: 2 rows with a duplicate key on" in bad.failures[0]

    # the unknown model reached the marts (in the warehouse, not the serving copy): unpriced on both providers,
    # never costed at $0
    unknown = warehouse(
        paths,
        "select provider, bool_or(is_priced), count(*) filter (where list_cost_usd is not null), count(*) "
        "from marts.fct_usage_cost_daily where model_raw = ? group by 1 order by 1",
        [UNKNOWN_MODEL],
    )
    assert [(p, priced, costed) for p, priced, costed, _ in unknown] == [("anthropic", False, 0), ("openai", False, 0)]
    (unpriced,) = warehouse(paths, unpriced_sql, [FIRST, DAY])[0]
    assert unpriced == clean_unpriced + sum(n for *_, n in unknown)

    # exactly these problems: the repeated row (an error), the negative row kept in quarantine (a warning, 1 row),
    # on each usage report, and the unknown model's rows as unpriced usage on the mart; and those same rows once
    # more as the reconciliation sees them: the unpublished marts count the repeated rows twice and leave the
    # quarantined rows out, so DAY's computed cost no longer matches the bill (one day out of tolerance); nothing
    # else failed or warned
    assert not_passed(paths, bad.run_id) == {
        ("raw", USAGE["openai"], "unique_natural_key", "error", 2),
        ("raw", USAGE["anthropic"], "unique_natural_key", "error", 2),
        ("raw", USAGE["openai"], "quarantined_rows", "warning", 1),
        ("raw", USAGE["anthropic"], "quarantined_rows", "warning", 1),
        ("mart", "marts/fct_usage_cost_daily", "usage_has_price", "warning", unpriced),
        ("mart", "marts/fct_cost_reconciliation_daily", "days_out_of_tolerance(variance_usd)", "warning", 1),
    }
    # that variance comes from the corrupted usage, not the bill: the bill is the clean run's, the computed cost
    # moved, and the clean day agreed within tolerance
    over = [r for r in warehouse(paths, RECON_SQL, [DAY]) if abs(r[4]) > r[5]]
    assert over
    for provider, account, billed, computed, variance, tolerance in over:
        clean_billed, clean_computed, clean_variance, _ = recon[(provider, account)]
        assert billed == clean_billed and computed != clean_computed and abs(clean_variance) <= tolerance
        assert variance - clean_variance == computed - clean_computed
    assert f"fct_usage_cost_daily__usage_has_price ({unpriced} rows)" in bad.warnings
    kept = warehouse(paths, "select asset, partition_date, reason, row_json from ops.quarantine order by asset")
    assert [(a, d) for a, d, _, _ in kept] == [(USAGE["anthropic"], DAY), (USAGE["openai"], DAY)]
    for _, _, reason, row_json in kept:
        tokens = json.loads(row_json)["output_tokens"]
        assert tokens < 0 and reason == f"output_tokens is negative ({tokens})"
    # the backstop found nothing: the negative rows never reached the raw tables
    assert warehouse(
        paths,
        "select count(*) from ops.quality_results where run_id = ? and check_name = 'no_negative_quantity' "
        "and status = 'failed'",
        [bad.run_id],
    ) == [(0,)]
    # the unknown model was landed on that day only
    for table in ("openai_completions_usage", "anthropic_messages_usage"):
        assert warehouse(paths, f"select _partition_date from raw.{table} where model = ?", [UNKNOWN_MODEL]) == [(DAY,)]
    # the serving copy is the clean run's, row for row
    assert serving_snapshot(paths) == before
    assert serving(paths, "select * from marts.publish_info") == info_before

    # the vendor fixed the day: re-running it publishes the emulator's ground truth, and the quarantine empties
    with pointed_at(clean["home"], emulator):
        fixed = run_pipeline(DAY, DAY)
        check_summary(fixed)
    assert fixed.published
    assert warehouse(paths, "select count(*) from ops.quarantine") == [(0,)]
    assert not {r for r in not_passed(paths, fixed.run_id) if r[3] == "error"}
    assert serving(paths, "select run_id from marts.publish_info") == [(fixed.run_id,)]
    totals = day_totals(paths, DAY)
    truth = emulator.org.ground_truth_totals(DAY, DAY + timedelta(days=1))
    assert totals and sum(totals.values(), Decimal(0)) > 0
    assert abs(sum(totals.values(), Decimal(0)) - sum(truth.values(), Decimal(0))) < Decimal("1e-9")
    assert totals == clean_totals
    assert serving(paths, "select count(*) from marts.fct_usage_cost_daily where model_raw = ?", [UNKNOWN_MODEL]) == [
        (0,)
    ]
    assert serving(paths, "select count(*) from marts.quarantine") == [(0,)]


def test_negative_tokens_alone_publish_the_rest_with_a_warning_and_the_row_in_quarantine(emulator, clean, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(clean["home"], home)
    (home / "writer.lock").unlink(missing_ok=True)
    paths = Paths(home)
    with billing_emulator(org=emulator.org, faults=f"negative_tokens@{DAY}").start() as broken:
        with pointed_at(home, broken):
            run = run_pipeline(DAY, DAY)
            check_summary(run)
    assert run.published
    raw_not_passed = {r for r in not_passed(paths, run.run_id) if r[0] == "raw"}
    assert raw_not_passed == {
        ("raw", USAGE["openai"], "quarantined_rows", "warning", 1),
        ("raw", USAGE["anthropic"], "quarantined_rows", "warning", 1),
    }
    # published: the day without the two quarantined rows, and the quarantine itself for the Data health page
    assert serving(paths, "select asset, partition_date from marts.quarantine order by 1") == [
        (USAGE["anthropic"], DAY),
        (USAGE["openai"], DAY),
    ]
    assert serving(paths, "select min(quality_warnings) from marts.publish_info")[0][0] >= 2
    assert serving(paths, "select count(*) from marts.fct_usage_cost_daily where quantity < 0") == [(0,)]


def test_an_unknown_model_alone_publishes_as_unpriced_usage_never_zero(emulator, clean, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(clean["home"], home)
    (home / "writer.lock").unlink(missing_ok=True)
    paths = Paths(home)
    unpriced_sql = "select count(*) from marts.fct_usage_cost_daily where usage_date = ? and not is_priced"
    (clean_unpriced,) = serving(paths, unpriced_sql, [DAY])[0]
    with billing_emulator(org=emulator.org, faults=f"unknown_model@{DAY}").start() as broken:
        with pointed_at(home, broken):
            run = run_pipeline(DAY, DAY)
            check_summary(run)
    assert run.published
    unknown = serving(
        paths,
        "select provider, bool_or(is_priced), count(*) filter (where list_cost_usd is not null), count(*) "
        "from marts.fct_usage_cost_daily where model_raw = ? group by 1 order by 1",
        [UNKNOWN_MODEL],
    )
    # flagged on both providers, never costed at $0
    assert [(p, priced, costed) for p, priced, costed, _ in unknown] == [
        ("anthropic", False, 0),
        ("openai", False, 0),
    ]
    (unpriced,) = serving(paths, unpriced_sql, [DAY])[0]
    assert unpriced == clean_unpriced + sum(n for *_, n in unknown)
    # reported by the check that reports unpriced usage today, with exactly those rows; nothing raw failed
    assert {r for r in not_passed(paths, run.run_id) if r[2] == "usage_has_price"} == {
        ("mart", "marts/fct_usage_cost_daily", "usage_has_price", "warning", unpriced)
    }
    assert not {r for r in not_passed(paths, run.run_id) if r[0] == "raw"}
