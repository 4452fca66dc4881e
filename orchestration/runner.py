"""The pipeline runner: ingest + dbt build + quality gate + publish for a range of UTC days.

`finops run`, `finops demo`, the tests and `bench/` all run the pipeline through ``run_pipeline``: the
Dagster job the schedule runs (`daily_spend_job`), executed in process on the instance under
``$FINOPS_HOME/dagster``, so `dagster dev` shows these runs too.

A run holds the writer lock of FINOPS_HOME from start to end (orchestration/writer_lock.py). The lock dies
with its process, so a run that was killed (SIGKILL, an OOM kill, a reboot) never blocks the next one;
the next run marks the runs the dead one left "in progress" as failed, so Dagster's records tell the truth.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from orchestration.errors import FinopsError
from orchestration.prices.check import require_valid_book
from orchestration.settings import (
    HISTORY_START,
    PRICING_SEEDS_DIR,
    Paths,
    dbt_engine,
    duckdb_memory_limit,
    finops_home,
)
from orchestration.writer_lock import writer_lock

# The run id a CLI run gives itself, as a tag. A run whose tag equals its own id was started by this runner
# (a re-execution from the UI copies the tag but gets a new id).
CLI_RUN_TAG = "finops/cli_run_id"
DAGSTER_YAML = """\
# Written by `finops`. No telemetry (this machine talks to no one). One writer at a time is enforced by
# $FINOPS_HOME/writer.lock (an OS lock that dies with its process), not by a Dagster pool: a pool slot held
# by a killed run is never given back.
# Run history: Dagster's SQLite event log, with its connections kept open (orchestration/dagster_events.py).
telemetry:
  enabled: false
nux:
  enabled: false
event_log_storage:
  module: orchestration.dagster_events
  class: PooledSqliteEventLogStorage
