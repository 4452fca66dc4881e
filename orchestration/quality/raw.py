"""Quality rules on the raw landings, run by the asset checks of every ingest asset (orchestration/defs/ingest).

Both are blocking: a failure stops the build and the publish, and the serving copy keeps its last good data.

* ``unique_natural_key``: one row per natural key (``RawTable.natural_key``, the vendor's grain) per UTC day. A vendor
  page that repeats a result row, or a file landed twice, would otherwise be summed twice and published as
  double cost.
* ``no_negative_quantity``: the table's never-negative columns (``RawTable.never_negative``: token and request
  counts, money the vendor never credits) hold no negative value. Landing keeps such rows out of the raw table
  (quarantine.py), so this is the backstop: it finds rows that reached the table some other way.

A warning, ``quarantined_rows``, counts the rows the landing kept in ``ops.quarantine`` instead; the run publishes
the rest.

As in gate.py, Great Expectations validates pandas frames (its SQL source does not work on DuckDB, STYLE.md §2
trap 9): each frame holds only the key and never-negative columns of at most ``CHUNK_DAYS`` UTC days of the
window a run landed, never a whole large table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from connectors.schema import RawTable
from orchestration.quality import quarantine
from orchestration.quality.gate import DUPLICATE, NEGATIVE, _gxe, plain_sample, validate_suite
from orchestration.quality.results import SAMPLE_SIZE, CheckResult, count_phrase

CHUNK_DAYS = 31
UNIQUE = "unique_natural_key"
NON_NEGATIVE = "no_negative_quantity"
RULES = (UNIQUE, NON_NEGATIVE)


def asset_name(table: RawTable) -> str:
    """How quality_results names a raw landing: '<source>/<endpoint>'."""
    return f"{table.source}/{table.endpoint}"


def key_columns(table: RawTable) -> list[str]:
    """The columns a row's natural key is judged on: the UTC day (partitioned tables), the file (request logs,
    whose copies in two files dbt deduplicates), then the vendor's key."""
    lead = ["_partition_date"] if table.partitioned else []
    if table.unique_per_file:
        lead.append("_file")
    return [*lead, *table.natural_key]


def descriptions(table: RawTable) -> dict[str, str]:
    per_day = (" per UTC day" if table.partitioned else "") + (" and file" if table.unique_per_file else "")
    never = ", ".join(table.never_negative) or "(no column declared)"
    return {
        UNIQUE: f"one row per {', '.join(table.natural_key)}{per_day} (a repeated row would be counted twice)",
        NON_NEGATIVE: f"never negative: {never}",
    }


@dataclass
class _Tally:
    unexpected: int = 0
    sample: list[Any] | None = None

    def add(self, count: int, sample: list[Any]) -> None:
        self.unexpected += count
        self.sample = (self.sample or []) + [s for s in sample if s not in (self.sample or [])]


def _chunks(window: tuple[date, date] | None) -> Iterator[tuple[date, date] | None]:
    if window is None:
        yield None
        return
    cursor, end = window
    while cursor < end:
        upper = min(cursor + timedelta(days=CHUNK_DAYS), end)
        yield cursor, upper
        cursor = upper


def _frame(conn: duckdb.DuckDBPyConnection, table: RawTable, columns: list[str], chunk) -> pd.DataFrame:
    select = ", ".join(f'"{c}"' for c in columns)
    sql = f"select {select} from {table.qualified_name}"
    params: list = []
    if chunk is not None:
        sql += " where _partition_date >= ? and _partition_date < ?"
        params = list(chunk)
    return conn.execute(sql, params).df()


def _validate(frame: pd.DataFrame, expectations: list[tuple[str, Any]]) -> list[tuple[str, bool, int, list]]:
    """(label, success, unexpected count, sample) of each expectation on ``frame``, with GX's pandas source, in
    one pass (gate.validate_suite)."""
    results = validate_suite(frame, "raw_landing", [expectation for _, expectation in expectations])
    out = []
    for (label, _), result in zip(expectations, results, strict=True):
        details = result.result or {}
        out.append(
            (
                label,
                bool(result.success),
                int(details.get("unexpected_count") or 0),
                plain_sample(details.get("partial_unexpected_list") or [], SAMPLE_SIZE),
            )
        )
    return out


