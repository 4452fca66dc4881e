"""finops.yaml section ``reporting``: the reporting time zone and the fiscal calendar, written to
``config.reporting`` (one row) for dbt.

Facts stay in UTC days (DESIGN.md §6); the settings here only label them:
  time_zone               an IANA name DuckDB knows (``Europe/Berlin``); default ``UTC``. Marts that report
                          local days (mart_request_cost_local_daily) convert request timestamps to it and carry
                          it in a ``reporting_tz`` column.
  fiscal_year_start_month 1-12, default 1. dim_date names a fiscal year by the calendar year in which it ends:
                          with 4, 2026-04-01 .. 2027-03-31 is FY2027.
  week_start              monday (default, ISO), sunday or saturday: dim_date's week_start column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from ruamel.yaml.nodes import Node, ScalarNode

from orchestration.config import ConfigTable, Reader, Section, _kind, register_section

WEEK_STARTS = ("monday", "sunday", "saturday")
_KEYS = ("time_zone", "fiscal_year_start_month", "week_start")


@dataclass(frozen=True)
class ReportingConfig:
    time_zone: str = "UTC"
    fiscal_year_start_month: int = 1
    week_start: str = "monday"


@cache
def known_time_zones() -> frozenset[str]:
    """The time zone names DuckDB's ICU extension converts with (the conversion runs there, not in Python)."""
    import duckdb

    with duckdb.connect() as conn:
        return frozenset(name for (name,) in conn.execute("select name from pg_timezone_names()").fetchall())


def _scalar(node: Node) -> str:
    return str(node.value).strip() if isinstance(node, ScalarNode) else ""


def _time_zone(reader: Reader, node: Node) -> str:
    value = _scalar(node)
    if value in known_time_zones():
        return value
    shown = repr(value) if value else _kind(node)
    close = difflib.get_close_matches(value, sorted(known_time_zones()), n=1) if value else []
    fix = f"did you mean {close[0]!r}" if close else "write an IANA time zone name such as Europe/Berlin or UTC"
    raise reader.error(node, f"reporting.time_zone is {shown}, not a time zone name", fix)


def _month(reader: Reader, node: Node) -> int:
    value = _scalar(node)
    quoted = isinstance(node, ScalarNode) and node.style in ("'", '"')
    if quoted or not value.isdigit() or not 1 <= int(value) <= 12:
        shown = repr(value) if value else _kind(node)
        raise reader.error(
            node, f"reporting.fiscal_year_start_month is {shown}, not a month", "write a month number from 1 to 12"
        )
    return int(value)


def _week_start(reader: Reader, node: Node) -> str:
    value = _scalar(node).lower()
    if value not in WEEK_STARTS:
        shown = repr(_scalar(node)) if _scalar(node) else _kind(node)
        raise reader.error(
            node, f"reporting.week_start is {shown}, not a week start", f"use one of {', '.join(WEEK_STARTS)}"
        )
    return value


def _parse_reporting(reader: Reader, node: Node) -> ReportingConfig:
    if isinstance(node, ScalarNode) and node.value == "":
        return ReportingConfig()
    items = reader.mapping(node, "reporting", _KEYS)
    values: dict = {}
    if "time_zone" in items:
        values["time_zone"] = _time_zone(reader, items["time_zone"][1])
    if "fiscal_year_start_month" in items:
        values["fiscal_year_start_month"] = _month(reader, items["fiscal_year_start_month"][1])
    if "week_start" in items:
        values["week_start"] = _week_start(reader, items["week_start"][1])
    return ReportingConfig(**values)


REPORTING_COLUMNS = (("time_zone", "varchar"), ("fiscal_year_start_month", "integer"), ("week_start", "varchar"))


def _reporting_tables(value: ReportingConfig) -> list[ConfigTable]:
    row = (value.time_zone, value.fiscal_year_start_month, value.week_start)
    return [ConfigTable(name="reporting", columns=REPORTING_COLUMNS, rows=(row,))]


register_section(Section(name="reporting", parse=_parse_reporting, default=ReportingConfig, tables=_reporting_tables))
