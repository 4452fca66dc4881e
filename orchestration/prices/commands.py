"""The `finops prices check / show / add` subcommands, added to the `prices` subparser by ``add_commands``.

Every command reads the book folder given by --book (default: the repo's pricing_seeds). A problem with the
book or a refused request is one sentence on stderr and exit code 1; nothing is written then.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from orchestration.prices.book import PriceBookError, display_path, load_book
from orchestration.settings import PRICING_SEEDS_DIR


def _refusals_exit_1(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from orchestration.prices.show import UnknownModel

        try:
            return command(args)
        except (PriceBookError, UnknownModel) as exc:
            print(f"finops: {exc}", file=sys.stderr)
            return 1

    return run


@_refusals_exit_1
def cmd_check(args: argparse.Namespace) -> int:
    from orchestration.prices.check import check_book

    result = check_book(load_book(args.book))
    if result.problems:
        for problem in result.problems:
            print(problem)
        count = len(result.problems)
        print(
            f"finops: {count} problem{'s' if count > 1 else ''} in the price book {display_path(args.book)}; "
            "fix them and run finops prices check again.",
            file=sys.stderr,
        )
        return 1
    print(result.summary())
    return 0


@_refusals_exit_1
def cmd_show(args: argparse.Namespace) -> int:
    from orchestration.prices.check import check_book
    from orchestration.prices.show import show_model

    book = load_book(args.book)
    result = check_book(book)
    print("\n".join(show_model(book, result, args.model, args.provider)))
    if result.problems:  # rows with problems are left out of the tables above
        print(
            f"finops: note: the book has {len(result.problems)} problem(s) and rows with problems are not shown; "
            "run finops prices check.",
            file=sys.stderr,
        )
    return 0


@_refusals_exit_1
def cmd_add(args: argparse.Namespace) -> int:
    from orchestration.prices.add import NewPrice, apply, plan_add

    try:
        start = date.fromisoformat(args.start) if len(args.start) == 10 else None
    except ValueError:
        start = None
    if start is None:
        raise PriceBookError(f"--from must be a UTC date like 2025-06-10 (got {args.start!r}).")
    new = NewPrice(
        provider=args.provider,
        model_id=args.model,
        usage_type=args.usage_type,
        service_tier=args.tier,
        prompt_tokens_gt=args.prompt_tokens_gt,
        start=start,
        price=args.price,
        sources=args.source,
        price_conf=args.conf,
        date_conf=args.date_conf or args.conf,
        notes=args.notes,
    )
    plan = plan_add(args.book, new)
    if args.dry_run:
        sys.stdout.write(plan.diff())
        print(f"dry run, nothing written: {plan.summary}", file=sys.stderr)
        return 0
    apply(plan)
    print(plan.summary)
    return 0


def _book(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--book",
        type=Path,
        default=PRICING_SEEDS_DIR,
        metavar="DIR",
        help="the price-book folder (default: the repo's pricing_seeds; generated/*.csv seeds in it are read too)",
    )


def add_commands(prices: argparse._SubParsersAction) -> None:
    """check, show and add, on the `finops prices` subparser."""
    check = prices.add_parser("check", help="validate the price book (the dbt seed tests' rules, without dbt)")
    _book(check)
    check.set_defaults(func=cmd_check)

    show = prices.add_parser("show", help="a model's price history, or an alias's windows and its targets' prices")
    show.add_argument("model", metavar="MODEL", help="a model id (o3-2025-04-16) or an alias (gpt-4o)")
    show.add_argument("--provider", metavar="P", help="only this provider's rows")
    _book(show)
    show.set_defaults(func=cmd_show)

    add = prices.add_parser(
        "add", help="append a dated price to price_book.csv, closing the key's open window at --from"
    )
    add.add_argument("--provider", required=True, metavar="P", help="e.g. openai")
    add.add_argument("--model", required=True, metavar="M", help="the dated model id, e.g. o3-2025-04-16")
    add.add_argument("--usage-type", required=True, metavar="U", help="a usage type of usage_types.csv")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first UTC day of the price")
    add.add_argument("--price", required=True, metavar="X", help="USD per the usage type's unit, e.g. 2.5")
    add.add_argument("--source", required=True, metavar="TEXT", help="where the price comes from")
    add.add_argument("--conf", required=True, choices=["A", "B", "C"], help="price confidence (A official page)")
    add.add_argument("--date-conf", choices=["A", "B", "C"], help="confidence in --from (default: --conf)")
    add.add_argument("--tier", default="standard", metavar="T", help="service tier (default standard)")
    add.add_argument(
        "--prompt-tokens-gt", type=int, default=0, metavar="N", help="long-context tier threshold (default 0)"
    )
    add.add_argument("--notes", default="", metavar="TEXT")
    add.add_argument("--dry-run", action="store_true", help="print the would-be diff; write nothing")
    _book(add)
    add.set_defaults(func=cmd_add)
