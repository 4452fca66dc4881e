"""finops.yaml: the user's settings, validated with line numbers, and written to warehouse tables for dbt.

The file is optional (``$FINOPS_CONFIG``, default ``./finops.yaml``); absent, every section takes its
defaults, which reproduce the warehouse's behaviour without a file. A mistake is one sentence:
``finops.yaml line N: <what is wrong>; <how to fix>`` (ConfigError, exit 1 from the CLI).

Sections are registered, not hard-coded: a later section (ownership, budgets, contracts) is one
``register_section(Section(...))`` with its parser, its defaults and the warehouse tables it writes; the core
here (reading the file, top-level keys, line numbers, numbers as exact Decimals, writing tables) does not
change. Numbers are parsed from the scalar's text (YAML ``0.1`` is ``Decimal('0.1')``, never a float).

dbt knows nothing of Python: ``write_config_tables`` writes every section's tables into schema ``config``
before dbt builds (declared as dbt source ``config``); ``ensure_config_tables`` creates them with the
defaults where they are missing, so any warehouse dbt builds has them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from orchestration.errors import FinopsError
from orchestration.settings import DBT_PROJECT_DIR, PRICING_SEEDS_DIR

CONFIG_ENV = "FINOPS_CONFIG"
DEFAULT_CONFIG = "finops.yaml"
CONFIG_SCHEMA = "config"


class ConfigError(FinopsError):
    """finops.yaml is not valid: one sentence with its line, what is wrong and how to fix it."""


def config_path(environ: dict[str, str] | None = None) -> Path:
    """``$FINOPS_CONFIG``, else ``./finops.yaml`` (relative to the working folder)."""
    env = os.environ if environ is None else environ
    return Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG).expanduser()


# ------------------------------------------------------------------------------------------------ nodes


@dataclass
class Reader:
    """What section parsers use: checks that name the file and line, and collected warnings."""

    name: str  # the file's name as the user wrote it, for messages
    warnings: list[str] = field(default_factory=list)

    def error(self, node: Node | None, what: str, fix: str) -> ConfigError:
        line = f" line {node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"{self.name}{line}: {what}; {fix}.")

    def warn(self, node: Node, what: str) -> None:
        self.warnings.append(f"{self.name} line {node.start_mark.line + 1}: {what}.")

    def mapping(self, node: Node, where: str, known: Iterable[str] | None = None) -> dict[str, tuple[Node, Node]]:
        """The mapping at ``node`` as {key: (key node, value node)}; every key must be in ``known`` (if given)."""
        if not isinstance(node, MappingNode):
            raise self.error(
                node, f"{where} must be a mapping of keys to values, not {_kind(node)}", _indent_fix(where)
            )
        items: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.error(key_node, f"a key of {where} is {_kind(key_node)}", "write keys as plain words")
            key = str(key_node.value)
            if key == "<<":
                raise self.error(key_node, f"merge keys (<<) are not supported in {where}", "write the keys out")
            if key in items:
                raise self.error(key_node, f"{where}.{key} is given twice", "keep one of them")
            if known is not None and key not in known:
                raise self.error(key_node, f"unknown key {key!r} in {where}", f"use one of {', '.join(sorted(known))}")
            items[key] = (key_node, value_node)
        return items

    def decimal(
        self, node: Node, where: str, *, minimum: Decimal | None = None, maximum: Decimal | None = None, places: int
    ) -> Decimal:
        """An exact Decimal from the scalar's text (never through float), within [minimum, maximum], with at
        most ``places`` decimal places."""
        text = str(node.value).strip().replace("_", "") if isinstance(node, ScalarNode) else None
        quoted = isinstance(node, ScalarNode) and node.style in ("'", '"')
        try:
            value = Decimal(text) if text is not None and not quoted else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            shown = repr(node.value) if isinstance(node, ScalarNode) else _kind(node)
            raise self.error(node, f"{where} must be a number, not {shown}", "write a plain number such as 0.05")
        if minimum is not None and value < minimum:
            raise self.error(node, f"{where} is {text}, below {minimum}", f"give a number of at least {minimum}")
        if maximum is not None and value > maximum:
            raise self.error(node, f"{where} is {text}, above {maximum}", f"give a number of at most {maximum}")
        if -value.as_tuple().exponent > places:
            raise self.error(node, f"{where} has more than {places} decimal places", f"round it to {places}")
        return value + Decimal(0)  # normalise -0


def _kind(node: Node | None) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        return "empty" if node.value == "" else repr(node.value)
    return "nothing"


def _indent_fix(where: str) -> str:
    return f"indent the keys of {where} under it, as in finops.example.yaml"


# ------------------------------------------------------------------------------------------------ sections


@dataclass(frozen=True)
class ConfigTable:
    """A table in schema ``config`` that a section writes for dbt: ``columns`` as (name, SQL type)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Section:
    """One top-level key of finops.yaml: ``parse(reader, node)`` validates it into a value, ``default()`` is the
    value when the key (or the file) is absent, ``tables(value)`` the warehouse tables dbt reads (may be none)."""

    name: str
    parse: Callable[[Reader, Node], Any]
    default: Callable[[], Any]
    tables: Callable[[Any], list[ConfigTable]] = lambda value: []
    # after every section is parsed: check(reader, value, sections) for rules that read another section
    check: Callable[[Reader, Any, dict[str, Any]], None] | None = None


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> Section:
    if section.name in SECTIONS:
        raise ValueError(f"finops.yaml section {section.name!r} is registered twice")
    SECTIONS[section.name] = section
    return section


