"""finops.yaml section ``contracts``: negotiated terms, kept apart from list prices (issue 9 item 3).

A contract is a provider's negotiated discounts (by model glob, over the contract's [start, end) window),
an optional spend commitment over that window, and prepaid credits drawn down oldest first. Python only
validates and writes three config tables; dbt applies them (int_usage_discounted, int_prepaid_drawdown_daily,
int_usage_contracted, mart_contract_drawdown). Without the section there are no contracts and every cost
column equals list cost.

Discount specificity (most specific wins): an exact model id scores 1000 + its length, a glob the number of
its literal characters, ``'*'`` (every model) 0. Two patterns of one contract with the same score that can
match the same model are an error, and two contracts of a provider whose windows overlap cannot both set
discounts, so at most one discount row ever wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from orchestration.config import ConfigTable, Reader, Section, known_providers, register_section

ALL_MODELS = "*"
EXACT_SPECIFICITY = 1000
MAX_USD = Decimal(10**12)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NOT_IN_PATTERN = re.compile(r"[?\[\]%\\]")

_CONTRACT_KEYS = ("name", "provider", "start", "end", "discounts", "commitment_usd", "prepaid")
_DISCOUNT_KEYS = ("models", "discount_pct")
_PREPAID_KEYS = ("purchased_on", "credit_usd", "paid_usd", "expires")


@dataclass(frozen=True)
class Discount:
    model_pattern: str  # a glob on model_id ('*' = every model of the provider)
    discount_pct: Decimal

    @property
    def specificity(self) -> int:
        literal = len(self.model_pattern.replace("*", ""))
        return EXACT_SPECIFICITY + literal if "*" not in self.model_pattern else literal


@dataclass(frozen=True)
class Prepaid:
    purchased_on: date
    credit_usd: Decimal
    paid_usd: Decimal
    expires: date | None


@dataclass(frozen=True)
class Contract:
    name: str
    provider: str
    start: date
    end: date | None  # exclusive; None = open-ended
    discounts: tuple[Discount, ...] = ()
    commitment_usd: Decimal | None = None
    prepaid: tuple[Prepaid, ...] = ()


# ------------------------------------------------------------------------------------------------ parsing


def _text(reader: Reader, node: Node, where: str) -> str:
    if not isinstance(node, ScalarNode) or str(node.value).strip() == "":
        raise reader.error(node, f"{where} must be a name, not {_shown(node)}", f"write {where} as plain text")
    return str(node.value).strip()


def _date(reader: Reader, node: Node, where: str) -> date:
    text = str(node.value).strip() if isinstance(node, ScalarNode) else ""
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise reader.error(node, f"{where} must be a date, not {_shown(node)}", "write it as YYYY-MM-DD, e.g. 2026-01-01")


def _list(reader: Reader, node: Node, where: str) -> list[Node]:
    if isinstance(node, ScalarNode) and node.value == "":
        return []
    if not isinstance(node, SequenceNode):
        raise reader.error(
            node, f"{where} must be a list, not {_shown(node)}", f"write each item of {where} as '- ...'"
        )
    return list(node.value)


def _shown(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return "empty" if node.value == "" else repr(node.value)
    return "a list" if isinstance(node, SequenceNode) else "a mapping"


def _usd(reader: Reader, node: Node, where: str) -> Decimal:
    return reader.decimal(node, where, minimum=Decimal(0), maximum=MAX_USD, places=6)


def _required(reader: Reader, items: dict, node: Node, key: str, where: str) -> Node:
    if key not in items:
        raise reader.error(node, f"{where} has no {key}", f"add {key}, as in finops.example.yaml")
    return items[key][1]


def _discounts(reader: Reader, node: Node, where: str) -> tuple[Discount, ...]:
    found: list[tuple[Discount, Node]] = []
    for i, item in enumerate(_list(reader, node, f"{where}.discounts")):
        at = f"{where}.discounts[{i}]"
        items = reader.mapping(item, at, _DISCOUNT_KEYS)
        pct = reader.decimal(
            _required(reader, items, item, "discount_pct", at),
            f"{at}.discount_pct",
            minimum=Decimal(0),
            maximum=Decimal(100),
            places=6,
        )
        if "models" not in items:
            found.append((Discount(ALL_MODELS, pct), item))
            continue
        model_nodes = _list(reader, items["models"][1], f"{at}.models")
        if not model_nodes:
            raise reader.error(
                items["models"][1], f"{at}.models is empty", "list model ids or globs, or leave models out"
            )
        for model_node in model_nodes:
            pattern = _text(reader, model_node, f"a model of {at}.models").lower()
            if _NOT_IN_PATTERN.search(pattern):
                raise reader.error(
                    model_node,
                    f"model pattern {pattern!r} has a character globs here do not take",
                    "use only * as a wildcard",
                )
            found.append((Discount(pattern, pct), model_node))
    for j, (later, later_node) in enumerate(found):
        for earlier, _ in found[:j]:
            if earlier.specificity == later.specificity and globs_intersect(earlier.model_pattern, later.model_pattern):
                raise reader.error(
                    later_node,
                    f"{where}: discounts for {earlier.model_pattern!r} and {later.model_pattern!r} can apply to the "
                    "same model and neither is more specific",
                    "make one pattern more specific or merge them",
                )
    return tuple(discount for discount, _ in found)


def _prepaid(reader: Reader, node: Node, where: str) -> tuple[Prepaid, ...]:
    credits = []
    for i, item in enumerate(_list(reader, node, f"{where}.prepaid")):
        at = f"{where}.prepaid[{i}]"
        items = reader.mapping(item, at, _PREPAID_KEYS)
        purchased_on = _date(reader, _required(reader, items, item, "purchased_on", at), f"{at}.purchased_on")
        credit_node = _required(reader, items, item, "credit_usd", at)
        credit = _usd(reader, credit_node, f"{at}.credit_usd")
        if credit == 0:
            raise reader.error(credit_node, f"{at}.credit_usd is 0", "give the credit's value in dollars")
        paid = credit
        if "paid_usd" in items:
            paid = _usd(reader, items["paid_usd"][1], f"{at}.paid_usd")
            if paid > credit:
                raise reader.error(
                    items["paid_usd"][1],
                    f"{at}.paid_usd ({paid}) is more than credit_usd ({credit})",
                    "a credit never costs more than its value: check both numbers",
                )
        expires = None
        if "expires" in items:
            expires = _date(reader, items["expires"][1], f"{at}.expires")
            if expires <= purchased_on:
                raise reader.error(
                    items["expires"][1], f"{at}.expires is not after purchased_on", "give a later date (exclusive)"
                )
        credits.append(Prepaid(purchased_on, credit, paid, expires))
    return tuple(credits)


def _contract(reader: Reader, node: Node, index: int) -> Contract:
    at = f"contracts[{index}]"
    items = reader.mapping(node, at, _CONTRACT_KEYS)
    name = _text(reader, _required(reader, items, node, "name", at), f"{at}.name")
    where = f"contract {name!r}"
    provider_node = _required(reader, items, node, "provider", where)
    provider = _text(reader, provider_node, f"{where}.provider")
    known = known_providers()
    if provider not in known:
        reader.warn(
            provider_node,
            f"provider {provider!r} of {where} is not one this warehouse prices or bills "
            f"(known: {', '.join(sorted(known))}); its terms apply only if rows of that provider appear, so check the spelling",
        )
    start = _date(reader, _required(reader, items, node, "start", where), f"{where}.start")
    end = None
    if "end" in items:
        end = _date(reader, items["end"][1], f"{where}.end")
        if end <= start:
            raise reader.error(items["end"][1], f"{where}.end is not after its start", "give a later date (exclusive)")
    commitment = None
    if "commitment_usd" in items:
        commitment = _usd(reader, items["commitment_usd"][1], f"{where}.commitment_usd")
        if end is None:
            raise reader.error(
                items["commitment_usd"][1], f"{where} commits spend but has no end", "give the contract an end date"
            )
    return Contract(
        name=name,
        provider=provider,
        start=start,
        end=end,
        discounts=_discounts(reader, items["discounts"][1], where) if "discounts" in items else (),
        commitment_usd=commitment,
        prepaid=_prepaid(reader, items["prepaid"][1], where) if "prepaid" in items else (),
    )


def _overlaps(a: Contract, b: Contract) -> bool:
    return (b.end is None or a.start < b.end) and (a.end is None or b.start < a.end)


def _window(contract: Contract) -> str:
    return f"[{contract.start}, {contract.end or 'open'})"


def parse_contracts(reader: Reader, node: Node) -> tuple[Contract, ...]:
    contracts: list[Contract] = []
    for index, item in enumerate(_list(reader, node, "contracts")):
        contract = _contract(reader, item, index)
        for earlier in contracts:
            if earlier.name == contract.name:
                raise reader.error(
                    item, f"contract name {contract.name!r} is given twice", "give each contract its own name"
                )
            if (
                earlier.provider == contract.provider
                and earlier.discounts
                and contract.discounts
                and _overlaps(earlier, contract)
            ):
                raise reader.error(
                    item,
                    f"contracts {earlier.name!r} {_window(earlier)} and {contract.name!r} {_window(contract)} of "
                    f"provider {contract.provider} overlap in time and both set discounts",
                    "end one before the other starts, or keep the discounts in one of them",
                )
        contracts.append(contract)
    return tuple(contracts)


def globs_intersect(a: str, b: str) -> bool:
    """Whether some text matches both globs (``*`` = any text, every other character itself): a walk over the
    pairs of positions of the two patterns, a star consuming the other side's character or nothing."""
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo += [(i + 1, j)] + ([(i, j + 1)] if j < len(b) else [])
        if j < len(b) and b[j] == "*":
            todo += [(i, j + 1)] + ([(i + 1, j)] if i < len(a) else [])
        if i < len(a) and j < len(b) and a[i] == b[j] != "*":
            todo.append((i + 1, j + 1))
    return False


