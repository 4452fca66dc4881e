import dagster as dg

from orchestration.settings import HISTORY_START

# Any past UTC day can be loaded: a new user backfills from the day their organisation started using the
# APIs. end_offset=0: the newest partition is yesterday, the last complete UTC day.

daily = dg.DailyPartitionsDefinition(start_date=HISTORY_START, timezone="UTC", end_offset=0)