@dataclass(frozen=True)
class FinopsConfig:
    """The validated file: each registered section's value (its default where the file has none)."""

    path: Path | None  # None: no file, every section at its defaults
    sections: dict[str, Any]
    warnings: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.sections[name]

    @property
    def reconciliation(self) -> ReconciliationConfig:
        return self.sections["reconciliation"]


def default_config() -> FinopsConfig:
    return FinopsConfig(path=None, sections={name: section.default() for name, section in SECTIONS.items()})


def load_config(path: Path | str | None = None) -> FinopsConfig:
    """Read and validate finops.yaml (``path``, else ``config_path()``). An absent file is the defaults;
    ConfigError (one sentence) for anything the file gets wrong."""
    path = Path(path) if path is not None else config_path()
    if not path.exists():
        return default_config()
    name = path.name
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a file; set {CONFIG_ENV} to the path of finops.yaml.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(f"{path} cannot be read ({reason}); make it a readable UTF-8 text file.") from None
    reader = Reader(name)
    try:
        root = YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = (exc.problem or exc.context or "it is not valid YAML").rstrip(".")
        raise ConfigError(f"{name}{line}: {problem}; fix the YAML syntax there (indent with spaces).") from None
    except YAMLError as exc:
        raise ConfigError(f"{name}: {str(exc).splitlines()[0]}; fix the YAML syntax.") from None
    sections = {}
    if root is not None and not (isinstance(root, ScalarNode) and root.value == ""):
        if not isinstance(root, MappingNode):
            raise reader.error(
                root, f"the file must be a mapping of sections, not {_kind(root)}", f"start with one of {_known()}"
            )
        for key, (_, value) in reader.mapping(root, "the file", SECTIONS).items():
            sections[key] = SECTIONS[key].parse(reader, value)
    for key, section in SECTIONS.items():
        sections.setdefault(key, section.default())
    for key, section in SECTIONS.items():
        if section.check is not None:
            section.check(reader, sections[key], sections)
    return FinopsConfig(path=path, sections=sections, warnings=tuple(reader.warnings))


def _known() -> str:
    return ", ".join(sorted(SECTIONS))


# ------------------------------------------------------------------------------------------------ tables


def config_tables(config: FinopsConfig) -> list[ConfigTable]:
    return [table for name, section in SECTIONS.items() for table in section.tables(config[name])]


def write_config_tables(conn, config: FinopsConfig) -> None:
    """Replace every table of schema ``config`` with ``config``'s values, in one transaction."""
    conn.execute("begin transaction")
    try:
        conn.execute(f"create schema if not exists {CONFIG_SCHEMA}")
        for table in config_tables(config):
            _write_table(conn, table)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def ensure_config_tables(conn) -> None:
    """Create with the defaults each config table that does not exist yet (an existing one is kept)."""
    conn.execute(f"create schema if not exists {CONFIG_SCHEMA}")
    existing = {
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = ?", [CONFIG_SCHEMA]
        ).fetchall()
    }
    for table in config_tables(default_config()):
        if table.name not in existing:
            _write_table(conn, table)


def _write_table(conn, table: ConfigTable) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in table.columns)
    conn.execute(f"create or replace table {CONFIG_SCHEMA}.{table.name} ({columns})")
    if table.rows:
        marks = ", ".join(f"cast(? as {sql_type})" for _, sql_type in table.columns)
        conn.executemany(f"insert into {CONFIG_SCHEMA}.{table.name} values ({marks})", [list(r) for r in table.rows])


# ------------------------------------------------------------------------------------------------ reconciliation

