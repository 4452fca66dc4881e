"""`finops prices show MODEL`: a model's price history, or an alias's windows and each target's prices."""

from __future__ import annotations

from collections import defaultdict
from difflib import get_close_matches

from orchestration.prices.book import Book, display_path
from orchestration.prices.check import AliasRow, CheckResult, PriceRow

UNIT_LABELS = {
    "per_1m_tokens": "1M tokens",
    "per_1m_characters": "1M characters",
    "per_1k_requests": "1k requests",
    "per_1k_searches": "1k searches",
    "per_image": "image",
    "per_second": "second",
    "per_session": "session",
    "per_gib_day": "GiB-day",
    "unit": "unit",
}


class UnknownModel(Exception):
    """The name is neither a priced model nor an alias; the message is one sentence."""


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]


def window(start, end) -> str:
    return f"{start} .. {end or 'current'}"


def price_table(rows: list[PriceRow], usage_order: dict[str, int], generated: set[str]) -> list[str]:
    rows = sorted(
        rows,
        key=lambda row: (
            row.key[3] != "standard",
            row.key[3],
            row.key[4],
            usage_order.get(row.key[2], len(usage_order)),
            row.key[2],
            row.start,
        ),
    )
    body = []
    for row in rows:
        record = row.record
        source = record["sources"] + (" [generated]" if record.where.rsplit(":", 1)[0] in generated else "")
        body.append(
            [
                row.key[2],
                row.key[3],
                f"> {row.key[4]}" if row.key[4] else "-",
                window(row.start, row.end),
                f"{record['unit_price']} {record['currency'] or 'USD'} / {UNIT_LABELS.get(record['unit'], record['unit'])}",
                f"{record['price_conf'] or '-'}/{record['date_conf'] or '-'}",
                source,
            ]
        )
    return table(["usage type", "tier", "prompt tokens", "window", "price", "conf", "source"], body)


def show_model(book: Book, result: CheckResult, name: str, provider: str | None = None) -> list[str]:
    """The lines to print for ``name`` (a model id or an alias, any case), optionally of one provider."""
    wanted = name.strip().lower()
    provider = provider.strip().lower() if provider else None

    def of_provider(value: str) -> bool:
        return provider is None or value.lower() == provider

    models: dict[tuple[str, str], list[PriceRow]] = defaultdict(list)
    for row in result.price_rows:
        models[(row.key[0], row.key[1])].append(row)
    aliases: dict[tuple[str, str], list[AliasRow]] = defaultdict(list)
    for alias in result.alias_rows:
        aliases[(alias.provider, alias.alias)].append(alias)

    usage_order: dict[str, int] = {}
    if book.usage_types is not None:
        for record in book.usage_types.records:
            usage_order.setdefault(record["usage_type"], len(usage_order))
    generated = {seed.display for seed in book.price_books[1:]}

    out: list[str] = []

    def model_section(key: tuple[str, str], title: str) -> None:
        rows = models[key]
        files = sorted({row.record.where.rsplit(":", 1)[0] for row in rows})
        out.append(f"{title}{key[0]} {key[1]}: {len(rows)} price rows ({', '.join(files)})")
        out.extend(price_table(rows, usage_order, generated))

    found_models = [key for key in models if key[1].lower() == wanted and of_provider(key[0])]
    found_aliases = [key for key in aliases if key[1].lower() == wanted and of_provider(key[0])]
    for key in sorted(found_models):
        if out:
            out.append("")
        model_section(key, "")
    for key in sorted(found_aliases):
        if out:
            out.append("")
        windows = sorted(aliases[key], key=lambda alias: alias.start)
        out.append(f"{key[0]} alias {key[1]}: {len(windows)} windows ({windows[0].record.where.rsplit(':', 1)[0]})")
        out.extend(
            table(
                ["window", "model", "date conf", "source"],
                [
                    [window(a.start, a.end), a.model_id, a.record["date_conf"] or "-", a.record["sources"]]
                    for a in windows
                ],
            )
        )
        for target in dict.fromkeys(a.model_id for a in windows):
            out.append("")
            if (key[0], target) in models:
                model_section((key[0], target), f"{key[1]} -> ")
            else:
                out.append(f"{key[1]} -> {key[0]} {target}: no price rows (unpriced; finops prices check says so)")
    if out:
        return out

    candidates = sorted(
        {key[1] for key in models if of_provider(key[0])} | {key[1] for key in aliases if of_provider(key[0])}
    )
    close = get_close_matches(wanted, candidates, n=3, cutoff=0.6)
    elsewhere = sorted({key[0] for key in [*models, *aliases] if key[1].lower() == wanted})
    where = f" of provider {provider}" if provider else ""
    book_name = display_path(book.folder)
    if elsewhere:
        hint = f"it is in the book for {', '.join(elsewhere)}: drop --provider or pass one of those"
    elif close:
        hint = f"close names: {', '.join(close)}"
    else:
        hint = "check the spelling (prices attach to dated snapshot ids like o3-2025-04-16, aliases like o3 resolve)"
    raise UnknownModel(f"{book_name} has no price rows or alias named {name!r}{where}; {hint}.")