"""
_DAGSTER_YAML_MARK = "# Written by `finops`."


GATE_FAILED = "the quality gate failed ("


class Interrupted(FinopsError):
    """Ctrl-C or SIGTERM stopped a run."""


def utc_today() -> date:
    return datetime.now(UTC).date()


def check_range(first: date, last: date) -> None:
    """Refuse a range of UTC days the warehouse cannot load, with one sentence."""
    if first > last:
        raise FinopsError(f"--start {first} is after --end {last}; give the first day, then the last.")
    if last >= utc_today():
        raise FinopsError(
            f"--end {last} is not a complete UTC day yet; the last day you can load is {utc_today() - timedelta(days=1)}."
        )
    if first < date.fromisoformat(HISTORY_START):
        raise FinopsError(f"--start {first} is before {HISTORY_START}, the first day this warehouse partitions.")


def checked_config():
    """finops.yaml validated (ConfigError, one sentence, when it is not); its warnings go to the terminal."""
    from orchestration.config import load_config

    config = load_config()
    for line in config.warnings:
        _progress(f"warning: {line}")
    return config


def prepare_environment(paths: Paths) -> None:
    """Point Dagster, dbt and the app at FINOPS_HOME (absolute), and write the Dagster instance config.
    Raises FinopsError when FINOPS_HOME cannot be used as a data folder."""
    paths.check_usable()
    os.environ["FINOPS_HOME"] = str(paths.home)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
    os.environ["DBT_LOG_PATH"] = str(paths.logs / "dbt")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    config = paths.dagster_home / "dagster.yaml"
    # Rewrite our own config when it changed (older versions set a pool that a killed run could wedge).
    if not config.exists() or (
        config.read_text().startswith(_DAGSTER_YAML_MARK) and config.read_text() != DAGSTER_YAML
    ):
        config.write_text(DAGSTER_YAML)


# ------------------------------------------------------------------------------------------------ run


@dataclass
class RunSummary:
    run_id: str
    success: bool
    published: bool
    interrupted: bool = False
    failures: list[str] = field(default_factory=list)
    gate_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run_pipeline(
    first: date,
    last: date,
    sources: list[str] | None = None,
    *,
    accept_shrink: bool = False,
    trailing: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> RunSummary:
    """Ingest + dbt build + quality gate + publish for the UTC days first..last (inclusive), through
    Dagster's `daily_spend_job`. The environment must be prepared (``prepare_environment``). ``trailing``:
    a daily run, in which each API source re-pulls only its own revision window inside first..last.

    Waits (after calling ``on_wait`` once) while another process holds the writer lock of FINOPS_HOME.
    """
    check_range(first, last)
    duckdb_memory_limit()  # a bad FINOPS_DUCKDB_MEMORY_LIMIT stops the run here, before anything is written
    dbt_engine()  # so does a FINOPS_ENGINE this project cannot build on
    checked_config()  # a bad finops.yaml stops the run here, before anything is fetched or written
    require_valid_book(PRICING_SEEDS_DIR)  # so does a price-book row that would fail dbt's seed tests
    from connectors.registry import BY_NAME

    selected = [BY_NAME[name] for name in sources] if sources else list(BY_NAME.values())
    missing = [source for source in selected if not source.configured(os.environ)]
    for source in missing:
        _progress(source.not_configured(os.environ))
    if len(missing) == len(selected):
        _progress(
            "note: no source is configured, so nothing new is loaded; set a key or a path (see README) or try `finops demo`."
        )

    home = finops_home()
    with writer_lock(home, "finops run", on_wait=on_wait):
        return _execute(first, last, sources, accept_shrink, trailing)


def _execute(
    first: date, last: date, sources: list[str] | None, accept_shrink: bool, trailing: bool = False
) -> RunSummary:
    import dagster as dg

    from orchestration.defs.schedules import range_tags
    from orchestration.defs.transform.project import parse_manifest  # imports dagster-dbt: keep it lazy

    instance = dg.DagsterInstance.get()
    for run_id in reap_dead_runs(instance):
        _progress(f"note: run {run_id} was left unfinished by a process that is gone; marked it failed.")
    parse_manifest(build_target=Paths(finops_home()).dbt_target)
    from orchestration.definitions import defs as load_defs

    definitions = load_defs()
    job = definitions.resolve_job_def("daily_spend_job")
    selection = source_selection(definitions, sources) if sources else None

    run_id = str(uuid.uuid4())  # a Dagster run id
    tags = {**range_tags(first, last, accept_shrink=accept_shrink, trailing=trailing), CLI_RUN_TAG: run_id}
    # dbt's and GX's own chatter goes to a log file under FINOPS_HOME; the terminal gets one line per step.
    log_path = finops_home() / "logs" / "finops-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            tags=tags,
            asset_selection=selection,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    return summarise(result)


def source_selection(definitions, sources: list[str]) -> list:
    """The asset keys a run of ``sources`` only executes: every asset but the other sources' ingest. Executable
    keys only: a dbt source nothing materialises (config.*, written by the dbt step) is not a step to select."""
    from connectors.registry import BY_NAME

    keys = definitions.resolve_asset_graph().executable_asset_keys
    return [k for k in keys if k.path[0] not in BY_NAME or k.path[0] in sources]


def reap_dead_runs(instance) -> list[str]:
    """Mark failed the runs this runner started that are still "in progress" although their process is gone.

    Called while holding the writer lock: every runner run holds that lock until it ends, so a runner run
    that is still in progress now belongs to a process that died without finishing it.
    """
    import dagster as dg

    in_progress = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
                dg.DagsterRunStatus.CANCELING,
            ]
        )
    )
    reaped = []
    for run in in_progress:
        if run.tags.get(CLI_RUN_TAG) != run.run_id:
            continue
        instance.report_run_failed(run, "The process running this run ended without finishing it (killed?).")
        with contextlib.suppress(Exception):  # instances that once used a pool: give its slots back
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(run.run_id)
    return reaped


def summarise(result) -> RunSummary:
    summary = RunSummary(run_id=result.run_id, success=result.success, published=False)
    for event in result.all_events:
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION" and event.asset_key and event.asset_key.path == ["serving", "marts"]:
            summary.published = True
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                meta = evaluation.metadata or {}
                count = getattr(meta.get("unexpected_count") or meta.get("dagster_dbt/failed_row_count"), "value", None)
                line = evaluation.check_name + (f" ({count} rows)" if count is not None else "")
                finding = getattr(meta.get("finding"), "value", None)  # raw-landing checks say what and where
                if finding:
                    line = f"{evaluation.check_name}: {finding}"
                blocking = evaluation.severity is None or evaluation.severity.value == "ERROR"
                (summary.gate_failures if blocking else summary.warnings).append(line)
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            if _is_interruption(error):
                summary.interrupted = True
            else:
                summary.failures.append(f"{event.step_key}: {_user_message(error)}")
    return summary


def _is_interruption(error) -> bool:
    chain = error
    while chain is not None:
        if chain.cls_name in ("DagsterExecutionInterruptedError", "KeyboardInterrupt"):
            return True
        chain = chain.cause
    return False


def _user_message(error) -> str:
    """The user's exception that Dagster wrapped (the first non-Dagster error in the chain), as one line."""
    chain = error
    while chain is not None and chain.cls_name and chain.cls_name.startswith("Dagster"):
        chain = chain.cause
    best = chain or error
    text = best.message.strip()
    head, sep, rest = text.partition(": ")
    return rest if sep and head.split(".")[-1] == best.cls_name else text


