import dagster as dg

# Any past UTC day can be loaded: a new user backfills from the day their organisation started using the
# APIs. end_offset=0: the newest partition is yesterday, the last complete UTC day.
HISTORY_START = "2022-01-01"

daily = dg.DailyPartitionsDefinition(start_date=HISTORY_START, timezone="UTC", end_offset=0)
