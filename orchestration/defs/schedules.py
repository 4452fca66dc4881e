from datetime import date, timedelta

import dagster as dg

from orchestration.defs.partitions import daily

TRAILING_DAYS = 3  # providers revise recent days: every daily run re-pulls this many complete days

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


# A run with this tag set to "true" lets a load replace a day's rows with far fewer (see loader.land).
ACCEPT_SHRINK_TAG = "finops/accept_shrink"


def range_tags(first: date, last: date, *, accept_shrink: bool = False) -> dict[str, str]:
    """Run tags that make one run cover the partitions first..last (inclusive)."""
    tags = {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
    if accept_shrink:
        tags[ACCEPT_SHRINK_TAG] = "true"
    return tags


@dg.schedule(cron_schedule="0 6 * * *", job=daily_spend_job, execution_timezone="UTC")
def daily_spend_job_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    first, last = trailing_window(context.scheduled_execution_time.date())
    return dg.RunRequest(run_key=f"daily-{last.isoformat()}", tags=range_tags(first, last))


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[daily_spend_job], schedules=[daily_spend_job_schedule])
