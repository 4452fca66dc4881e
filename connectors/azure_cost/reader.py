"""Reader of Azure Cost Management cost-details exports (the "Cost and usage details" datasets, actual or amortized),
dropped in FINOPS_AZURE_COST_EXPORT as CSV, gzipped CSV (``.csv.gz``) or Parquet, the formats Exports writes
(learn.microsoft.com/azure/cost-management-billing/costs/tutorial-improved-exports: "Format as CSV or Parquet",
"Compression type ... Gzip for CSV").

Shapes, by Microsoft's dataset schemas (learn.microsoft.com/azure/cost-management-billing/dataset-schema/):

* ``ea``: Enterprise Agreement (``cost-usage-details-ea``, versions 2020-01-01 to 2024-08-01): ``Date``,
  ``MeterCategory``, ``MeterSubCategory``, ``MeterName``, ``Quantity``, ``CostInBillingCurrency``,
  ``BillingCurrencyCode``, ... No USD amount, no pricing currency, no exchange rate.
* ``mca``: Microsoft Customer Agreement (``cost-usage-details-mca``, 2019-10-01 to 2023-12-01-preview, and the
  partner variants): ``date``, ``meterCategory``, ``costInBillingCurrency``, ``billingCurrency``,
  ``pricingCurrency``, ``costInPricingCurrency``, ``costInUsd``, ``exchangeRatePricingToBilling``,
  ``resourceGroupName``, ...; 2019-10-01 spells ``BillingCurrencyCode``, ``PricingCurrencyCode``, ``ExchangeRate``,
  ``SubscriptionGuid``, ``InstanceName``, ``Product``.
* ``payg``: pay-as-you-go usage (``cost-usage-details-pay-as-you-go``, 2019-11-01): ``SubscriptionGuid``,
  ``UsageDateTime``, ``UsageQuantity``, ``ResourceRate``, ``PreTaxCost``, ``InstanceId``, ``Currency``.

"Some fields might differ in casing and spacing between account types" (understand-usage-details-fields), and
localised portal downloads put the English name in parentheses (``Abonnement-GUID (SubscriptionGuid)``), so headers
are matched case-insensitively on their letters and digits, the parenthesised name first. The schema is told by its
columns: pricing-currency / exchange-rate / USD columns mean ``mca``; ``PreTaxCost`` / ``UsageDateTime`` without
EA's account columns mean ``payg``; anything else is ``ea``.

Dates: EA and MCA files write ``MM/DD/YYYY`` (``02/02/2021`` in opencost's EA and MCA header samples,
opencost/opencost ``pkg/cloud/azure/resources/billingexports/headersets``; Microsoft's Azure Optimization Engine,
microsoft/finops-toolkit ``src/optimization-engine``, parses ``Date`` with ``MM/dd/yyyy``), pay-as-you-go writes
ISO ``YYYY-MM-DD`` (``UsageDateTime``, same samples). Both are parsed explicitly, per value; an ISO value may carry a
midnight time (``T00:00:00Z``, Parquet timestamps). Anything else is refused: a day-first ``DD/MM/YYYY`` cannot be
told from ``MM/DD/YYYY`` when the day is 12 or less, and Cost Management does not write it.

Tags: a JSON object, but older exports leave out the outer braces (``"k": "v","k2": "v2"``); they are added, as the
FinOps toolkit's FOCUS conversion says ("Tags: Wrap in { and } if needed", microsoft/finops-toolkit
``docs-mslearn/focus/convert.md``; ``ftk_NormalizeSchema.pq`` does the same). ``AdditionalInfo`` likewise.

Which lines are AI spend (the rest is left out and counted by meter category in the table's schema metadata,
``finops.left_out``): a line is Azure OpenAI / Foundry Models spend when

* its meter subcategory starts with "Azure OpenAI": Microsoft's cost guide for Azure OpenAI says the service-level
  filter is "Cognitive Services" (shared with the other AI services) and to "scope to Service tier: Azure OpenAI"
  (MicrosoftDocs/azure-ai-docs ``articles/ai-services/openai/how-to/manage-costs.md``), and cost analysis's
  "Service tier" is the meter subcategory ("Service tier or Meter subcategory", MicrosoftDocs/azure-docs
  ``articles/cost-management-billing/costs/group-filter.md``); or
* its meter category is "Foundry Models" or "Azure OpenAI": the newer names of the models sold by Azure (Azure
  Retail Prices ``serviceName`` "Foundry Models" with products "Azure OpenAI", "Azure OpenAI GPT5", ...; seen in
  third-party price tools, UNCONFIRMED in Microsoft's docs); or
* its product name starts with "Azure OpenAI" (the Retail Prices ``productName``; catches purchases whose meter
  fields are blank, UNCONFIRMED).

``ConsumedService`` = ``Microsoft.CognitiveServices`` alone is not enough: Speech, Translator, Vision and Language
share it. Models bought through Azure Marketplace (publisher type ``Marketplace``) are not matched.

Checked in DuckDB in bulk, on the AI lines (the lines landed): a missing date, cost or billing currency, a value of
the wrong type, a date in neither format, tags that are not a JSON object, or a non-USD line with neither a USD
amount nor a rate from USD pricing, rejects the file whole, naming the file and the data row (the n-th row under the
header). Nothing is converted or classified further here: dbt does.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.azure_cost.tables import AZURE_COST_DETAILS
from connectors.files import FileDropError, file_format, scratch, with_left_out

NUMBER = "DECIMAL(38,10)"

# (landed column, the documented names it is read from in order of preference, required in the header)
FIELDS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("date", ("Date", "UsageDateTime", "UsageDate"), True),
    ("billing_account_id", ("BillingAccountId",), False),
    ("subscription_id", ("SubscriptionId", "SubscriptionGuid"), False),
    ("subscription_name", ("SubscriptionName",), False),
    ("resource_group", ("ResourceGroup", "ResourceGroupName"), False),
    ("resource_id", ("ResourceId", "InstanceId", "InstanceName"), False),
    ("resource_location", ("ResourceLocation",), False),
    ("meter_id", ("MeterId",), False),
    ("meter_category", ("MeterCategory",), True),
    ("meter_subcategory", ("MeterSubCategory",), True),
    ("meter_name", ("MeterName",), True),
    ("meter_region", ("MeterRegion",), False),
    ("consumed_service", ("ConsumedService",), False),
    ("product_name", ("ProductName", "Product"), False),
    ("unit_of_measure", ("UnitOfMeasure",), True),
    ("quantity", ("Quantity", "UsageQuantity", "ConsumedQuantity"), True),
    ("effective_price", ("EffectivePrice", "ResourceRate"), False),
    ("unit_price", ("UnitPrice",), False),
    ("cost_in_billing_currency", ("CostInBillingCurrency", "Cost", "PreTaxCost"), True),
    ("billing_currency", ("BillingCurrency", "BillingCurrencyCode", "Currency"), True),
    ("cost_in_usd", ("CostInUsd",), False),
    ("exchange_rate_pricing_to_billing", ("ExchangeRatePricingToBilling", "ExchangeRate"), False),
    ("pricing_currency", ("PricingCurrency", "PricingCurrencyCode"), False),
    ("cost_in_pricing_currency", ("CostInPricingCurrency",), False),
    ("charge_type", ("ChargeType",), False),
    ("pricing_model", ("PricingModel",), False),
    ("publisher_type", ("PublisherType",), False),
    ("tags", ("Tags",), False),
    ("additional_info", ("AdditionalInfo",), False),
)
NUMBERS = tuple(name for name, sql_type in AZURE_COST_DETAILS.columns if sql_type.startswith("DECIMAL"))
JSON_OBJECTS = ("tags", "additional_info")

MCA_MARKERS = frozenset(
    {
        "costinpricingcurrency",
        "pricingcurrency",
        "pricingcurrencycode",
        "exchangeratepricingtobilling",
        "exchangerate",
        "costinusd",
    }
)
EA_MARKERS = frozenset({"accountownerid", "accountname", "departmentname", "billingcurrencycode"})
PAYG_MARKERS = frozenset({"pretaxcost", "usagedatetime"})
AZURE_MARKERS = frozenset({"metercategory", "meterid", "metername", "consumedservice"})
FOCUS_MARKERS = frozenset({"chargeperiodstart", "billedcost"})

EXPECTED = (
    "an Azure Cost Management cost-details export (the 'Cost and usage details' dataset, actual or amortized, of an "
    "EA, MCA or pay-as-you-go account) as .csv, .csv.gz or .parquet, whose header has Date, MeterCategory, "
    "MeterSubCategory, MeterName, Quantity, UnitOfMeasure, CostInBillingCurrency and BillingCurrency (any casing)"
)

FIX = "chr(31)"  # SQL: separates a problem from how to fix it

ISO_DATE = r"\d{4}-\d{2}-\d{2}([T ]00:00(:00(\.0+)?)?(Z|\+00:?00)?)?"
US_DATE = r"\d{1,2}/\d{1,2}/\d{4}"


UNREADABLE_FIX = (
    "it looks truncated or damaged: export it again from Cost Management (nothing of this file was loaded)."
)


def _key(header: str) -> str:
    """A header as compared: the English name in parentheses if any, letters and digits only, lower case."""
    inner = re.search(r"\(([^()]*)\)\s*$", header)
    name = inner.group(1) if inner and inner.group(1).strip() else header
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _shown(column: str) -> str:
    """SQL: the value of ``column`` for a message, quoted and cut to 60 characters."""
    return f"'''' || left({column}, 60) || ''''"


def _schema_of(keys: set[str]) -> str:
    if keys & MCA_MARKERS:
        return "mca"
    if keys & PAYG_MARKERS and not keys & EA_MARKERS:
        return "payg"
    return "ea"


def _header(conn: duckdb.DuckDBPyConnection, reader: str, path: Path, kind: str) -> list[str]:
    try:
        return [row[0] for row in conn.execute(f"describe select * from {reader}", {"path": str(path)}).fetchall()]
    except duckdb.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise FileDropError(f"{path}: not a readable {kind} file ({first}); {UNREADABLE_FIX}") from None


def _resolve(path: Path, header: list[str]) -> tuple[dict[str, str], str]:
    """(landed column -> the file's column, the export schema), or FileDropError naming what is missing."""
    by_key: dict[str, str] = {}
    for name in header:
        by_key.setdefault(_key(name), name)
    keys = set(by_key)
    if FOCUS_MARKERS <= keys:
        raise FileDropError(
            f"{path}: is a FOCUS cost export (ChargePeriodStart, BilledCost), which this source does not read; export "
            "the 'Cost and usage details (actual)' or '(amortized)' dataset instead (nothing of this file was loaded)."
        )
    if not keys & AZURE_MARKERS:
        raise FileDropError(
            f"{path}: is not an Azure cost export; expected {EXPECTED} (nothing of this file was loaded)."
        )
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for column, names, required in FIELDS:
        found = next((by_key[_key(n)] for n in names if _key(n) in by_key), None)
        if found is not None:
            mapping[column] = found
        elif required:
            missing.append(" or ".join(names))
    if missing:
        raise FileDropError(
            f"{path}: this Azure cost export lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            "export the 'Cost and usage details' dataset (actual or amortized), which has them, and drop it again "
            "(nothing of this file was loaded)."
        )
    return mapping, _schema_of(keys)


def _is_ai() -> str:
    return (
        "coalesce(lower(meter_subcategory) like 'azure openai%' "
        "or lower(meter_category) in ('foundry models', 'azure openai') "
        "or lower(product_name) like 'azure openai%', false)"
    )


def _parsed_date() -> str:
    return (
        f"case when regexp_full_match(date, '{ISO_DATE}') then try_cast(left(date, 10) as date) "
        f"when regexp_full_match(date, '{US_DATE}') then cast(try_strptime(date, '%m/%d/%Y') as date) end"
    )


def _json_object(column: str) -> str:
    """SQL: ``column`` as a JSON object's text, braces added when the export left them out."""
    return f"case when left({column}, 1) = '{{' then {column} else '{{' || {column} || '}}' end"


def _checks(mapping: dict[str, str]) -> str:
    """SQL: the first problem of an AI line, as the words after "data row N" and, after a chr(31), how to fix it;
    NULL when it has none (or is not an AI line)."""
    name = {column: _text(mapping.get(column, column)) for column, _, _ in FIELDS}
    rules = [
        f"when date is null then 'has no ' || {name['date']}",
        f"when parsed_date is null then 'has ' || {name['date']} || ' = ' || {_shown('date')} || ', which is neither "
        f"MM/DD/YYYY nor YYYY-MM-DD' || {FIX} || 'export it again as Cost Management writes it (a spreadsheet may "
        "have rewritten the dates)'",
        f"when cost_in_billing_currency is null then 'has no ' || {name['cost_in_billing_currency']}",
        f"when billing_currency is null then 'has no ' || {name['billing_currency']}",
    ]
    for column in NUMBERS:
        rules.append(
            f"when {column} is not null and try_cast({column} as {NUMBER}) is null then 'has ' || {name[column]} || "
            f"' = ' || {_shown(column)} || ', which is not a number'"
        )
    for column in JSON_OBJECTS:
        rules.append(
            f"when {column}_json is not null and (not json_valid({column}_json) "
            f"or json_type(cast({column}_json as json)) <> 'OBJECT') "
            f"then 'has ' || {name[column]} || ' that are not a JSON object'"
        )
    rules.append(
        "when upper(billing_currency) <> 'USD' and cost_in_usd is null "
        f"and not coalesce(try_cast(exchange_rate_pricing_to_billing as {NUMBER}) > 0 "
        "and upper(pricing_currency) = 'USD', false) "
        "then 'is billed in ' || billing_currency || ' but has no CostInUsd and no ExchangeRatePricingToBilling from "
        f"USD pricing, so it cannot be converted to USD' || {FIX} || 'export a dataset that carries them (Microsoft "
        "Customer Agreement cost details do), or one billed in USD'"
    )
    return "case when is_ai then case " + " ".join(rules) + " end end"


def _typed() -> str:
    picks = []
    for column, sql_type in AZURE_COST_DETAILS.columns:
        if column == "date":
            picks.append("cast(parsed_date as timestamp) as date")
        elif column in JSON_OBJECTS:
            picks.append(f"{column}_json as {column}")
        elif column == "export_schema":
            picks.append("export_schema")
        elif sql_type == "VARCHAR":
            picks.append(column)
        else:
            picks.append(f"cast({column} as {sql_type}) as {column}")
    return f"select {', '.join(picks)}, _raw from checked where is_ai order by n"


def read_export(path: Path) -> pa.Table:
    """One Azure cost-details export as an Arrow table of ``raw.azure_cost_cost_details``'s columns plus ``_raw``:
    its AI lines only. The other lines are counted in the schema metadata ``finops.left_out``:
    ``{"rows": <n>, "by_service": {<meter category>: <n>, ...}}``."""
    kind = file_format(path)
    if kind not in ("csv", "parquet"):
        raise FileDropError(f"{path}: is a {kind} file; expected {EXPECTED} (nothing of this file was loaded).")
    reader = (
        "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        if kind == "csv"
        else "read_parquet($path)"
    )
    with scratch() as conn:
        conn.execute("set TimeZone = 'UTC'")
        mapping, schema = _resolve(path, _header(conn, reader, path, kind))
        values = [
            f"nullif(trim(cast(r.{_ident(mapping[column])} as varchar)), '') as {column}"
            if column in mapping
            else f"cast(null as varchar) as {column}"
            for column, _, _ in FIELDS
        ]
        try:
            conn.execute(
                f"create temp table src as select row_number() over () as n, {', '.join(values)}, "
                f"cast(to_json(r) as varchar) as _raw from {reader} as r",
                {"path": str(path)},
            )
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise FileDropError(f"{path}: not a readable {kind} file ({first}); {UNREADABLE_FIX}") from None
        conn.execute(
            f"create temp table checked as select *, {_checks(mapping)} as problem from ("
            f"select *, {_parsed_date()} as parsed_date, {_json_object('tags')} as tags_json, "
            f"{_json_object('additional_info')} as additional_info_json, {_text(schema)} as export_schema "
            f"from (select *, {_is_ai()} as is_ai from src))"
        )
        bad = conn.execute(
            "select n, problem, count(*) over () from checked where is_ai and problem is not null order by n limit 1"
        ).fetchall()
        if bad:
            row, problem, count = bad[0]
            what, _, fix = problem.partition(chr(31))
            more = f" ({count - 1} more row{'s' if count > 2 else ''} too)" if count > 1 else ""
            fix = fix or "export the file again from Cost Management (an edited copy may have lost or rewritten values)"
            raise FileDropError(f"{path}: data row {row} {what}{more}; {fix} (nothing of this file was loaded).")
        others = conn.execute(
            "select coalesce(meter_category, '(no meter category)'), count(*) from checked where not is_ai "
            "group by 1 order by 1"
        ).fetchall()
        table = conn.sql(_typed()).to_arrow_table()
    if tuple(table.column_names) != (*AZURE_COST_DETAILS.column_names, "_raw"):  # pragma: no cover - a reader bug
        raise RuntimeError(f"azure_cost reader columns drifted from {AZURE_COST_DETAILS.name}")
    return with_left_out(table, dict(others))
