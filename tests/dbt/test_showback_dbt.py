"""Showback and unit economics (issue 10 item 3) on the ledger, requests and finops.yaml of test_allocation_dbt
(its docstring prices every line), built through dbt; every team's month worked out by hand.

March 2026 = its 03-10 ($22.50) and 03-20 ($2.00): $24.50 priced, plus 100,000 tokens of an unpriced model.
    search   opus   direct 5.00 (wrkspc_search) + proportional 7.50 + fixed 1.80            = 14.30
             haiku  even 0.333333333333
    platform opus   direct 2.00 (03-10 key_x) + 1.00 (03-20 key_bot) + proportional 2.50
                    + fixed 1.20                                                            =  6.70
             haiku  even 0.333333333334 (the 10^-12 residue)
    support  opus   direct 1.00 (03-10 key_bot);  haiku even 0.333333333333
    (unallocated) opus 0.50 (orphan) + 1.00 (03-20 shared, no request that day)            =  1.50
    (unallocated) mystery-model-9000: unpriced, cost NULL
    14.30 + 0.333333333333 + 6.70 + 0.333333333334 + 1.00 + 0.333333333333 + 1.50 = 24.50
Tokens follow cost within each day x workspace x model:
    search opus 1,000,000 (own) + 2,000,000 x 7.50/10 = 1,500,000 + 600,000 x 1.80/3 = 360,000 = 2,860,000
    platform opus 400,000 (key_x: 2.00 of the workspace's 3.00) + 500,000 + 240,000 + 200,000 = 1,340,000
    haiku 1,000,000 in thirds: 333,333 each and the 1-token remainder to the largest share (platform's)
"""

from decimal import Decimal

import pytest
from dbt_inprocess import run_unit_tests
from test_allocation_dbt import build_warehouse, query

pytestmark = pytest.mark.slow

D = Decimal
OPUS, HAIKU = "claude-opus-4-6", "claude-haiku-4-5-20251001"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    path = build_warehouse(home, "+mart_unit_economics_monthly")  # mart_showback_monthly is one of its parents
    # the unit test of mart_unit_economics_monthly, now that its parents exist
    run_unit_tests(home, "mart_unit_economics_monthly")
    return path


def test_each_teams_monthly_showback_is_the_hand_computation(warehouse):
    rows = query(
        warehouse,
        "select team, cost_center, model_id, allocation_basis, cost_usd, direct_cost_usd, shared_cost_usd, "
        "unallocated_cost_usd, tokens, requests, has_unpriced_usage from marts.mart_showback_monthly "
        "where month = date '2026-03-01' order by team, model_id",
    )
    assert rows == [
        ("(unallocated)", "(unallocated)", OPUS, "unallocated", D("1.50"), 0, 0, D("1.50"), 300_000, 0, False),
        # unpriced: its cost, and so its unallocated part, is unknown (NULL, never $0)
        ("(unallocated)", "(unallocated)", "mystery-model-9000", "unallocated", None, 0, 0, None, 100_000, 0, True),
        ("platform", "CC-2", HAIKU, "even", D("0.333333333334"), 0, D("0.333333333334"), 0, 333_334, 0, False),
        # direct 2.00 + 1.00; shared 2.50 + 1.20 = 3.70; one request (r2, its own team field)
        ("platform", "CC-2", OPUS, "direct+fixed_share+proportional", D("6.70"), 3, D("3.70"), 0, 1_340_000, 1, False),
        ("search", "CC-1", HAIKU, "even", D("0.333333333333"), 0, D("0.333333333333"), 0, 333_333, 0, False),
        # direct 5.00; shared 7.50 + 1.80 = 9.30; one request (r1, by the tag rule)
        ("search", "CC-1", OPUS, "direct+fixed_share+proportional", D("14.30"), 5, D("9.30"), 0, 2_860_000, 1, False),
        ("support", "(none)", HAIKU, "even", D("0.333333333333"), 0, D("0.333333333333"), 0, 333_333, 0, False),
        ("support", "(none)", OPUS, "direct", D("1.00"), 1, 0, 0, 200_000, 0, False),
    ]


def test_the_month_sums_to_the_ledger_and_shares_to_one(warehouse):
    [(total, tokens, shares)] = query(
        warehouse,
        "select sum(cost_usd), sum(tokens), sum(share_of_total) from marts.mart_showback_monthly "
        "where month = date '2026-03-01'",
    )
    # 22.50 + 2.00; 5,800,000 tokens landed (the unpriced model's 100,000 among them)
    assert (total, tokens) == (D("24.50"), 5_800_000)
    # 14.30 / 24.50 = 0.583673; 6.70 / 24.50 = 0.273469; 1.50 / 24.50 = 0.061224; 1.00 / 24.50 = 0.040816;
    # each third 0.333333... / 24.50 = 0.013605 (x3 = 0.040815): 0.999997 after rounding each row
    assert shares == D("0.999997")
    [(search_share,)] = query(
        warehouse,
        f"select share_of_total from marts.mart_showback_monthly where team = 'search' and model_id = '{OPUS}'",
    )
    assert search_share == D("0.583673")


def test_unit_economics_by_hand(warehouse):
    rows = query(
        warehouse,
        "select team, showback_cost_usd, usage_cost_usd, tokens, cost_per_1k_tokens, requests, active_users, "
        "request_cost_usd, cost_per_request, cost_per_active_user from marts.mart_unit_economics_monthly "
        "where month = date '2026-03-01' order by team",
    )
    assert rows == [
        # 24.50 x 1000 / 5,700,000 priced tokens = 0.0042982456140350... -> 0.004298245614;
        # requests r1 150,000 x $5 / 1M = $0.75 and r2 50,000 x $5 / 1M = $0.25: $1.00 / 2 = $0.50; no user ids
        ("(all)", D("24.50"), D("24.50"), 5_700_000, D("0.004298245614"), 2, 0, D("1.00"), D("0.50"), None),
        # only 03-20's key_bot $1.00 (200,000 tokens) is a workspace-day wholly platform's: 03-10's wrkspc_bots
        # is split between support's key and platform's: 1.00 x 1000 / 200,000 = 0.005
        ("platform", D("7.033333333334"), D("1.00"), 200_000, D("0.005"), 1, 0, D("0.25"), D("0.25"), None),
        # wrkspc_search, $5.00 for 1,000,000 tokens = 0.005 per 1K
        ("search", D("14.633333333333"), D("5.00"), 1_000_000, D("0.005"), 1, 0, D("0.75"), D("0.75"), None),
        # support's only direct cost is in the split workspace-day: no usage metrics
        ("support", D("1.333333333333"), None, None, None, 0, 0, None, None, None),
    ]
