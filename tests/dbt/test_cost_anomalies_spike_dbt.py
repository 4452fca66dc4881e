"""Issue 10's acceptance for anomalies: the emulator's injected spike is detected on its day with the right driver.

The emulator's OpenAI organisation (one provider, the emulator serving only it) for 2025-06-04..06-30 - after
its own monthly x4 spike of 06-03 - lands through the real connector (every OpenAI feed, as the ingest assets
call it), then dbt builds mart_cost_anomalies and its parents. The injected spike: o3-2025-04-16 x8 on Friday 2025-06-27, whose same
weekdays before are 06-06, 06-13 and 06-20 (3 weeks: scored). Days from 06-25 on have 3 weeks of history.

The expected numbers come from the emulator's own ground truth (its price table, exact Decimal; the warehouse
prices OpenAI's list prices the same, test_whatif_month.py): the org's and OpenAI's actual spend on 06-27 is
the day's priced list cost; o3's delta is its cost on 06-27 minus the median of its cost on those 3 Fridays.
"""

import os
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.registry import BY_NAME
from emulator import EmulatorServer, SimulatedOrg
from emulator.plugin import plugins_for
from emulator.spikes import Spike
from orchestration.loader import ensure_raw_tables, land
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, END = date(2025, 6, 4), date(2025, 7, 1)
SPIKE_DAY, O3 = date(2025, 6, 27), "o3-2025-04-16"
SAME_WEEKDAYS = [SPIKE_DAY - timedelta(days=7 * k) for k in (1, 2, 3)]


@pytest.fixture(scope="module")
def june(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    source = BY_NAME["openai"]
    org = SimulatedOrg(42, plugins=plugins_for([source]), spikes=[Spike(SPIKE_DAY, "openai", O3, 8)])
    saved = dict(os.environ)
    try:
        with EmulatorServer(org, sources=[source]).start() as server:
            client = source.make_client(server.environ([source]))
            with duckdb.connect(str(Paths(home).warehouse)) as conn:
                ensure_raw_tables(conn)
                for feed in source.feeds:
                    window = (FIRST, END) if feed.table.partitioned else (None, None)
                    rows = feed.fetch(client, *window)
                    land(conn, feed.table, rows, run_id="run-1", window=window if feed.table.partitioned else None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    # OpenAI's models only in the unions (the other sources' staging is not built)
    openai = {
        kind: [f"stg_openai__{kind}"] for kind in ("usage_lines", "billed_lines", "accounts", "api_keys", "users")
    }
    variables = vars_with(**openai, request_lines=[], price_lines=[])
    selection = ["--select", "+mart_cost_anomalies", "--exclude", "test_type:unit", "--indirect-selection", "cautious"]
    require_success(run_dbt(home, ["build", *variables, *selection]))
    with duckdb.connect(str(Paths(home).warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select usage_date, scope, actual_usd, expected_usd, severity, driver_type, driver_value, "
            "driver_delta_usd from marts.mart_cost_anomalies where scope in ('org', 'provider=openai') "
            "and is_anomaly order by scope, usage_date"
        ).fetchall()
        scored = conn.execute(
            "select min(usage_date), count(distinct usage_date) from marts.mart_cost_anomalies "
            "where scope = 'org' and score is not null"
        ).fetchone()
    return org, rows, scored


def test_the_injected_spike_is_flagged_on_its_day_with_its_model_as_driver_and_nothing_else_is(june):
    org, rows, scored = june
    truth = org.ground_truth_totals(FIRST, END)  # (day, provider, model_id) -> list cost of priced usage
    day_total = sum(v for (day, provider, _), v in truth.items() if day == SPIKE_DAY and provider == "openai")
    o3 = {day: v for (day, provider, model), v in truth.items() if provider == "openai" and model == O3}
    o3_delta = o3[SPIKE_DAY] - median(o3[d] for d in SAME_WEEKDAYS)  # an odd count: the middle value, exact
    # the spike is there in the ground truth; o3's 80% price cut of 2025-06-10 makes 06-06 five times 06-13 and
    # 06-20: the median (the middle of the 3) looks past it
    assert o3[SPIKE_DAY] > 5 * o3[SAME_WEEKDAYS[0]] and o3[SAME_WEEKDAYS[2]] > 4 * o3[SAME_WEEKDAYS[0]]
    flagged = [(day, scope, severity, kind, value) for day, scope, _, _, severity, kind, value, _ in rows]
    assert flagged == [
        (SPIKE_DAY, "org", "critical", "model", O3),
        (SPIKE_DAY, "provider=openai", "critical", "model", O3),
    ]
    for row in rows:
        assert row[2] == day_total  # actual spend = the day's priced list cost in the ground truth
        assert row[7] == o3_delta  # the driver's rise = o3's cost - the median of its 3 Fridays before
        assert row[7] > Decimal("0.5") * (row[2] - row[3])  # it explains most of the rise
    # 06-25..06-30 are scored (3 weeks after 06-04); only the spike day is flagged
    assert scored == (date(2025, 6, 25), 6)
