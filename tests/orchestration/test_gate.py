from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from orchestration.defs.quality.checks import run_window
from orchestration.quality.gate import validate

pytestmark = pytest.mark.filterwarnings("ignore")


def usage_frame(**overrides):
    base = {
        "usage_date": [date(2025, 3, 1), date(2025, 3, 1)],
        "provider": ["openai", "openai"],
        "account_id": ["proj_a", "proj_a"],
        "api_key_id": ["key_1", "key_1"],
        "model_raw": ["gpt-4o", "gpt-4o"],
        "service_tier": ["standard", "standard"],
        "context_tier": ["all", "all"],
        "usage_type": ["input_tokens", "output_tokens"],
        "quantity": [1000, 500],
        "list_cost_usd": [Decimal("0.0025"), Decimal("0.005")],
        "effective_cost_usd": [Decimal("0.0025"), Decimal("0.005")],
        "is_priced": [True, True],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def by_rule(outcomes):
    return {o.rule: o for o in outcomes}


def test_clean_rows_pass_every_rule():
    outcomes = validate("fct_usage_cost_daily", usage_frame())
    assert all(o.passed for o in outcomes), [o for o in outcomes if not o.passed]


def test_negative_cost_fails_a_blocking_rule():
    outcomes = by_rule(validate("fct_usage_cost_daily", usage_frame(list_cost_usd=[Decimal("-0.01"), Decimal("1")])))
    failed = outcomes["no_negative_list_cost_usd"]
    assert not failed.passed and failed.blocking and failed.unexpected_count == 1


def test_negative_quantity_fails():
    outcomes = by_rule(validate("fct_usage_cost_daily", usage_frame(quantity=[-5, 500])))
    assert not outcomes["no_negative_quantity"].passed


def test_duplicate_natural_key_fails():
    outcomes = by_rule(validate("fct_usage_cost_daily", usage_frame(usage_type=["input_tokens", "input_tokens"])))
    assert not outcomes["unique_natural_key"].passed and outcomes["unique_natural_key"].blocking


def test_unpriced_usage_is_a_warning_not_a_block():
    outcomes = by_rule(
        validate("fct_usage_cost_daily", usage_frame(is_priced=[True, False], list_cost_usd=[Decimal("1"), None]))
    )
    unpriced = outcomes["usage_has_price"]
    assert not unpriced.passed and not unpriced.blocking and unpriced.unexpected_count == 1
    assert outcomes["no_negative_list_cost_usd"].passed  # a NULL cost is not a negative cost


def test_billed_and_reconciliation_rules():
    billed = pd.DataFrame(
        {
            "usage_date": [date(2025, 3, 1)] * 2,
            "provider": ["anthropic"] * 2,
            "account_id": ["default"] * 2,
            "line_item": ["a", "a"],
            "line_type": ["usage", "usage"],
            "billed_cost_usd": [Decimal("1"), Decimal("2")],
        }
    )
    assert not by_rule(validate("fct_billed_cost_daily", billed))["unique_natural_key"].passed


def test_a_credit_may_be_negative_but_a_usage_line_may_not():
    def billed(line_type: str, amount: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "usage_date": [date(2025, 3, 1)] * 2,
                "provider": ["gcp"] * 2,
                "account_id": ["acct"] * 2,
                "line_item": ["usage", "other"],
                "line_type": ["usage", line_type],
                "billed_cost_usd": [Decimal("5"), Decimal(amount)],
            }
        )

    rule = "no_negative_billed_cost_usd_where_line_type_usage"
    assert by_rule(validate("fct_billed_cost_daily", billed("credit", "-2.50")))[rule].passed
    negative_usage = by_rule(validate("fct_billed_cost_daily", billed("usage", "-2.50")))[rule]
    assert not negative_usage.passed and negative_usage.blocking and negative_usage.unexpected_count == 1


@pytest.mark.parametrize(
    "tags, expected",
    [
        (
            {"dagster/asset_partition_range_start": "2025-03-01", "dagster/asset_partition_range_end": "2025-03-03"},
            (date(2025, 3, 1), date(2025, 3, 4)),
        ),
        ({"dagster/partition": "2025-03-01"}, (date(2025, 3, 1), date(2025, 3, 2))),
        ({}, None),
    ],
)
def test_run_window_from_tags(tags, expected):
    assert run_window(tags) == expected


def test_a_drifting_gateway_counter_is_a_warning_and_a_duplicate_entity_blocks():
    frame = pd.DataFrame(
        {
            "entity_type": ["key", "team", "user"],
            "entity_id": ["k1", "t1", "u1"],
            "counter_usd": [Decimal("12.50"), Decimal("4.50"), Decimal("1.00")],
            "status": ["drift", "ok", "unknown_window"],
        }
    )
    outcomes = by_rule(validate("mart_gateway_budget_audit", frame))
    drift = outcomes["gateway_counters_match_logs"]
    assert not drift.passed and not drift.blocking and drift.unexpected_count == 1  # k1 only
    assert outcomes["unique_natural_key"].passed and outcomes["no_negative_counter_usd"].passed
    twice = by_rule(validate("mart_gateway_budget_audit", pd.concat([frame, frame.head(1)])))
    assert not twice["unique_natural_key"].passed and twice["unique_natural_key"].blocking


