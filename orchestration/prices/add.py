"""`finops prices add`: append a dated price to pricing_seeds/price_book.csv safely.

The new row opens a window at --from for its key (provider, model_id, usage_type, service_tier,
prompt_tokens_gt); the key's open window, if it started before, is closed at --from by rewriting only that
record's effective_to field. Every other byte of the file stays as it was (order, quoting, line endings), so
`git diff` shows the changed line and the added one; the new row goes right after the key's last row (else
after the model's last row, else at the end). The result must pass `finops prices check` before it replaces
the file (temp file in the same folder, then os.replace). A refusal leaves the file untouched.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from orchestration.prices.book import (
    PRICE_BOOK,
    USAGE_TYPES,
    Book,
    PriceBookError,
    SeedFile,
    display_path,
    load_book,
)
from orchestration.prices.check import PLAIN_DECIMAL, PRICE_MAX, PRICE_SCALE, PriceRow, check_book, key_text
from orchestration.prices.show import UNIT_LABELS


@dataclass(frozen=True)
class NewPrice:
    provider: str
    model_id: str
    usage_type: str
    service_tier: str
    prompt_tokens_gt: int
    start: date
    price: str  # as typed; parsed as Decimal, written normalised (2.50 -> 2.5)
    sources: str
    price_conf: str
    date_conf: str
    notes: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, int]:
        return (self.provider, self.model_id, self.usage_type, self.service_tier, self.prompt_tokens_gt)


@dataclass(frozen=True)
class Plan:
    path: Path
    old_text: str
    new_text: str
    summary: str

    def diff(self) -> str:
        name = display_path(self.path)
        lines = difflib.unified_diff(
            self.old_text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
        return "".join(lines)


def parse_price(text: str) -> Decimal:
    text = text.strip()
    if not PLAIN_DECIMAL.fullmatch(text):
        raise PriceBookError(
            f"--price {text!r} is not a plain decimal; give USD per unit like 2.5 (no exponent, no currency sign)."
        )
    value = Decimal(text)
    if value < 0:
        raise PriceBookError(f"--price {text} is negative; a list price is zero or more.")
    if -value.as_tuple().exponent > PRICE_SCALE or value >= PRICE_MAX:
        raise PriceBookError(f"--price {text} does not fit decimal(18,9); give at most 9 digits after the point.")
    return value


def plain(value: Decimal) -> str:
    """2.50 -> '2.5', 10 -> '10' (never '1E+1')."""
    return format(value.normalize(), "f")


def split_raw_fields(text: str) -> list[str]:
    """A record's fields as they are written (quotes kept), split on commas outside quotes."""
    fields, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            fields.append("".join(current))
            current = []
            continue
        current.append(char)
    fields.append("".join(current))
    return fields


def with_field(seed: SeedFile, first: int, end: int, column: str, value: str) -> list[str]:
    """The record's physical lines with one unquoted field set to ``value``, the rest byte-identical."""
    text = "".join(seed.lines[first:end])
    ending = "\r\n" if text.endswith("\r\n") else "\n" if text.endswith("\n") else ""
    fields = split_raw_fields(text[: len(text) - len(ending)])
    fields[seed.header.index(column)] = value
    new = ",".join(fields) + ending
    expected = next(csv.reader([text]))
    expected[seed.header.index(column)] = value
    if next(csv.reader([new])) != expected:  # a quoting the splitter misread: refuse rather than corrupt
        raise PriceBookError(f"{seed.display}:{first + 1}: could not rewrite {column} safely; edit it by hand.")
    return new.splitlines(keepends=True)


def new_record(seed: SeedFile, new: NewPrice, unit: str, ending: str) -> str:
    values = {
        "provider": new.provider,
        "model_id": new.model_id,
        "usage_type": new.usage_type,
        "service_tier": new.service_tier,
        "prompt_tokens_gt": str(new.prompt_tokens_gt),
        "effective_from": new.start.isoformat(),
        "effective_to": "",
        "unit": unit,
        "currency": "USD",
        "unit_price": plain(parse_price(new.price)),
        "price_conf": new.price_conf,
        "date_conf": new.date_conf,
        "sources": new.sources,
        "notes": new.notes,
    }
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending, quoting=csv.QUOTE_MINIMAL).writerow(
        [values.get(column, "") for column in seed.header]
    )
    return buffer.getvalue()


