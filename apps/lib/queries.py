"""Read the published serving copy of the marts.

Rules (DESIGN section 8, STYLE section 2 trap 5):

* The app reads only ``$FINOPS_HOME/serving.duckdb``, the copy that passed the quality gate.
* Every query opens a short-lived read-only connection and closes it. A cached or long-lived
  handle would block the pipeline's writes and pin a stale file after the atomic swap.
* DataFrames are cached (``st.cache_data`` with ``ttl`` and ``max_entries``), connections never.
  The cache key includes the serving file's identity (inode, size, mtime), so a new publish is a
  cache miss at once; the ttl is only a backstop.
* SQL takes parameters only (``?`` or ``$name``), never f-string values. Date windows are
  half-open ``[start, end)``.
* Money stays DECIMAL: cost columns come back as ``decimal.Decimal`` (``None`` when unpriced).
  Conversion to float happens at the edge, in ``charts.py``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from statements import chargeback

CACHE_TTL_SECONDS = 300
CACHE_MAX_ENTRIES = 64
RECONCILIATION_EXCEPTIONS_LIMIT = 50

F = TypeVar("F", bound=Callable[..., Any])


UTC_ZONE = "UTC"


@dataclass(frozen=True)
class Filters:
    """The sidebar's selection, as every query takes it. ``teams`` and ``models`` empty = every one; a query whose
    mart has the column takes them (``TEAM_FILTER`` / ``MODEL_FILTER``), a page says which of its views cannot."""

    start: date  # inclusive
    end: date  # exclusive
    providers: tuple[str, ...]
    teams: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    time_zone: str = UTC_ZONE  # UTC, or the reporting zone of mart_request_cost_local_daily


def _in_list(column: str, param: str) -> str:
    """SQL: ``column`` is in the bound list ``$param``, or that list is empty (no filter). Both names are chosen in
    this module, never input; the values are bound."""
    return f"(len(${param}::varchar[]) = 0 or {column} in (select unnest(${param}::varchar[])))"


TEAM_FILTER = _in_list("team", "teams")  # marts with a team column: request-level and allocation marts
MODEL_FILTER = _in_list("model_id", "models")  # request, allocation, billed, what-if and price marts
# the usage ledger's model as the app shows it: the raw name when the price book does not know it
USAGE_MODEL = "coalesce(model_id, model_raw)"
USAGE_MODEL_FILTER = _in_list(USAGE_MODEL, "models")


def serving_path() -> Path:
    """``$FINOPS_HOME/serving.duckdb``, read from the environment at call time."""
    return Path(os.environ.get("FINOPS_HOME", "./data")) / "serving.duckdb"


def _serving_stamp() -> tuple[str, int, int, int] | None:
    """Identity of the current serving file: changes when the pipeline swaps in a new one."""
    path = serving_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


class ServingFilesMissing(Exception):
    """The serving copy names request day files that are not there (streamlit_app.py shows the message)."""


# The serving copy's request-level views name their day files by absolute path (orchestration/publish.py), so they
# stop reading when FINOPS_HOME is moved or restored elsewhere; the next publish writes the views anew.
FILES_MISSING = (
    "The published request files are not where the serving copy names them: the data folder (FINOPS_HOME) has "
    "probably moved since the last publish. Run `finops run` once to publish it again where it is now."
)


@contextlib.contextmanager
def _serving() -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived, read-only connection to the serving copy, for every read the app makes. Python replacement
    scans are off: a missing table must raise ``CatalogException``, not resolve to a Python variable of that name.
    A day file the serving copy names and the disk does not have raises ``ServingFilesMissing``."""
    config = {"python_enable_replacements": False}
    with duckdb.connect(str(serving_path()), read_only=True, config=config) as conn:
        try:
            yield conn
        except duckdb.IOException as e:
            if "No files found" in str(e):
                raise ServingFilesMissing(FILES_MISSING) from None
            raise


