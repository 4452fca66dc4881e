"""One Dagster ingest asset per raw table of every registered source (connectors/registry.py), and a
sensor per file-drop source.

An asset only orchestrates: it asks the source's connector (no HTTP here) for the rows of its UTC days
and hands them to ``loader.land`` (no SQL here). A file-drop asset lands each new or changed file in its
own transaction, several files per connection, and reads the next files (on a thread of its own) while those
land (``loader.land_files``); it skips the files whose content it already holds. Long backfills are landed in
chunks of at most 31 days, each its own transaction, so a failure in year two keeps year one. An unconfigured
source is skipped with one line, and its tables are created empty so dbt's sources resolve.
"""

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg

from connectors.files import FileDropError, digest, left_out
from connectors.source import Feed, Source
from orchestration.defs.partitions import daily
from orchestration.defs.quality.checks import run_window
from orchestration.defs.resources import source_resource_key
from orchestration.defs.schedules import ACCEPT_SHRINK_TAG, TRAILING_TAG
from orchestration.errors import FinopsError
from orchestration.loader import DroppedFile, ensure_raw_tables, land, land_files, loaded_digests
from orchestration.progress import report
from orchestration.quality import quarantine, raw, results

CHUNK_DAYS = 31
CHECKS_SECONDS = "checks_seconds"  # materialization metadata: how long the landing's own checks took


def chunks(start: date, end: date, size: int = CHUNK_DAYS) -> Iterator[tuple[date, date]]:
    """Split [start, end) into consecutive half-open windows of at most ``size`` days."""
    cursor = start
    while cursor < end:
        upper = min(cursor + timedelta(days=size), end)
        yield cursor, upper
        cursor = upper


def _accepts_shrink(context) -> bool:
    return context.run.tags.get(ACCEPT_SHRINK_TAG) == "true"


def _skipped(context, source_resource, feed: Feed, warehouse) -> dg.MaterializeResult | None:
    if source_resource.configured():
        return None
    message = source_resource.not_configured()
    context.log.info(message)  # the CLI says it once per source, before the run
    with warehouse.connect(context) as conn:
        ensure_raw_tables(conn, [feed.table])
    return dg.MaterializeResult(metadata={"skipped": message, "rows": 0})


def _asset_args(source: Source, feed: Feed) -> dict:
    """What every ingest asset of ``feed`` declares: its key [source, endpoint] (= the dbt source key)."""
    table = feed.table
    return dict(
        key=[table.source, table.endpoint],
        group_name="ingest",
        kinds={"python", "duckdb"},
        required_resource_keys={source_resource_key(source.name), "warehouse"},
        description=feed.description,
        metadata={"raw_table": table.qualified_name, "source": source.title},
        check_specs=raw_check_specs(source, feed),
    )


def _within_history(context, source: Source, table, start: date, end: date) -> tuple[date, date]:
    """[start, end) cut to the completed UTC days the source's API still answers (``Source.history_days``),
    saying in one line which days are out of reach. Those days are not touched: what was landed for them
    while the API still had them stays."""
    if source.history_days is None:
        return start, end
    today = datetime.now(UTC).date()
    oldest = today - timedelta(days=source.history_days)
    if start < oldest:
        gone = f"{start}..{min(end, oldest) - timedelta(days=1)}"
        report(
            context,
            f"{table.source}/{table.endpoint}: {gone} cannot be pulled: {source.title} keeps only the last "
            f"{source.history_days} completed UTC days (from {oldest}); days landed earlier stay as they are.",
        )
    return max(start, oldest), min(end, today)


