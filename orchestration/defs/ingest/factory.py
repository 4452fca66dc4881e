"""One Dagster asset per source endpoint, built from the raw landing contract.

An asset only orchestrates: it asks a connector (no HTTP here) for the rows of its UTC days and hands
them to ``loader.land`` (no SQL here). Long backfills are landed in chunks of at most 31 days, each its
own transaction, so a failure in year two keeps year one.
"""

from datetime import date, timedelta
from typing import Callable, Iterable, Iterator

import dagster as dg

from connectors.schema import RawTable
from orchestration.defs.partitions import daily
from orchestration.defs.schedules import ACCEPT_SHRINK_TAG
from orchestration.loader import ensure_raw_tables, land
from orchestration.progress import report

CHUNK_DAYS = 31

Fetch = Callable[[object, date, date], Iterable[dict]]


def chunks(start: date, end: date, size: int = CHUNK_DAYS) -> Iterator[tuple[date, date]]:
    """Split [start, end) into consecutive half-open windows of at most ``size`` days."""
    cursor = start
    while cursor < end:
        upper = min(cursor + timedelta(days=size), end)
        yield cursor, upper
        cursor = upper


def _skip_if_unconfigured(context, client_resource, table: RawTable, warehouse) -> dg.MaterializeResult | None:
    if client_resource.configured():
        return None
    message = (
        f"{table.source}: {client_resource.key_env} is not set; skipping {table.source}/{table.endpoint}."
    )
    context.log.info(message)  # the CLI says it once per source, before the run
    with warehouse.connect(context) as conn:
        ensure_raw_tables(conn, [table])
    return dg.MaterializeResult(metadata={"skipped": message, "rows": 0})


def _accepts_shrink(context) -> bool:
    return context.run.tags.get(ACCEPT_SHRINK_TAG) == "true"


def build_ingest_asset(table: RawTable, resource_key: str, fetch: Fetch, description: str) -> dg.AssetsDefinition:
    common = dict(
        key=[table.source, table.endpoint],
        group_name="ingest",
        kinds={"python", "duckdb"},
            required_resource_keys={resource_key, "warehouse"},
        description=description,
        metadata={"raw_table": table.qualified_name},
    )

    if table.partitioned:

        @dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.single_run(), **common)
        def _partitioned(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            client_resource = getattr(context.resources, resource_key)
            warehouse = context.resources.warehouse
            skipped = _skip_if_unconfigured(context, client_resource, table, warehouse)
            if skipped:
                return skipped
            window = context.partition_time_window
            start, end = window.start.date(), window.end.date()
            client = client_resource.get_client()
            accept = _accepts_shrink(context)
            total = 0
            for lo, hi in chunks(start, end):
                rows = fetch(client, lo, hi)
                with warehouse.connect(context) as conn:
                    n = land(conn, table, rows, run_id=context.run_id, window=(lo, hi), accept_shrink=accept)
                total += n
                report(context, f"{table.source}/{table.endpoint}: {lo}..{hi - timedelta(days=1)} landed {n} rows")
            return dg.MaterializeResult(
                metadata={"rows": total, "window": f"{start}..{end - timedelta(days=1)}"}
            )

        return _partitioned

    @dg.asset(**common)
    def _snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        client_resource = getattr(context.resources, resource_key)
        warehouse = context.resources.warehouse
        skipped = _skip_if_unconfigured(context, client_resource, table, warehouse)
        if skipped:
            return skipped
        rows = fetch(client_resource.get_client(), None, None)
        with warehouse.connect(context) as conn:
            n = land(conn, table, rows, run_id=context.run_id, accept_shrink=_accepts_shrink(context))
        report(context, f"{table.source}/{table.endpoint}: landed {n} rows")
        return dg.MaterializeResult(metadata={"rows": n})

    return _snapshot
