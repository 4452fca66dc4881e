"""mart_cost_anomalies (issue 10 item 6) built through dbt on the ledger of test_allocation_dbt, and its unit
test (a flat series then a spike, scored by hand in _mart_cost_anomalies.yml) run against the built parents.

The allocation ledger has two days, 2026-03-10 and 03-20: neither has 3 weeks of same-weekday history, so
every row is unscored (score and expected NULL, severity 'none'). The org's actual spend is the ledger's priced
list cost of each day: $22.50 and $2.00 (test_showback_dbt's docstring: 24.50 in all)."""

from decimal import Decimal

import pytest
from dbt_inprocess import run_unit_tests
from test_allocation_dbt import build_warehouse, query

pytestmark = pytest.mark.slow

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    path = build_warehouse(home, "+mart_cost_anomalies")
    run_unit_tests(home, "mart_cost_anomalies")
    return path


def test_days_without_history_are_not_scored(warehouse):
    rows = query(
        warehouse,
        "select usage_date, actual_usd, expected_usd, score, severity, is_anomaly, driver_type "
        "from marts.mart_cost_anomalies where scope = 'org' order by usage_date",
    )
    assert [r[1:] for r in rows] == [
        (D("22.50"), None, None, "none", False, None),
        (D("2.00"), None, None, "none", False, None),
    ]


def test_every_team_is_a_scope_and_the_teams_sum_to_the_org(warehouse):
    rows = query(
        warehouse,
        "select usage_date, sum(actual_usd) filter (where scope_type = 'team'), "
        "sum(actual_usd) filter (where scope_type = 'org') from marts.mart_cost_anomalies group by 1 order by 1",
    )
    assert [(team, org) for _, team, org in rows] == [(D("22.50"), D("22.50")), (D("2.00"), D("2.00"))]
