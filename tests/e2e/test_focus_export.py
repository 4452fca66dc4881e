"""`finops export focus` end to end (issue 14 item 1): the emulator's billing APIs and Google Cloud's billing export
over four days of June 2025, `finops run`, then the month exported as FOCUS 1.2.

- The BilledCost of the export totals what fct_billed_cost_daily bills for the month, to the cent and beyond.
- The rows of focus_cost_and_usage are checked by hand in its dbt unit test (_focus__models.yml: $17.80 billed
  = 8 + 10 - 5 credit + 1.80 tax + a $3.00 adjustment; list $10.00 / $12.50, effective $7.20 / $10.00), run here
  on the built warehouse.
- The FinOps Foundation's focus-validator 1.0.0, in its own virtualenv (it pins old libraries), validates the
  CSV against its FOCUS 1.0 rules with no failure. Two quirks of validator 1.0.0 are worked around, nothing
  else: (1) it still names four columns as FOCUS 0.5 did (Provider, Publisher, InvoiceIssuer, ResourceID for
  FOCUS 1.0's ProviderName, PublisherName, InvoiceIssuerName, ResourceId), and its SkuPriceId rule reads 0.5's
  ChargeType (1.0's ChargeCategory): the test hands it a copy whose header renames those four and adds
  ChargeType as a copy of ChargeCategory; (2) it reads its ISO 4217 list from a path relative to the working
  directory, so it runs in its site-packages folder.
- FOCUS 1.2's columns and rules that 1.0 does not have (or the validator does not check) are checked from the
  1.2 specification by test_focus_1_2_rules.
"""

import csv
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from e2e_helpers import billing_emulator, serving, usage_sources