def plan_add(folder: Path, new: NewPrice) -> Plan:
    """What adding ``new`` does to price_book.csv; raises PriceBookError (one sentence) when it must not."""
    book = load_book(folder)
    before = check_book(book)
    if before.problems:
        raise PriceBookError(
            f"the book already has {len(before.problems)} problem(s), first: {before.problems[0].rstrip('.')}; "
            "fix them first (finops prices check lists them all)."
        )
    price = parse_price(new.price)
    for flag, value in (("--provider", new.provider), ("--model", new.model_id), ("--tier", new.service_tier)):
        if not value or value != value.strip().lower():
            raise PriceBookError(f"{flag} {value!r} must be a lower-case name, like the book's (e.g. openai).")
    if not new.sources.strip():
        raise PriceBookError("--source is empty; name where the price comes from (a page, an announcement).")
    if new.prompt_tokens_gt < 0:
        raise PriceBookError(f"--prompt-tokens-gt {new.prompt_tokens_gt} is negative; 0 is the base tier.")
    unit = usage_unit(book, new.usage_type)
    priced_models = {(row.key[0], row.key[1]) for row in before.price_rows}
    if (new.provider, new.model_id) not in priced_models:
        windows = [alias for alias in before.alias_rows if (alias.provider, alias.alias) == new.key[:2]]
        if windows:  # name the snapshot the alias points at on --from, else its latest one
            in_effect = [alias for alias in windows if alias.start <= new.start < alias.stop]
            alias = (in_effect or sorted(windows, key=lambda alias: alias.start))[-1]
            raise PriceBookError(
                f"{new.model_id} is an alias of {new.provider} model {alias.model_id} on {new.start} "
                f"({alias.record.where}); prices attach to the snapshot: pass --model {alias.model_id}."
            )

    seed = book.curated
    curated = [row for row in before.price_rows if row.record.where.rsplit(":", 1)[0] == seed.display]
    same_key = [row for row in curated if row.key == new.key]
    lines = list(seed.lines)
    closing: PriceRow | None = None
    if same_key:
        latest = max(same_key, key=lambda row: row.start)
        where = latest.record.where
        if new.start <= latest.start:
            raise PriceBookError(
                f"--from {new.start} is on or before {latest.start}, where the latest price of {key_text(new.key)} "
                f"starts ({where}); a new price must start after it (to correct a past price, edit that row by hand)."
            )
        if latest.end is not None and new.start < latest.end:
            raise PriceBookError(
                f"--from {new.start} falls inside the closed window [{latest.start}, {latest.end}) of "
                f"{key_text(new.key)} ({where}); start the new price on or after {latest.end}."
            )
        if latest.end is None:
            if latest.price == price:
                raise PriceBookError(
                    f"{key_text(new.key)} already costs {latest.record['unit_price']} since {latest.start} "
                    f"({where}); nothing to add."
                )
            closing = latest
    if closing is not None:
        record = closing.record
        lines[record.first_index : record.end_index] = with_field(
            seed, record.first_index, record.end_index, "effective_to", new.start.isoformat()
        )
    anchor = [row.record for row in same_key] or [
        row.record for row in curated if (row.key[0], row.key[1]) == (new.provider, new.model_id)
    ]
    at = max(record.end_index for record in anchor) if anchor else len(lines)
    ending = "\r\n" if seed.lines and seed.lines[0].endswith("\r\n") else "\n"
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += ending  # the file's last line had no line ending
    lines.insert(at, new_record(seed, new, unit, ending))
    new_text = "".join(lines)

    after = check_book(load_book(folder, {PRICE_BOOK: new_text}))
    if after.problems:
        problem = after.problems[0].rstrip(".")
        if closing is not None and new.prompt_tokens_gt == 0 and "has no base row" in problem:
            # closing a base window under an open long-context tier: the tier's new price goes in first
            problem += "; add the tier's new price from the same day first (--prompt-tokens-gt), then this one"
        raise PriceBookError(f"the new row would break the book: {problem}; nothing was written.")
    summary = f"{seed.display}:{at + 1}: added {key_text(new.key)} at {plain(price)} USD per {UNIT_LABELS.get(unit, unit)} from {new.start}"
    if closing is not None:
        summary += (
            f"; closed the window of {closing.record['unit_price']} from {closing.start} "
            f"({closing.record.where}) at {new.start}"
        )
    return Plan(seed.path, seed.text, new_text, summary + ".")


def usage_unit(book: Book, usage_type: str) -> str:
    if book.usage_types is None:
        raise PriceBookError(f"{book.folder / USAGE_TYPES} is missing; restore it (units come from it).")
    units = {record["usage_type"]: record["unit"] for record in book.usage_types.records}
    if usage_type not in units:
        close = difflib.get_close_matches(usage_type, list(units), n=3)
        hint = f"close: {', '.join(close)}" if close else f"see {USAGE_TYPES} for the list"
        raise PriceBookError(f"--usage-type {usage_type!r} is not a usage type of the book; {hint}.")
    return units[usage_type]


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a temp file in the same folder, fsync'd, then os.replace.
    The file keeps its permissions."""
    mode = path.stat().st_mode & 0o7777
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def apply(plan: Plan) -> None:
    current = plan.path.read_bytes().decode("utf-8")
    if current != plan.old_text:
        raise PriceBookError(f"{plan.path} changed while adding; run the command again.")
    write_atomically(plan.path, plan.new_text)
