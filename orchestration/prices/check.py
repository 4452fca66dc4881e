"""`finops prices check`: the price book validated in Python, without dbt.

The rules are the dbt tests on the seeds (pricing_seeds/_pricing_seeds.yml and dbt_project/tests/pricing/),
read as dbt reads the CSVs (an empty field is NULL, which accepted-values and non-negative tests let pass),
plus what dbt would only fail on while loading (a date or number that does not parse, a record with the
wrong number of fields) or would silently round (a price with more than 9 decimals: the seed column is
decimal(18,9)). One stricter rule: an alias must point at a model with price rows of the same provider
(dbt warns only, on model_id alone). Each problem is one sentence: file:line, what is wrong, how to fix it.
Generated price-book seeds get the same row rules, windows and tiers checked within their own file (curated
rows win over generated ones in dbt, so the two may overlap on purpose).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from orchestration.errors import FinopsError
from orchestration.prices.book import (
    COLUMNS,
    MODEL_ALIASES,
    PRICE_BOOK,
    PRICE_MODIFIERS,
    USAGE_TYPES,
    Book,
    Record,
    SeedFile,
    display_path,
    load_book,
)

UNITS = (
    "per_1m_tokens",
    "per_1m_characters",
    "per_1k_requests",
    "per_1k_searches",
    "per_image",
    "per_second",
    "per_session",
    "per_gib_day",
    "unit",
)
CONFIDENCE = ("A", "B", "C")
CURRENCIES = ("USD",)
PRICE_SCALE = 9  # unit_price and multiplier are decimal(18,9) seeds
PRICE_MAX = Decimal(10) ** (18 - PRICE_SCALE)
PIPE_LIST_MAX_PARTS = 8  # dbt macro pipe_list_max_parts() (dbt_project/macros/lists.sql)
FALLBACK_DEPTH = 3  # int_usage_priced unrolls usage-type fallbacks this deep
PRICE_KEY = ("provider", "model_id", "usage_type", "service_tier", "prompt_tokens_gt")
OPEN_END = date.max

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_INTEGER = re.compile(r"-?\d+")
_TIME_WINDOW = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class PriceRow:
    """A price-book record whose key, window and price parsed."""

    record: Record
    key: tuple[str, str, str, str, int]
    start: date
    end: date | None  # None = still current
    price: Decimal

    @property
    def stop(self) -> date:
        return self.end or OPEN_END


@dataclass(frozen=True)
class AliasRow:
    record: Record
    provider: str
    alias: str
    model_id: str
    start: date
    end: date | None

    @property
    def stop(self) -> date:
        return self.end or OPEN_END


def window_text(start: date, end: date | None) -> str:
    return f"[{start}, {end or 'open'})"


def key_text(key: tuple) -> str:
    provider, model_id, usage_type, tier, threshold = key
    return f"{provider} {model_id} {usage_type} ({tier}, prompt_tokens_gt {threshold})"


class Checker:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.problems: list[str] = []
        self.price_rows: list[PriceRow] = []
        self.alias_rows: list[AliasRow] = []
        self.generated_rows = 0
        self.unit_of: dict[str, str] | None = None  # usage type -> unit; None when usage_types.csv is unusable

    # ------------------------------------------------------------------------------------------- helpers

    def report(self, where: str, what: str, fix: str) -> None:
        self.problems.append(f"{where}: {what}; {fix}.")

    def header_ok(self, seed: SeedFile | None, name: str) -> bool:
        if seed is None:
            path = display_path(self.book.folder / name)
            self.report(path, "the file is missing", "restore it (git checkout -- it) or point --book at a full book")
            return False
        missing = seed.missing_columns(COLUMNS[name])
        if missing:
            expected = ",".join(COLUMNS[name])
            self.report(
                f"{seed.display}:1",
                f"the header lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                f"the header must name these columns: {expected}",
            )
            return False
        return True

    def shape_ok(self, seed: SeedFile, record: Record) -> bool:
        if record.fields == 0:
            self.report(record.where, "the line is blank (dbt would load a row of empty values)", "delete the line")
            return False
        if record.fields != len(seed.header):
            self.report(
                record.where,
                f"the record has {record.fields} fields but the header has {len(seed.header)}",
                'quote a value that holds a comma ("a, b") or add the missing fields',
            )
            return False
        return True

    def required(self, record: Record, columns: tuple[str, ...]) -> bool:
        ok = True
        for column in columns:
            if not record[column].strip():
                self.report(record.where, f"{column} is empty", f"fill in {column} (dbt tests it is not null)")
                ok = False
        return ok

    def day(self, record: Record, column: str) -> date | None:
        """The column as a date; None when empty (the caller decides if that is allowed) or bad (reported)."""
        text = record[column]
        if not text:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            return date.fromisoformat(text)
        except ValueError:
            self.report(record.where, f"{column} {text!r} is not a date", "write it as a UTC date like 2025-06-10")
            raise _Bad from None

    def decimal(self, record: Record, column: str, what: str) -> Decimal:
        text = record[column]
        if not PLAIN_DECIMAL.fullmatch(text):
            self.report(
                record.where,
                f"{column} {text!r} is not a decimal number",
                f"write {what} as a plain decimal like 2.5 (digits and one point, no exponent, no currency sign)",
            )
            raise _Bad
        value = Decimal(text)
        if value < 0:
            self.report(record.where, f"{column} {text} is negative", f"{what} is zero or more: fix the sign")
            raise _Bad
        if -value.as_tuple().exponent > PRICE_SCALE or value >= PRICE_MAX:
            self.report(
                record.where,
                f"{column} {text} does not fit decimal(18,9) (dbt would round or reject it)",
                f"give {what} at most 9 digits before and 9 after the point",
            )
            raise _Bad
        return value

    def confidence(self, record: Record, columns: tuple[str, ...]) -> None:
        for column in columns:
            if record[column] and record[column] not in CONFIDENCE:
                self.report(
                    record.where,
                    f"{column} {record[column]!r} is not a confidence code",
                    "use A (official page read), B (two datasets agree) or C (unconfirmed)",
                )

    def window(self, record: Record, start: date | None, end: date | None) -> bool:
        if start is not None and end is not None and end <= start:
            self.report(
                record.where,
                f"the window {window_text(start, end)} is empty (effective_to must be after effective_from)",
                "fix one of the dates or leave effective_to empty for a price still in effect",
            )
            return False
        return True

    # ------------------------------------------------------------------------------------------- seeds

    def check_usage_types(self) -> None:
        seed = self.book.usage_types
        if not self.header_ok(seed, USAGE_TYPES):
            return
        units: dict[str, str] = {}
        first: dict[str, Record] = {}
        fallbacks: dict[str, str] = {}
        for record in seed.records:
            if not self.shape_ok(seed, record) or not self.required(record, ("usage_type", "unit")):
                continue
            name = record["usage_type"]
            if name in first:
                self.report(
                    record.where,
                    f"usage type {name} is listed twice (also on line {first[name].line})",
                    "keep one of the two rows",
                )
                continue
            first[name] = record
            if record["unit"] not in UNITS:
                self.report(
                    record.where, f"unit {record['unit']!r} is not a known unit", f"use one of {', '.join(UNITS)}"
                )
            units[name] = record["unit"]
            fallbacks[name] = record["fallback_usage_type"]
        for name, record in first.items():
            fallback = fallbacks[name]
            if fallback and fallback not in units:
                self.report(
                    record.where,
                    f"fallback_usage_type {fallback!r} is not a usage type of {seed.display}",
                    "name a usage type listed in this file or leave it empty",
                )
                continue
            chain = [name]
            while fallbacks.get(chain[-1]) and fallbacks[chain[-1]] in units and len(chain) <= FALLBACK_DEPTH:
                chain.append(fallbacks[chain[-1]])
            if len(chain) > FALLBACK_DEPTH and fallbacks.get(chain[-1]):
                self.report(
                    record.where,
                    f"the fallback chain {' -> '.join([*chain, fallbacks[chain[-1]]])} is longer than "
                    f"{FALLBACK_DEPTH} steps or loops (int_usage_priced would cut it silently)",
                    "point a usage type nearer the end of the chain at a leaf such as input_tokens",
                )
        self.unit_of = units

    def check_price_book(self, seed: SeedFile) -> None:
        if not self.header_ok(seed, PRICE_BOOK):
            return
        rows: list[PriceRow] = []
        for record in seed.records:
            if not self.shape_ok(seed, record):
                continue
            row = self.price_row(record)
            if row is not None:
                rows.append(row)
        self.check_windows(rows, "price")
        self.check_tiers(rows)
        self.price_rows.extend(rows)
        if seed is not self.book.curated:
            self.generated_rows += len(rows)

    def price_row(self, record: Record) -> PriceRow | None:
        ok = self.required(
            record,
            ("provider", "model_id", "usage_type", "service_tier", "prompt_tokens_gt", "effective_from", "unit"),
        )
        ok &= self.required(record, ("unit_price",))
        self.confidence(record, ("price_conf", "date_conf"))
        if record["currency"] and record["currency"] not in CURRENCIES:
            self.report(
                record.where, f"currency {record['currency']!r} is not USD", "convert the price to USD and write USD"
            )
        unit, usage_type = record["unit"], record["usage_type"]
        if unit and unit not in UNITS:
            self.report(record.where, f"unit {unit!r} is not a known unit", f"use one of {', '.join(UNITS)}")
        if usage_type and self.unit_of is not None:
            if usage_type not in self.unit_of:
                from difflib import get_close_matches

                close = get_close_matches(usage_type, list(self.unit_of), n=3)
                hint = f" (close: {', '.join(close)})" if close else ""
                self.report(
                    record.where,
                    f"usage type {usage_type!r} is not in {USAGE_TYPES}{hint}",
                    f"use a usage type listed there or add it to {USAGE_TYPES} first",
                )
            elif unit and unit != self.unit_of[usage_type]:
                self.report(
                    record.where,
                    f"unit {unit} does not match usage type {usage_type}, which is measured {self.unit_of[usage_type]}",
                    f"quote the price {self.unit_of[usage_type]} and write that unit",
                )
        threshold = record["prompt_tokens_gt"]
        if threshold and not _INTEGER.fullmatch(threshold):
            self.report(
                record.where,
                f"prompt_tokens_gt {threshold!r} is not a whole number",
                "write 0 for the base tier or the tier's prompt-token threshold, like 200000",
            )
            ok = False
        elif threshold and int(threshold) < 0:
            self.report(
                record.where, f"prompt_tokens_gt {threshold} is negative", "write 0 for the base tier or the threshold"
            )
            ok = False
        try:
            start = self.day(record, "effective_from")
            end = self.day(record, "effective_to")
            price = self.decimal(record, "unit_price", "a list price") if record["unit_price"] else None
        except _Bad:
            return None
        if not self.window(record, start, end) or not ok or price is None or start is None:
            return None
        key = (record["provider"], record["model_id"], usage_type, record["service_tier"], int(threshold))
        return PriceRow(record, key, start, end, price)

    def check_windows(self, rows: list[PriceRow] | list[AliasRow], what: str) -> None:
        """No two windows of one key overlap (half-open; same start included): dbt's no_overlapping_windows
        and unique_combination_of_columns. Each pair is reported once, on the row that starts later (on the
        lower one in the file when both start the same day)."""
        by_key: dict[tuple, list] = defaultdict(list)
        for row in rows:
            key = row.key if isinstance(row, PriceRow) else (row.provider, row.alias)
            by_key[key].append(row)
        for key, group in by_key.items():
            group.sort(key=lambda row: (row.start, row.stop, row.record.line))
            for i, earlier in enumerate(group):
                for later in group[i + 1 :]:
                    if later.start >= earlier.stop:
                        break
                    name = key_text(key) if what == "price" else f"{key[0]} alias {key[1]}"
                    if later.start == earlier.start:  # reported on the row further down the file
                        first, second = sorted((earlier.record, later.record), key=lambda record: record.line)
                        self.report(
                            second.where,
                            f"{name} has two {what} rows starting {later.start} (the other on line {first.line})",
                            "keep one of them, or give the newer one its own later effective_from",
                        )
                    else:
                        self.report(
                            later.record.where,
                            f"the window {window_text(later.start, later.end)} of {name} overlaps "
                            f"{window_text(earlier.start, earlier.end)} on line {earlier.record.line}",
                            f"set line {earlier.record.line}'s effective_to to {later.start} "
                            "(windows are half-open [from, to)) or fix this row's dates",
                        )

    def check_tiers(self, rows: list[PriceRow]) -> None:
        """assert_price_book_tier_rows_have_base_row: a row with prompt_tokens_gt > 0 needs one base row
        (prompt_tokens_gt 0) of the same provider, model, usage type and tier whose window covers it."""
        bases: dict[tuple, list[PriceRow]] = defaultdict(list)
        for row in rows:
            if row.key[4] == 0:
                bases[row.key[:4]].append(row)
        for row in rows:
            if row.key[4] == 0:
                continue
            covered = any(
                base.start <= row.start and (base.end is None or (row.end is not None and base.end >= row.end))
                for base in bases[row.key[:4]]
            )
            if not covered:
                provider, model_id, usage_type, tier, threshold = row.key
                self.report(
                    row.record.where,
                    f"the >{threshold} tier row of {provider} {model_id} {usage_type} ({tier}) "
                    f"{window_text(row.start, row.end)} has no base row (prompt_tokens_gt 0) covering that window",
                    "add or extend the base tier's row so one base window contains the tier's window",
                )

    def check_aliases(self) -> None:
        seed = self.book.aliases
        if not self.header_ok(seed, MODEL_ALIASES):
            return
        priced = {(row.key[0], row.key[1]) for row in self.price_rows}
        for record in seed.records:
            if not self.shape_ok(seed, record):
                continue
            ok = self.required(record, ("provider", "alias", "model_id", "effective_from"))
            self.confidence(record, ("date_conf",))
            try:
                start = self.day(record, "effective_from")
                end = self.day(record, "effective_to")
            except _Bad:
                continue
            if not self.window(record, start, end) or not ok or start is None:
                continue
            row = AliasRow(record, record["provider"], record["alias"], record["model_id"], start, end)
            if (row.provider, row.model_id) not in priced:
                self.report(
                    record.where,
                    f"alias {row.alias} points at {row.model_id}, which has no {row.provider} price rows",
                    "fix model_id to a priced snapshot or add its prices first (finops prices add)",
                )
            self.alias_rows.append(row)
        self.check_windows(self.alias_rows, "alias")

    def check_modifiers(self) -> None:
        seed = self.book.modifiers
        if not self.header_ok(seed, PRICE_MODIFIERS):
            return
        seen: dict[tuple, Record] = {}
        for record in seed.records:
            if not self.shape_ok(seed, record):
                continue
            self.required(record, ("provider", "model_pattern", "service_tier", "usage_types", "multiplier"))
            self.confidence(record, ("price_conf",))
            try:
                if record["multiplier"]:
                    self.decimal(record, "multiplier", "a multiplier")
                start = self.day(record, "effective_from")
                end = self.day(record, "effective_to")
            except _Bad:
                continue
            self.window(record, start, end)
            known = self.unit_of
            if known is not None:
                base = record["base_usage_type"]
                if base and base not in known:
                    self.report(
                        record.where,
                        f"base_usage_type {base!r} is not in {USAGE_TYPES}",
                        "name a usage type listed there or leave it empty",
                    )
                if record["usage_types"] != "*":
                    for element in record["usage_types"].split("|"):
                        if element and element not in known:
                            self.report(
                                record.where,
                                f"usage_types lists {element!r}, which is not in {USAGE_TYPES}",
                                "use usage types listed there, separated by |, or * alone for all",
                            )
            for column in ("model_pattern", "usage_types"):
                if record[column].count("|") >= PIPE_LIST_MAX_PARTS:
                    self.report(
                        record.where,
                        f"{column} has more than {PIPE_LIST_MAX_PARTS} |-separated parts (dbt reads only that many)",
                        "split the row into two rows",
                    )
            window = record["time_window_utc"]
            if window and not _TIME_WINDOW.fullmatch(window):
                self.report(
                    record.where,
                    f"time_window_utc {window!r} is not a UTC time window",
                    "write it as HH:MM-HH:MM, like 16:30-00:30, or leave it empty",
                )
            key = tuple(record[c] for c in ("provider", "model_pattern", "service_tier", "usage_types"))
            key += (record["effective_from"],)
            if key in seen:
                self.report(
                    record.where,
                    f"the same modifier (provider, model_pattern, service_tier, usage_types, effective_from) is on "
                    f"line {seen[key].line} too",
                    "keep one of the two rows",
                )
            else:
                seen[key] = record


class _Bad(Exception):
    """A value did not parse; its problem is already reported."""


@dataclass(frozen=True)
class CheckResult:
    problems: list[str]
    price_rows: list[PriceRow]
    alias_rows: list[AliasRow]
    generated_rows: int

    def summary(self) -> str:
        models = {(row.key[0], row.key[1]) for row in self.price_rows if row.key[1] != "*"}
        providers = {row.key[0] for row in self.price_rows}
        aliases = {(row.provider, row.alias) for row in self.alias_rows}
        generated = self.generated_rows
        line = (
            f"price book OK: {len(self.price_rows)} price rows, {len(models)} models, {len(providers)} providers, "
            f"{len(aliases)} aliases"
        )
        return line + (f" ({generated} price rows from generated seeds)" if generated else "")


def check_book(book: Book) -> CheckResult:
    checker = Checker(book)
    checker.check_usage_types()
    for seed in book.price_books:
        checker.check_price_book(seed)
    checker.check_aliases()
    checker.check_modifiers()
    # in file order (the price book, generated seeds, aliases, modifiers, usage types), then by line
    files = [seed.display for seed in (*book.price_books, book.aliases, book.modifiers, book.usage_types) if seed]

    def position(problem: str) -> tuple[int, int]:
        where = problem.split(": ", 1)[0]
        path, _, line = where.rpartition(":")
        if not line.isdigit():
            path, line = where, "0"
        return (files.index(path) if path in files else len(files), int(line))

    problems = sorted(checker.problems, key=position)
    return CheckResult(problems, checker.price_rows, checker.alias_rows, checker.generated_rows)


def require_valid_book(folder: Path) -> None:
    """Raise FinopsError with the price book's first problem (its own sentence: file, line, what is wrong, how to
    fix it), so a run stops before it fetches anything instead of failing a dbt test that names no file or line."""
    problems = check_book(load_book(folder)).problems
    if problems:
        more = len(problems) - 1
        rest = f" (and {more} more problem{'s' if more > 1 else ''}: `finops prices check` lists them)" if more else ""
        raise FinopsError(f"{problems[0].rstrip('.')}{rest}; nothing was loaded.")