def _query(sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query (``?`` or ``$name``) on the serving copy (``_serving``).

    Goes through Arrow so DECIMAL columns arrive as ``decimal.Decimal`` (``.df()`` would turn
    them into float64) and DATE columns as ``datetime.date``.
    """
    with _serving() as conn:
        return conn.sql(sql, params=params).to_arrow_table().to_pandas()


def _dataset(fn: F) -> F:
    """Cache ``fn``'s DataFrame per serving-file version.

    ``fn`` takes the stamp as its first argument (named without a leading underscore so that
    ``st.cache_data`` hashes it); callers do not pass it.
    """
    cached = st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_MAX_ENTRIES, show_spinner=False)(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        return cached(_serving_stamp(), *args)

    wrapper.clear = cached.clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def month_to_date_windows(as_of: date) -> tuple[date, date, date, date]:
    """Half-open windows for month-to-date and the same days of the previous month.

    ``as_of`` is included. For 2025-03-31 the previous window is Feb 1..Feb 28 (clamped to
    the shorter month): ``(2025-03-01, 2025-04-01, 2025-02-01, 2025-03-01)``.
    """
    cur_start = as_of.replace(day=1)
    cur_end = as_of + timedelta(days=1)
    prev_start = (cur_start - timedelta(days=1)).replace(day=1)
    prev_end = min(prev_start + (cur_end - cur_start), cur_start)
    return cur_start, cur_end, prev_start, prev_end


# --- datasets -------------------------------------------------------------------------------
# The first parameter of every function below is the serving-file stamp, added by @_dataset.


def _ledger_union(column: str) -> str:
    """SQL: ``column`` of every ledger the sidebar spans: usage, billed and, when published, the request logs (a
    deployment may have only a gateway's logs). The column and table names are chosen in this module, never input."""
    tables = ["fct_usage_cost_daily", "fct_billed_cost_daily"]
    if request_marts_published():
        tables.append(TEAM_MART)
    return " union all ".join(f"select {column} from marts.{t}" for t in tables)


@_dataset
def date_bounds(stamp: object) -> tuple[date, date] | None:
    """First and last UTC day with usage, billed or request-log data; ``None`` when nothing is published."""
    if stamp is None:
        return None
    try:
        frame = _query(
            f"select min(usage_date) as min_date, max(usage_date) as max_date from ({_ledger_union('usage_date')})"
        )
    except duckdb.CatalogException:
        return None
    min_date, max_date = frame.iloc[0]
    if min_date is None or pd.isna(min_date):
        return None
    return min_date, max_date


@_dataset
def provider_options(stamp: object) -> list[str]:
    """Providers present in the published data (usage, billed and request logs), sorted."""
    return _query(f"select distinct provider from ({_ledger_union('provider')}) order by provider")["provider"].tolist()


@_dataset
def team_options(stamp: object) -> list[str]:
    """Teams of the request logs and the allocated ledger (those published), sorted; empty when neither is."""
    tables = [t for t in (TEAM_MART, "fct_allocated_cost_daily") if marts_published((t,))]
    if not tables:
        return []
    union = " union ".join(f"select distinct team from marts.{t}" for t in tables)  # names from the tuple above
    return _query(f"select team from ({union}) where team is not null order by team")["team"].tolist()


@_dataset
def model_options(stamp: object) -> list[str]:
    """Models of the usage ledger (the raw name when unknown to the price book) and of the request logs, sorted."""
    request = f" union select distinct model_id from marts.{TEAM_MART}" if request_marts_published() else ""
    frame = _query(
        f"""
        select model from (
            select distinct {USAGE_MODEL} as model from marts.fct_usage_cost_daily{request}
        )
        where model is not null
        order by model
        """
    )
    return frame["model"].tolist()


LOCAL_MART = "mart_request_cost_local_daily"


@_dataset
def local_time_zone(stamp: object) -> str | None:
    """The reporting time zone of ``mart_request_cost_local_daily`` when the serving copy has it with rows of one zone
    other than UTC; ``None`` otherwise (then every view is in UTC days)."""
    if not marts_published((LOCAL_MART,)):
        return None
    zones = _query(f"select distinct reporting_tz from marts.{LOCAL_MART}")["reporting_tz"].tolist()
    return zones[0] if len(zones) == 1 and zones[0] != UTC_ZONE else None


@_dataset
def publish_info(stamp: object) -> dict[str, Any] | None:
    """The one row of ``marts.publish_info``; ``None`` when the table is absent or empty."""
    if stamp is None:
        return None
    try:
        frame = _query(
            """
            select published_at, run_id, data_start, data_end, quality_warnings
            from marts.publish_info
            order by published_at desc
            limit 1
            """
        )
    except duckdb.CatalogException:
        return None
    if frame.empty:
        return None
    return frame.iloc[0].to_dict()


@_dataset
def cost_totals(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row: list and billed cost in ``[start, end)``, and usage, unpriced and billed row counts (of ``models``
    when given: billed lines that name no model are then left out).

    Costs are NULL when there is nothing to sum (no rows, or only unpriced rows).
    """
    return _query(
        f"""
        with usage as (
            select
                sum(list_cost_usd) as list_cost_usd,
                count(*) as usage_rows,
                count(*) filter (where is_priced is not true) as unpriced_rows
            from marts.fct_usage_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {USAGE_MODEL_FILTER}
        ),
        billed as (
            select sum(billed_cost_usd) as billed_cost_usd, count(*) as billed_rows
            from marts.fct_billed_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {MODEL_FILTER}
        )
        select usage.*, billed.* from usage cross join billed
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


@_dataset
def month_to_date(stamp: object, as_of: date, providers: tuple[str, ...], models: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row: list cost month-to-date (through ``as_of``) and over the same days of the previous month."""
    cur_start, cur_end, prev_start, prev_end = month_to_date_windows(as_of)
    return _query(
        f"""
        select
            sum(list_cost_usd) filter (where usage_date >= $cur_start and usage_date < $cur_end)
                as current_list_cost_usd,
            count(*) filter (where usage_date >= $cur_start and usage_date < $cur_end)
                as current_rows,
            sum(list_cost_usd) filter (where usage_date >= $prev_start and usage_date < $prev_end)
                as previous_list_cost_usd,
            count(*) filter (where usage_date >= $prev_start and usage_date < $prev_end)
                as previous_rows
        from marts.fct_usage_cost_daily
        where usage_date >= $prev_start and usage_date < $cur_end
          and provider in (select unnest($providers::varchar[]))
          and {USAGE_MODEL_FILTER}
        """,
        {
            "cur_start": cur_start,
            "cur_end": cur_end,
            "prev_start": prev_start,
            "prev_end": prev_end,
            "providers": list(providers),
            "models": list(models),
        },
    )


@_dataset
def daily_cost(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """List cost per UTC day and provider (priced usage only)."""
    return _query(
        f"""
        select usage_date, provider, sum(list_cost_usd) as list_cost_usd
        from marts.fct_usage_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {USAGE_MODEL_FILTER}
          and is_priced
        group by usage_date, provider
        order by usage_date, provider
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


@_dataset
def cost_by_model(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """List cost and share of the priced total per provider and model.

    Unpriced models are listed too, with NULL cost and share; a model with no ``model_id``
    (unmapped) is shown by its raw name.
    """
    return _query(
        f"""
        select
            provider,
            coalesce(model_id, model_raw) as model_id,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total,
            bool_and(is_priced) as is_priced
        from marts.fct_usage_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {USAGE_MODEL_FILTER}
        group by provider, coalesce(model_id, model_raw)
        order by list_cost_usd desc nulls last, provider, model_id
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


@_dataset
def unpriced_usage(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Usage rows with no list price, per provider, raw model name and usage type (a model can be priced for
    tokens and not for, say, its images)."""
    return _query(
        f"""
        select provider, model_raw, usage_type, count(*) as usage_rows, sum(quantity) as quantity
        from marts.fct_usage_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {USAGE_MODEL_FILTER}
          and is_priced is not true
        group by provider, model_raw, usage_type
        order by usage_rows desc, provider, model_raw, usage_type
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


@_dataset
def reconciliation_summary(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """(day, provider, account) pairs and money per reconciliation status."""
    return _query(
        """
        select
            status,
            count(*) as pairs,
            sum(computed_cost_usd) as computed_cost_usd,
            sum(billed_usage_usd) as billed_usage_usd,
            sum(variance_usd) as variance_usd,
            sum(billed_cost_usd - billed_usage_usd) as billed_other_usd
        from marts.fct_cost_reconciliation_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        group by status
        order by case status
            when 'matched' then 1 when 'variance' then 2 when 'unpriced_usage' then 3
            when 'usage_only' then 4 when 'billed_only' then 5 else 6 end, status
        """,
        [start, end, list(providers)],
    )


@_dataset
def reconciliation_exceptions(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """The newest non-matched (day, provider, account) rows, at most 50."""
    return _query(
        """
        select
            usage_date, provider, account_id, account_name, status, likely_cause, unpriced_models,
            computed_cost_usd, billed_usage_usd, variance_usd, tolerance_usd, unpriced_billed_usd,
            billed_cost_usd - billed_usage_usd as billed_other_usd
        from marts.fct_cost_reconciliation_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
          and status <> 'matched'
        order by usage_date desc, provider, account_id
        limit ?
        """,
        [start, end, list(providers), RECONCILIATION_EXCEPTIONS_LIMIT],
    )


# --- request logs (DESIGN section 3: "requests attribute, billing counts") -------------------
# The request marts are pre-aggregated by day; these queries only sum them over [start, end).
# Team, feature, user and tag come from the logs; '(none)' where a log does not say.

# fct_request_cost_team_daily: fct_request_cost_daily without feature and user, for the views that need neither (it
# stays small as requests grow; the daily grain grows with the users)
TEAM_MART = "fct_request_cost_team_daily"
REQUEST_MARTS = ("fct_request_cost_daily", TEAM_MART, "fct_request_tag_cost_daily", "mart_request_coverage_daily")
DRIFT_TOLERANCE_PCT = Decimal("0.01")  # a gateway's reported cost may differ from list by 1% ...
DRIFT_TOLERANCE_USD = Decimal("0.01")  # ... or by $0.01, whichever is larger


@_dataset
def marts_published(stamp: object, names: tuple[str, ...]) -> bool:
    """Whether the serving copy has every table in ``names`` (a copy published before a mart existed has not)."""
    if stamp is None:
        return False
    frame = _query(
        """
        select count(*) as tables
        from information_schema.tables
        where table_schema = 'marts' and table_name in (select unnest($names::varchar[]))
        """,
        {"names": list(names)},
    )
    return int(frame.iloc[0]["tables"]) == len(names)


def request_marts_published() -> bool:
    """Whether the serving copy has the request marts."""
    return marts_published(REQUEST_MARTS)


def _request_days(time_zone: str, by_feature: bool = False) -> tuple[str, str, str, dict[str, str]]:
    """Where a request view reads its days: UTC days of ``fct_request_cost_team_daily`` (``fct_request_cost_daily``
    when the view needs the feature), or ``time_zone``'s local days of ``mart_request_cost_local_daily`` (same team,
    feature, model and cost columns): the table, its day column, a filter on the zone and its parameter. Names
    chosen here, never input; the zone is bound."""
    if time_zone == UTC_ZONE:
        return ("fct_request_cost_daily" if by_feature else TEAM_MART), "usage_date", "", {}
    return LOCAL_MART, "local_date", "\n          and reporting_tz = $time_zone", {"time_zone": time_zone}


@_dataset
def request_totals(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
    time_zone: str = UTC_ZONE,
) -> pd.DataFrame:
    """One row: logged requests, unpriced requests and their list cost (priced requests only; NULL when none)."""
    table, day, zone_filter, zone_params = _request_days(time_zone)
    return _query(
        f"""
        select
            cast(coalesce(sum(requests), 0) as bigint) as requests,
            cast(coalesce(sum(unpriced_requests), 0) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd
        from marts.{table}
        where {day} >= $start and {day} < $end{zone_filter}
          and provider in (select unnest($providers::varchar[]))
          and {TEAM_FILTER} and {MODEL_FILTER}
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "teams": list(teams),
            "models": list(models),
            **zone_params,
        },
    )


@_dataset
def request_cost_by_team(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
    time_zone: str = UTC_ZONE,
) -> pd.DataFrame:
    """Requests, unpriced requests, list cost and share of the logged list cost per team, costliest first.

    A team whose requests are all unpriced has NULL cost and share (never $0).
    """
    table, day, zone_filter, zone_params = _request_days(time_zone)
    return _query(
        f"""
        select
            team,
            cast(sum(requests) as bigint) as requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total
        from marts.{table}
        where {day} >= $start and {day} < $end{zone_filter}
          and provider in (select unnest($providers::varchar[]))
          and {TEAM_FILTER} and {MODEL_FILTER}
        group by team
        order by list_cost_usd desc nulls last, requests desc, team
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "teams": list(teams),
            "models": list(models),
            **zone_params,
        },
    )


@_dataset
def request_cost_by_feature(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    team: str | None,
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
    time_zone: str = UTC_ZONE,
) -> pd.DataFrame:
    """Per feature of ``team`` (every team when ``None``): requests, unpriced requests, list cost, share."""
    table, day, zone_filter, zone_params = _request_days(time_zone, by_feature=True)
    return _query(
        f"""
        select
            feature,
            cast(sum(requests) as bigint) as requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total
        from marts.{table}
        where {day} >= $start and {day} < $end{zone_filter}
          and provider in (select unnest($providers::varchar[]))
          and {TEAM_FILTER} and {MODEL_FILTER}
          and ($team is null or team = $team)
        group by feature
        order by list_cost_usd desc nulls last, requests desc, feature
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "team": team,
            "teams": list(teams),
            "models": list(models),
            **zone_params,
        },
    )


@_dataset
def request_cost_by_user(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    team: str | None,
    limit: int,
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The ``limit`` costliest users of ``team`` (every team when ``None``), with ``users``, the count of all.

    Share is of the team's whole logged list cost, not of the rows shown.
    """
    return _query(
        f"""
        with per_user as (
            select
                user_id,
                cast(sum(requests) as bigint) as requests,
                cast(sum(unpriced_requests) as bigint) as unpriced_requests,
                sum(list_cost_usd) as list_cost_usd,
                sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total,
                count(*) over () as users
            from marts.fct_request_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {TEAM_FILTER} and {MODEL_FILTER}
              and ($team is null or team = $team)
            group by user_id
        )
        select * from per_user
        order by list_cost_usd desc nulls last, requests desc, user_id
        limit $limit
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "team": team,
            "limit": limit,
            "teams": list(teams),
            "models": list(models),
        },
    )


@_dataset
def request_coverage(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """Per provider over the range: usage cost, the part request logs explain, the share and the gap.

    ``explained_usd`` sums request cost on the days with a usage cost, so ``usage_cost_usd -
    explained_usd = gap_usd``; ``unbilled_request_cost_usd`` is request cost on days no billing or usage
    source covers (there it is the provider's spend). ``spend_usd`` never adds the two on a covered day.
    """
    return _query(
        """
        select
            provider,
            sum(usage_cost_usd) as usage_cost_usd,
            coalesce(sum(request_cost_usd) filter (where usage_cost_usd is not null), 0) as explained_usd,
            coalesce(sum(request_cost_usd) filter (where usage_cost_usd is not null), 0)
                / nullif(sum(usage_cost_usd), 0) as explained_share,
            sum(gap_usd) as gap_usd,
            coalesce(sum(request_cost_usd) filter (where not is_covered_by_billing), 0)
                as unbilled_request_cost_usd,
            sum(spend_usd) as spend_usd,
            cast(sum(requests) as bigint) as requests
        from marts.mart_request_coverage_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        group by provider
        order by usage_cost_usd desc nulls last, provider
        """,
        [start, end, list(providers)],
    )


@_dataset
def gateway_drift(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The sources' own reported cost against list cost, per source, provider and model.

    Compared on the day-groups where every request is priced and the source reported a cost, so neither
    side counts requests the other leaves out. ``is_beyond_tolerance``: the two differ by more than 1% of
    list cost and by more than $0.01. Pairs with nothing to compare (no reported cost) are left out.
    """
    return _query(
        f"""
        with compared as (
            select
                source,
                provider,
                model_id,
                cast(sum(requests) as bigint) as requests,
                sum(list_cost_usd) as list_cost_usd,
                sum(reported_cost_usd) as reported_cost_usd
            from marts.fct_request_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {TEAM_FILTER} and {MODEL_FILTER}
              and reported_cost_usd is not null
              and unpriced_requests = 0
            group by source, provider, model_id
        )
        select
            *,
            reported_cost_usd - list_cost_usd as difference_usd,
            (reported_cost_usd - list_cost_usd) / nullif(list_cost_usd, 0) as difference_pct,
            abs(reported_cost_usd - list_cost_usd) > greatest($pct * abs(list_cost_usd), $usd)
                as is_beyond_tolerance
        from compared
        order by is_beyond_tolerance desc, abs(difference_usd) desc, source, provider, model_id
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "teams": list(teams),
            "models": list(models),
            "pct": DRIFT_TOLERANCE_PCT,
            "usd": DRIFT_TOLERANCE_USD,
        },
    )


@_dataset
def request_tag_keys(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> list[str]:
    """Tag keys on the requests in range, sorted."""
    frame = _query(
        f"""
        select distinct tag_key
        from marts.fct_request_tag_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {MODEL_FILTER}
        order by tag_key
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )
    return frame["tag_key"].tolist()


@_dataset
def request_cost_by_tag_value(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    tag_key: str,
    limit: int,
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The ``limit`` costliest values of ``tag_key``: requests, unpriced requests, list cost and share within the
    key, with ``tag_values``, the count of all. A key can have a value per request (a trace id as a tag): the page
    never fetches them all.

    Share is of the key's whole logged list cost, not of the rows shown.
    """
    return _query(
        f"""
        with per_value as (
            select
                tag_value,
                cast(sum(requests) as bigint) as requests,
                cast(sum(unpriced_requests) as bigint) as unpriced_requests,
                sum(list_cost_usd) as list_cost_usd,
                sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total,
                count(*) over () as tag_values
            from marts.fct_request_tag_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {MODEL_FILTER}
              and tag_key = $tag_key
            group by tag_value
        )
        select * from per_value
        order by list_cost_usd desc nulls last, requests desc, tag_value
        limit $limit
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "tag_key": tag_key,
            "limit": limit,
            "models": list(models),
        },
    )


@_dataset
def unpriced_requests(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Requests with no list price, per source, provider and model."""
    return _query(
        f"""
        select source, provider, model_id, cast(sum(unpriced_requests) as bigint) as unpriced_requests
        from marts.{TEAM_MART}
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {TEAM_FILTER} and {MODEL_FILTER}
          and unpriced_requests > 0
        group by source, provider, model_id
        order by unpriced_requests desc, source, provider, model_id
        """,
        {"start": start, "end": end, "providers": list(providers), "teams": list(teams), "models": list(models)},
    )


# --- prices and models -----------------------------------------------------------------------
# Token usage: the usage types priced per 1M tokens (pricing_seeds/usage_types.csv), all named *_tokens.
# A cache read saves the difference between its model's uncached input price and the cache read price.

CACHE_READ_INPUTS = {
    "cache_read_tokens": "input_tokens",
    "cache_audio_read_tokens": "input_audio_tokens",
    "cache_image_read_tokens": "input_image_tokens",
}
PER_TOKEN = Decimal("0.000001")  # token prices are USD per 1M tokens
THOUSAND = Decimal(1000)


def _per_1k_tokens(cost: Any, tokens: Any) -> Decimal | None:
    """``cost`` (Decimal) per 1,000 of ``tokens``, exact to Decimal's 28 digits; ``None`` without a cost."""
    if cost is None or pd.isna(cost) or tokens is None or pd.isna(tokens) or int(tokens) == 0:
        return None
    return cost * THOUSAND / Decimal(int(tokens))


@_dataset
def token_cost_by_model(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Token usage per provider and model, and a total row (``is_total``, first), in ``[start, end)``.

    Columns: ``tokens`` (all token usage), ``unpriced_tokens``; ``list_cost_usd`` (priced rows; NULL when none)
    and ``cost_per_1k_tokens_usd`` (that cost over the priced tokens x 1000, Decimal); ``cache_hit_rate``
    (cache read tokens over uncached input plus cache read tokens, text, audio and image alike; cache writes
    are not reads); ``cache_savings_usd`` (each cache read's tokens x (the uncached input price of the same
    day, provider, model, service tier, context tier and geo - its cache read price); NULL when no cache read
    has such an input price) and ``cache_read_tokens_unvalued`` (cache reads without one: no input usage
    that day, or unpriced); ``batch_cost_usd`` and ``batch_share`` (batch-tier list cost over all list cost).
    """
    frame = _query(
        f"""
        with usage as (
            select
                usage_date, provider, coalesce(model_id, model_raw) as model_id, service_tier, context_tier,
                inference_geo, usage_type, quantity, unit_price_usd, list_cost_usd, is_priced
            from marts.fct_usage_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {USAGE_MODEL_FILTER}
              and usage_type like '%\\_tokens' escape '\\'
        ),
        cache_reads as (
            select unnest($cache_read_types::varchar[]) as usage_type, unnest($input_types::varchar[]) as input_type
        ),
        input_prices as (
            select
                usage_date, provider, model_id, service_tier, context_tier, inference_geo, usage_type,
                max(unit_price_usd) as input_price_usd
            from usage
            where is_priced and usage_type in (select input_type from cache_reads)
            group by all
        ),
        valued as (
            select
                usage.*,
                cache_reads.usage_type is not null as is_cache_read,
                usage.usage_type in (select input_type from cache_reads) as is_uncached_input,
                (input_prices.input_price_usd - usage.unit_price_usd) * usage.quantity * $per_token
                    as cache_savings_usd
            from usage
            left join cache_reads on usage.usage_type = cache_reads.usage_type
            left join input_prices
                on usage.is_priced
                and input_prices.usage_type = cache_reads.input_type
                and usage.usage_date = input_prices.usage_date
                and usage.provider = input_prices.provider
                and usage.model_id = input_prices.model_id
                and usage.service_tier = input_prices.service_tier
                and usage.context_tier = input_prices.context_tier
                and usage.inference_geo is not distinct from input_prices.inference_geo
        )
        select
            grouping(provider, model_id) <> 0 as is_total,
            provider,
            model_id,
            cast(sum(quantity) as bigint) as tokens,
            cast(coalesce(sum(quantity) filter (where is_priced), 0) as bigint) as priced_tokens,
            cast(coalesce(sum(quantity) filter (where is_priced is not true), 0) as bigint) as unpriced_tokens,
            sum(list_cost_usd) as list_cost_usd,
            coalesce(sum(quantity) filter (where is_cache_read), 0)
                / nullif(sum(quantity) filter (where is_cache_read or is_uncached_input), 0) as cache_hit_rate,
            sum(cache_savings_usd) as cache_savings_usd,
            cast(coalesce(sum(quantity) filter (where is_cache_read and cache_savings_usd is null), 0) as bigint)
                as cache_read_tokens_unvalued,
            coalesce(sum(list_cost_usd) filter (where service_tier like 'batch%'), 0) as batch_cost_usd,
            coalesce(sum(list_cost_usd) filter (where service_tier like 'batch%'), 0)
                / nullif(sum(list_cost_usd), 0) as batch_share
        from valued
        group by grouping sets ((provider, model_id), ())
        having count(*) > 0
        order by is_total desc, list_cost_usd desc nulls last, provider, model_id
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "cache_read_types": list(CACHE_READ_INPUTS),
            "input_types": list(CACHE_READ_INPUTS.values()),
            "per_token": PER_TOKEN,
            "models": list(models),
        },
    )
    frame.insert(
        frame.columns.get_loc("list_cost_usd") + 1,
        "cost_per_1k_tokens_usd",
        [_per_1k_tokens(c, t) for c, t in zip(frame["list_cost_usd"], frame["priced_tokens"], strict=True)],
    )
    return frame


@_dataset
def price_models(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The models of the price book (``dim_price``, prices starting before ``end``) of ``providers``, those
    with the most list cost in ``[start, end)`` first, then the rest by name. Provider-wide rows (``*``) are
    not a model."""
    return _query(
        f"""
        with models as (
            select distinct provider, model_id
            from marts.dim_price
            where provider in (select unnest($providers::varchar[]))
              and effective_from < $end
              and model_id <> '*'
              and {MODEL_FILTER}
        ),
        spend as (
            select provider, model_id, sum(list_cost_usd) as list_cost_usd
            from marts.fct_usage_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
            group by provider, model_id
        )
        select models.provider, models.model_id, spend.list_cost_usd
        from models
        left join spend on models.provider = spend.provider and models.model_id = spend.model_id
        order by spend.list_cost_usd desc nulls last, models.provider, models.model_id
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


@_dataset
def price_history(stamp: object, provider: str, model_id: str, end: date) -> pd.DataFrame:
    """Every price window of one model that starts before ``end`` (``effective_to`` exclusive, NULL = current)."""
    return _query(
        """
        select
            usage_type, service_tier, prompt_tokens_gt, unit, unit_price_usd, effective_from, effective_to,
            price_conf, sources
        from marts.dim_price
        where provider = ? and model_id = ? and effective_from < ?
        order by service_tier, usage_type, prompt_tokens_gt, effective_from
        """,
        [provider, model_id, end],
    )


@_dataset
def price_changes(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    model_id: str | None = None,
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """List-price changes (``mart_price_changes``) taking effect in ``[start, end)``, newest first; of one model
    when ``model_id`` is given."""
    return _query(
        f"""
        select
            change_date, provider, model_id, usage_type, service_tier, prompt_tokens_gt, unit, change_direction,
            old_unit_price_usd, new_unit_price_usd, price_change_pct, affected_quantity_30d,
            affected_spend_30d_usd, at_old_price_30d_usd, impact_30d_usd, is_future
        from marts.mart_price_changes
        where change_date >= $start and change_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {MODEL_FILTER}
          and ($model_id is null or model_id = $model_id)
        order by change_date desc, provider, model_id, usage_type, service_tier, prompt_tokens_gt
        """,
        {"start": start, "end": end, "providers": list(providers), "model_id": model_id, "models": list(models)},
    )


# --- reconciliation ---------------------------------------------------------------------------


@_dataset
def reconciliation_rows(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """Every (day, provider, account) row of ``fct_cost_reconciliation_daily`` in ``[start, end)``, newest first.

    ``billed_other_usd`` is everything billed that is not compared: other usage lines, credits, tax, fees, refunds.
    """
    return _query(
        """
        select
            usage_date, provider, account_id, account_name, status, likely_cause, unpriced_models,
            computed_cost_usd, billed_usage_usd, variance_usd, variance_pct, tolerance_usd, unpriced_billed_usd,
            billed_cost_usd - billed_usage_usd as billed_other_usd, billed_cost_usd, unpriced_quantity
        from marts.fct_cost_reconciliation_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        order by usage_date desc, provider, account_id
        """,
        [start, end, list(providers)],
    )


@_dataset
def billed_lines(stamp: object, day: date, provider: str, account_id: str) -> pd.DataFrame:
    """The billed lines of one (day, provider, account), as billed."""
    return _query(
        """
        select line_item, line_type, model_id, usage_type, currency, billed_cost_usd
        from marts.fct_billed_cost_daily
        where usage_date = ? and provider = ? and account_id = ?
        order by line_type, model_id nulls last, line_item
        """,
        [day, provider, account_id],
    )


@_dataset
def usage_lines(stamp: object, day: date, provider: str, account_id: str) -> pd.DataFrame:
    """The priced usage rows of one (day, provider, account); ``contracted_cost_usd`` is what reconciliation
    compares (list less a negotiated discount)."""
    return _query(
        """
        select
            api_key_id, model_raw, model_id, service_tier, context_tier, usage_type, unit, quantity,
            unit_price_usd, list_cost_usd, contracted_cost_usd, is_priced
        from marts.fct_usage_cost_daily
        where usage_date = ? and provider = ? and account_id = ?
        order by model_id nulls last, model_raw, service_tier, usage_type, api_key_id
        """,
        [day, provider, account_id],
    )


BYOK_MART = "fct_openrouter_byok_daily"


@_dataset
def openrouter_byok(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """OpenRouter's bring-your-own-key rows (``fct_openrouter_byok_daily``) in ``[start, end)``, newest first;
    empty when ``providers`` leaves OpenRouter out or the serving copy predates the mart."""
    if "openrouter" not in providers or not marts_published((BYOK_MART,)):
        return pd.DataFrame()
    return _query(
        f"""
        select
            usage_date, account_id, model_raw, endpoint_id, provider_name, upstream_provider, requests,
            prompt_tokens, completion_tokens, byok_inference_usd, credits_usd, is_counted_elsewhere
        from marts.{BYOK_MART}
        where usage_date >= ? and usage_date < ?
        order by usage_date desc, account_id, model_raw, endpoint_id
        """,
        [start, end],
    )


# --- showback and chargeback ------------------------------------------------------------------
# The provider ledger split to teams (fct_allocated_cost_daily, mart_allocation_coverage_daily), unit economics
# per month and team (mart_unit_economics_monthly) and the chargeback statement (mart_showback_monthly, through
# statements.chargeback: the SQL `finops export chargeback` runs).

ALLOCATION_MARTS = ("fct_allocated_cost_daily", "mart_allocation_coverage_daily")
SHARED_METHODS = ("proportional", "even", "fixed_share")


def allocation_marts_published() -> bool:
    """Whether the serving copy has the allocation marts."""
    return marts_published(ALLOCATION_MARTS)


@_dataset
def allocated_cost_drill(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The allocated ledger in ``[start, end)`` at three levels (``level``): ``team``, ``feature`` (team x
    feature) and ``model`` (team x feature x provider x model), costliest first within a level.

    ``direct_usd`` / ``shared_usd`` (proportional, even, fixed_share) / ``unallocated_usd`` are the priced parts
    by allocation method (0 when none); ``cost_usd`` their sum, NULL when the group holds only unpriced usage;
    ``unpriced_rows`` counts the ledger rows without a price (cost NULL, never $0); ``share_of_total`` is of the
    whole selection's priced cost.
    """
    return _query(
        f"""
        select
            case
                when grouping(feature) <> 0 then 'team'
                when grouping(provider, model_id) <> 0 then 'feature'
                else 'model'
            end as level,
            team, feature, provider, model_id,
            coalesce(sum(allocated_cost_usd) filter (where allocation_method = 'direct'), 0) as direct_usd,
            coalesce(sum(allocated_cost_usd) filter (
                where allocation_method in (select unnest($shared::varchar[]))
            ), 0) as shared_usd,
            coalesce(sum(allocated_cost_usd) filter (where allocation_method = 'unallocated'), 0) as unallocated_usd,
            sum(allocated_cost_usd) as cost_usd,
            cast(count(*) filter (where not is_priced) as bigint) as unpriced_rows,
            sum(allocated_cost_usd) / nullif(
                sum(sum(allocated_cost_usd)) over (partition by grouping(team, feature, provider, model_id)), 0
            ) as share_of_total
        from marts.fct_allocated_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {TEAM_FILTER} and {MODEL_FILTER}
        group by grouping sets ((team), (team, feature), (team, feature, provider, model_id))
        order by level, cost_usd desc nulls last, team, feature, provider, model_id
        """,
        {
            "start": start,
            "end": end,
            "providers": list(providers),
            "shared": list(SHARED_METHODS),
            "teams": list(teams),
            "models": list(models),
        },
    )


@_dataset
def allocated_cost_monthly(
    stamp: object,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Priced allocated cost in ``[start, end)`` per month (its first day, the range's part of it), team and
    allocation method."""
    return _query(
        f"""
        select
            cast(date_trunc('month', usage_date) as date) as month, team, allocation_method,
            sum(allocated_cost_usd) as cost_usd
        from marts.fct_allocated_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and {TEAM_FILTER} and {MODEL_FILTER}
          and is_priced
        group by all
        order by month, team, allocation_method
        """,
        {"start": start, "end": end, "providers": list(providers), "teams": list(teams), "models": list(models)},
    )


@_dataset
def allocation_coverage(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """Per provider and a total row (``is_total``, first): the ledger's priced cost in ``[start, end)`` by
    allocation method, ``tag_coverage_share`` (proportional, i.e. through request logs' tags and rules, over the
    ledger) and ``allocated_share`` (everything but unallocated over the ledger); shares NULL when the ledger is 0."""
    return _query(
        """
        select
            grouping(provider) <> 0 as is_total,
            provider,
            sum(ledger_cost_usd) as ledger_cost_usd,
            sum(direct_usd) as direct_usd,
            sum(proportional_usd) as proportional_usd,
            sum(even_usd) + sum(fixed_share_usd) as other_shared_usd,
            sum(unallocated_usd) as unallocated_usd,
            sum(proportional_usd) / nullif(sum(ledger_cost_usd), 0) as tag_coverage_share,
            (sum(ledger_cost_usd) - sum(unallocated_usd)) / nullif(sum(ledger_cost_usd), 0) as allocated_share
        from marts.mart_allocation_coverage_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
        group by grouping sets ((provider), ())
        having count(*) > 0
        order by is_total desc, ledger_cost_usd desc nulls last, provider
        """,
        {"start": start, "end": end, "providers": list(providers)},
    )


UNIT_ECONOMICS_ALL = "(all)"  # mart_unit_economics_monthly's row for the whole organisation


@_dataset
def unit_economics(stamp: object, start: date, end: date, team: str | None) -> pd.DataFrame:
    """``mart_unit_economics_monthly`` for every month that overlaps ``[start, end)``, newest first, of ``team``
    (the whole organisation, ``'(all)'``, when ``None``). Whole months, every provider: the mart has no day or
    provider."""
    return _query(
        """
        select
            month, team, showback_cost_usd, usage_cost_usd, usage_coverage_share, tokens, cost_per_1k_tokens,
            cache_hit_rate, cache_savings_usd, batch_share, requests, active_users, request_cost_usd,
            cost_per_request, cost_per_active_user
        from marts.mart_unit_economics_monthly
        where month >= date_trunc('month', cast($start as date)) and month < $end
          and team = coalesce($team, $all)
        order by month desc
        """,
        {"start": start, "end": end, "team": team, "all": UNIT_ECONOMICS_ALL},
    )


@_dataset
def chargeback_months(stamp: object) -> list[date]:
    """The months of ``mart_showback_monthly``, newest first; empty when the serving copy has none."""
    if not marts_published((chargeback.SHOWBACK.removeprefix("marts."),)):
        return []
    return sorted(_query(chargeback.MONTHS_SQL)["month"].tolist(), reverse=True)


@_dataset
def chargeback_statement(stamp: object, month: date) -> pd.DataFrame:
    """The month's chargeback statement: the lines ``finops export chargeback`` writes (same SQL), in its order."""
    return _query(chargeback.CHARGEBACK_SQL, {"month": month})


@_dataset
def chargeback_unpriced_rows(stamp: object, month: date) -> int:
    """Rows of the month's showback that are usage without a price: no amount to book."""
    return int(_query(chargeback.UNPRICED_SQL, {"month": month}).iloc[0]["unpriced_rows"])


@_dataset
def chargeback_parquet(stamp: object, month: date) -> bytes:
    """The month's statement as Parquet bytes, written by DuckDB's COPY exactly as the export writes its file."""
    with tempfile.TemporaryDirectory(prefix="finops-chargeback-") as folder:
        target = Path(folder) / "chargeback.parquet"
        with _serving() as conn:
            conn.execute(chargeback.parquet_copy_sql(target), {"month": month})
        return target.read_bytes()


# --- what-if repricing (mart_whatif_reprice: scenario x month x provider x actual model) ---------
# The mart is monthly: a range takes the whole months that overlap it. Money stays Decimal; a counterfactual
# with no price is NULL (never $0), and so is any sum that would include one.

WHATIF_MART = "mart_whatif_reprice"


def whatif_published() -> bool:
    """Whether the serving copy has the what-if mart."""
    return marts_published((WHATIF_MART,))


@_dataset
def whatif_scenarios(stamp: object) -> pd.DataFrame:
    """One row per scenario in the mart (any month), by name: its settings, constant over its rows."""
    return _query(
        """
        select
            scenario,
            any_value(target_service_tier) as target_service_tier,
            any_value(price_date_rule) as price_date_rule,
            any_value(price_date) as price_date,
            any_value(cache_hit_rate) as cache_hit_rate,
            any_value(batch_share) as batch_share
        from marts.mart_whatif_reprice
        group by scenario
        order by scenario
        """
    )


@_dataset
def whatif_reprice(
    stamp: object, scenario: str, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """``scenario``'s rows for every month that overlaps ``[start, end)`` at three levels (``level``): ``model``
    (month x provider x actual model, the mart's rows), ``month`` and ``total``; months in order, then the
    costliest actual first.

    ``actual_cost_usd`` sums the priced actual cost; ``counterfactual_cost_usd`` and ``savings_usd`` are NULL
    for a group with any row whose counterfactual has no price (never a partial sum that looks complete);
    ``unpriced_counterfactual_rows`` counts those rows.
    """
    return _query(
        f"""
        select
            case
                when grouping(month) <> 0 then 'total'
                when grouping(provider, model_id) <> 0 then 'month'
                else 'model'
            end as level,
            month, provider, model_id,
            case when grouping(model_id) = 0 then any_value(target_model_id) end as target_model_id,
            sum(actual_cost_usd) as actual_cost_usd,
            case when count(*) filter (where counterfactual_cost_usd is null) = 0
                then sum(counterfactual_cost_usd) end as counterfactual_cost_usd,
            case when count(*) filter (where savings_usd is null) = 0 then sum(savings_usd) end as savings_usd,
            cast(count(*) filter (where counterfactual_cost_usd is null) as bigint) as unpriced_counterfactual_rows,
            cast(sum(unpriced_actual_rows) as bigint) as unpriced_actual_rows,
            case when grouping(model_id) = 0 then any_value(caveats) end as caveats
        from marts.mart_whatif_reprice
        where scenario = $scenario
          and month >= date_trunc('month', cast($start as date)) and month < $end
          and provider in (select unnest($providers::varchar[]))
          and {MODEL_FILTER}
        group by grouping sets ((month, provider, model_id), (month), ())
        having count(*) > 0
        order by level = 'total', month, level = 'month', actual_cost_usd desc nulls last, provider, model_id
        """,
        {"scenario": scenario, "start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


# --- budgets, alerts and anomalies ------------------------------------------------------------
# mart_budget_status (budget x period), mart_budget_daily (its days), alert_log (written by orchestration/alerts.py,
# published with the marts) and mart_cost_anomalies (scope x day). A serving copy published before these existed
# has none of them: pages check ``marts_published`` first. Budget ids, scopes, drivers and alert texts come from
# config and data: they go into dataframe cells, chart text and selectbox options only.

BUDGET_MART = "mart_budget_status"
BUDGET_DAILY_MART = "mart_budget_daily"  # budget x period x day: the burn-up's actuals and forecast
ALERT_LOG = "alert_log"
ANOMALY_MART = "mart_cost_anomalies"
OPEN_ANOMALY_DAYS = 7  # the Overview's "open anomalies": flagged days among the last 7 data days


@_dataset
def budget_status(stamp: object) -> pd.DataFrame:
    """Every row of ``mart_budget_status`` (budget x period), newest period first, then by budget id;
    ``is_current`` marks each budget's latest period."""
    return _query(
        """
        select
            budget_id, scope, scope_type, scope_value, period, period_start, period_end, as_of_date, budget_usd,
            actual_usd, forecast_usd, pct_used, highest_threshold_crossed, projected_breach_date, status,
            forecast_method,
            period_start = max(period_start) over (partition by budget_id) as is_current
        from marts.mart_budget_status
        order by period_start desc, budget_id
        """
    )


@_dataset
def budget_daily(stamp: object, budget_id: str, period_start: date) -> pd.DataFrame:
    """The days of one budget period from ``mart_budget_daily``, first to last: every day of the period, the
    day's actual and running actual to ``as_of_date`` (NULL after), the forecast after it, and the running
    projection (actual, then actual + forecast). Empty when the period is not in the mart."""
    return _query(
        """
        select
            usage_date, is_actual, actual_usd, cumulative_actual_usd, forecast_usd, cumulative_projected_usd,
            budget_usd, as_of_date, period_end
        from marts.mart_budget_daily
        where budget_id = $budget_id and period_start = $period_start
        order by usage_date
        """,
        {"budget_id": budget_id, "period_start": period_start},
    )


@_dataset
def alert_history(stamp: object) -> pd.DataFrame:
    """Every alert of ``alert_log``, newest first."""
    return _query(
        """
        select first_seen_at, kind, severity, status, title, body, attempts, sent_at, last_error, alert_key
        from marts.alert_log
        order by first_seen_at desc, alert_key
        """
    )


@_dataset
def flagged_anomalies(stamp: object, start: date, end: date) -> pd.DataFrame:
    """Flagged days (``is_anomaly``) of ``mart_cost_anomalies`` in ``[start, end)``, newest first, then by score."""
    return _query(
        """
        select
            usage_date, scope, scope_type, scope_value, severity, actual_usd, expected_usd, score, driver_type,
            driver_value, driver_delta_usd, explained_share
        from marts.mart_cost_anomalies
        where usage_date >= $start and usage_date < $end and is_anomaly
        order by usage_date desc, score desc, scope
        """,
        {"start": start, "end": end},
    )


@_dataset
def anomaly_scopes(stamp: object, start: date, end: date) -> list[str]:
    """The scopes of ``mart_cost_anomalies`` with days in ``[start, end)``: those with the most flagged days
    first, then by name ('org' first among equals)."""
    frame = _query(
        """
        select scope
        from marts.mart_cost_anomalies
        where usage_date >= $start and usage_date < $end
        group by scope
        order by count(*) filter (where is_anomaly) desc, scope <> 'org', scope
        """,
        {"start": start, "end": end},
    )
    return frame["scope"].tolist()


@_dataset
def anomaly_series(stamp: object, scope: str, start: date, end: date) -> pd.DataFrame:
    """Actual vs expected per day of one scope in ``[start, end)``, with the day's severity and flag."""
    return _query(
        """
        select usage_date, actual_usd, expected_usd, score, severity, is_anomaly, driver_type, driver_value
        from marts.mart_cost_anomalies
        where scope = $scope and usage_date >= $start and usage_date < $end
        order by usage_date
        """,
        {"scope": scope, "start": start, "end": end},
    )


@_dataset
def open_anomalies(stamp: object) -> pd.DataFrame:
    """Flagged days among the last ``OPEN_ANOMALY_DAYS`` data days of ``mart_cost_anomalies`` (its latest day
    and the 6 before), critical first, then by score."""
    return _query(
        """
        with latest as (select max(usage_date) as last_day from marts.mart_cost_anomalies)
        select
            usage_date, scope, severity, actual_usd, expected_usd, score, driver_type, driver_value,
            driver_delta_usd
        from marts.mart_cost_anomalies
        cross join latest
        where is_anomaly and usage_date > latest.last_day - cast($days as integer)
        order by severity = 'critical' desc, score desc, usage_date desc, scope
        """,
        {"days": OPEN_ANOMALY_DAYS},
    )


# --- data health (marts.quality_results: one row per check x scope per run, append-only) -----------------------
# Written by the quality gate (orchestration/quality/results.py) and published with the marts. A serving copy
# published before the gate stored its results has no such table: the page checks ``quality_results_published``.
# ``hidden_sources``: raw assets ('<source>/<endpoint>', the source being all before the last '/') of these sources
# are left out (the providers the sidebar leaves out); marts, and sources that are not a provider of the data, are
# always kept. Assets, checks, observed values, samples and run ids are data: dataframe cells and chart text only.

QUALITY_RESULTS = "quality_results"
# the checks the pipeline defines now, one row per (layer, asset, check_name) (orchestration/quality/results.py
# define): a removed or renamed check keeps its past rows in quality_results, but not its place among the checks
QUALITY_CHECKS = "quality_checks"
QUALITY_HISTORY_RUNS = 30  # runs in the history of failures

# The rows kept by the provider filter, each with its outcome: 'blocking' (a failed check of severity error, which
# stops publish), 'warning' (a failed check of any other severity) or 'passed'; ``outcome_rank`` orders them.
_QUALITY_ROWS = """
    quality_rows as (
        select
            *,
            case when status = 'passed' then 'passed' when severity = 'error' then 'blocking' else 'warning' end
                as outcome,
            case when status = 'passed' then 2 when severity = 'error' then 0 else 1 end as outcome_rank
        from marts.quality_results
        where not (
            layer = 'raw' and regexp_extract(asset, '^(.*)/[^/]*$', 1) in (select unnest($hidden::varchar[]))
        )
    )
"""


def quality_results_published() -> bool:
    """Whether the serving copy has ``marts.quality_results``."""
    return marts_published((QUALITY_RESULTS,))


@_dataset
def quality_runs(stamp: object, hidden_sources: tuple[str, ...]) -> pd.DataFrame:
    """The newest ``QUALITY_HISTORY_RUNS`` runs, newest first: when each checked (first and last ``checked_at``) and
    its checks, a check being one (layer, asset, check_name) whatever the scopes it ran on, counted by its worst
    outcome: ``blocking`` (any scope failed a blocking check), else ``warnings``, else ``passed``."""
    return _query(
        f"""
        with {_QUALITY_ROWS},
        checks as (
            select run_id, layer, asset, check_name, min(outcome_rank) as outcome_rank,
                min(checked_at) as first_checked_at, max(checked_at) as last_checked_at
            from quality_rows
            group by run_id, layer, asset, check_name
        )
        select
            run_id,
            min(first_checked_at) as first_checked_at,
            max(last_checked_at) as last_checked_at,
            cast(count(*) as bigint) as checks,
            cast(count(*) filter (where outcome_rank = 2) as bigint) as passed,
            cast(count(*) filter (where outcome_rank = 1) as bigint) as warnings,
            cast(count(*) filter (where outcome_rank = 0) as bigint) as blocking
        from checks
        group by run_id
        order by last_checked_at desc, run_id
        limit $runs
        """,
        {"hidden": list(hidden_sources), "runs": QUALITY_HISTORY_RUNS},
    )


@_dataset
def quality_latest(stamp: object, hidden_sources: tuple[str, ...]) -> pd.DataFrame:
    """The latest result of every (layer, asset, check_name) the pipeline defines now (``marts.quality_checks``; in
    a serving copy published before that catalog, every check ever recorded): the rows of the newest run that checked
    it (the run of its newest ``checked_at``), taken together: its worst outcome, how many of its scopes failed,
    their rows checked and unexpected rows summed, the span of their partitions (``partition_start``/``partition_end``
    NULL when a scope was the whole table), and the observed value, sample and description of its worst scope (the
    newest partition among equals). Blocking failures first, then warnings, then passed; by layer, asset, check."""
    defined = (
        f"semi join (select layer, asset, check_name from marts.{QUALITY_CHECKS}) as defined "
        "using (layer, asset, check_name)"
        if marts_published((QUALITY_CHECKS,))
        else ""
    )
    return _query(
        f"""
        with {_QUALITY_ROWS},
        latest_run as (
            select layer, asset, check_name, arg_max(run_id, checked_at) as run_id
            from quality_rows
            {defined}
            group by layer, asset, check_name
        ),
        scopes as (
            select
                q.*,
                row_number() over (
                    partition by q.layer, q.asset, q.check_name
                    order by q.outcome_rank, q.partition_start desc nulls first, q.checked_at desc
                ) as worst
            from quality_rows as q
            join latest_run using (layer, asset, check_name, run_id)
        )
        select
            layer, asset, check_name, run_id,
            max(checked_at) as checked_at,
            case min(outcome_rank) when 0 then 'blocking' when 1 then 'warning' else 'passed' end as outcome,
            min(outcome_rank) as outcome_rank,
            case when bool_or(severity = 'error') then 'error' else any_value(severity) end as severity,
            cast(count(*) as bigint) as scopes,
            cast(count(*) filter (where status = 'failed') as bigint) as failed_scopes,
            case when bool_and(partition_start is not null) then min(partition_start) end as partition_start,
            case when bool_and(partition_end is not null) then max(partition_end) end as partition_end,
            cast(sum(rows_checked) as bigint) as rows_checked,
            cast(sum(unexpected_count) as bigint) as unexpected_count,
            any_value(observed_value) filter (where worst = 1) as observed_value,
            any_value(sample) filter (where worst = 1) as sample,
            any_value(description) filter (where worst = 1) as description
        from scopes
        group by layer, asset, check_name, run_id
        order by outcome_rank, layer, asset, check_name
        """,
        {"hidden": list(hidden_sources)},
    )


@_dataset
def quality_daily(stamp: object, start: date, end: date, hidden_sources: tuple[str, ...]) -> pd.DataFrame:
    """The latest result of every (layer, asset, check_name, partition day) whose ``partition_start`` is in
    ``[start, end)`` (a day checked again by a later run shows that run's result); newest day first, then
    blocking failures, warnings, passed, by layer, asset and check. Whole-table scopes have no day: left out."""
    return _query(
        f"""
        with {_QUALITY_ROWS}
        select
            partition_start, partition_end, layer, asset, check_name, run_id, checked_at, severity, status, outcome,
            outcome_rank, rows_checked, unexpected_count, observed_value, sample, description
        from quality_rows
        where partition_start >= $start and partition_start < $end
        qualify row_number() over (
            partition by layer, asset, check_name, partition_start order by checked_at desc, outcome_rank
        ) = 1
        order by partition_start desc, outcome_rank, layer, asset, check_name
        """,
        {"hidden": list(hidden_sources), "start": start, "end": end},
    )


@_dataset
def quality_freshness(stamp: object, hidden_sources: tuple[str, ...]) -> pd.DataFrame:
    """The latest ``freshness`` row of every asset (one per raw source and endpoint): stale first, by asset."""
    return _query(
        f"""
        with {_QUALITY_ROWS}
        select asset, layer, checked_at, run_id, severity, status, outcome, outcome_rank, observed_value, description
        from quality_rows
        where check_name = 'freshness'
        qualify row_number() over (partition by layer, asset order by checked_at desc, outcome_rank) = 1
        order by outcome_rank, asset
        """,
        {"hidden": list(hidden_sources)},
    )


# --- quarantine (marts.quarantine: the landed rows a row-level rule kept out of the raw tables) -------------------
# Written by the loader (orchestration/quality/quarantine.py) and published with the marts; a row stays until its
# window (or file) is landed again. A serving copy published before quarantine existed has no such table.

QUARANTINE = "quarantine"


def quality_quarantine_published() -> bool:
    """Whether the serving copy has ``marts.quarantine``."""
    return marts_published((QUARANTINE,))


@_dataset
def quality_quarantine(stamp: object, start: date, end: date, hidden_sources: tuple[str, ...]) -> pd.DataFrame:
    """The quarantined rows of the UTC days ``[start, end)`` (their ``partition_date``), leaving out the raw assets
    of ``hidden_sources``: newest day first, then by asset. Each with its reason, where it came from (the file, or
    the endpoint and the days asked for), its natural key and the row as the vendor sent it (JSON text)."""
    return _query(
        """
        select partition_date, asset, raw_table, reason, source, natural_key, row_json, landed_at, run_id
        from marts.quarantine
        where partition_date >= $start and partition_date < $end
            and regexp_extract(asset, '^(.*)/[^/]*$', 1) not in (select unnest($hidden::varchar[]))
        order by partition_date desc, asset, natural_key
        """,
        {"hidden": list(hidden_sources), "start": start, "end": end},
    )


# --- TCO: API vs self-hosting (fct_usage_cost_daily's token usage, dim_tco_defaults) ------------------------
# Token usage = the usage types priced per 1M tokens, all named *_tokens; output = output_tokens and its
# reasoning / audio / image kinds (pricing_seeds/usage_types.csv, direction output), input = the others (uncached,
# cache reads and writes). Model and provider names are data: dataframe cells only.

TCO_MART = "dim_tco_defaults"


def tco_published() -> bool:
    """Whether the serving copy has the TCO defaults (a copy published before they existed has not)."""
    return marts_published((TCO_MART,))


@_dataset
def tco_defaults(stamp: object) -> pd.DataFrame:
    """Every row of ``dim_tco_defaults``: GPU prices, then throughput, then settings, each in seed order of id."""
    return _query(
        """
        select
            option_id, kind, gpu, offer, size_class, reference_model, gpus_per_node, setting, default_value, unit,
            serving_stack, source_url, as_of, confidence, notes
        from marts.dim_tco_defaults
        order by kind = 'setting', kind = 'throughput', gpu, size_class, default_value, option_id
        """
    )


@_dataset
def tco_token_mix(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Token usage in ``[start, end)`` at two levels (``level``): ``model`` (provider x model, most output first)
    and ``total``. ``input_tokens`` and ``output_tokens`` count priced rows, ``list_cost_usd`` and
    ``effective_cost_usd`` are their cost (NULL, unpriced, when a group has no priced row); ``unpriced_tokens`` counts the
    token usage without a price, left out of both (never $0)."""
    return _query(
        f"""
        select
            case when grouping(provider, model) <> 0 then 'total' else 'model' end as level,
            provider, model,
            cast(coalesce(sum(quantity) filter (where is_priced and usage_type not like 'output%'), 0) as bigint)
                as input_tokens,
            cast(coalesce(sum(quantity) filter (where is_priced and usage_type like 'output%'), 0) as bigint)
                as output_tokens,
            sum(list_cost_usd) filter (where is_priced) as list_cost_usd,
            sum(effective_cost_usd) filter (where is_priced) as effective_cost_usd,
            cast(coalesce(sum(quantity) filter (where is_priced is not true), 0) as bigint) as unpriced_tokens
        from (
            select *, coalesce(model_id, model_raw) as model
            from marts.fct_usage_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {USAGE_MODEL_FILTER}
              and usage_type like '%\\_tokens' escape '\\'
        )
        group by grouping sets ((provider, model), ())
        order by level = 'total', output_tokens desc, input_tokens desc, provider, model
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


# --- what-if routing (mart_whatif_routing: rule x month x provider x model x size class; mart_request_size_monthly:
# month x provider x model x prompt-size bucket) --------------------------------------------------------------
# Monthly marts: a range takes the whole months that overlap it. Only successful requests of the request logs.
# Money stays Decimal; an unpriced request is left out of the costs (counted), and a simple row whose
# counterfactual has no price makes every sum that would include it NULL (never a partial sum).

ROUTING_MART = "mart_whatif_routing"
REQUEST_SIZE_MART = "mart_request_size_monthly"


def routing_published() -> bool:
    """Whether the serving copy has both routing marts."""
    return marts_published((ROUTING_MART, REQUEST_SIZE_MART))


@_dataset
def request_size_histogram(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Successful requests per prompt-size bucket over the months that overlap ``[start, end)``, smallest bucket
    first: requests, unpriced requests, prompt and output tokens, list cost of the priced ones (NULL if none)."""
    return _query(
        f"""
        select
            size_bucket, bucket_floor_tokens,
            cast(sum(requests) as bigint) as requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            cast(sum(prompt_tokens) as bigint) as prompt_tokens,
            cast(sum(output_tokens) as bigint) as output_tokens,
            sum(list_cost_usd) as list_cost_usd
        from marts.mart_request_size_monthly
        where month >= date_trunc('month', cast($start as date)) and month < $end
          and provider in (select unnest($providers::varchar[]))
          and {MODEL_FILTER}
        group by size_bucket, bucket_floor_tokens
        order by bucket_floor_tokens
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


_ROUTING_SUMS = """
            cast(sum(requests) as bigint) as requests,
            cast(coalesce(sum(requests) filter (where size_class = 'simple'), 0) as bigint) as simple_requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            sum(actual_cost_usd) as actual_cost_usd,
            sum(actual_cost_usd) filter (where size_class = 'simple') as simple_actual_cost_usd,
            -- NULL when a simple row with priced requests has no counterfactual price (see its caveats)
            case when count(*) filter (where size_class = 'simple' and actual_cost_usd is not null
                                         and counterfactual_cost_usd is null) = 0
                then sum(counterfactual_cost_usd) filter (where size_class = 'simple') end as counterfactual_cost_usd,
            case when count(*) filter (where size_class = 'simple' and actual_cost_usd is not null
                                         and savings_usd is null) = 0
                then sum(savings_usd) filter (where size_class = 'simple') end as savings_usd,
            cast(count(*) filter (where size_class = 'simple' and actual_cost_usd is not null
                                  and counterfactual_cost_usd is null) as bigint) as unpriced_counterfactual_rows
"""


@_dataset
def routing_summary(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per routing rule over the months that overlap ``[start, end)``: its target and limits, requests in
    scope and the simple ones, the priced list cost of both, the simple requests' cost under the target and the
    savings (NULL when any simple model-month has no counterfactual price; ``unpriced_counterfactual_rows``
    counts those). By rule name."""
    return _query(
        f"""
        select
            rule, any_value(to_model) as to_model,
            any_value(max_input_tokens) as max_input_tokens, any_value(max_output_tokens) as max_output_tokens,
            {_ROUTING_SUMS}
        from marts.mart_whatif_routing
        where month >= date_trunc('month', cast($start as date)) and month < $end
          and provider in (select unnest($providers::varchar[]))
          and {MODEL_FILTER}
        group by rule
        order by rule
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


@_dataset
def routing_models(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per rule x provider x actual model over the months that overlap ``[start, end)``, with the sums
    of ``routing_summary``, the target model(s) and the simple rows' caveats (distinct, ' | '-joined); by rule,
    then the largest savings first."""
    return _query(
        f"""
        select
            rule, provider, model_id,
            string_agg(distinct target_model_id, ', ' order by target_model_id) as target_model_id,
            {_ROUTING_SUMS},
            string_agg(distinct caveats, ' | ' order by caveats) as caveats
        from marts.mart_whatif_routing
        where month >= date_trunc('month', cast($start as date)) and month < $end
          and provider in (select unnest($providers::varchar[]))
          and {MODEL_FILTER}
        group by rule, provider, model_id
        order by rule, savings_usd desc nulls last, actual_cost_usd desc nulls last, provider, model_id
        """,
        {"start": start, "end": end, "providers": list(providers), "models": list(models)},
    )


# --- Overview: top teams and top movers --------------------------------------------------------------------------
# Team cost comes from the allocated ledger (fct_allocated_cost_daily: every priced usage row split to teams by
# finops.yaml's rules, '(unallocated)' what no rule covers) when the serving copy has it with rows, else from the
# request logs (fct_request_cost_team_daily: what the logs attribute, a part of the usage). Model cost from the usage
# ledger (fct_usage_cost_daily). Each compares ``[start, end)`` with the same-length window just before it; cost is
# that of priced rows only (NULL when a window has none), unpriced rows or requests are counted apart, never $0.
# Team and model names are data: dataframe cells and charts only.

TEAM_COST_ALLOCATED = "allocated"
TEAM_COST_REQUESTS = "requests"
MOVERS_SHOWN = 5  # the Overview's top teams and top movers

# per source: the table, its cost column and how an unpriced row counts (a column name chosen here, never input)
_TEAM_COST_TABLES = {
    TEAM_COST_ALLOCATED: ("fct_allocated_cost_daily", "allocated_cost_usd", "case when is_priced then 0 else 1 end"),
    TEAM_COST_REQUESTS: (TEAM_MART, "list_cost_usd", "unpriced_requests"),
}

# The comparison of the two windows, over ``grouped`` (rows with ``key``, ``cost_usd``, ``unpriced``, ``usage_date``):
# the priced cost of each window, the change (NULL when neither window has a priced row), the change over the earlier
# window (NULL when that is 0 or has none) and ``mover_rank``, 1 for the biggest absolute change (changes of 0 and
# NULL are not ranked).
_COMPARE_WINDOWS = """
    compared as (
        select
            {key},
            sum(cost_usd) filter (where usage_date >= $start) as current_usd,
            sum(cost_usd) filter (where usage_date < $start) as previous_usd,
            cast(coalesce(sum(unpriced) filter (where usage_date >= $start), 0) as bigint) as current_unpriced,
            cast(coalesce(sum(unpriced) filter (where usage_date < $start), 0) as bigint) as previous_unpriced
        from grouped
        group by {key}
    ),
    changes as (
        select
            *,
            case when current_usd is not null or previous_usd is not null
                then coalesce(current_usd, 0) - coalesce(previous_usd, 0) end as delta_usd
        from compared
    )
    select
        *,
        delta_usd / nullif(previous_usd, 0) as delta_share,
        case when delta_usd <> 0 then
            row_number() over (order by delta_usd <> 0 desc nulls last, abs(delta_usd) desc nulls last, {key})
        end as mover_rank
    from changes
"""


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The half-open window of the same length just before ``[start, end)``: for 2025-01-16..2025-02-15 (30 days),
    2024-12-17..2025-01-16."""
    return start - (end - start), start


@_dataset
def team_cost_source(stamp: object) -> str | None:
    """Where the Overview reads team cost: ``TEAM_COST_ALLOCATED`` when the allocation marts are published with
    rows, else ``TEAM_COST_REQUESTS`` when the request marts are; ``None`` when neither."""
    if marts_published(ALLOCATION_MARTS):
        rows = _query("select count(*) as n from (select 1 from marts.fct_allocated_cost_daily limit 1)")
        if int(rows.iloc[0]["n"]):
            return TEAM_COST_ALLOCATED
    if request_marts_published():
        return TEAM_COST_REQUESTS
    return None


@_dataset
def team_cost_comparison(
    stamp: object,
    source: str,
    start: date,
    end: date,
    providers: tuple[str, ...],
    teams: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Per team: priced cost in ``[start, end)`` (``current_usd``) and the window before (``previous_usd``), unpriced
    rows (allocated) or requests (request logs) of each, the change and ``mover_rank``; costliest first, then by
    team. ``source`` is ``team_cost_source()``'s answer."""
    table, cost, unpriced = _TEAM_COST_TABLES[source]
    prev_start, _ = previous_window(start, end)
    return _query(
        f"""
        with grouped as (
            select team as key, usage_date, {cost} as cost_usd, {unpriced} as unpriced
            from marts.{table}
            where usage_date >= $prev_start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {TEAM_FILTER} and {MODEL_FILTER}
        ),
        {_COMPARE_WINDOWS.format(key="key")}
        order by current_usd desc nulls last, current_unpriced desc, key
        """,
        {
            "prev_start": prev_start,
            "start": start,
            "end": end,
            "providers": list(providers),
            "teams": list(teams),
            "models": list(models),
        },
    ).rename(columns={"key": "team"})


@_dataset
def model_cost_comparison(
    stamp: object, start: date, end: date, providers: tuple[str, ...], models: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per provider and model (``model_id``, the raw name when unknown to the price book) of the usage ledger: list
    cost in ``[start, end)`` and the window before, unpriced usage rows of each, the change and ``mover_rank``;
    costliest first."""
    prev_start, _ = previous_window(start, end)
    return _query(
        f"""
        with grouped as (
            select
                provider, coalesce(model_id, model_raw) as model, usage_date, list_cost_usd as cost_usd,
                case when is_priced then 0 else 1 end as unpriced
            from marts.fct_usage_cost_daily
            where usage_date >= $prev_start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
              and {USAGE_MODEL_FILTER}
        ),
        {_COMPARE_WINDOWS.format(key="provider, model")}
        order by current_usd desc nulls last, current_unpriced desc, provider, model
        """,
        {"prev_start": prev_start, "start": start, "end": end, "providers": list(providers), "models": list(models)},
    )