from orchestration import cli
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_unit_tests  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIRST, LAST = date(2025, 6, 8), date(2025, 6, 11)
JUNE = date(2025, 6, 1)
D = Decimal
VALIDATOR = ("focus-validator==1.0.0", "multimethod<1.12")
# validator 1.0.0's names of four FOCUS 1.0 columns (those of FOCUS 0.5)
VALIDATOR_1_0_0_NAMES = {
    "ProviderName": "Provider",
    "PublisherName": "Publisher",
    "InvoiceIssuerName": "InvoiceIssuer",
    "ResourceId": "ResourceID",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    saved = dict(os.environ)
    with billing_emulator().start() as server:
        os.environ.update(
            FINOPS_HOME=str(home),
            FINOPS_GCP_BILLING_EXPORT=str(FIXTURES / "gcp_billing" / "export.jsonl"),
            **server.environ(usage_sources(server)),
        )
        try:
            paths = Paths(home)
            prepare_environment(paths)
            check_summary(run_pipeline(FIRST, LAST))
            yield paths
        finally:
            os.environ.clear()
            os.environ.update(saved)


@pytest.fixture(scope="module")
def exported(published, tmp_path_factory):
    """June 2025 as CSV and as Parquet, through `finops export focus`."""
    out = tmp_path_factory.mktemp("focus")
    saved = dict(os.environ)
    os.environ["FINOPS_HOME"] = str(published.home)
    try:
        for name in ("focus-2025-06.csv", "focus-2025-06.parquet"):
            code = cli.main(["export", "focus", "--month", "2025-06", "--out", str(out / name)])
            assert code == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with (out / "focus-2025-06.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {"csv": out / "focus-2025-06.csv", "parquet": out / "focus-2025-06.parquet", "rows": rows}


def bills_of_june(paths: Paths) -> Decimal:
    [(total,)] = serving(
        paths,
        "select sum(billed_cost_usd) from marts.fct_billed_cost_daily "
        "where usage_date >= date '2025-06-01' and usage_date < date '2025-07-01'",
    )
    return total


def test_the_marts_rows_are_the_hand_computation(published):
    run_unit_tests(published.home, "focus_cost_and_usage")


def test_billed_cost_totals_the_months_bills(published, exported, capsys):
    rows = exported["rows"]
    total = sum(D(row["BilledCost"]) for row in rows)
    assert total == bills_of_june(published) and total > 0
    # every kind of row is there: the emulator's usage, Google's credits and its adjustment (a refund line)
    categories = {row["ChargeCategory"] for row in rows}
    assert {"Usage", "Credit", "Adjustment"} <= categories
    # usage rows carry the ledger's list and effective cost, to the last decimal
    [(list_cost, effective)] = serving(
        published,
        "select sum(list_cost_usd), sum(effective_cost_usd) from marts.fct_usage_cost_daily "
        "where is_priced and usage_date >= date '2025-06-01' and usage_date < date '2025-07-01'",
    )
    usage = [row for row in rows if row["ChargeCategory"] == "Usage"]
    assert sum(D(r["ListCost"]) for r in usage) == list_cost
    assert sum(D(r["EffectiveCost"]) for r in usage) == effective


def test_parquet_holds_the_same_rows_as_decimal_and_utc(exported):
    import duckdb

    with duckdb.connect() as conn:
        conn.execute("set TimeZone = 'UTC'")
        described = dict(
            (name, sql_type)
            for name, sql_type, *_ in conn.execute(
                f"describe select * from read_parquet('{exported['parquet']}')"
            ).fetchall()
        )
        [(count, billed)] = conn.execute(
            f"select count(*), sum(BilledCost) from read_parquet('{exported['parquet']}')"
        ).fetchall()
    assert described["BilledCost"] == "DECIMAL(38,12)"
    assert described["ChargePeriodStart"] == "TIMESTAMP WITH TIME ZONE"
    assert list(described) == list(exported["rows"][0])  # the CSV's columns, in its order
    assert count == len(exported["rows"])
    assert billed == sum(D(row["BilledCost"]) for row in exported["rows"])


def test_the_summary_line_counts_rows_and_total(published, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FINOPS_HOME", str(published.home))
    out = tmp_path / "june.csv"
    assert cli.main(["export", "focus", "--month", "2025-06", "--out", str(out)]) == 0
    printed, err = capsys.readouterr()
    with out.open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in handle) - 1
    [(unpriced,)] = serving(
        published,
        "select count(*) from marts.fct_usage_cost_daily where not is_priced "
        "and usage_date >= date '2025-06-01' and usage_date < date '2025-07-01'",
    )
    assert err == ""
    assert f"focus 2025-06: {rows} rows written to {out}; BilledCost total {bills_of_june(published)} USD" in printed
    assert ("usage row(s) of the month have no price" in printed) == (unpriced > 0)
    if unpriced:
        assert f"note: {unpriced} usage row(s)" in printed


# ---- the FinOps Foundation's validator (FOCUS 1.0 rules) ---------------------------------------------------


@pytest.fixture(scope="session")
def focus_validator(request) -> Path:
    """focus-validator 1.0.0 in a virtualenv of its own (python3.11), built once and kept in pytest's cache."""
    key = re.sub(r"[^A-Za-z0-9.]+", "-", "-".join(VALIDATOR))
    venv = Path(request.config.cache.mkdir(f"focus-validator-{key}"))
    exe = venv / "bin" / "focus-validator"
    ready = venv / ".installed"
    if not ready.exists():
        subprocess.run(["python3.11", "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *VALIDATOR],
            check=True,
            capture_output=True,
        )
        ready.write_text("\n".join(VALIDATOR))
    return exe


def validator_copy(source: Path, target: Path) -> list[str]:
    """The export with validator 1.0.0's names of four columns, and ChargeType (0.5's ChargeCategory) added."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    category = header.index("ChargeCategory")
    renamed = [VALIDATOR_1_0_0_NAMES.get(name, name) for name in header] + ["ChargeType"]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(renamed)
        writer.writerows(row + [row[category]] for row in body)
    return renamed


def test_focus_validator_finds_no_error(exported, focus_validator, tmp_path):
    data = tmp_path / "focus-1.0-names.csv"
    header = validator_copy(exported["csv"], data)
    own = set(VALIDATOR_1_0_0_NAMES.values()) | {"ChargeType"}
    assert set(header) - own == set(exported["rows"][0]) - set(VALIDATOR_1_0_0_NAMES)
    report = tmp_path / "report.xml"
    site_packages = subprocess.run(
        [str(focus_validator.with_name("python")), "-c", "import focus_validator, os; "
         "print(os.path.dirname(os.path.dirname(focus_validator.__file__)))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    done = subprocess.run(
        [
            str(focus_validator),
            "--data-file",
            str(data),
            "--validate-version",
            "1.0",
            "--output-type",
            "unittest",
            "--output-destination",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=site_packages,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    root = ET.parse(report).getroot()
    cases = root.findall(".//testcase")
    problems = [
        (case.get("name"), child.get("message"))
        for case in cases
        for child in case
        if child.tag in ("failure", "error")
    ]
    assert problems == []
    # it did check: well over a hundred rules of FOCUS 1.0, none skipped
    assert len(cases) > 100 and root.get("skipped") == "0", ET.tostring(root)[:500]


# ---- FOCUS 1.2 (the columns and rules 1.2 added over 1.0, from the specification) ----------------------------

ISO_4217 = re.compile(r"^[A-Z]{3}$")
UTC_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
NEW_IN_1_1_OR_1_2 = {
    "ServiceProviderName",
    "HostProviderName",
    "InvoiceIssuerName",
    "PricingCurrency",
    "ServiceSubcategory",
    "SkuMeter",
    "SkuPriceDetails",
}


def test_focus_1_2_rules(exported):
    rows = exported["rows"]
    assert rows
    header = set(rows[0])
    assert NEW_IN_1_1_OR_1_2 <= header
    # custom columns are prefixed x_
    assert {"x_ApiKeyId", "x_Team", "x_Feature"} <= header
    for row in rows:
        category = row["ChargeCategory"]
        assert category in {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
        assert row["ChargeClass"] in {"", "Correction"}
        assert row["ChargeFrequency"] in {"One-Time", "Recurring", "Usage-Based"}
        assert ISO_4217.match(row["BillingCurrency"]) and ISO_4217.match(row["PricingCurrency"])
        for column in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"):
            assert UTC_INSTANT.match(row[column]), (column, row[column])
        # the charge period lies inside its billing period (1.2: ChargePeriodStart within the billing period)
        assert row["BillingPeriodStart"] <= row["ChargePeriodStart"] < row["ChargePeriodEnd"] <= row["BillingPeriodEnd"]
        assert row["ServiceCategory"] == "AI and Machine Learning"
        assert row["ServiceSubcategory"] == "Generative AI"  # one of AI and Machine Learning's subcategories
        for column in ("ServiceProviderName", "InvoiceIssuerName", "BillingAccountId", "ServiceName"):
            assert row[column], column
        for column in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
            D(row[column])  # not null, a decimal
        json.loads(row["Tags"]) if row["Tags"] else None
        if category == "Usage":
            # consumed and pricing quantity: not null for usage; tokens are priced per 1M-token block
            quantity, pricing = D(row["ConsumedQuantity"]), D(row["PricingQuantity"])
            assert row["ConsumedUnit"] and row["PricingUnit"]
            if row["PricingUnit"] == "1M Tokens":
                assert row["ConsumedUnit"] == "Tokens" and pricing == quantity / D(1_000_000)
            # ListCost = ListUnitPrice x PricingQuantity; ContractedCost = ContractedUnitPrice x PricingQuantity
            # (each cost rounded to 12 places, as the ledger keeps it)
            assert abs(D(row["ListUnitPrice"]) * pricing - D(row["ListCost"])) < D("1e-9")
            assert abs(D(row["ContractedUnitPrice"]) * pricing - D(row["ContractedCost"])) < D("1e-9")
            assert D(row["ContractedUnitPrice"]) <= D(row["ListUnitPrice"])
            details = json.loads(row["SkuPriceDetails"])
            assert isinstance(details, dict) and details["model_id"] == row["SkuId"]
            assert details["token_type"] == row["SkuMeter"]
            assert row["SkuPriceId"] and row["ResourceId"] == row["x_ApiKeyId"]
            assert D(row["BilledCost"]) >= 0
        else:
            # 1.2: ConsumedQuantity / ConsumedUnit are null when the charge is not usage; so are the prices
            for column in ("ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit", "ListUnitPrice"):
                assert row[column] == "", (column, row)
            # a credit reduces cost; every cost column of a billed line is the billed amount
            if category == "Credit":
                assert D(row["BilledCost"]) <= 0
            assert D(row["EffectiveCost"]) == D(row["BilledCost"]) == D(row["ListCost"])


# ---- refusals -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "out_name", "fragment"),
    [
        ("2025-13", "x.csv", "--month must be a month like 2026-03 (got '2025-13')."),
        ("2025-06", "x.xlsx", "--out must end in .csv or .parquet"),
        ("2025-07", "x.csv", "no published FOCUS rows for 2025-07 (months published: 2025-06)"),
        ("2025-06", "no_such_folder/x.parquet", "cannot write"),
    ],
)
def test_refusals_are_one_sentence_exit_1_and_write_nothing(
    published, tmp_path, capsys, monkeypatch, month, out_name, fragment
):
    monkeypatch.setenv("FINOPS_HOME", str(published.home))
    out = tmp_path / out_name
    code = cli.main(["export", "focus", "--month", month, "--out", str(out)])
    printed, err = capsys.readouterr()
    assert (code, printed) == (1, "")
    assert err.startswith("finops: ") and fragment in err and err.count("\n") == 1, err
    assert not out.exists() and not list(tmp_path.rglob(".*.tmp"))