def check_landing(
    conn: duckdb.DuckDBPyConnection, table: RawTable, window: tuple[date, date] | None
) -> list[CheckResult]:
    """Run both rules on ``table``'s rows of the UTC days ``[window)`` (None: the whole table, for snapshot
    tables), chunk by chunk, and return one CheckResult per rule."""
    gxe = _gxe()
    keys = key_columns(table)
    never = list(table.never_negative)
    columns = list(dict.fromkeys([*keys, *never]))
    unique, negative = _Tally(), _Tally()
    rows = 0
    for chunk in _chunks(window if table.partitioned else None):
        frame = _frame(conn, table, columns, chunk)
        if frame.empty:
            continue
        rows += len(frame)
        unique_rule = (
            gxe.ExpectCompoundColumnsToBeUnique(column_list=keys)
            if len(keys) > 1
            else gxe.ExpectColumnValuesToBeUnique(column=keys[0])
        )
        expectations: list[tuple[str, Any]] = [(UNIQUE, unique_rule)]
        expectations += [(c, gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)) for c in never]
        for label, _success, count, sample in _validate(frame, expectations):
            if label == UNIQUE:
                unique.add(count, sample if len(keys) > 1 else [{keys[0]: value} for value in sample])
            elif count:
                negative.add(count, [{"column": label, "value": value} for value in sample])
    about = descriptions(table)
    scope = window if table.partitioned else None
    first = (unique.sample or [None])[0]
    duplicate_note = ""
    if first:
        day = first.get("_partition_date")
        shown = ", ".join(f"{k}={v}" for k, v in first.items() if k != "_partition_date")
        duplicate_note = (f" on {day}" if day else "") + f" ({shown})"
    negative_note = ""
    if negative.sample:
        negative_note = " (" + ", ".join(f"{s['column']}={s['value']}" for s in negative.sample[:3]) + ")"
    return [
        CheckResult(
            layer="raw",
            asset=asset_name(table),
            check_name=UNIQUE,
            blocking=True,
            passed=unique.unexpected == 0,
            window=scope,
            rows_checked=rows,
            unexpected_count=unique.unexpected,
            observed_value=count_phrase(unique.unexpected, *DUPLICATE) + duplicate_note,
            sample=(unique.sample or [])[:SAMPLE_SIZE],
            description=about[UNIQUE],
        ),
        CheckResult(
            layer="raw",
            asset=asset_name(table),
            check_name=NON_NEGATIVE,
            blocking=True,
            passed=negative.unexpected == 0,
            window=scope,
            rows_checked=rows,
            unexpected_count=negative.unexpected,
            observed_value=count_phrase(negative.unexpected, *NEGATIVE) + negative_note,
            sample=(negative.sample or [])[:SAMPLE_SIZE],
            description=about[NON_NEGATIVE],
        ),
    ]


def landed_days(conn: duckdb.DuckDBPyConnection, table: RawTable, run_id: str) -> tuple[date, date] | None:
    """The UTC days [first, last + 1) of the rows run ``run_id`` landed in ``table`` (None: it landed none)."""
    first, end = conn.execute(
        f"select min(_partition_date), max(_partition_date) + 1 from {table.qualified_name} where _run_id = ?",
        [run_id],
    ).fetchall()[0]
    return (first, end) if first is not None else None


# -- warnings: volume, freshness and quarantine (publish goes on; the rows show in quality_results) -----------

VOLUME = "volume"
FRESHNESS = "freshness"
QUARANTINED = "quarantined_rows"
WARNING_RULES = (VOLUME, FRESHNESS, QUARANTINED)
HISTORY_DAYS = 28  # the landed days before a day that make its baseline
MIN_HISTORY = 7  # fewer landed days before it: the day is not judged
SPIKE = 10  # more than SPIKE x the median, or less than the median / SPIKE, is flagged
LOOKBACK_DAYS = 366  # how far back the baseline's landed days are looked for


def warning_descriptions(table: RawTable, lag: int | None) -> dict[str, str]:
    return {
        VOLUME: f"rows per UTC day within {SPIKE}x of the median of the {HISTORY_DAYS} landed days before it "
        f"(judged from {MIN_HISTORY} such days); no empty day after {MIN_HISTORY} days with rows",
        FRESHNESS: "the newest landed day is no older than yesterday"
        + (f" minus the source's documented lag of {lag} day{'s' if lag != 1 else ''}" if lag else ""),
    }


def quarantine_description(table: RawTable) -> str:
    never = ", ".join(table.never_negative)
    return (
        f"no landed row kept in quarantine (ops.quarantine): a row with a negative {never} is kept there instead "
        "of the raw table and left out of the marts; the rest publishes"
    )


