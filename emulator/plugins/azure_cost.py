"""The Azure Cost Management shape: the organisation's Azure OpenAI usage as a Cost Management export of the "Cost and
usage details (actual)" dataset holds it, for a Microsoft Customer Agreement (MCA) billing account, as CSV.

What the reader (``connectors/azure_cost/reader.py``) takes as the contract, and what is written:

* One file per UTC day with usage: ``costdetails-actual-YYYY-MM-DD.csv``, the MCA columns of version
  2023-12-01-preview in the order of ``tests/fixtures/azure_cost/mca_actual_cost.csv`` (Microsoft's
  ``cost-usage-details-mca`` schema), dates ``MM/DD/YYYY``, ``tags`` a JSON object, amounts exact decimals.
* One line per (day, subscription, meter): subscription ``5c1f7a2e-8b3d-4e6f-9a0c-2d4b6e8f1a3c``, billed in USD
  (``billingCurrency`` = ``pricingCurrency`` = USD, ``exchangeRatePricingToBilling`` 1, ``costInUsd`` =
  ``costInBillingCurrency``).
* Azure OpenAI lines: ``meterCategory`` ``"Cognitive Services"``, ``meterSubCategory`` ``"Azure OpenAI"`` ([MS]
  azure-ai-docs manage-costs.md: service "Cognitive Services", service tier "Azure OpenAI"); ``meterName`` ``"gpt-4o-
  0806-Inp-glbl Tokens"``, ``"gpt-4o-0806-Outp-glbl Tokens"``, ``"gpt-4o-0806-cchd-Inp-glbl Tokens"`` (cached
  input), ``"gpt-4o-mini-0718-Inp-glbl Tokens"``, ``"gpt-4o-mini-0718-Outp-glbl Tokens"`` (3P: the Azure Retail
  Prices meter names quoted in public code, research note section 2); ``unitOfMeasure`` ``"1K"``; ``quantity`` =
  tokens / 1000 (exact); ``effectivePrice`` = ``unitPrice`` = ``PayGPrice`` = the price per 1K tokens (global
  deployment list price); ``costInBillingCurrency`` = quantity x effectivePrice, exact. NB: the research note
  (section 3, [MS] finops-toolkit convert.md) and ``tests/fixtures/azure_cost/README.md`` read ``Quantity`` as
  tokens and the price as per ``unitOfMeasure`` block; this plugin writes what the lead's brief fixes (quantity
  in thousands of tokens, cost = quantity x price), which no Microsoft page here confirms either way.
* ``chargeType`` Usage, ``pricingModel`` OnDemand, ``publisherType`` Microsoft, ``consumedService``
  Microsoft.CognitiveServices, the resource an Azure OpenAI account in ``eastus``.
* Lines the reader must leave out: two ``"Storage"`` lines a day (blob capacity and operations).

The warehouse files every Azure OpenAI line under provider ``azure_openai`` (``dbt_project/models/staging/
azure_cost``): :meth:`AzureCostPlugin.billed_lines` are the written Azure OpenAI lines in USD; the ground truth,
the billed totals and the token quantities are built from them.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal, localcontext
from pathlib import Path

from emulator.org import (
    AZURE_SUBSCRIPTION,
    BilledLine,
    SimulatedOrg,
    Split,
    _days,
)
from emulator.plugin import BilledExportPlugin
from emulator.pricing import EXACT

PROVIDER = "azure_openai"
USAGE_TYPES = ("input_tokens", "cache_read_tokens", "output_tokens")
PER_1K = Decimal(1_000)
BILLING_ACCOUNT = "7a3e91c4-25bd-4f08-9c6e-0d2f8b4a6e13:1f9c7d2b-8e4a-4b5c-a3d6-92e0f1b7c845_2019-05-31"
RESOURCE_GROUP = "rg-genai-prod"
OPENAI_ACCOUNT = "acme-openai-eastus"
RESOURCE_ID = (
    f"/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/"
    f"Microsoft.CognitiveServices/accounts/{OPENAI_ACCOUNT}"
)
STORAGE_ID = (
    f"/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/"
    "Microsoft.Storage/storageAccounts/acmegenaidata"
)

# model as deployed -> (the meters' model words, model id, meter name per usage type, team tag)
MODELS = {
    "gpt-4o-2024-08-06": (
        "gpt-4o-0806",
        "gpt-4o-2024-08-06",
        {
            "input_tokens": "gpt-4o-0806-Inp-glbl Tokens",
            "cache_read_tokens": "gpt-4o-0806-cchd-Inp-glbl Tokens",
            "output_tokens": "gpt-4o-0806-Outp-glbl Tokens",
        },
        "assistant",
    ),
    "gpt-4o-mini-2024-07-18": (
        "gpt-4o-mini-0718",
        "gpt-4o-mini-2024-07-18",
        {
            "input_tokens": "gpt-4o-mini-0718-Inp-glbl Tokens",
            "output_tokens": "gpt-4o-mini-0718-Outp-glbl Tokens",
        },
        "classifier",
    ),
}
# the other lines of a day, left out by the reader: (meter subcategory, meter name, unit, quantity, price)
STORAGE_LINES = (
    ("Tiered Block Blob", "Hot LRS Data Stored", "1 GB/Month", "41.935483871", "0.0208"),
    ("Tiered Block Blob", "Hot LRS Write Operations", "10K", "12.3456", "0.065"),
)

# MCA cost details (2023-12-01-preview), in the fixture's order
COLUMNS = (
    "invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,"
    "invoiceSectionId,invoiceSectionName,resellerName,resellerMpnId,costCenter,billingPeriodEndDate,"
    "billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,productOrderId,"
    "productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,ProductId,"
    "ProductName,SubscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,"
    "ResourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,"
    "pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,"
    "exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,"
    "tags,PayGPrice,frequency,term,reservationId,reservationName,pricingModel,unitPrice,costAllocationRuleName,"
    "benefitId,benefitName,provider"
).split(",")


def _text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _us(day: date) -> str:
    return f"{day:%m/%d/%Y}"


def _meter_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"azure-meter:{name}"))


class DayExport:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.lines: list[BilledLine] = []


class AzureCostPlugin(BilledExportPlugin):
    name = "azure_cost"
    title = "Azure Cost Management export (Azure OpenAI)"
    usage_dims = ("subscription_id", "model")
    metrics = USAGE_TYPES

    # -- the organisation as Azure reports it ----------------------------------------------------------------

    def simulate(self, org: SimulatedOrg, day: date):
        for s, model, _model_id, rng, total in org.active_streams(self.name, day):
            cached = int(total * s.cache_read_share)
            output = int(total * s.output_ratio * rng.uniform(0.85, 1.15))
            metrics = {"input_tokens": total - cached, "cache_read_tokens": cached, "output_tokens": output}
            yield {"subscription_id": s.account, "model": model}, metrics

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        return {**dims, **metrics}

    def split(self, row: dict) -> Split:
        return Split(
            model_raw=row["model"],
            account_id=row["subscription_id"],
            api_key_id=None,
            service_tier="standard",
            prompt_tier=0,
            context_window=None,
            quantities={t: row[t] for t in USAGE_TYPES if row[t]},
        )

    # -- the export ------------------------------------------------------------------------------------------

    def export(self, org: SimulatedOrg, day: date) -> DayExport:
        out = DayExport()
        for record in org.records(self.name, day):
            row = self.usage_row(record.dim, record.metric)
            s = self.split(row)
            words, model_id, meters, team = MODELS[s.model_raw]
            for usage_type, tokens in s.quantities.items():
                price = org.prices.unit_price(self.name, s.model_raw, usage_type, "standard", 0, day)
                if price is None:
                    raise RuntimeError(f"No Azure OpenAI price of {s.model_raw} {usage_type} on {day}.")
                with localcontext(EXACT):
                    per_1k = price.unit_price / PER_1K
                    quantity = Decimal(tokens) / PER_1K
                    cost = quantity * per_1k
                out.rows.append(
                    self._row(
                        day,
                        meter=meters[usage_type],
                        category="Cognitive Services",
                        subcategory="Azure OpenAI",
                        product="Azure OpenAI",
                        service="Microsoft.CognitiveServices",
                        resource=RESOURCE_ID,
                        unit="1K",
                        quantity=quantity,
                        price=per_1k,
                        cost=cost,
                        tags={"team": team, "env": "prod"},
                        info={"DeploymentName": f"{words}-global", "ModelVersion": model_id[-10:]},
                    )
                )
                out.lines.append(
                    BilledLine(
                        usage_date=day,
                        provider=PROVIDER,
                        account_id=s.account_id,
                        line_type="usage",
                        currency="USD",
                        cost=cost,
                        cost_usd=cost,
                        model_raw=words,
                        model_id=model_id,
                        usage_type=usage_type,
                        quantity=tokens,
                        list_cost_usd=price.cost(tokens),
                    )
                )
        if not out.rows:
            return out
        for subcategory, meter, unit, quantity, price in STORAGE_LINES:
            with localcontext(EXACT):
                cost = Decimal(quantity) * Decimal(price)
            out.rows.append(
                self._row(
                    day,
                    meter=meter,
                    category="Storage",
                    subcategory=subcategory,
                    product=f"Blob Storage - {meter} - US East",
                    service="Microsoft.Storage",
                    resource=STORAGE_ID,
                    unit=unit,
                    quantity=Decimal(quantity),
                    price=Decimal(price),
                    cost=cost,
                    tags={"team": "data", "env": "prod"},
                    info=None,
                )
            )
        return out

    @staticmethod
    def _row(
        day: date,
        *,
        meter: str,
        category: str,
        subcategory: str,
        product: str,
        service: str,
        resource: str,
        unit: str,
        quantity: Decimal,
        price: Decimal,
        cost: Decimal,
        tags: dict,
        info: dict | None,
    ) -> dict:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            billingAccountId=BILLING_ACCOUNT,
            billingAccountName="Acme Corp",
            billingProfileId="P7QK-4XJM-BG7-PGB",
            billingProfileName="Acme Corp",
            invoiceSectionId="R5TY-LM2N-PJA-PGB",
            invoiceSectionName="GenAI",
            billingPeriodEndDate=_us(end),
            billingPeriodStartDate=_us(start),
            servicePeriodEndDate=_us(end),
            servicePeriodStartDate=_us(start),
            date=_us(day),
            serviceFamily="AI + Machine Learning" if service == "Microsoft.CognitiveServices" else "Storage",
            consumedService=service,
            meterId=_meter_id(meter),
            meterName=meter,
            meterCategory=category,
            meterSubCategory=subcategory,
            meterRegion="US East",
            ProductId="DZH318Z0BQ4M" if category == "Cognitive Services" else "DZH318Z0BNXN",
            ProductName=product,
            SubscriptionId=AZURE_SUBSCRIPTION,
            subscriptionName="acme-genai-prod",
            publisherType="Microsoft",
            publisherName="Microsoft",
            resourceGroupName=RESOURCE_GROUP,
            ResourceId=resource,
            resourceLocation="eastus",
            location="US East",
            effectivePrice=_text(price),
            quantity=_text(quantity),
            unitOfMeasure=unit,
            chargeType="Usage",
            billingCurrency="USD",
            pricingCurrency="USD",
            costInBillingCurrency=_text(cost),
            costInPricingCurrency=_text(cost),
            costInUsd=_text(cost),
            paygCostInBillingCurrency=_text(cost),
            paygCostInUsd=_text(cost),
            exchangeRatePricingToBilling="1",
            exchangeRateDate=_us(start),
            isAzureCreditEligible="True",
            additionalInfo=json.dumps(info) if info else "",
            tags=json.dumps(tags),
            PayGPrice=_text(price),
            frequency="UsageBased",
            pricingModel="OnDemand",
            unitPrice=_text(price),
            provider="Azure",
        )
        return row

    def write_drops(self, org: SimulatedOrg, start: date, end: date, folder: Path) -> list[Path]:
        paths = []
        for day in _days(start, end):
            export = self.export(org, day)
            if not export.rows:
                continue
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(export.rows)
            path = folder / f"costdetails-actual-{day.isoformat()}.csv"
            path.write_text(text.getvalue(), encoding="utf-8")
            paths.append(path)
        return paths

    def billed_lines(self, org: SimulatedOrg, day: date) -> tuple[BilledLine, ...]:
        """Every Azure OpenAI line of the day's export, in USD."""
        return tuple(self.export(org, day).lines)


PLUGIN = AzureCostPlugin()