DEFAULT_PROVIDER = "*"


@dataclass(frozen=True)
class Tolerance:
    """A variance is matched when |variance| <= max(absolute_usd, relative_pct / 100 x |billed|)."""

    absolute_usd: Decimal = Decimal("0.01")
    relative_pct: Decimal = Decimal(0)


@dataclass(frozen=True)
class ReconciliationConfig:
    tolerance: Tolerance = Tolerance()
    providers: dict[str, Tolerance] = field(default_factory=dict)  # a key left out takes `tolerance`'s value

    def for_provider(self, provider: str) -> Tolerance:
        return self.providers.get(provider, self.tolerance)


_TOLERANCE_KEYS = ("absolute_usd", "relative_pct")


def _tolerance(reader: Reader, node: Node, where: str, base: Tolerance) -> Tolerance:
    items = reader.mapping(node, where, _TOLERANCE_KEYS)
    values = {}
    if "absolute_usd" in items:
        values["absolute_usd"] = reader.decimal(
            items["absolute_usd"][1], f"{where}.absolute_usd", minimum=Decimal(0), maximum=Decimal(10**12), places=6
        )
    if "relative_pct" in items:
        values["relative_pct"] = reader.decimal(
            items["relative_pct"][1], f"{where}.relative_pct", minimum=Decimal(0), maximum=Decimal(100), places=6
        )
    return Tolerance(**{**base.__dict__, **values})


def _parse_reconciliation(reader: Reader, node: Node) -> ReconciliationConfig:
    if isinstance(node, ScalarNode) and node.value == "":
        return ReconciliationConfig()
    items = reader.mapping(node, "reconciliation", ("tolerance", "providers"))
    default = (
        _tolerance(reader, items["tolerance"][1], "reconciliation.tolerance", Tolerance())
        if "tolerance" in items
        else Tolerance()
    )
    providers = {}
    if "providers" in items:
        known = known_providers()
        for provider, (key_node, value) in reader.mapping(items["providers"][1], "reconciliation.providers").items():
            if provider == DEFAULT_PROVIDER:
                raise reader.error(
                    key_node,
                    f"{DEFAULT_PROVIDER!r} is not a provider",
                    "set the default under reconciliation.tolerance instead",
                )
            if provider not in known:
                reader.warn(
                    key_node,
                    f"provider {provider!r} is not one this warehouse prices or bills (known: {', '.join(sorted(known))}); "
                    "its tolerance applies only if rows of that provider appear, so check the spelling",
                )
            providers[provider] = _tolerance(reader, value, f"reconciliation.providers.{provider}", default)
    return ReconciliationConfig(tolerance=default, providers=providers)


def _reconciliation_tables(value: ReconciliationConfig) -> list[ConfigTable]:
    rows = [(DEFAULT_PROVIDER, value.tolerance.absolute_usd, value.tolerance.relative_pct)]
    rows += [(name, t.absolute_usd, t.relative_pct) for name, t in sorted(value.providers.items())]
    return [
        ConfigTable(
            name="reconciliation_tolerance",
            columns=(("provider", "varchar"), ("absolute_usd", "decimal(18,6)"), ("relative_pct", "decimal(9,6)")),
            rows=tuple(rows),
        )
    ]


@cache
def known_providers() -> frozenset[str]:
    """Providers the warehouse knows: the price book's and those the staging models name."""
    found = set()
    book = PRICING_SEEDS_DIR / "price_book.csv"
    if book.exists():
        for line in book.read_text(encoding="utf-8").splitlines()[1:]:
            if line:
                found.add(line.split(",", 1)[0])
    for sql in (DBT_PROJECT_DIR / "models" / "staging").rglob("*.sql"):
        text = sql.read_text(encoding="utf-8")
        found.update(re.findall(r"'([a-z0-9_]+)' as provider\b", text))
        # case ... then 'google_vertex' ... else 'google' end as provider
        for end in re.finditer(r"\bend as provider\b", text):
            block = text[text.rfind("case", 0, end.start()) : end.start()]
            found.update(re.findall(r"\b(?:then|else)\s+'([a-z0-9_]+)'", block))
    return frozenset(found)


register_section(
    Section(
        name="reconciliation",
        parse=_parse_reconciliation,
        default=ReconciliationConfig,
        tables=_reconciliation_tables,
    )
)


# Sections kept in their own modules register themselves on import (they import this module's core); importing
# them here makes every loader see them.
from orchestration import budgets, contracts, openrouter_byok, ownership, reporting, whatif  # noqa: E402, F401  (each registers its section)