def build_api_asset(source: Source, feed: Feed) -> dg.AssetsDefinition:
    table = feed.table
    resource_key = source_resource_key(source.name)
    common = _asset_args(source, feed)

    if table.partitioned:

        @dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.single_run(), **common)
        def _partitioned(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            return checked(context, source, feed, _land_days(context))

        def _land_days(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            source_resource = getattr(context.resources, resource_key)
            warehouse = context.resources.warehouse
            skipped = _skipped(context, source_resource, feed, warehouse)
            if skipped:
                return skipped
            window = context.partition_time_window
            start, end = window.start.date(), window.end.date()
            if context.run.tags.get(TRAILING_TAG) == "true":
                # a daily run: this source re-pulls only the days it may still revise; older days stay as landed
                start = max(start, end - timedelta(days=source.revision_window(os.environ)))
            start, end = _within_history(context, source, table, start, end)
            if start >= end:
                return dg.MaterializeResult(metadata={"rows": 0, "window": "none within the API's history"})
            client = source_resource.get_client()
            accept = _accepts_shrink(context)
            total = 0
            for lo, hi in chunks(start, end):
                rows = feed.fetch(client, lo, hi)
                with warehouse.connect(context) as conn:
                    n = land(conn, table, rows, run_id=context.run_id, window=(lo, hi), accept_shrink=accept)
                total += n
                report(context, f"{table.source}/{table.endpoint}: {lo}..{hi - timedelta(days=1)} landed {n} rows")
            _report_notices(context, feed, client)
            return dg.MaterializeResult(metadata={"rows": total, "window": f"{start}..{end - timedelta(days=1)}"})

        return _partitioned

    @dg.asset(**common)
    def _snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return checked(context, source, feed, _land_snapshot(context))

    def _land_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        source_resource = getattr(context.resources, resource_key)
        warehouse = context.resources.warehouse
        skipped = _skipped(context, source_resource, feed, warehouse)
        if skipped:
            return skipped
        client = source_resource.get_client()
        rows = feed.fetch(client, None, None)
        with warehouse.connect(context) as conn:
            n = land(conn, table, rows, run_id=context.run_id, accept_shrink=_accepts_shrink(context))
        report(context, f"{table.source}/{table.endpoint}: landed {n} rows")
        _report_notices(context, feed, client)
        return dg.MaterializeResult(metadata={"rows": n})

    return _snapshot


def _report_notices(context: dg.AssetExecutionContext, feed: Feed, client: object) -> None:
    """Say, after the table's name, what the pulls left out and why when that is not an error (a client that
    keeps such notices offers ``take_notices``; e.g. an organisation without Claude Code analytics)."""
    for line in getattr(client, "take_notices", list)():
        report(context, f"{feed.table.source}/{feed.table.endpoint}: {line}")


def build_file_asset(source: Source, feed: Feed) -> dg.AssetsDefinition:
    table = feed.table
    resource_key = source_resource_key(source.name)

    @dg.asset(**_asset_args(source, feed))
    def _files(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return checked(context, source, feed, _land_files(context))

    def _land_files(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        source_resource = getattr(context.resources, resource_key)
        warehouse = context.resources.warehouse
        skipped = _skipped(context, source_resource, feed, warehouse)
        if skipped:
            return skipped
        try:
            paths = source_resource.files()
        except FileDropError as exc:
            raise FinopsError(str(exc)) from None
        with warehouse.connect(context) as conn:
            loaded = loaded_digests(conn, table)
        landed = unchanged = 0
        others: dict[str, int] = {}  # lines of other services the reader left out (cloud billing exports)

        def changed_files() -> Iterator[DroppedFile]:
            nonlocal unchanged
            for path in paths:
                content = digest(path)
                if loaded.get(str(path)) == content:
                    unchanged += 1
                    continue
                try:
                    batch = feed.read(path)  # in bulk, outside the writer lock
                except FileDropError as exc:
                    raise FinopsError(f"{source.setting.paths_env}: {exc}") from None
                for service, count in left_out(batch)["by_service"].items():
                    others[service] = others.get(service, 0) + count
                yield DroppedFile(str(path), content, batch)

        def on_landed(file: DroppedFile, n: int) -> None:
            nonlocal landed
            landed += 1
            report(context, f"{table.source}/{table.endpoint}: {Path(file.path).name} landed {n} rows")

        rows = land_files(
            lambda: warehouse.connect(context), table, changed_files(), run_id=context.run_id, on_landed=on_landed
        )
        report(
            context,
            f"{table.source}/{table.endpoint}: {landed} new or changed files ({rows} rows), {unchanged} unchanged",
        )
        if others:
            top = ", ".join(f"{name} {n}" for name, n in sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
            more = f" and {len(others) - 5} more" if len(others) > 5 else ""
            report(
                context,
                f"{table.source}/{table.endpoint}: left out {sum(others.values())} lines of services that are not AI "
                f"spend ({top}{more}); they are not in the marts.",
            )
        return dg.MaterializeResult(metadata={"files_landed": landed, "files_unchanged": unchanged, "rows": rows})

    return _files


def file_signatures(paths) -> dict[str, str]:
    """What a sensor remembers of each file: size and modification time (the asset compares content)."""
    signatures = {}
    for path in paths:
        stat = path.stat()
        signatures[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return signatures


def build_file_sensor(source: Source, job) -> dg.SensorDefinition:
    keys = [dg.AssetKey([t.source, t.endpoint]) for t in source.tables]
    resource_key = source_resource_key(source.name)

    @dg.sensor(
        name=f"{source.name}_files_sensor",
        job=job,
        minimum_interval_seconds=60,
        required_resource_keys={resource_key},
        description=f"Starts a run when a file named by {source.setting.paths_env} is new or changed.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        source_resource = getattr(context.resources, resource_key)
        if not source_resource.configured():
            return dg.SkipReason(source_resource.not_configured())
        try:
            now = file_signatures(source_resource.files())
        except FileDropError as exc:
            return dg.SkipReason(str(exc))
        before = json.loads(context.cursor) if context.cursor else {}
        changed = sorted(path for path, signature in now.items() if before.get(path) != signature)
        context.update_cursor(json.dumps(now, sort_keys=True))
        if not changed:
            return dg.SkipReason("no new or changed files")
        run_key = f"{source.name}:" + ",".join(f"{p}@{now[p]}" for p in changed)
        return dg.RunRequest(run_key=run_key, asset_selection=keys, tags={"finops/changed_files": str(len(changed))})

    return _sensor


def raw_check_name(table, rule: str) -> str:
    return f"{table.name}__{rule}"


def _raw_rules(source: Source, feed: Feed) -> tuple[list[str], list[str], dict[str, str]]:
    """(errors, warnings, description of each) of one raw landing's checks (orchestration/quality/raw.py)."""
    table = feed.table
    lag = source.freshness_lag_days
    about = {**raw.descriptions(table), **raw.warning_descriptions(table, lag)}
    errors = list(raw.RULES)
    warnings = [raw.VOLUME] if table.partitioned else []
    if table.partitioned and lag is not None:
        warnings.append(raw.FRESHNESS)
    if quarantine.applies(table):
        warnings.append(raw.QUARANTINED)
        about[raw.QUARANTINED] = raw.quarantine_description(table)
    return errors, warnings, about


def raw_check_specs(source: Source, feed: Feed) -> list[dg.AssetCheckSpec]:
    """The quality checks of one raw landing, declared on its ingest asset and run in the asset's own step, right
    after the landing (``checked``), so every step downstream (dbt, the marts' gate, publish) comes after them
    whatever the executor. Errors (severity error, "blocking" in ops.quality_results): its natural key is unique
    per UTC day and its never-negative columns hold no negative value. They do not stop Dagster's downstream
    steps (``blocking=False``): dbt and the mart gate still run, so one run names every problem of a day (a
    repeated row AND the unknown model it came with); publish and the alert log refuse a run with any failed
    error in ops.quality_results (orchestration/defs/publish/serving.py), so the serving copy keeps its last good
    data. Warnings (partitioned tables): volume against the table's own history, and freshness against the
    source's documented lag; and the rows the landing kept in quarantine (tables with never-negative columns);
    publish goes on. Each outcome is also stored in ops.quality_results."""
    table = feed.table
    key = dg.AssetKey([table.source, table.endpoint])
    errors, warnings, about = _raw_rules(source, feed)
    return [
        dg.AssetCheckSpec(name=raw_check_name(table, rule), asset=key, blocking=False, description=about[rule])
        for rule in [*errors, *warnings]
    ]


def checked(
    context: dg.AssetExecutionContext, source: Source, feed: Feed, landed: dg.MaterializeResult
) -> dg.MaterializeResult:
    """``landed`` (what the asset landed) with the results of the landing's checks (``raw_check_specs``) and the
    seconds they took (``checks_seconds``, which bench/pipeline.py adds up)."""
    started = time.perf_counter()
    check_results = raw_check_results(context, source, feed)
    seconds = round(time.perf_counter() - started, 3)
    return dg.MaterializeResult(metadata={**landed.metadata, CHECKS_SECONDS: seconds}, check_results=check_results)


def raw_check_results(context: dg.AssetExecutionContext, source: Source, feed: Feed) -> list[dg.AssetCheckResult]:
    table = feed.table
    key = dg.AssetKey([table.source, table.endpoint])
    lag = source.freshness_lag_days
    errors, warnings, _ = _raw_rules(source, feed)
    warehouse = context.resources.warehouse
    run_id = context.run.run_id
    today = datetime.now(UTC).date()
    outcomes = []
    with warehouse.connect(context) as conn:
        ensure_raw_tables(conn, [table])
        if not table.partitioned:
            window = None
        elif table.from_files:  # a file holds whatever days it holds: check the days this run landed
            window = raw.landed_days(conn, table, run_id)
        else:
            window = run_window(context.run.tags) or raw.landed_days(conn, table, run_id)
        if not table.partitioned or window is not None:
            outcomes = raw.check_landing(conn, table, window)
            if not outcomes[0].rows_checked:
                outcomes = []  # nothing landed to judge (an unconfigured source, a window with no rows)
            if raw.QUARANTINED in warnings:
                kept = raw.check_quarantine(conn, table, window)
                if outcomes or kept.unexpected_count:  # a window whose only row was quarantined says so
                    outcomes.append(kept)
        configured = source.configured(os.environ)
        if window is not None and configured:  # an empty window too: a day with no rows after a full week
            outcomes.append(raw.check_volume(conn, table, window, today))
        # freshness: a configured source, in a run that asked for the day that should be there by now (a
        # backfill of older days does not judge it; a file drop is judged whenever it runs)
        due = raw.freshness_due(lag, today) if lag is not None else None
        if raw.FRESHNESS in warnings and configured and (table.from_files or window is None or window[1] > due):
            outcomes.append(raw.check_freshness(conn, table, lag, today))
        if outcomes:
            results.write(conn, outcomes, run_id=run_id)
        asset = raw.asset_name(table)  # every rule of the landing, judged in this run or not (results.define)
        results.define(conn, f"raw:{asset}", [("raw", asset, rule) for rule in [*errors, *warnings]], run_id=run_id)
    done = {o.check_name for o in outcomes}
    checks = [
        dg.AssetCheckResult(
            asset_key=key,
            check_name=raw_check_name(table, rule),
            passed=True,
            metadata={"rows_checked": 0},
            description="not judged in this run (no rows landed, or not a day this source owes yet)",
        )
        for rule in [*errors, *warnings]
        if rule not in done
    ]
    for outcome in outcomes:
        if not outcome.passed:
            report(context, f"{table.source}/{table.endpoint}: {outcome.check_name}: {outcome.observed_value}")
        scope = f"{outcome.window[0]}..{outcome.window[1]} (exclusive)" if outcome.window else "all rows"
        checks.append(
            dg.AssetCheckResult(
                asset_key=key,
                check_name=raw_check_name(table, outcome.check_name),
                passed=outcome.passed,
                severity=dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN,
                metadata={
                    "rows_checked": outcome.rows_checked,
                    "unexpected_count": outcome.unexpected_count,
                    "observed_value": outcome.observed_value,
                    "finding": ""
                    if outcome.passed
                    else outcome.observed_value + (f" in {scope}" if outcome.window else ""),
                    "sample": dg.MetadataValue.json(list(outcome.sample)),
                    "scope": scope,
                },
                description=outcome.description,
            )
        )
    return checks