def check_quarantine(conn: duckdb.DuckDBPyConnection, table: RawTable, window: tuple[date, date] | None) -> CheckResult:
    """The rows of ``table`` that the landings of ``window`` (None: the whole table) kept in quarantine instead of
    landing them (orchestration/quality/quarantine.py): a warning, one unexpected row each."""
    quarantine.ensure_table(conn)
    sql = f"select partition_date, natural_key, reason, source from {quarantine.QUALIFIED} where raw_table = ?"
    params: list[Any] = [table.qualified_name]
    if window is not None:
        sql += " and partition_date >= ? and partition_date < ?"
        params += list(window)
    rows = conn.execute(sql + " order by all", params).fetchall()
    if rows:
        day, _key, reason, _source = rows[0]
        observed = f"{count_phrase(len(rows), 'row')} kept in quarantine ({reason} on {day}"
        observed += f", and {len(rows) - 1} more)" if len(rows) > 1 else ")"
    else:
        observed = "no row kept in quarantine"
    return CheckResult(
        layer="raw",
        asset=asset_name(table),
        check_name=QUARANTINED,
        blocking=False,
        passed=not rows,
        window=window,
        rows_checked=len(rows),
        unexpected_count=len(rows),
        observed_value=observed,
        sample=[
            {"day": str(day), "natural_key": json.loads(key), "reason": reason, "source": source}
            for day, key, reason, source in rows[:SAMPLE_SIZE]
        ],
        description=quarantine_description(table),
    )


def check_volume(
    conn: duckdb.DuckDBPyConnection, table: RawTable, window: tuple[date, date], today: date | None = None
) -> CheckResult:
    """Rows per UTC day of ``window`` against the median rows per day of the 28 landed days before each day
    (counted in DuckDB; only counts come out). Days from ``today`` on are still filling up (a file drop lands
    the current day's first rows): counted, never judged."""
    start, end = window
    counts = dict(
        conn.execute(
            f"select _partition_date, count(*) from {table.qualified_name} "
            "where _partition_date >= ? and _partition_date < ? group by 1",
            [start - timedelta(days=LOOKBACK_DAYS), end],
        ).fetchall()
    )
    days = sorted(counts)
    flagged: list[dict[str, Any]] = []
    judged = 0
    day = start
    last = min(end, today) if today is not None else end
    while day < last:
        before = [d for d in days if d < day][-HISTORY_DAYS:]
        n = counts.get(day, 0)
        if n == 0:
            week = [day - timedelta(days=i) for i in range(1, MIN_HISTORY + 1)]
            if all(counts.get(d, 0) > 0 for d in week):
                judged += 1
                flagged.append({"day": day.isoformat(), "rows": 0, "median": _median([counts[d] for d in before])})
        elif len(before) >= MIN_HISTORY:
            judged += 1
            median = _median([counts[d] for d in before])
            if n > SPIKE * median or SPIKE * n < median:
                flagged.append({"day": day.isoformat(), "rows": n, "median": median})
        day += timedelta(days=1)
    rows = sum(counts.get(d, 0) for d in days if start <= d < end)
    if flagged:
        first = flagged[0]
        observed = f"{first['rows']:,} rows on {first['day']} vs median {_number(first['median'])}"
        if len(flagged) > 1:
            observed += f" (and {len(flagged) - 1} more day{'s' if len(flagged) > 2 else ''})"
    elif judged:
        observed = f"{count_phrase(judged, 'day')} in line with {'its' if judged == 1 else 'their'} median"
    else:
        observed = f"not judged: fewer than {MIN_HISTORY} landed days before"
    return CheckResult(
        layer="raw",
        asset=asset_name(table),
        check_name=VOLUME,
        blocking=False,
        passed=not flagged,
        window=window,
        rows_checked=rows,
        unexpected_count=len(flagged),
        observed_value=observed,
        sample=[{**f, "median": _number(f["median"])} for f in flagged[:SAMPLE_SIZE]],
        description=warning_descriptions(table, None)[VOLUME],
    )


def check_freshness(conn: duckdb.DuckDBPyConnection, table: RawTable, lag: int, today: date) -> CheckResult:
    """The newest landed UTC day against yesterday minus the source's documented lag. An API endpoint that has
    never returned a row is not judged: it answers the days it is asked for, and an organisation that does not
    use it (images, moderations) gets empty days, which are not late ones. A file drop with no file is late."""
    newest, rows = conn.execute(f"select max(_partition_date), count(*) from {table.qualified_name}").fetchall()[0]
    due = freshness_due(lag, today)
    late = (due - newest).days if newest is not None else None
    unused = newest is None and not table.from_files
    if unused:
        observed = "not judged: the API has returned no rows for this endpoint yet"
    elif newest is None:
        observed = "no landed day"
    elif late > 0:
        observed = f"newest day {newest}, {count_phrase(late, 'day')} late"
    else:
        observed = f"newest day {newest}"
    return CheckResult(
        layer="raw",
        asset=asset_name(table),
        check_name=FRESHNESS,
        blocking=False,
        passed=unused or (newest is not None and late <= 0),
        window=None,
        rows_checked=int(rows),
        unexpected_count=0 if unused or (newest is not None and late <= 0) else 1,
        observed_value=observed,
        sample=[{"newest_day": str(newest) if newest else None, "due": due.isoformat()}],
        description=warning_descriptions(table, lag)[FRESHNESS],
    )


def freshness_due(lag: int, today: date) -> date:
    """The newest day a source with this lag should have landed by ``today``."""
    return today - timedelta(days=1 + lag)


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
