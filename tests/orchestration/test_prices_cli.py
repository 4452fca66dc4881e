"""`finops prices check / show / add` on a temporary copy of pricing_seeds, through orchestration.cli main()."""

import csv
import re
import shutil
from pathlib import Path

import pytest

from orchestration import cli
from orchestration.settings import PRICING_SEEDS_DIR

BOOK = "pricing_seeds"
O3_INPUT_CURRENT = (
    "openai,o3-2025-04-16,input_tokens,standard,0,2025-06-10,,per_1m_tokens,USD,2,B,B,GP;LL;OAI-O3,"
    '"80% cut; flex 1/0.25/4, priority 3.5/0.875/14 (LL-WS, C)"\n'
)


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    """A copy of the real book at ./pricing_seeds, so messages name pricing_seeds/<file>:<line>."""
    folder = tmp_path / BOOK
    shutil.copytree(PRICING_SEEDS_DIR, folder, ignore=shutil.ignore_patterns("generated"))
    monkeypatch.chdir(tmp_path)
    return folder


def finops(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["prices", *args])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def append(path: Path, line: str) -> int:
    """Append a CSV line; returns its line number as an editor shows it."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def table_rows(output: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]


# ------------------------------------------------------------------------------------------------ check


def test_check_passes_on_the_real_book_with_its_counts(book, capsys):
    # counts worked out independently of the checker, straight from the CSVs
    with (book / "price_book.csv").open(newline="") as f:
        prices = list(csv.DictReader(f))
    with (book / "model_aliases.csv").open(newline="") as f:
        aliases = {(row["provider"], row["alias"]) for row in csv.DictReader(f)}
    models = {(row["provider"], row["model_id"]) for row in prices if row["model_id"] != "*"}
    providers = {row["provider"] for row in prices}
    code, out, err = finops(capsys, "check", "--book", str(book))
    assert (code, err) == (0, "")
    assert out == (
        f"price book OK: {len(prices)} price rows, {len(models)} models, {len(providers)} providers, "
        f"{len(aliases)} aliases\n"
    )


def test_check_passes_on_the_repo_book_by_default(capsys):
    code, out, _ = finops(capsys, "check")
    assert code == 0 and out.startswith("price book OK: ")


PRICE_ROW = "openai,zz-test-model,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,1,A,A,TEST,"


@pytest.mark.parametrize(
    "file, line, expected",
    [
        (
            "price_book.csv",
            # o3's pre-cut input window is [2025-04-16, 2025-06-10) (the 10 USD row)
            "openai,o3-2025-04-16,input_tokens,standard,0,2025-05-01,2025-06-01,per_1m_tokens,USD,7,B,B,TEST,",
            ": the window [2025-05-01, 2025-06-01) of openai o3-2025-04-16 input_tokens (standard, "
            "prompt_tokens_gt 0) overlaps [2025-04-16, 2025-06-10) on line {o3_pre_cut}; set line {o3_pre_cut}'s "
            "effective_to to 2025-05-01",
        ),
        (
            "price_book.csv",
            "openai,o3-2025-04-16,input_tokens,standard,0,2025-04-16,2025-05-01,per_1m_tokens,USD,7,B,B,TEST,",
            ": openai o3-2025-04-16 input_tokens (standard, prompt_tokens_gt 0) has two price rows starting "
            "2025-04-16 (the other on line {o3_pre_cut})",
        ),
        ("price_book.csv", PRICE_ROW.replace(",USD,1,", ",USD,-1,"), ": unit_price -1 is negative"),
        ("price_book.csv", PRICE_ROW.replace(",USD,1,", ",USD,1e-3,"), ": unit_price '1e-3' is not a decimal number"),
        (
            "price_book.csv",
            PRICE_ROW.replace(",USD,1,", ",USD,0.0000000001,"),
            ": unit_price 0.0000000001 does not fit decimal(18,9)",
        ),
        (
            "price_book.csv",
            PRICE_ROW.replace("2025-01-01", "2025/01/01"),
            ": effective_from '2025/01/01' is not a date",
        ),
        (
            "price_book.csv",
            PRICE_ROW.replace("2025-01-01,,", "2025-01-01,2025-01-01,"),
            ": the window [2025-01-01, 2025-01-01) is empty",
        ),
        (
            "price_book.csv",
            PRICE_ROW.replace("input_tokens", "input_tokenz"),
            ": usage type 'input_tokenz' is not in usage_types.csv (close: input_tokens",
        ),
        (
            "price_book.csv",
            PRICE_ROW.replace("per_1m_tokens", "per_image"),
            ": unit per_image does not match usage type input_tokens, which is measured per_1m_tokens",
        ),
        ("price_book.csv", PRICE_ROW.replace(",standard,", ",,"), ": service_tier is empty"),
        (
            "price_book.csv",
            PRICE_ROW + "note, with a comma",
            ": the record has 15 fields but the header has 14",
        ),
        (
            "price_book.csv",
            # gpt-4o-2024-08-06's base input row starts 2024-08-06: it cannot cover a tier from 2024-01-01
            "openai,gpt-4o-2024-08-06,input_tokens,standard,128000,2024-01-01,,per_1m_tokens,USD,5,C,C,TEST,",
            ": the >128000 tier row of openai gpt-4o-2024-08-06 input_tokens (standard) [2024-01-01, open) has no "
            "base row (prompt_tokens_gt 0) covering that window",
        ),
        (
            "model_aliases.csv",
            # gpt-4o -> gpt-4o-2024-05-13 until 2024-10-02, then -> gpt-4o-2024-08-06
            "openai,gpt-4o,gpt-4o-2024-08-06,2024-09-01,2024-10-01,C,TEST",
            ": the window [2024-09-01, 2024-10-01) of openai alias gpt-4o overlaps [2024-05-13, 2024-10-02) on line 2",
        ),
        (
            "model_aliases.csv",
            "anthropic,gpt-5,gpt-5-2025-08-07,2025-08-07,,C,TEST",
            ": alias gpt-5 points at gpt-5-2025-08-07, which has no anthropic price rows",
        ),
        (
            "price_modifiers.csv",
            "openai,*,batch,input_tokens|output_tokenz,,0.5,2030-01-01,,,C,TEST,",
            ": usage_types lists 'output_tokenz', which is not in usage_types.csv",
        ),
        (
            "price_modifiers.csv",
            "openai,*,batch,input_tokens,,x0.5,2030-01-01,,,C,TEST,",
            ": multiplier 'x0.5' is not a decimal number",
        ),
        (
            "price_modifiers.csv",
            "openai,*,off_peak,input_tokens,,0.5,2030-01-01,,4pm-6pm,C,TEST,",
            ": time_window_utc '4pm-6pm' is not a UTC time window",
        ),
        (
            "usage_types.csv",
            "web_fetch_requests,per_1k_requests,none,web_fetches,",
            ": fallback_usage_type 'web_fetches' is not a usage type of pricing_seeds/usage_types.csv",
        ),
    ],
)
def test_each_bad_row_is_one_sentence_with_file_and_line(book, capsys, file, line, expected):
    o3_pre_cut = next(
        n
        for n, text in enumerate(lines_of(book / "price_book.csv"), start=1)
        if text.startswith("openai,o3-2025-04-16,input_tokens,standard,0,2025-04-16,2025-06-10,")
    )
    number = append(book / file, line)
    code, out, err = finops(capsys, "check", "--book", str(book))
    assert code == 1
    problems = out.splitlines()
    assert len(problems) == 1, out  # exactly one problem: the bad row's, starting with file:line and what is wrong
    assert problems[0].startswith(f"{BOOK}/{file}:{number}" + expected.format(o3_pre_cut=o3_pre_cut)), out
    assert problems[0].endswith(".") and problems[0].count("; ") >= 1  # what is wrong; how to fix it.
    assert err == f"finops: 1 problem in the price book {BOOK}; fix them and run finops prices check again.\n"


def test_a_missing_column_is_reported_on_the_header(book, capsys):
    path = book / "price_book.csv"
    path.write_text(path.read_text().replace(",currency,", ",", 1))
    code, out, _ = finops(capsys, "check", "--book", str(book))
    assert code == 1
    assert out.startswith(f"{BOOK}/price_book.csv:1: the header lacks column currency; the header must name")


def test_generated_seeds_are_read_after_the_curated_book(book, capsys):
    generated = book / "generated"
    generated.mkdir()
    header = lines_of(book / "price_book.csv")[0]
    # one new model, and one row that repeats a curated key with another window (curated wins in dbt: no overlap)
    (generated / "upstream__price_book.csv").write_text(
        header
        + "xai,grok-test,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,3,B,C,upstream,\n"
        + "openai,o3-2025-04-16,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,2,B,C,upstream,\n"
        + "xai,grok-test,output_tokens,standard,0,2025-01-01,2024-01-01,per_1m_tokens,USD,15,B,C,upstream,\n"
    )
    (generated / "upstream__model_matches.csv").write_text("provider,model_id,rank,kind,pattern\nxai,grok,1,x,y\n")
    code, out, _ = finops(capsys, "check", "--book", str(book))
    assert code == 1
    assert out == (
        f"{BOOK}/generated/upstream__price_book.csv:4: the window [2025-01-01, 2024-01-01) is empty (effective_to "
        "must be after effective_from); fix one of the dates or leave effective_to empty for a price still in "
        "effect.\n"
    )
    (generated / "upstream__price_book.csv").write_text("".join(lines_of(generated / "upstream__price_book.csv")[:3]))
    code, out, _ = finops(capsys, "check", "--book", str(book))
    assert code == 0 and out.endswith(" (2 price rows from generated seeds)\n")
    code, out, _ = finops(capsys, "show", "grok-test", "--book", str(book))
    assert code == 0
    assert [
        "input_tokens",
        "standard",
        "-",
        "2025-01-01 .. current",
        "3 USD / 1M tokens",
        "B/C",
        "upstream [generated]",
    ] in table_rows(out)


# ------------------------------------------------------------------------------------------------- show


def test_show_o3_lists_the_2025_06_10_cut(book, capsys):
    # pricing_seeds/price_book.csv: o3-2025-04-16 input 10 and output 40 USD per 1M tokens on
    # [2025-04-16, 2025-06-10), then input 2 and output 8 from 2025-06-10 (the 80% cut)
    code, out, _ = finops(capsys, "show", "o3-2025-04-16", "--book", str(book))
    assert code == 0
    rows = table_rows(out)
    assert out.splitlines()[0] == f"openai o3-2025-04-16: 9 price rows ({BOOK}/price_book.csv)"
    assert ["input_tokens", "standard", "-", "2025-04-16 .. 2025-06-10", "10 USD / 1M tokens", "B/B", "LL;LP"] in rows
    assert [
        "input_tokens",
        "standard",
        "-",
        "2025-06-10 .. current",
        "2 USD / 1M tokens",
        "B/B",
        "GP;LL;OAI-O3",
    ] in rows
    assert ["output_tokens", "standard", "-", "2025-04-16 .. 2025-06-10", "40 USD / 1M tokens", "B/B", "LL;LP"] in rows
    assert [
        "output_tokens",
        "standard",
        "-",
        "2025-06-10 .. current",
        "8 USD / 1M tokens",
        "B/B",
        "GP;LL;OAI-O3",
    ] in rows
    # history reads in order: the pre-cut input row comes right before the post-cut one
    starts = [row[0] + " " + row[3] for row in rows if row[0] == "input_tokens" and row[1] == "standard"]
    assert starts == ["input_tokens 2025-04-16 .. 2025-06-10", "input_tokens 2025-06-10 .. current"]


def test_show_an_alias_lists_both_windows_and_each_targets_prices(book, capsys):
    code, out, _ = finops(capsys, "show", "GPT-4o", "--provider", "openai", "--book", str(book))
    assert code == 0
    rows = table_rows(out)
    assert out.splitlines()[0] == f"openai alias gpt-4o: 2 windows ({BOOK}/model_aliases.csv)"
    assert ["2024-05-13 .. 2024-10-02", "gpt-4o-2024-05-13", "C", "memory (OpenAI models page; not seen)"] in rows
    assert ["2024-10-02 .. current", "gpt-4o-2024-08-06", "B", "OAI-ALIAS"] in rows
    # each target's prices: 05-13 stayed at 5 / 15 (and 8.75 / 26.25 priority); 08-06 is the cut snapshot at 2.5 / 10
    assert f"gpt-4o -> openai gpt-4o-2024-05-13: 4 price rows ({BOOK}/price_book.csv)" in out
    assert [
        "input_tokens",
        "standard",
        "-",
        "2024-05-13 .. current",
        "5 USD / 1M tokens",
        "A/B",
        "OAI-SO;LL;LF",
    ] in rows
    assert [
        "output_tokens",
        "standard",
        "-",
        "2024-08-06 .. current",
        "10 USD / 1M tokens",
        "A/A",
        "OAI-SO;LL;GP",
    ] in rows


def test_show_an_unknown_model_suggests_close_names(book, capsys):
    code, out, err = finops(capsys, "show", "gpt-4x", "--book", str(book))
    assert (code, out) == (1, "")
    assert err == f"finops: {BOOK} has no price rows or alias named 'gpt-4x'; close names: gpt-4, gpt-4o, gpt-4.1.\n"
    code, _, err = finops(capsys, "show", "o3", "--provider", "anthropic", "--book", str(book))
    assert code == 1
    assert "named 'o3' of provider anthropic; it is in the book for openai" in err


# -------------------------------------------------------------------------------------------------- add

ADD_O3 = (
    "add",
    "--provider",
    "openai",
    "--model",
    "o3-2025-04-16",
    "--usage-type",
    "input_tokens",
    "--price",
    "1.50",
    "--source",
    "OAI-PRICING, 2026-01 page",
    "--conf",
    "A",
    "--notes",
    'the "2026" cut',
)


def test_add_closes_the_open_window_and_inserts_after_the_keys_last_row(book, capsys):
    path = book / "price_book.csv"
    before = lines_of(path)
    at = before.index(O3_INPUT_CURRENT)  # 0-based index of o3's current input row (2 USD since 2025-06-10)
    code, out, err = finops(capsys, *ADD_O3, "--from", "2026-01-01", "--book", str(book))
    assert (code, err) == (0, ""), err
    after = lines_of(path)
    closed = O3_INPUT_CURRENT.replace(",2025-06-10,,", ",2025-06-10,2026-01-01,")
    added = (
        "openai,o3-2025-04-16,input_tokens,standard,0,2026-01-01,,per_1m_tokens,USD,1.5,A,A,"
        '"OAI-PRICING, 2026-01 page","the ""2026"" cut"\n'
    )
    # every other line byte-identical, the closed row in place, the new one right after it (the key's last row)
    assert after == [*before[:at], closed, added, *before[at + 1 :]]
    assert out == (
        f"{BOOK}/price_book.csv:{at + 2}: added openai o3-2025-04-16 input_tokens (standard, prompt_tokens_gt 0) "
        f"at 1.5 USD per 1M tokens from 2026-01-01; closed the window of 2 from 2025-06-10 "
        f"({BOOK}/price_book.csv:{at + 1}) at 2026-01-01.\n"
    )
    assert finops(capsys, "check", "--book", str(book))[0] == 0
    # the history now has three input windows: 10, then 2 until 2026-01-01, then 1.5
    rows = table_rows(finops(capsys, "show", "o3-2025-04-16", "--book", str(book))[1])
    assert [row[3:5] for row in rows if row[:2] == ["input_tokens", "standard"]] == [
        ["2025-04-16 .. 2025-06-10", "10 USD / 1M tokens"],
        ["2025-06-10 .. 2026-01-01", "2 USD / 1M tokens"],
        ["2026-01-01 .. current", "1.5 USD / 1M tokens"],
    ]


def test_add_dry_run_prints_the_diff_and_writes_nothing(book, capsys):
    path = book / "price_book.csv"
    before = path.read_bytes()
    code, out, _ = finops(capsys, *ADD_O3, "--from", "2026-01-01", "--dry-run", "--book", str(book))
    assert code == 0
    assert path.read_bytes() == before
    changed = [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "-" + O3_INPUT_CURRENT.rstrip("\n"),
        "+" + O3_INPUT_CURRENT.rstrip("\n").replace(",2025-06-10,,", ",2025-06-10,2026-01-01,"),
        "+openai,o3-2025-04-16,input_tokens,standard,0,2026-01-01,,per_1m_tokens,USD,1.5,A,A,"
        '"OAI-PRICING, 2026-01 page","the ""2026"" cut"',
    ]


def test_add_keeps_crlf_endings_and_quoting_of_untouched_fields(tmp_path, capsys):
    folder = tmp_path / "book"
    shutil.copytree(PRICING_SEEDS_DIR, folder, ignore=shutil.ignore_patterns("generated"))
    header = lines_of(folder / "price_book.csv")[0].rstrip("\n")
    # a hand-written file: CRLF endings and a needlessly quoted note
    old_row = 'acme,m-1,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,"3.0",B,C,"S",' + '"plain"'
    (folder / "price_book.csv").write_bytes(f"{header}\r\n{old_row}\r\n".encode())
    (folder / "model_aliases.csv").write_text("provider,alias,model_id,effective_from,effective_to,date_conf,sources\n")
    code, _, err = (
        cli.main(
            [
                "prices",
                "add",
                "--provider",
                "acme",
                "--model",
                "m-1",
                "--usage-type",
                "input_tokens",
                "--from",
                "2025-03-01",
                "--price",
                "2",
                "--source",
                "S2",
                "--conf",
                "B",
                "--book",
                str(folder),
            ]
        ),
        *capsys.readouterr(),
    )
    assert code == 0, err
    assert (folder / "price_book.csv").read_bytes() == (
        f"{header}\r\n"
        'acme,m-1,input_tokens,standard,0,2025-01-01,2025-03-01,per_1m_tokens,USD,"3.0",B,C,"S","plain"\r\n'
        "acme,m-1,input_tokens,standard,0,2025-03-01,,per_1m_tokens,USD,2,B,B,S2,\r\n"
    ).encode()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (  # on the start of the latest window (2025-06-10): would rewrite history
            ("--model", "o3-2025-04-16", "--usage-type", "input_tokens", "--from", "2025-06-10", "--price", "1.5"),
            "--from 2025-06-10 is on or before 2025-06-10, where the latest price of openai o3-2025-04-16 "
            "input_tokens (standard, prompt_tokens_gt 0) starts",
        ),
        (  # backdated inside the pre-cut window
            ("--model", "o3-2025-04-16", "--usage-type", "output_tokens", "--from", "2025-05-01", "--price", "30"),
            "--from 2025-05-01 is on or before 2025-06-10",
        ),
        (  # the latest >200k opus-4-6 window is closed, [2026-02-05, 2026-03-13)
            (
                "--provider",
                "anthropic",
                "--model",
                "claude-opus-4-6",
                "--usage-type",
                "input_tokens",
                "--prompt-tokens-gt",
                "200000",
                "--from",
                "2026-03-01",
                "--price",
                "9",
            ),
            "--from 2026-03-01 falls inside the closed window [2026-02-05, 2026-03-13) of anthropic claude-opus-4-6 "
            "input_tokens (standard, prompt_tokens_gt 200000)",
        ),
        (  # 2 USD is already o3's input price since 2025-06-10
            ("--model", "o3-2025-04-16", "--usage-type", "input_tokens", "--from", "2026-01-01", "--price", "2.00"),
            "already costs 2 since 2025-06-10",
        ),
        (
            ("--model", "gpt-4o", "--usage-type", "input_tokens", "--from", "2026-01-01", "--price", "2"),
            "gpt-4o is an alias of openai model gpt-4o-2024-08-06",
        ),
        (
            ("--model", "o3-2025-04-16", "--usage-type", "input_tokns", "--from", "2026-01-01", "--price", "2"),
            "--usage-type 'input_tokns' is not a usage type of the book; close: input_tokens",
        ),
        (
            ("--model", "o3-2025-04-16", "--usage-type", "input_tokens", "--from", "2026-1-1", "--price", "2"),
            "--from must be a UTC date like 2025-06-10 (got '2026-1-1')",
        ),
        (
            ("--model", "o3-2025-04-16", "--usage-type", "input_tokens", "--from", "2026-01-01", "--price", "0.1e1"),
            "--price '0.1e1' is not a plain decimal",
        ),
        (  # a >200k tier from 2025-01-01 has no base row: o3's base input starts 2025-04-16
            (
                "--model",
                "o3-2025-04-16",
                "--usage-type",
                "input_tokens",
                "--prompt-tokens-gt",
                "200000",
                "--from",
                "2025-01-01",
                "--price",
                "4",
            ),
            "the new row would break the book: pricing_seeds/price_book.csv:",
        ),
    ],
)
def test_add_refuses_and_leaves_the_file_byte_identical(book, capsys, args, fragment):
    path = book / "price_book.csv"
    before = path.read_bytes()
    argv = ["add", "--provider", "openai", "--source", "TEST", "--conf", "C", "--book", str(book), *args]
    code, out, err = finops(capsys, *argv)
    assert code == 1
    assert path.read_bytes() == before
    assert [p.name for p in book.iterdir() if p.name.endswith(".tmp")] == []
    assert out == ""
    assert err.startswith("finops: ") and fragment in err and err.count("\n") == 1, err


def test_add_places_a_new_key_after_the_models_last_row_and_a_new_model_at_the_end(book, capsys):
    path = book / "price_book.csv"
    before = lines_of(path)
    last_o3 = max(i for i, line in enumerate(before) if line.startswith("openai,o3-2025-04-16,"))
    code, _, err = finops(
        capsys, "add", "--provider", "openai", "--model", "o3-2025-04-16", "--usage-type", "output_tokens",
        "--tier", "flex", "--from", "2025-06-10", "--price", "4", "--source", "LL-WS", "--conf", "C",
        "--book", str(book),
    )  # fmt: skip
    assert (code, err) == (0, "")
    flex = "openai,o3-2025-04-16,output_tokens,flex,0,2025-06-10,,per_1m_tokens,USD,4,C,C,LL-WS,\n"
    assert lines_of(path) == [*before[: last_o3 + 1], flex, *before[last_o3 + 1 :]]
    code, _, err = finops(
        capsys, "add", "--provider", "acme", "--model", "acme-1", "--usage-type", "images_1024x1024",
        "--from", "2026-02-01", "--price", "0.040", "--source", "ACME page", "--conf", "A", "--book", str(book),
    )  # fmt: skip
    assert (code, err) == (0, "")
    # the unit comes from usage_types.csv (images_* are per_image); 0.040 is written 0.04
    assert (
        lines_of(path)[-1] == "acme,acme-1,images_1024x1024,standard,0,2026-02-01,,per_image,USD,0.04,A,A,ACME page,\n"
    )
    assert lines_of(path)[:-1] == [*before[: last_o3 + 1], flex, *before[last_o3 + 1 :]]


def test_a_base_price_under_an_open_tier_needs_the_tier_first(book, capsys):
    # claude-sonnet-4-5: input 3 (base) and 6 (> 200000) both open since 2025-09-29; closing the base alone
    # would leave the open tier row without a base row covering it
    sonnet = ("add", "--provider", "anthropic", "--model", "claude-sonnet-4-5-20250929", "--usage-type",
              "input_tokens", "--from", "2026-06-01", "--source", "TEST", "--conf", "B", "--book", str(book))  # fmt: skip
    path = book / "price_book.csv"
    before = path.read_bytes()
    code, _, err = finops(capsys, *sonnet, "--price", "2.5")
    assert code == 1 and path.read_bytes() == before
    assert "has no base row (prompt_tokens_gt 0) covering that window" in err
    assert "add the tier's new price from the same day first (--prompt-tokens-gt), then this one" in err
    assert finops(capsys, *sonnet, "--price", "5", "--prompt-tokens-gt", "200000")[0] == 0
    assert finops(capsys, *sonnet, "--price", "2.5")[0] == 0
    assert finops(capsys, "check", "--book", str(book))[0] == 0


def test_a_folder_without_a_price_book_is_one_sentence(tmp_path, capsys):
    code, out, err = finops(capsys, "check", "--book", str(tmp_path / "nowhere"))
    assert (code, out) == (1, "")
    assert err.startswith("finops: ") and "has no price_book.csv; point --book at the folder" in err
    assert err.count("\n") == 1


# ------------------------------------------------------------------------------------------------ before a run


def test_a_run_is_refused_with_the_first_problem_and_how_many_more(book):
    from orchestration.errors import FinopsError
    from orchestration.prices.check import require_valid_book

    require_valid_book(book)  # the real book: no problem, no exception
    overlap = "openai,o3-2025-04-16,input_tokens,standard,0,2025-05-01,2025-06-01,per_1m_tokens,USD,7,B,B,TEST,"
    first = append(book / "price_book.csv", overlap)
    append(book / "price_book.csv", overlap.replace("2025-05-01,2025-06-01", "2025-05-02,2025-06-02"))
    with pytest.raises(FinopsError) as refused:
        require_valid_book(book)
    message = str(refused.value)
    assert message.startswith(f"{BOOK}/price_book.csv:{first}: the window [2025-05-01, 2025-06-01) of openai ")
    # the second row overlaps the pre-cut row and the first appended one: two more problems, counted, not listed
    assert message.endswith(" (and 2 more problems: `finops prices check` lists them); nothing was loaded.")
    assert message.count("overlaps") == 1


def test_finops_run_stops_on_a_bad_book_before_anything_is_fetched_or_written(book, tmp_path, monkeypatch):
    from datetime import date

    from orchestration import runner
    from orchestration.errors import FinopsError

    home = tmp_path / "home"
    monkeypatch.setenv("FINOPS_HOME", str(home))
    # a configured source pointed at a closed port: a fetch would fail with another sentence
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-test-not-a-real-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9")
    number = append(
        book / "price_book.csv", "openai,gpt-4o,input_tokens,standard,0,2025-06-01,,per_1m_tokens,USD,x,B,B,T,"
    )
    monkeypatch.setattr(runner, "PRICING_SEEDS_DIR", book)
    with pytest.raises(FinopsError) as refused:
        runner.run_pipeline(date(2025, 6, 1), date(2025, 6, 1))
    assert str(refused.value).startswith(f"{BOOK}/price_book.csv:{number}: ")
    assert str(refused.value).endswith("; nothing was loaded.")
    assert not home.exists()  # nothing was written, nothing fetched
