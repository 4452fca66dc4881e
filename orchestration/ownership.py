"""finops.yaml section ``ownership``: teams, who owns which provider resources, how request logs name teams,
and how shared spend is split (issue 10 items 1 and 2). Written to schema ``config`` for dbt, which allocates
the provider ledger (fct_allocated_cost_daily); no allocation happens in Python.

- ``teams``: the cost owners (name ``[a-z0-9_-]+``, optional cost_center).
- ``owners``: provider account (and optionally one API key of it) -> team [, feature], effective-dated
  (``from`` inclusive, ``to`` exclusive, either open). A key rule beats its account's rule. Two rules for the
  same (provider, account, api_key) may not overlap in time.
- ``request_rules``: a request-log field (team, feature, user, api_key_alias) or a tag equal to a value ->
  team [, feature]; the first matching rule wins over the request's own team field.
- ``shared``: ledger rows no owner covers, matched on optional provider, account and model (a glob), first
  match wins: ``proportional`` to the attributed request cost of the same day, provider and model, ``even``
  across ``teams``, or ``fixed`` ``shares`` (percent, summing to 100).

Absent, there are no teams and every dollar is unallocated (the allocation still sums to the ledger).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from orchestration.config import ConfigTable, Reader, Section, _kind, register_section

TEAM_NAME = re.compile(r"[a-z0-9_-]+")
REQUEST_FIELDS = ("team", "feature", "user", "api_key_alias")  # request-log columns a rule may match (and `tag`)
METHODS = ("proportional", "even", "fixed")


@dataclass(frozen=True)
class Team:
    name: str
    cost_center: str | None = None


@dataclass(frozen=True)
class Owner:
    rule_id: str
    provider: str
    account: str
    api_key: str | None
    team: str
    feature: str | None
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class RequestRule:
    rule_id: str
    field: str  # one of REQUEST_FIELDS, or "tag"
    tag_key: str | None
    value: str
    team: str
    feature: str | None


@dataclass(frozen=True)
class SharedRule:
    rule_id: str
    provider: str | None
    account: str | None
    model: str | None  # a glob: * any run, ? one character
    method: str
    shares: tuple[tuple[str, Decimal], ...]  # (team, weight): percent for fixed, 1 each for even, none otherwise


@dataclass(frozen=True)
class OwnershipConfig:
    teams: tuple[Team, ...] = ()
    owners: tuple[Owner, ...] = ()
    request_rules: tuple[RequestRule, ...] = ()
    shared: tuple[SharedRule, ...] = ()


# ------------------------------------------------------------------------------------------------ parsing


def _empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == ""


def _items(reader: Reader, node: Node, where: str) -> list[Node]:
    """The list at ``node`` (an empty key is an empty list)."""
    if _empty(node):
        return []
    if not isinstance(node, SequenceNode):
        raise reader.error(
            node, f"{where} must be a list (lines starting with '- ')", f"write each entry of {where} as '- ...'"
        )
    return list(node.value)


def _text(reader: Reader, node: Node, where: str, pattern: re.Pattern | None = None) -> str:
    if not isinstance(node, ScalarNode) or node.value == "":
        raise reader.error(node, f"{where} must be a word, not {_kind(node)}", "write it as plain text")
    value = str(node.value)
    if pattern is not None and not pattern.fullmatch(value):
        raise reader.error(node, f"{where} {value!r} is not a valid name", "use only a-z, 0-9, '_' and '-'")
    return value


def _date(reader: Reader, node: Node, where: str) -> date:
    if isinstance(node, ScalarNode) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(node.value)):
        try:
            return date.fromisoformat(str(node.value))
        except ValueError:
            pass
    raise reader.error(node, f"{where} must be a date, not {_kind(node)}", "write it as YYYY-MM-DD, e.g. 2026-01-01")


def _team(reader: Reader, node: Node, where: str, teams: dict[str, Team]) -> str:
    name = _text(reader, node, where)
    if name not in teams:
        known = ", ".join(sorted(teams)) or "none yet"
        raise reader.error(
            node, f"{where} {name!r} is not a declared team", f"add it under ownership.teams (declared: {known})"
        )
    return name


def _parse_teams(reader: Reader, node: Node) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for i, entry in enumerate(_items(reader, node, "ownership.teams")):
        where = f"ownership.teams[{i + 1}]"
        items = reader.mapping(entry, where, ("name", "cost_center"))
        if "name" not in items:
            raise reader.error(entry, f"{where} has no name", "give each team a name")
        name = _text(reader, items["name"][1], f"{where}.name", TEAM_NAME)
        if name in teams:
            raise reader.error(items["name"][1], f"team {name!r} is declared twice", "keep one of them")
        cost_center = _text(reader, items["cost_center"][1], f"{where}.cost_center") if "cost_center" in items else None
        teams[name] = Team(name, cost_center)
    return teams


def _parse_owners(reader: Reader, node: Node, teams: dict[str, Team]) -> tuple[Owner, ...]:
    owners: list[tuple[Owner, Node]] = []
    known = ("provider", "account", "api_key", "team", "feature", "from", "to")
    for i, entry in enumerate(_items(reader, node, "ownership.owners")):
        where = f"ownership.owners[{i + 1}]"
        items = reader.mapping(entry, where, known)
        for required in ("provider", "account", "team"):
            if required not in items:
                raise reader.error(
                    entry, f"{where} has no {required}", "give each owner a provider, an account and a team"
                )
        text = {
            key: _text(reader, items[key][1], f"{where}.{key}")
            for key in ("provider", "account", "api_key", "feature")
            if key in items
        }
        valid = {key: _date(reader, items[key][1], f"{where}.{key}") for key in ("from", "to") if key in items}
        if "from" in valid and "to" in valid and valid["to"] <= valid["from"]:
            raise reader.error(
                items["to"][1],
                f"{where}.to ({valid['to']}) is not after its from ({valid['from']})",
                "make to later than from (to is exclusive)",
            )
        owner = Owner(
            rule_id=f"owners[{i + 1}]",
            provider=text["provider"],
            account=text["account"],
            api_key=text.get("api_key"),
            team=_team(reader, items["team"][1], f"{where}.team", teams),
            feature=text.get("feature"),
            valid_from=valid.get("from"),
            valid_to=valid.get("to"),
        )
        for other, other_node in owners:
            if (other.provider, other.account, other.api_key) == (
                owner.provider,
                owner.account,
                owner.api_key,
            ) and _overlap(other, owner):
                what = f"key {owner.api_key!r} of " if owner.api_key else ""
                raise reader.error(
                    entry,
                    f"{where} gives {what}{owner.provider} account {owner.account!r} to {owner.team!r} while line "
                    f"{other_node.start_mark.line + 1} gives it to {other.team!r} over overlapping dates",
                    "end one rule (to) where the other starts (from)",
                )
        owners.append((owner, entry))
    return tuple(owner for owner, _ in owners)


def _overlap(a: Owner, b: Owner) -> bool:
    lo, hi = date.min, date.max
    return max(a.valid_from or lo, b.valid_from or lo) < min(a.valid_to or hi, b.valid_to or hi)


def _parse_request_rules(reader: Reader, node: Node, teams: dict[str, Team]) -> tuple[RequestRule, ...]:
    rules = []
    for i, entry in enumerate(_items(reader, node, "ownership.request_rules")):
        where = f"ownership.request_rules[{i + 1}]"
        items = reader.mapping(entry, where, ("when", "team", "feature"))
        if "when" not in items or "team" not in items:
            raise reader.error(
                entry,
                f"{where} needs when and team",
                "write when: {tag: {key: value}} (or team/feature/user/api_key_alias: value) and team: <name>",
            )
        conditions = reader.mapping(items["when"][1], f"{where}.when", ("tag", *REQUEST_FIELDS))
        if len(conditions) != 1:
            raise reader.error(
                items["when"][1],
                f"{where}.when must have exactly one condition",
                "split the rule in two (the first match wins)",
            )
        ((field, (_, value_node)),) = conditions.items()
        tag_key = None
        if field == "tag":
            tag = reader.mapping(value_node, f"{where}.when.tag")
            if len(tag) != 1:
                raise reader.error(value_node, f"{where}.when.tag must name exactly one tag", "write tag: {key: value}")
            ((tag_key, (_, value_node)),) = tag.items()
        rules.append(
            RequestRule(
                rule_id=f"request_rules[{i + 1}]",
                field=field,
                tag_key=tag_key,
                value=_text(reader, value_node, f"{where}.when.{field}"),
                team=_team(reader, items["team"][1], f"{where}.team", teams),
                feature=_text(reader, items["feature"][1], f"{where}.feature") if "feature" in items else None,
            )
        )
    return tuple(rules)


def _parse_shared(reader: Reader, node: Node, teams: dict[str, Team]) -> tuple[SharedRule, ...]:
    rules = []
    for i, entry in enumerate(_items(reader, node, "ownership.shared")):
        where = f"ownership.shared[{i + 1}]"
        items = reader.mapping(entry, where, ("provider", "account", "model", "method", "teams", "shares"))
        if "method" not in items:
            raise reader.error(entry, f"{where} has no method", f"use one of {', '.join(METHODS)}")
        method_node = items["method"][1]
        method = _text(reader, method_node, f"{where}.method")
        if method not in METHODS:
            raise reader.error(
                method_node, f"{where}.method {method!r} is not a method", f"use one of {', '.join(METHODS)}"
            )
        wanted = {"proportional": None, "even": "teams", "fixed": "shares"}[method]
        for key in ("teams", "shares"):
            if key in items and key != wanted:
                raise reader.error(
                    items[key][0],
                    f"{where} ({method}) takes no {key}",
                    "remove it" if wanted is None else f"use {wanted}",
                )
        if wanted is not None and wanted not in items:
            raise reader.error(
                entry,
                f"{where} ({method}) has no {wanted}",
                "list the teams to split among"
                if wanted == "teams"
                else "give shares: {team: percent, ...} summing to 100",
            )
        shares: list[tuple[str, Decimal]] = []
        if method == "even":
            for team_node in _items(reader, items["teams"][1], f"{where}.teams"):
                team = _team(reader, team_node, f"{where}.teams", teams)
                if any(team == t for t, _ in shares):
                    raise reader.error(team_node, f"team {team!r} is listed twice in {where}.teams", "keep one of them")
                shares.append((team, Decimal(1)))
            if not shares:
                raise reader.error(items["teams"][1], f"{where}.teams is empty", "list at least one team")
        elif method == "fixed":
            for team, (key_node, value) in reader.mapping(items["shares"][1], f"{where}.shares").items():
                _team(reader, key_node, f"{where}.shares", teams)
                shares.append(
                    (
                        team,
                        reader.decimal(
                            value, f"{where}.shares.{team}", minimum=Decimal(0), maximum=Decimal(100), places=6
                        ),
                    )
                )
            total = sum((share for _, share in shares), Decimal(0))
            if total != 100:
                raise reader.error(
                    items["shares"][1], f"{where}.shares sum to {total}, not 100", "make the percentages add up to 100"
                )
        text = {
            key: _text(reader, items[key][1], f"{where}.{key}")
            for key in ("provider", "account", "model")
            if key in items
        }
        rules.append(
            SharedRule(
                f"shared[{i + 1}]", text.get("provider"), text.get("account"), text.get("model"), method, tuple(shares)
            )
        )
    return tuple(rules)


def parse_ownership(reader: Reader, node: Node) -> OwnershipConfig:
    if _empty(node):
        return OwnershipConfig()
    items = reader.mapping(node, "ownership", ("teams", "owners", "request_rules", "shared"))
    teams = _parse_teams(reader, items["teams"][1]) if "teams" in items else {}
    parts = {
        key: parse(reader, items[key][1], teams) if key in items else ()
        for key, parse in (
            ("owners", _parse_owners),
            ("request_rules", _parse_request_rules),
            ("shared", _parse_shared),
        )
    }
    return OwnershipConfig(teams=tuple(teams.values()), **parts)


# ------------------------------------------------------------------------------------------------ tables


def model_like(glob: str | None) -> str | None:
    """A model glob (* any run, ? one character) as a SQL LIKE pattern with escape '\\'."""
    if glob is None:
        return None
    escaped = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def ownership_tables(value: OwnershipConfig) -> list[ConfigTable]:
    text = "varchar"
    return [
        ConfigTable(
            "ownership_teams",
            (("team", text), ("cost_center", text)),
            tuple((t.name, t.cost_center) for t in value.teams),
        ),
        ConfigTable(
            "ownership_owners",
            (
                ("rule_id", text),
                ("priority", "integer"),
                ("provider", text),
                ("account_id", text),
                ("api_key_id", text),
                ("team", text),
                ("feature", text),
                ("valid_from", "date"),
                ("valid_to", "date"),
            ),
            tuple(
                (o.rule_id, i + 1, o.provider, o.account, o.api_key, o.team, o.feature, o.valid_from, o.valid_to)
                for i, o in enumerate(value.owners)
            ),
        ),
        ConfigTable(
            "ownership_request_rules",
            (
                ("rule_id", text),
                ("priority", "integer"),
                ("match_field", text),
                ("tag_key", text),
                ("match_value", text),
                ("team", text),
                ("feature", text),
            ),
            tuple(
                (r.rule_id, i + 1, r.field, r.tag_key, r.value, r.team, r.feature)
                for i, r in enumerate(value.request_rules)
            ),
        ),
        ConfigTable(
            "ownership_shared",
            (
                ("rule_id", text),
                ("priority", "integer"),
                ("provider", text),
                ("account_id", text),
                ("model_like", text),
                ("method", text),
            ),
            tuple(
                (s.rule_id, i + 1, s.provider, s.account, model_like(s.model), s.method)
                for i, s in enumerate(value.shared)
            ),
        ),
        ConfigTable(
            "ownership_shared_shares",
            (("rule_id", text), ("team", text), ("share_weight", "decimal(18,6)")),
            tuple((s.rule_id, team, weight) for s in value.shared for team, weight in s.shares),
        ),
    ]


register_section(Section(name="ownership", parse=parse_ownership, default=OwnershipConfig, tables=ownership_tables))
