"""finops.yaml section ``budgets``: spend limits per scope and calendar period (issue 10 item 5), written to
``config.budgets`` and ``config.budget_thresholds`` for dbt (int_budget_actuals_daily, mart_budget_status).

Each budget has a unique ``id`` ([a-z0-9_-]+), a ``scope`` with exactly one key (``org: true``, ``provider``,
``team``, ``project`` = an account_id, ``feature`` or ``model`` = a model_id), a ``period`` (``month`` or
``quarter``, calendar, UTC days), an ``amount_usd`` > 0 (exact Decimal) and optional ``thresholds`` (ratios of
the amount, ascending, each > 0; default [0.8, 1.0]). A team scope must be a team of ``ownership.teams`` when
the file has an ownership section. Absent, there are no budgets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from orchestration.config import ConfigTable, Reader, Section, _kind, register_section

BUDGET_ID = re.compile(r"[a-z0-9_-]+")
SCOPE_TYPES = ("org", "provider", "team", "project", "feature", "model")
PERIODS = ("month", "quarter")
DEFAULT_THRESHOLDS = (Decimal("0.8"), Decimal("1.0"))
USD = "decimal(38,12)"  # the type of fct_usage_cost_daily's cost columns
RATIO = "decimal(18,6)"


@dataclass(frozen=True)
class Budget:
    budget_id: str
    scope_type: str  # one of SCOPE_TYPES
    scope_value: str | None  # None for org
    period: str
    amount_usd: Decimal
    thresholds: tuple[Decimal, ...] = DEFAULT_THRESHOLDS
    team_node: Node | None = field(
        default=None, compare=False, repr=False
    )  # where a team scope is written, for the check against ownership.teams


def _word(reader: Reader, node: Node, where: str, pattern: re.Pattern | None = None) -> str:
    if not isinstance(node, ScalarNode) or not str(node.value).strip():
        raise reader.error(node, f"{where} must be a word, not {_kind(node)}", "write it as plain text")
    value = str(node.value).strip()
    if pattern is not None and not pattern.fullmatch(value):
        raise reader.error(node, f"{where} {value!r} is not a valid id", "use only a-z, 0-9, '_' and '-'")
    return value


def _scope(reader: Reader, node: Node, where: str) -> tuple[str, str | None, Node]:
    items = reader.mapping(node, where, SCOPE_TYPES)
    if len(items) != 1:
        keys = ", ".join(items) or "none"
        raise reader.error(
            node, f"{where} has {len(items)} keys ({keys})", f"give exactly one of {', '.join(SCOPE_TYPES)}"
        )
    ((scope_type, (_, value)),) = items.items()
    if scope_type == "org":
        if not (isinstance(value, ScalarNode) and value.tag.endswith(":bool") and value.value.lower() == "true"):
            raise reader.error(value, f"{where}.org must be true, not {_kind(value)}", "write scope: {org: true}")
        return scope_type, None, value
    return scope_type, _word(reader, value, f"{where}.{scope_type}"), value


def _thresholds(reader: Reader, node: Node, where: str) -> tuple[Decimal, ...]:
    if not isinstance(node, SequenceNode) or not node.value:
        raise reader.error(node, f"{where} must be a list of ratios, not {_kind(node)}", "write [0.8, 1.0]")
    values: list[Decimal] = []
    for item in node.value:
        value = reader.decimal(item, where, minimum=Decimal(0), maximum=Decimal(1000), places=6)
        if value == 0:
            raise reader.error(item, f"{where} has 0", "give ratios above 0, such as 0.8 for 80%")
        if values and value <= values[-1]:
            raise reader.error(
                item, f"{where} are not ascending ({values[-1]} then {value})", "list each ratio once, smallest first"
            )
        values.append(value)
    return tuple(values)


def _budget(reader: Reader, node: Node, index: int) -> tuple[Node, Budget]:
    where = f"budgets[{index}]"
    items = reader.mapping(node, where, ("id", "scope", "period", "amount_usd", "thresholds"))
    for key in ("id", "scope", "period", "amount_usd"):
        if key not in items:
            raise reader.error(node, f"{where} has no {key}", "give id, scope, period and amount_usd")
    id_node = items["id"][1]
    budget_id = _word(reader, id_node, f"{where}.id", BUDGET_ID)
    where = f"budget {budget_id!r}"
    scope_type, scope_value, scope_node = _scope(reader, items["scope"][1], f"{where}.scope")
    period_node = items["period"][1]
    period = str(period_node.value).strip() if isinstance(period_node, ScalarNode) else ""
    if period not in PERIODS:
        raise reader.error(
            period_node, f"{where}.period is {_kind(period_node)}, not a period", f"use one of {', '.join(PERIODS)}"
        )
    amount_node = items["amount_usd"][1]
    amount = reader.decimal(amount_node, f"{where}.amount_usd", places=6)
    if amount <= 0:
        raise reader.error(amount_node, f"{where}.amount_usd is {amount}, not above 0", "give an amount above 0")
    thresholds = (
        _thresholds(reader, items["thresholds"][1], f"{where}.thresholds")
        if "thresholds" in items
        else DEFAULT_THRESHOLDS
    )
    team_node = scope_node if scope_type == "team" else None
    return id_node, Budget(budget_id, scope_type, scope_value, period, amount, thresholds, team_node)


def parse_budgets(reader: Reader, node: Node) -> tuple[Budget, ...]:
    if isinstance(node, ScalarNode) and node.value == "":
        return ()
    if not isinstance(node, SequenceNode):
        raise reader.error(node, f"budgets must be a list, not {_kind(node)}", "start each budget with '- '")
    budgets: dict[str, Budget] = {}
    for index, item in enumerate(node.value, start=1):
        id_node, budget = _budget(reader, item, index)
        if budget.budget_id in budgets:
            raise reader.error(id_node, f"budget {budget.budget_id!r} is given twice", "give each budget a unique id")
        budgets[budget.budget_id] = budget
    return tuple(budgets.values())


def check_budgets(reader: Reader, value: tuple[Budget, ...], sections: dict[str, Any]) -> None:
    """A team scope names a team of ownership.teams, when the file declares any teams."""
    teams = {team.name for team in sections["ownership"].teams}
    if not teams:
        return
    for budget in value:
        if budget.team_node is not None and budget.scope_value not in teams:
            raise reader.error(
                budget.team_node,
                f"budget {budget.budget_id!r}.scope.team {budget.scope_value!r} is not a declared team",
                f"add it under ownership.teams (declared: {', '.join(sorted(teams))})",
            )


def budget_tables(value: tuple[Budget, ...]) -> list[ConfigTable]:
    return [
        ConfigTable(
            name="budgets",
            columns=(
                ("budget_id", "varchar"),
                ("scope_type", "varchar"),
                ("scope_value", "varchar"),
                ("period", "varchar"),
                ("amount_usd", USD),
            ),
            rows=tuple((b.budget_id, b.scope_type, b.scope_value, b.period, b.amount_usd) for b in value),
        ),
        ConfigTable(
            name="budget_thresholds",
            columns=(("budget_id", "varchar"), ("threshold", RATIO)),
            rows=tuple((b.budget_id, t) for b in value for t in b.thresholds),
        ),
    ]


register_section(Section(name="budgets", parse=parse_budgets, default=tuple, tables=budget_tables, check=check_budgets))
