"""The quality gate on the cost marts: Great Expectations suites run on pandas frames.

GX's SQL data source does not work on DuckDB (STYLE.md §2 trap 9), so each check reads the rows it
judges (the run's UTC days, or the whole mart) from DuckDB into a DataFrame and validates that with
GX's pandas data source. Table-wide rules that need all history (the sum rule, uniqueness over every
day) also live in dbt tests, which run inside DuckDB.

Blocking rules stop the publish step; warning rules are reported (and shown in the app) but publish.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from orchestration.quality.results import count_phrase


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    blocking: bool
    expectation: Callable[[], Any]  # builds a fresh GX expectation (GX binds them to one suite)
    unexpected: tuple[str, str] = ("unexpected row", "unexpected rows")  # what one / several failures are


@dataclass(frozen=True)
class Outcome:
    table: str
    rule: str
    passed: bool
    blocking: bool
    description: str
    unexpected_count: int
    sample: list[Any] = field(default_factory=list)
    observed_value: str = ""  # a short human fragment: '2 rows with a duplicate key'


NEGATIVE = ("negative value", "negative values")
DUPLICATE = ("row with a duplicate key", "rows with a duplicate key")


def _gxe():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network calls from GX
    import great_expectations.expectations as gxe

    return gxe


def _non_negative(column: str, *, where: tuple[str, str] | None = None) -> Rule:
    """``column`` >= 0, on every row or (``where`` = (column, value)) on the rows where that column has that value."""
    if where is None:
        return Rule(
            name=f"no_negative_{column}",
            description=f"{column} is never negative",
            blocking=True,
            expectation=lambda: _gxe().ExpectColumnValuesToBeBetween(column=column, min_value=0),
            unexpected=NEGATIVE,
        )
    on, value = where
    return Rule(
        name=f"no_negative_{column}_where_{on}_{value}",
        description=f"{column} is never negative where {on} is '{value}'",
        blocking=True,
        expectation=lambda: _gxe().ExpectColumnValuesToBeBetween(
            column=column, min_value=0, row_condition=f"{on}=={value!r}", condition_parser="pandas"
        ),
        unexpected=NEGATIVE,
    )


def _unique(columns: list[str]) -> Rule:
    return Rule(
        name="unique_natural_key",
        description="one row per " + ", ".join(columns),
        blocking=True,
        expectation=lambda: _gxe().ExpectCompoundColumnsToBeUnique(column_list=columns),
        unexpected=DUPLICATE,
    )


USAGE_KEY = [
    "usage_date",
    "provider",
    "account_id",
    "api_key_id",
    "model_raw",
    "service_tier",
    "context_tier",
    "usage_type",
]

RULES: dict[str, list[Rule]] = {
    "fct_usage_cost_daily": [
        _non_negative("quantity"),
        _non_negative("list_cost_usd"),
        _non_negative("effective_cost_usd"),
        _unique(USAGE_KEY),
        Rule(
            name="usage_has_price",
            description="every usage row has a list price (unpriced usage is flagged, never costed at $0)",
            blocking=False,
            expectation=lambda: _gxe().ExpectColumnValuesToBeInSet(
                column="is_priced", value_set=[True], severity="warning"
            ),
            unexpected=("unpriced row", "unpriced rows"),
        ),
    ],
    "fct_billed_cost_daily": [
        # credits and refunds are negative by nature; a negative usage line is a bad row
        _non_negative("billed_cost_usd", where=("line_type", "usage")),
        _unique(["usage_date", "provider", "account_id", "line_item"]),
    ],
    "fct_cost_reconciliation_daily": [
        _unique(["usage_date", "provider", "account_id"]),
    ],
    "mart_gateway_budget_audit": [
        _unique(["entity_type", "entity_id"]),
        _non_negative("counter_usd"),
        Rule(
            name="gateway_counters_match_logs",
            description="every LiteLLM budget counter matches the proxy's own logs over its window (status ok, "
            "or a window the logs cannot judge); drift or a budget spent by the ledger is a warning",
            blocking=False,
            expectation=lambda: _gxe().ExpectColumnValuesToBeInSet(
                column="status", value_set=["ok", "unknown_window", "ledger_incomplete"], severity="warning"
            ),
            unexpected=("counter that drifts from its logs", "counters that drift from their logs"),
        ),
    ],
    # read by the alerts (key 'anomaly|<scope>|<usage_date>'): one row per day and scope, spend never negative
    "mart_cost_anomalies": [
        _unique(["usage_date", "scope"]),
        _non_negative("actual_usd"),
    ],
    # publish waits for the budget status (built after the forecast), so the app never shows a stale one
    "mart_budget_status": [
        _non_negative("actual_usd"),
        _unique(["budget_id", "period_start"]),
    ],
    # the Budgets page's burn-up (budget x period x day, built after the forecast): actual_usd is NULL on the
    # forecast days, which the non-negative rule lets pass
    "mart_budget_daily": [
        _non_negative("actual_usd"),
        _unique(["budget_id", "period_start", "usage_date"]),
    ],
    # the What-if page's routing view (monthly): publish waits for both, so its two parts agree
    "mart_whatif_routing": [
        _unique(["rule", "month", "provider", "model_id", "size_class"]),
        _non_negative("requests"),
        _non_negative("actual_cost_usd"),
        _non_negative("counterfactual_cost_usd"),
    ],
    "mart_request_size_monthly": [
        _unique(["month", "provider", "model_id", "size_bucket"]),
        _non_negative("requests"),
        _non_negative("list_cost_usd"),
    ],
    # `finops export focus` (issue 14): one row per day and line key; usage is never negative (credits, refunds
    # and the billed-versus-estimate adjustment may be)
    "focus_cost_and_usage": [
        _unique(["usage_date", "line_key"]),
        _non_negative("ConsumedQuantity"),
        _non_negative("ListCost", where=("ChargeCategory", "Usage")),
    ],
}
# Marts not of UTC days (the state now, budget periods, months): the gate reads them whole, whatever days a run
# covers.
UNDATED = {
    "mart_gateway_budget_audit",
    "mart_budget_status",
    "mart_budget_daily",
    "mart_whatif_routing",
    "mart_request_size_monthly",
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, (float, type(pd.NaT))) and pd.isna(value))


def _text(value: Any) -> str | None:
    """A sample value as text; a midnight timestamp (how DuckDB's DATE arrives in pandas) as its date."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return str(value)


def plain_sample(values: list[Any], size: int = 5) -> list[Any]:
    """GX's partial unexpected list as JSON-ready values, repeats dropped: a value as text, a compound key
    (a dict of column -> value) as a dict of texts (None stays null)."""
    plain: list[Any] = []
    for value in values:
        if isinstance(value, dict):
            item: Any = {k: _text(v) for k, v in value.items()}
        else:
            item = _text(value)
        if item not in plain:
            plain.append(item)
        if len(plain) == size:
            break
    return plain


def validate_suite(frame: pd.DataFrame, name: str, expectations: list) -> list:
    """GX's result of each of ``expectations`` on ``frame`` (a pandas batch of an ephemeral context), in their
    order: one suite validated in one pass, so the frame's metrics are computed once, not once per expectation."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False}
    except Exception:  # older GX: progress bars are cosmetic
        pass
    batch = (
        context.data_sources.add_pandas(name=f"{name}_source")
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe("rows")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
    results = batch.validate(suite, result_format="SUMMARY").results
    for expectation, result in zip(expectations, results, strict=True):
        asked, got = expectation.configuration, result.expectation_config
        if (asked.type, asked.kwargs.get("column")) != (got.type, got.kwargs.get("column")):
            raise RuntimeError(f"GX returned the results of suite {name} out of order")  # never seen: never guess
    return results


def validate(table: str, frame: pd.DataFrame) -> list[Outcome]:
    """Validate ``frame`` (rows of ``marts.<table>``) against the table's rules with GX."""
    rules = RULES[table]
    outcomes = []
    results = validate_suite(frame, table, [rule.expectation() for rule in rules])
    for rule, result in zip(rules, results, strict=True):
        details = result.result or {}
        sample = details.get("partial_unexpected_list") or []
        unexpected = int(details.get("unexpected_count") or 0)
        outcomes.append(
            Outcome(
                table=table,
                rule=rule.name,
                passed=bool(result.success),
                blocking=rule.blocking,
                description=rule.description,
                unexpected_count=unexpected,
                sample=plain_sample(sample),
                observed_value=count_phrase(unexpected, *rule.unexpected),
            )
        )
    return outcomes
