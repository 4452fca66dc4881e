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

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

CACHE_TTL_SECONDS = 300
CACHE_MAX_ENTRIES = 64
RECONCILIATION_EXCEPTIONS_LIMIT = 50

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Filters:
    """The sidebar's selection, as every query takes it."""

    start: date  # inclusive
    end: date  # exclusive
    providers: tuple[str, ...]


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


def _query(sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query (``?`` or ``$name``) on a short-lived, read-only connection.

    Goes through Arrow so DECIMAL columns arrive as ``decimal.Decimal`` (``.df()`` would turn
    them into float64) and DATE columns as ``datetime.date``. Python replacement scans are off:
    a missing table must raise ``CatalogException``, not resolve to a Python variable of that name.
    """
    config = {"python_enable_replacements": False}
    with duckdb.connect(str(serving_path()), read_only=True, config=config) as conn:
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


@_dataset
def date_bounds(stamp: object) -> tuple[date, date] | None:
    """First and last UTC day with usage or billed data; ``None`` when nothing is published."""
    if stamp is None:
        return None
    try:
        frame = _query(
            """
            select min(usage_date) as min_date, max(usage_date) as max_date
            from (
                select usage_date from marts.fct_usage_cost_daily
                union all
                select usage_date from marts.fct_billed_cost_daily
            )
            """
        )
    except duckdb.CatalogException:
        return None
    min_date, max_date = frame.iloc[0]
    if min_date is None or pd.isna(min_date):
        return None
    return min_date, max_date


@_dataset
def provider_options(stamp: object) -> list[str]:
    """Providers present in the published data, sorted."""
    frame = _query(
        """
        select distinct provider
        from (
            select provider from marts.fct_usage_cost_daily
            union all
            select provider from marts.fct_billed_cost_daily
        )
        order by provider
        """
    )
    return frame["provider"].tolist()


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
def cost_totals(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """One row: list and billed cost in ``[start, end)``, and usage, unpriced and billed row counts.

    Costs are NULL when there is nothing to sum (no rows, or only unpriced rows).
    """
    return _query(
        """
        with usage as (
            select
                sum(list_cost_usd) as list_cost_usd,
                count(*) as usage_rows,
                count(*) filter (where is_priced is not true) as unpriced_rows
            from marts.fct_usage_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
        ),
        billed as (
            select sum(billed_cost_usd) as billed_cost_usd, count(*) as billed_rows
            from marts.fct_billed_cost_daily
            where usage_date >= $start and usage_date < $end
              and provider in (select unnest($providers::varchar[]))
        )
        select usage.*, billed.* from usage cross join billed
        """,
        {"start": start, "end": end, "providers": list(providers)},
    )


@_dataset
def month_to_date(stamp: object, as_of: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """One row: list cost month-to-date (through ``as_of``) and over the same days of the previous month."""
    cur_start, cur_end, prev_start, prev_end = month_to_date_windows(as_of)
    return _query(
        """
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
        """,
        {
            "cur_start": cur_start,
            "cur_end": cur_end,
            "prev_start": prev_start,
            "prev_end": prev_end,
            "providers": list(providers),
        },
    )


@_dataset
def daily_cost(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """List cost per UTC day and provider (priced usage only)."""
    return _query(
        """
        select usage_date, provider, sum(list_cost_usd) as list_cost_usd
        from marts.fct_usage_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
          and is_priced
        group by usage_date, provider
        order by usage_date, provider
        """,
        [start, end, list(providers)],
    )


@_dataset
def cost_by_model(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """List cost and share of the priced total per provider and model.

    Unpriced models are listed too, with NULL cost and share; a model with no ``model_id``
    (unmapped) is shown by its raw name.
    """
    return _query(
        """
        select
            provider,
            coalesce(model_id, model_raw) as model_id,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total,
            bool_and(is_priced) as is_priced
        from marts.fct_usage_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        group by provider, coalesce(model_id, model_raw)
        order by list_cost_usd desc nulls last, provider, model_id
        """,
        [start, end, list(providers)],
    )


@_dataset
def unpriced_usage(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """Usage rows with no list price, per provider, raw model name and usage type (a model can be priced for
    tokens and not for, say, its images)."""
    return _query(
        """
        select provider, model_raw, usage_type, count(*) as usage_rows, sum(quantity) as quantity
        from marts.fct_usage_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
          and is_priced is not true
        group by provider, model_raw, usage_type
        order by usage_rows desc, provider, model_raw, usage_type
        """,
        [start, end, list(providers)],
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

REQUEST_MARTS = ("fct_request_cost_daily", "fct_request_tag_cost_daily", "mart_request_coverage_daily")
DRIFT_TOLERANCE_PCT = Decimal("0.01")  # a gateway's reported cost may differ from list by 1% ...
DRIFT_TOLERANCE_USD = Decimal("0.01")  # ... or by $0.01, whichever is larger


@_dataset
def request_marts_published(stamp: object) -> bool:
    """Whether the serving copy has the request marts (a copy published before they existed has not)."""
    if stamp is None:
        return False
    frame = _query(
        """
        select count(*) as tables
        from information_schema.tables
        where table_schema = 'marts' and table_name in (select unnest($names::varchar[]))
        """,
        {"names": list(REQUEST_MARTS)},
    )
    return int(frame.iloc[0]["tables"]) == len(REQUEST_MARTS)


@_dataset
def request_totals(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """One row: logged requests, unpriced requests and their list cost (priced requests only; NULL when none)."""
    return _query(
        """
        select
            cast(coalesce(sum(requests), 0) as bigint) as requests,
            cast(coalesce(sum(unpriced_requests), 0) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd
        from marts.fct_request_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        """,
        [start, end, list(providers)],
    )


@_dataset
def request_cost_by_team(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """Requests, unpriced requests, list cost and share of the logged list cost per team, costliest first.

    A team whose requests are all unpriced has NULL cost and share (never $0).
    """
    return _query(
        """
        select
            team,
            cast(sum(requests) as bigint) as requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total
        from marts.fct_request_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        group by team
        order by list_cost_usd desc nulls last, requests desc, team
        """,
        [start, end, list(providers)],
    )


@_dataset
def request_cost_by_feature(
    stamp: object, start: date, end: date, providers: tuple[str, ...], team: str | None
) -> pd.DataFrame:
    """Per feature of ``team`` (every team when ``None``): requests, unpriced requests, list cost, share."""
    return _query(
        """
        select
            feature,
            cast(sum(requests) as bigint) as requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total
        from marts.fct_request_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and ($team is null or team = $team)
        group by feature
        order by list_cost_usd desc nulls last, requests desc, feature
        """,
        {"start": start, "end": end, "providers": list(providers), "team": team},
    )


@_dataset
def request_cost_by_user(
    stamp: object, start: date, end: date, providers: tuple[str, ...], team: str | None, limit: int
) -> pd.DataFrame:
    """The ``limit`` costliest users of ``team`` (every team when ``None``), with ``users``, the count of all.

    Share is of the team's whole logged list cost, not of the rows shown.
    """
    return _query(
        """
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
              and ($team is null or team = $team)
            group by user_id
        )
        select * from per_user
        order by list_cost_usd desc nulls last, requests desc, user_id
        limit $limit
        """,
        {"start": start, "end": end, "providers": list(providers), "team": team, "limit": limit},
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
def gateway_drift(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """The sources' own reported cost against list cost, per source, provider and model.

    Compared on the day-groups where every request is priced and the source reported a cost, so neither
    side counts requests the other leaves out. ``is_beyond_tolerance``: the two differ by more than 1% of
    list cost and by more than $0.01. Pairs with nothing to compare (no reported cost) are left out.
    """
    return _query(
        """
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
            "pct": DRIFT_TOLERANCE_PCT,
            "usd": DRIFT_TOLERANCE_USD,
        },
    )