def print_summary(summary: RunSummary) -> None:
    for line in summary.warnings:
        _progress(f"warning: quality gate: {line}")


def check_summary(summary: RunSummary) -> None:
    if summary.interrupted:
        raise Interrupted(interrupted_message(summary.published))
    if summary.gate_failures:
        from orchestration.quality.results import gate_failed_message

        raise FinopsError(gate_failed_message(summary.gate_failures))
    if summary.failures:
        messages = list(dict.fromkeys(f.split(": ", 1)[-1] for f in summary.failures))
        refused = [m for m in messages if m.startswith(GATE_FAILED)]
        if refused:  # publish or the alert log refused the run for a failure stored in ops.quality_results
            raise FinopsError(refused[0])
        more = len(summary.failures) - 1
        suffix = (
            f" ({more} more step{'s' if more > 1 else ''} failed too; see the run in `finops dagster`)" if more else ""
        )
        raise FinopsError(messages[0].rstrip(".") + suffix + "; nothing was published.")
    if not summary.success or not summary.published:
        raise FinopsError(f"run {summary.run_id} did not publish; see it in `finops dagster` for details.")


def interrupted_message(published: bool = False) -> str:
    if published:
        return "interrupted after publishing; the serving copy holds this run's data."
    return "interrupted; nothing was published; rerun to continue."


def published_totals(paths: Paths) -> str:
    """One line on what the serving copy now holds, read back from it (not from the run's memory)."""
    import duckdb

    with duckdb.connect(str(paths.serving), read_only=True) as conn:
        days, listed, unpriced = conn.execute(
            "select count(distinct usage_date), coalesce(sum(list_cost_usd), 0), count(*) filter (where not is_priced) "
            "from marts.fct_usage_cost_daily"
        ).fetchall()[0]
        billed = conn.execute("select coalesce(sum(billed_cost_usd), 0) from marts.fct_billed_cost_daily").fetchall()[
            0
        ][0]
        statuses = conn.execute(
            "select status, count(*) from marts.fct_cost_reconciliation_daily group by 1 order by 2 desc"
        ).fetchall()
        requests = conn.execute(
            "select coalesce(sum(requests), 0), coalesce(sum(list_cost_usd), 0), coalesce(sum(unpriced_requests), 0), "
            "count(distinct team) filter (where team <> '(none)'), string_agg(distinct source, ', ' order by source) "
            "from marts.fct_request_cost_daily"
        ).fetchall()[0]
        explained = conn.execute(
            "select coalesce(sum(request_cost_usd), 0), sum(usage_cost_usd) from marts.mart_request_coverage_daily "
            "where is_covered_by_billing and requests > 0"
        ).fetchall()[0]
    recon = ", ".join(f"{n} {status}" for status, n in statuses) or "nothing to reconcile"
    line = (
        f"serving copy: {days} UTC days, list cost ${listed:,.2f}, billed ${billed:,.2f}"
        f" ({unpriced} unpriced usage rows); reconciliation (day x account): {recon}"
    )
    count, request_cost, unpriced_requests, teams, sources = requests
    if count:
        share = (
            f"; they explain {explained[0] / explained[1]:.1%} of the usage cost of the provider-days they cover"
            if explained[1]
            else ""
        )
        line += (
            f"\nrequest logs ({sources}): {count:,} requests, list cost ${request_cost:,.2f} across {teams} teams"
            f" ({unpriced_requests:,} unpriced requests){share}"
        )
    return line


def _progress(message: str) -> None:
    logging.getLogger("finops").info(message)
