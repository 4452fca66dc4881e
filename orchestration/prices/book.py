"""Reading the price book's CSV seeds as text, keeping each record's line number and raw bytes.

`finops prices check` reports problems by file:line, `show` prints rows, and `add` rewrites one record and
inserts another while every other byte of the file stays as it was; so a record is kept as its values (the
strings dbt's seed loader reads; an empty field is NULL to dbt) and as the exact text it came from.
Nothing here parses a number as float: prices stay strings until check turns them into Decimal.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.errors import FinopsError

PRICE_BOOK = "price_book.csv"
MODEL_ALIASES = "model_aliases.csv"
PRICE_MODIFIERS = "price_modifiers.csv"
USAGE_TYPES = "usage_types.csv"
GENERATED_DIR = "generated"  # seeds `finops prices sync` writes; those with the price book's columns are read too

PRICE_BOOK_COLUMNS = (
    "provider",
    "model_id",
    "usage_type",
    "service_tier",
    "prompt_tokens_gt",
    "effective_from",
    "effective_to",
    "unit",
    "currency",
    "unit_price",
    "price_conf",
    "date_conf",
    "sources",
    "notes",
)
MODEL_ALIASES_COLUMNS = ("provider", "alias", "model_id", "effective_from", "effective_to", "date_conf", "sources")
PRICE_MODIFIERS_COLUMNS = (
    "provider",
    "model_pattern",
    "service_tier",
    "usage_types",
    "base_usage_type",
    "multiplier",
    "effective_from",
    "effective_to",
    "time_window_utc",
    "price_conf",
    "sources",
    "notes",
)
USAGE_TYPES_COLUMNS = ("usage_type", "unit", "direction", "fallback_usage_type", "notes")
COLUMNS = {
    PRICE_BOOK: PRICE_BOOK_COLUMNS,
    MODEL_ALIASES: MODEL_ALIASES_COLUMNS,
    PRICE_MODIFIERS: PRICE_MODIFIERS_COLUMNS,
    USAGE_TYPES: USAGE_TYPES_COLUMNS,
}


class PriceBookError(FinopsError):
    """A price-book command cannot go on; its message is one sentence (what, where, how to fix). Exit 1."""


@dataclass(frozen=True)
class Record:
    """One CSV record: its values by column (missing trailing fields are empty), where it starts, and the
    physical lines it spans in its file (``first_index``..``end_index`` exclusive, 0-based)."""

    where: str  # "path:line", the line an editor shows for the record's first line
    line: int
    values: dict[str, str]
    fields: int  # how many fields the record has (the header says how many it should)
    first_index: int
    end_index: int

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class SeedFile:
    """A seed file as text: its physical lines (each with its own line ending), header and records."""

    path: Path
    display: str
    lines: list[str]
    header: list[str]
    records: list[Record] = field(default_factory=list)

    def missing_columns(self, expected: tuple[str, ...]) -> list[str]:
        return [column for column in expected if column not in self.header]

    @property
    def text(self) -> str:
        return "".join(self.lines)


def display_path(path: Path) -> str:
    """The path as a user types it: relative to the working directory when below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def split_lines(text: str) -> list[str]:
    """Physical lines, each keeping its ending ("\\n" or "\\r\\n"), as csv counts them."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def parse_seed(path: Path, text: str) -> SeedFile:
    display = display_path(path)
    lines = split_lines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, [])
        seed = SeedFile(
            path=path, display=display, lines=lines, header=[name.strip().lstrip("\ufeff") for name in header]
        )
        start = reader.line_num
        for row in reader:  # a blank line is a record of no fields: check reports it
            values = {name: row[i] if i < len(row) else "" for i, name in enumerate(seed.header)}
            seed.records.append(Record(f"{display}:{start + 1}", start + 1, values, len(row), start, reader.line_num))
            start = reader.line_num
    except csv.Error as exc:
        raise PriceBookError(
            f"{display}:{reader.line_num}: the CSV does not parse ({exc}); close the quote or quote the field "
            "that holds a comma, quote or line break."
        ) from None
    return seed


@dataclass
class Book:
    """The four curated seeds, plus generated price-book seeds (curated first). A seed that is missing is None."""

    folder: Path
    price_books: list[SeedFile]  # pricing_seeds/price_book.csv first, then generated/*.csv with its columns
    aliases: SeedFile | None
    modifiers: SeedFile | None
    usage_types: SeedFile | None

    @property
    def curated(self) -> SeedFile:
        return self.price_books[0]

    def price_rows(self) -> list[Record]:
        return [record for seed in self.price_books for record in seed.records]


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PriceBookError(f"{display_path(path)}: byte {exc.start} is not UTF-8; save the file as UTF-8.") from None


def load_book(folder: Path, overrides: dict[str, str] | None = None) -> Book:
    """The book in ``folder``; ``overrides`` maps a curated file name to the text to read instead (what
    `add` is about to write), so a result is checked before it replaces the file."""
    overrides = overrides or {}
    folder = Path(folder)
    if not (folder / PRICE_BOOK).is_file():
        raise PriceBookError(
            f"{display_path(folder)} has no {PRICE_BOOK}; point --book at the folder that holds the price book "
            f"({PRICE_BOOK}, {MODEL_ALIASES}, {PRICE_MODIFIERS}, {USAGE_TYPES})."
        )

    def seed(name: str) -> SeedFile | None:
        path = folder / name
        if name in overrides:
            return parse_seed(path, overrides[name])
        return parse_seed(path, read_text(path)) if path.is_file() else None

    price_books = [seed(PRICE_BOOK)]
    generated = folder / GENERATED_DIR
    if generated.is_dir():
        for path in sorted(generated.glob("*.csv")):
            candidate = parse_seed(path, read_text(path))
            if not candidate.missing_columns(PRICE_BOOK_COLUMNS):
                price_books.append(candidate)
    return Book(folder, price_books, seed(MODEL_ALIASES), seed(PRICE_MODIFIERS), seed(USAGE_TYPES))