@_dataset
def request_tag_keys(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> list[str]:
    """Tag keys on the requests in range, sorted."""
    frame = _query(
        """
        select distinct tag_key
        from marts.fct_request_tag_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
        order by tag_key
        """,
        [start, end, list(providers)],
    )
    return frame["tag_key"].tolist()


@_dataset
def request_cost_by_tag_value(
    stamp: object, start: date, end: date, providers: tuple[str, ...], tag_key: str
) -> pd.DataFrame:
    """Per value of ``tag_key``: requests, unpriced requests, list cost and share within the key."""
    return _query(
        """
        select
            tag_value,
            cast(sum(requests) as bigint) as requests,
            cast(sum(unpriced_requests) as bigint) as unpriced_requests,
            sum(list_cost_usd) as list_cost_usd,
            sum(list_cost_usd) / nullif(sum(sum(list_cost_usd)) over (), 0) as share_of_total
        from marts.fct_request_tag_cost_daily
        where usage_date >= $start and usage_date < $end
          and provider in (select unnest($providers::varchar[]))
          and tag_key = $tag_key
        group by tag_value
        order by list_cost_usd desc nulls last, requests desc, tag_value
        """,
        {"start": start, "end": end, "providers": list(providers), "tag_key": tag_key},
    )


@_dataset
def unpriced_requests(stamp: object, start: date, end: date, providers: tuple[str, ...]) -> pd.DataFrame:
    """Requests with no list price, per source, provider and model."""
    return _query(
        """
        select source, provider, model_id, cast(sum(unpriced_requests) as bigint) as unpriced_requests
        from marts.fct_request_cost_daily
        where usage_date >= ? and usage_date < ?
          and provider in (select unnest(?::varchar[]))
          and unpriced_requests > 0
        group by source, provider, model_id
        order by unpriced_requests desc, source, provider, model_id
        """,
        [start, end, list(providers)],
    )
