"""The quality gate as Dagster asset checks on the cost marts (rules in orchestration/quality/gate.py).

Blocking rules fail the check with ERROR severity, so the publish step downstream does not run and the
serving copy keeps its last good version. Warning rules (unpriced usage) pass the gate with a WARN.
"""

from collections.abc import Iterator
from datetime import date

import dagster as dg

from orchestration.progress import report
from orchestration.quality import results
from orchestration.quality.gate import RULES, UNDATED, validate

PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
PARTITION = "dagster/partition"


def run_window(tags: dict) -> tuple[date, date] | None:
    """The UTC days [start, end) a run covers, from its partition tags; None for a run of everything."""
    from datetime import timedelta

    if PARTITION_RANGE_START in tags and PARTITION_RANGE_END in tags:
        start = date.fromisoformat(tags[PARTITION_RANGE_START])
        end = date.fromisoformat(tags[PARTITION_RANGE_END]) + timedelta(days=1)
        return start, end
    if PARTITION in tags:
        day = date.fromisoformat(tags[PARTITION])
        return day, day + timedelta(days=1)
    return None


def mart_key(table: str) -> dg.AssetKey:
    """The Dagster key dagster-dbt gives a mart: [schema, model]."""
    return dg.AssetKey(["marts", table])


def check_name(table: str, rule: str) -> str:
    return f"{table}__{rule}"


def build_gate(table: str) -> dg.AssetChecksDefinition:
    key = mart_key(table)
    specs = [
        dg.AssetCheckSpec(
            name=check_name(table, rule.name),
            asset=key,
            blocking=rule.blocking,
            description=rule.description,
        )
        for rule in RULES[table]
    ]

    @dg.multi_asset_check(specs=specs, name=f"{table}__quality_gate", required_resource_keys={"warehouse"})
    def _gate(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        window = None if table in UNDATED else run_window(context.run.tags)
        date_column = "usage_date"
        sql = f"select * from marts.{table}"
        params: list = []
        if window and date_column:
            sql += f" where {date_column} >= ? and {date_column} < ?"
            params = list(window)
        with context.resources.warehouse.connect(context) as conn:
            frame = conn.execute(sql, params).df()
        scope = f"{window[0]}..{window[1]} (exclusive)" if window else "all rows" if table in UNDATED else "all days"
        report(context, f"quality gate: {table}: {len(frame)} rows for {scope}")
        outcomes = validate(table, frame)
        with context.resources.warehouse.connect(context) as conn:
            results.write(
                conn,
                [
                    results.CheckResult(
                        layer="mart",
                        asset=f"marts/{table}",
                        check_name=o.rule,
                        blocking=o.blocking,
                        passed=o.passed,
                        window=window,
                        rows_checked=len(frame),
                        unexpected_count=o.unexpected_count,
                        observed_value=o.observed_value,
                        sample=o.sample,
                        description=o.description,
                    )
                    for o in outcomes
                ],
                run_id=context.run.run_id,
            )
            results.define(
                conn,
                f"gate:{table}",
                [("mart", f"marts/{table}", rule.name) for rule in RULES[table]],
                run_id=context.run.run_id,
            )
        for outcome in outcomes:
            rule_severity = dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=check_name(table, outcome.rule),
                passed=outcome.passed,
                severity=rule_severity,
                metadata={
                    "rows_checked": len(frame),
                    "unexpected_count": outcome.unexpected_count,
                    "observed_value": outcome.observed_value,
                    "sample": dg.MetadataValue.json(outcome.sample),
                    "scope": scope,
                },
                description=outcome.description,
            )

    return _gate


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_gate(table) for table in RULES])