def test_budget_daily_forecast_days_pass_and_a_negative_or_repeated_day_blocks():
    """mart_budget_daily: actual_usd is NULL on forecast days (after as_of_date), which passes; a negative actual
    and a day twice in one period block the publish."""
    frame = pd.DataFrame(
        {
            "budget_id": ["b", "b", "b"],
            "period_start": [date(2026, 2, 1)] * 3,
            "usage_date": [date(2026, 2, 1), date(2026, 2, 2), date(2026, 2, 3)],
            "actual_usd": [Decimal("0"), Decimal("30"), None],
        }
    )
    outcomes = by_rule(validate("mart_budget_daily", frame))
    assert all(o.passed for o in outcomes.values()), outcomes
    negative = by_rule(validate("mart_budget_daily", frame.assign(actual_usd=[Decimal("0"), Decimal("-0.01"), None])))
    failed = negative["no_negative_actual_usd"]
    assert not failed.passed and failed.blocking and failed.unexpected_count == 1
    twice = by_rule(validate("mart_budget_daily", pd.concat([frame, frame.tail(1)])))
    assert not twice["unique_natural_key"].passed and twice["unique_natural_key"].blocking


def routing_frame(**overrides):
    base = {
        "rule": ["simple-to-haiku", "simple-to-haiku"],
        "month": [date(2025, 11, 1), date(2025, 11, 1)],
        "provider": ["anthropic", "anthropic"],
        "model_id": ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"],
        "size_class": ["simple", "other"],
        "requests": [2, 1],
        "actual_cost_usd": [Decimal("0.01209"), Decimal("0.03")],
        # the other class is not routed: NULL, which the non-negative rule lets pass
        "counterfactual_cost_usd": [Decimal("0.00403"), None],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_the_routing_mart_blocks_a_duplicate_or_a_negative_cost():
    assert all(o.passed for o in validate("mart_whatif_routing", routing_frame()))
    duplicate = by_rule(validate("mart_whatif_routing", routing_frame(size_class=["simple", "simple"])))
    assert not duplicate["unique_natural_key"].passed and duplicate["unique_natural_key"].blocking
    negative = by_rule(validate("mart_whatif_routing", routing_frame(counterfactual_cost_usd=[Decimal("-0.01"), None])))
    assert not negative["no_negative_counterfactual_cost_usd"].passed
    assert negative["no_negative_counterfactual_cost_usd"].unexpected_count == 1


def test_the_size_histogram_blocks_a_duplicate_bucket_or_negative_requests():
    frame = pd.DataFrame({
        "month": [date(2025, 11, 1)] * 2, "provider": ["openai"] * 2, "model_id": ["gpt-4.1-2025-04-14"] * 2,
        "size_bucket": ["0-250", "251-1,000"], "requests": [3, 1], "list_cost_usd": [Decimal("0.1"), None],
    })  # fmt: skip
    assert all(o.passed for o in validate("mart_request_size_monthly", frame))
    outcomes = by_rule(validate("mart_request_size_monthly", frame.assign(size_bucket="0-250", requests=[3, -1])))
    assert not outcomes["unique_natural_key"].passed and not outcomes["no_negative_requests"].passed


def test_the_focus_rows_block_a_duplicate_line_or_negative_usage_but_not_a_credit():
    frame = pd.DataFrame({
        "usage_date": [date(2025, 6, 10)] * 3,
        "line_key": ["usage|openai|proj_a|key_1|gpt-4o|standard|all||input_tokens", "billed|openai|proj_a|Credit",
                     "adjustment|openai|proj_a"],
        "ChargeCategory": ["Usage", "Credit", "Adjustment"],
        "ConsumedQuantity": [Decimal(1000), None, None],
        "ListCost": [Decimal("0.0025"), Decimal("-5"), Decimal("-0.5")],
    })  # fmt: skip
    assert all(o.passed for o in validate("focus_cost_and_usage", frame))  # credits and adjustments may be < 0
    duplicate = by_rule(validate("focus_cost_and_usage", frame.assign(line_key="same")))
    assert not duplicate["unique_natural_key"].passed and duplicate["unique_natural_key"].blocking
    negative = by_rule(
        validate("focus_cost_and_usage", frame.assign(ListCost=[Decimal("-0.01"), Decimal("-5"), Decimal("-0.5")]))
    )
    failed = negative["no_negative_ListCost_where_ChargeCategory_Usage"]
    assert not failed.passed and failed.unexpected_count == 1
    quantity = by_rule(validate("focus_cost_and_usage", frame.assign(ConsumedQuantity=[Decimal(-1), None, None])))
    assert not quantity["no_negative_ConsumedQuantity"].passed