# ------------------------------------------------------------------------------------------------ tables

_USD = "decimal(18,6)"


def contract_tables(contracts: tuple[Contract, ...]) -> list[ConfigTable]:
    discounts = [
        (c.name, c.provider, d.model_pattern, d.discount_pct, c.start, c.end, d.specificity)
        for c in contracts
        for d in c.discounts
    ]
    prepaid = [
        (c.name, c.provider, n, p.purchased_on, p.credit_usd, p.paid_usd, p.expires)
        for c in contracts
        for n, p in enumerate(c.prepaid, start=1)
    ]
    commitments = [
        (c.name, c.provider, c.start, c.end, c.commitment_usd) for c in contracts if c.commitment_usd is not None
    ]
    ids = (("contract_name", "varchar"), ("provider", "varchar"))
    return [
        ConfigTable(
            name="contract_discounts",
            columns=(
                *ids,
                ("model_pattern", "varchar"),
                ("discount_pct", "decimal(9,6)"),
                ("valid_from", "date"),
                ("valid_to", "date"),
                ("specificity", "integer"),
            ),
            rows=tuple(discounts),
        ),
        ConfigTable(
            name="contract_prepaid",
            columns=(
                *ids,
                ("credit_number", "integer"),
                ("purchased_on", "date"),
                ("credit_usd", _USD),
                ("paid_usd", _USD),
                ("expires", "date"),
            ),
            rows=tuple(prepaid),
        ),
        ConfigTable(
            name="contract_commitments",
            columns=(*ids, ("valid_from", "date"), ("valid_to", "date"), ("commitment_usd", _USD)),
            rows=tuple(commitments),
        ),
    ]


register_section(Section(name="contracts", parse=parse_contracts, default=tuple, tables=contract_tables))
