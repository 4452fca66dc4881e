import os
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import dagster as dg

from orchestration.defs.partitions import daily

TRAILING_DAYS = 3  # providers revise recent days: a daily run re-pulls at least this many complete days
# A daily run (the schedule, or `finops run` without --start/--end) carries this tag: each API source then
# re-pulls only its own revision window (Source.revision_days, FINOPS_<NAME>_REVISION_DAYS) inside the run's
# range, so one slow-settling source does not make every other source re-pull weeks.
TRAILING_TAG = "finops/trailing"

daily_spend_job = dg.define_asset_job(
    "daily_spend_job",
    selection=dg.AssetSelection.all(),
    partitions_def=daily,
    description="Ingest every configured source for a range of UTC days, build and test the dbt project, "
    "run the quality gate, publish the serving copy.",
)


def trailing_window(today: date, days: int = TRAILING_DAYS) -> tuple[date, date]:
    """The last ``days`` complete UTC days before ``today``, as inclusive (first, last)."""
    return today - timedelta(days=days), today - timedelta(days=1)


def daily_window(today: date, environ: Mapping[str, str], sources: Iterable[str] | None = None) -> tuple[date, date]:
    """The range of a daily run: the widest revision window of the configured API sources (``sources``: only
    these), at least TRAILING_DAYS. Raises ValueError naming the variable when an override is not a number."""
    from connectors.registry import BY_NAME

    wanted = set(sources) if sources else set(BY_NAME)
    days = [
        source.revision_window(environ)
        for source in BY_NAME.values()
        if source.name in wanted
        and source.is_api
        and any(table.partitioned for table in source.tables)
        and source.configured(environ)
    ]
    return trailing_window(today, max([TRAILING_DAYS, *days]))


# A run with this tag set to "true" lets a load replace a day's rows with far fewer (see loader.land).
ACCEPT_SHRINK_TAG = "finops/accept_shrink"


def range_tags(first: date, last: date, *, accept_shrink: bool = False, trailing: bool = False) -> dict[str, str]:
    """Run tags that make one run cover the partitions first..last (inclusive); ``trailing``: a daily run."""
    tags = {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
    if accept_shrink:
        tags[ACCEPT_SHRINK_TAG] = "true"
    if trailing:
        tags[TRAILING_TAG] = "true"
    return tags


@dg.schedule(cron_schedule="0 6 * * *", job=daily_spend_job, execution_timezone="UTC")
def daily_spend_job_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    first, last = daily_window(context.scheduled_execution_time.date(), os.environ)
    return dg.RunRequest(run_key=f"daily-{last.isoformat()}", tags=range_tags(first, last, trailing=True))


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[daily_spend_job], schedules=[daily_spend_job_schedule])
