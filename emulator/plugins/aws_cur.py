"""The AWS CUR 2.0 shape: the organisation's Amazon Bedrock usage as an AWS Data Exports CUR 2.0 export holds it,
written as gzip-compressed CSV (Data Exports' ``TEXT_OR_CSV`` format with ``GZIP`` compression).

What the reader (``connectors/aws_cur/reader.py``) takes as the contract, and what is written:

* One file per UTC day with usage: ``acme-cur2-YYYY-MM-DD-00001.csv.gz`` (gzip without a name or time, so the same
  day writes the same bytes). Columns are the CUR 2.0 names of AWS's table dictionary, in the order of
  ``tests/fixtures/aws_cur/cur2_bedrock.csv`` (AWS's Data Exports template, alphabetical); timestamps
  ``YYYY-MM-DDTHH:MM:SSZ``; the MAP columns ``product`` and ``resource_tags`` as JSON object text; amounts as exact
  decimals (every cost here is exact at 10 places, AWS's precision).
* Daily lines (``identity_time_interval`` the UTC day), one per (day, usage account, model, token type), all in
  USD, usage account ``210987654321`` (payer ``998877665544``).
* Amazon Nova Pro under ``line_item_product_code`` ``AmazonBedrock`` (``bill_billing_entity`` "AWS"):
  ``line_item_usage_type`` ``"USE1-NovaPro-input-tokens"``, ``"USE1-NovaPro-output-tokens"``,
  ``"USE1-NovaPro-cache-read-input-token-count"``, ``"USE1-NovaPro-cache-write-input-token-count"`` ([AWS]
  cost-mgmt-understanding-cur-data.html patterns ``*-input-tokens``, ``*-output-tokens``,
  ``*-cache-read-input-token-count``, ``*-cache-write-input-token-count``; the Nova Pro names: 3P AWS Price List
  dumps, research note section 2); ``pricing_unit`` ``"1K tokens"``, ``line_item_usage_amount`` = tokens / 1000
  (exact), cost = amount x the price per 1K ($0.0008 / $0.0032 / $0.0002; cache writes $0, their lines cost 0).
* Claude Sonnet 4.5 through AWS Marketplace (research note section 3, 3P): ``bill_billing_entity`` "AWS
  Marketplace", ``line_item_product_code`` the listing's opaque id ``4m7sq2xk9c1vb8nz3hd6pw5tr``,
  ``product['product_name']`` ``"Claude Sonnet 4.5 (Amazon Bedrock Edition)"``, ``line_item_legal_entity``
  "Anthropic, PBC"; usage types ``"USE1-MP:USE1_InputTokenCount-Units"``, ``"USE1-MP:USE1_OutputTokenCount-Units"``
  (3P: grafana/cloudcost-exporter, Price List ``AmazonBedrockFoundationModels``); ``pricing_unit`` ``"Units"``,
  usage amount = tokens / 1,000,000 (exact), cost = amount x the price per 1M tokens ($3.30 / $16.50, the in-region
  price).
* The ``product`` map of a usage line: ``product_name``, ``provider``, ``model`` ("Nova Pro", "Claude Sonnet 4.5"),
  ``inference_type`` ("Input tokens", "Output tokens", "Cache read input tokens", "Cache write input tokens"),
  ``feature`` "On-demand Inference", ``region`` (keys of AWS's 2026 Bedrock product metadata, research note section
  2; the AWS Price List spells the cache ones "Prompt cache read input tokens").
* ``line_item_line_item_type``: ``Usage``; one ``Tax`` line a day per seller (AmazonBedrock, and the Marketplace
  listing: its tax line carries only the product code, as in the fixture), 6% of the seller's day net of credits;
  now and then (on about one day in three) a ``Credit`` line on AmazonBedrock, a promotional credit of a quarter
  of the day's Nova Pro input cost.
* Lines the reader must leave out: two ``AmazonEC2`` lines a day (an instance and its volume).

The warehouse files every Bedrock line under provider ``aws_bedrock`` (``dbt_project/models/staging/aws_cur``):
:meth:`AwsCurPlugin.billed_lines` are the written Bedrock lines in USD; the ground truth, the billed totals and the
token quantities are built from them.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import date, timedelta
from decimal import Decimal, localcontext
from pathlib import Path

from emulator.org import (
    AWS_ACCOUNT,
    BilledLine,
    SimulatedOrg,
    Split,
    _days,
)
from emulator.plugin import BilledExportPlugin
from emulator.pricing import EXACT

PROVIDER = "aws_bedrock"
PAYER, PAYER_NAME, ACCOUNT_NAME = "998877665544", "Acme Corp", "acme-genai"
AWS_ENTITY = "Amazon Web Services, Inc."
LISTING = "4m7sq2xk9c1vb8nz3hd6pw5tr"  # the Marketplace listing of Claude Sonnet 4.5 on Bedrock (made up)
TAX_RATE = Decimal("0.06")
CREDIT_SHARE = Decimal("0.25")
USAGE_TYPES = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")
INFERENCE_TYPES = {
    "input_tokens": "Input tokens",
    "output_tokens": "Output tokens",
    "cache_read_tokens": "Cache read input tokens",
    "cache_write_tokens": "Cache write input tokens",
}
ROLE = f"arn:aws:iam::{AWS_ACCOUNT}:role/genai-app"

# CUR 2.0 columns, in the fixture's (AWS template's) order
COLUMNS = (
    "bill_bill_type,bill_billing_entity,bill_billing_period_end_date,bill_billing_period_start_date,bill_invoice_id,"
    "bill_invoicing_entity,bill_payer_account_id,bill_payer_account_name,identity_line_item_id,identity_time_interval,"
    "line_item_blended_cost,line_item_currency_code,line_item_iam_principal,line_item_legal_entity,"
    "line_item_line_item_description,line_item_line_item_type,line_item_net_unblended_cost,line_item_operation,"
    "line_item_product_code,line_item_resource_id,line_item_tax_type,line_item_unblended_cost,"
    "line_item_unblended_rate,line_item_usage_account_id,line_item_usage_account_name,line_item_usage_amount,"
    "line_item_usage_end_date,line_item_usage_start_date,line_item_usage_type,pricing_public_on_demand_cost,"
    "pricing_term,pricing_unit,product,product_product_family,product_region_code,product_servicecode,resource_tags"
).split(",")


class Model:
    """How Bedrock bills a model: its seller, product code, usage types and pricing unit."""

    def __init__(
        self, name: str, provider: str, model_raw: str, model_id: str, marketplace: bool, usage_types: dict
    ) -> None:
        self.name, self.provider, self.model_raw, self.model_id = name, provider, model_raw, model_id
        self.marketplace, self.usage_types = marketplace, usage_types

    @property
    def product_code(self) -> str:
        return LISTING if self.marketplace else "AmazonBedrock"

    @property
    def product_name(self) -> str:
        return f"{self.name} (Amazon Bedrock Edition)" if self.marketplace else "Amazon Bedrock"

    @property
    def pricing_unit(self) -> str:
        return "Units" if self.marketplace else "1K tokens"

    @property
    def per_unit(self) -> Decimal:
        """Tokens per pricing unit: 1M for Marketplace "Units", 1K for AmazonBedrock's "1K tokens"."""
        return Decimal(1_000_000) if self.marketplace else Decimal(1_000)


MODELS = {
    "anthropic.claude-sonnet-4-5-20250929-v1:0": Model(
        "Claude Sonnet 4.5",
        "Anthropic",
        "Claude Sonnet 4.5",  # a Marketplace usage type names no model: the product map's model does
        "claude-sonnet-4-5-20250929",
        True,
        {
            "input_tokens": "USE1-MP:USE1_InputTokenCount-Units",
            "output_tokens": "USE1-MP:USE1_OutputTokenCount-Units",
        },
    ),
    "amazon.nova-pro-v1:0": Model(
        "Nova Pro",
        "Amazon",
        "NovaPro",  # the model as the usage type names it
        "amazon.nova-pro-v1:0",
        False,
        {
            "input_tokens": "USE1-NovaPro-input-tokens",
            "output_tokens": "USE1-NovaPro-output-tokens",
            "cache_read_tokens": "USE1-NovaPro-cache-read-input-token-count",
            "cache_write_tokens": "USE1-NovaPro-cache-write-input-token-count",
        },
    ),
}
# the other services' lines of a day, left out by the reader: (product code, usage type, operation, amount, rate,
# unit, description, resource)
EC2_LINES = (
    (
        "USE1-BoxUsage:t3.large",
        "RunInstances",
        "24",
        "0.0832",
        "Hrs",
        "$0.0832 per On Demand Linux t3.large Instance Hour",
        "i-0a7c3e9f21b4d5e68",
    ),
    (
        "USE1-EBS:VolumeUsage.gp3",
        "CreateVolume-Gp3",
        "3.2258064516",
        "0.08",
        "GB-Mo",
        "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)",
        "vol-0f3b2a1c9d8e7f654",
    ),
)


def _text(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ts(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _line_id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]


def _period(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


class DayExport:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.lines: list[BilledLine] = []


class AwsCurPlugin(BilledExportPlugin):
    name = "aws_cur"
    title = "AWS CUR 2.0 (Amazon Bedrock)"
    usage_dims = ("account_id", "model")
    metrics = USAGE_TYPES

    # -- the organisation as Bedrock reports it --------------------------------------------------------------

    def simulate(self, org: SimulatedOrg, day: date):
        for s, model, _model_id, rng, total in org.active_streams(self.name, day):
            read = int(total * s.cache_read_share)
            write = int(total * s.cache_write_share)
            output = int(total * s.output_ratio * rng.uniform(0.85, 1.15))
            metrics = {
                "input_tokens": total - read - write,
                "cache_read_tokens": read,
                "cache_write_tokens": write,
                "output_tokens": output,
            }
            yield {"account_id": s.account, "model": model}, metrics

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        return {**dims, **metrics}

    def split(self, row: dict) -> Split:
        # Nova Pro's cache writes cost nothing: they are usage, but not priced usage
        return Split(
            model_raw=row["model"],
            account_id=row["account_id"],
            api_key_id=None,
            service_tier="standard",
            prompt_tier=0,
            context_window=None,
            quantities={t: row[t] for t in USAGE_TYPES if row[t] and t != "cache_write_tokens"},
        )

    # -- the export ------------------------------------------------------------------------------------------

    def export(self, org: SimulatedOrg, day: date) -> DayExport:
        out = DayExport()
        seller_net: dict[str, Decimal] = {}  # product code -> the day's cost net of credits
        nova_input = Decimal(0)
        for record in org.records(self.name, day):
            row = self.usage_row(record.dim, record.metric)
            model = MODELS[row["model"]]
            for usage_type, usage_kind in model.usage_types.items():
                tokens = row.get(usage_type, 0)
                if not tokens:
                    continue
                price = org.prices.unit_price(self.name, row["model"], usage_type, "standard", 0, day)
                with localcontext(EXACT):
                    per_mtok = Decimal(0) if price is None else price.unit_price
                    if price is None and usage_type != "cache_write_tokens":
                        raise RuntimeError(f"No Bedrock price of {row['model']} {usage_type} on {day}.")
                    rate = per_mtok * model.per_unit / Decimal(1_000_000)
                    amount = Decimal(tokens) / model.per_unit
                    cost = amount * rate
                    seller_net[model.product_code] = seller_net.get(model.product_code, Decimal(0)) + cost
                if usage_type == "input_tokens" and not model.marketplace:
                    nova_input += cost
                out.rows.append(self._usage_row(day, model, usage_type, usage_kind, amount, rate, cost))
                out.lines.append(
                    BilledLine(
                        usage_date=day,
                        provider=PROVIDER,
                        account_id=row["account_id"],
                        line_type="usage",
                        currency="USD",
                        cost=cost,
                        cost_usd=cost,
                        model_raw=model.model_raw,
                        model_id=model.model_id,
                        usage_type=usage_type,
                        quantity=tokens,
                        list_cost_usd=Decimal(0) if price is None else price.cost(tokens),  # $0 cache writes
                    )
                )
        if not out.rows:
            return out
        for usage_type, operation, amount, rate, unit, description, resource in EC2_LINES:
            cost = Decimal(amount) * Decimal(rate)
            out.rows.append(
                self._row(
                    day,
                    entity="AWS",
                    legal=AWS_ENTITY,
                    kind="Usage",
                    product_code="AmazonEC2",
                    usage_type=usage_type,
                    operation=operation,
                    amount=Decimal(amount),
                    rate=Decimal(rate),
                    cost=cost,
                    unit=unit,
                    description=description,
                    resource=resource,
                    product={"product_name": "Amazon Elastic Compute Cloud", "region": "us-east-1"},
                    family="Compute Instance" if unit == "Hrs" else "Storage",
                )
            )
        if nova_input and org.rng(self.name, "credit", day.isoformat()).random() < 1 / 3:
            with localcontext(EXACT):
                credit = -(nova_input * CREDIT_SHARE)
                seller_net["AmazonBedrock"] += credit
            out.rows.append(
                self._row(
                    day,
                    entity="AWS",
                    legal=AWS_ENTITY,
                    kind="Credit",
                    product_code="AmazonBedrock",
                    usage_type=MODELS["amazon.nova-pro-v1:0"].usage_types["input_tokens"],
                    operation="InvokeModelInference",
                    amount=Decimal(0),
                    cost=credit,
                    description="AWS Promotional Credit - Generative AI",
                    product={},
                )
            )
            out.lines.append(self._billed(day, "credit", credit))
        for code, net in sorted(seller_net.items()):
            with localcontext(EXACT):
                tax = net * TAX_RATE
            marketplace = code == LISTING
            out.rows.append(
                self._row(
                    day,
                    entity="AWS Marketplace" if marketplace else "AWS",
                    legal="Anthropic, PBC" if marketplace else AWS_ENTITY,
                    kind="Tax",
                    product_code=code,
                    cost=tax,
                    description=f"Tax for product code {code}",
                    tax_type="SalesTax",
                    product={},
                    region=None if marketplace else "us-east-1",
                    servicecode=None if marketplace else "AmazonBedrock",
                )
            )
            out.lines.append(self._billed(day, "tax", tax))
        return out

    @staticmethod
    def _billed(day: date, line_type: str, cost: Decimal) -> BilledLine:
        return BilledLine(
            usage_date=day,
            provider=PROVIDER,
            account_id=AWS_ACCOUNT,
            line_type=line_type,
            currency="USD",
            cost=cost,
            cost_usd=cost,
        )

    def _usage_row(
        self, day: date, model: Model, usage_type: str, usage_kind: str, amount: Decimal, rate: Decimal, cost: Decimal
    ) -> dict:
        inference = INFERENCE_TYPES[usage_type]
        if model.marketplace:
            description = f"{model.product_name} - {inference}"
        else:
            description = f"${_text(rate)} per 1K {inference.lower()} for {model.name} in US East (N. Virginia)"
        product = {
            "product_name": model.product_name,
            **({"servicename": model.product_name} if model.marketplace else {}),
            "provider": model.provider,
            "model": model.name,
            "inference_type": inference,
            "feature": "On-demand Inference",
            "region": "us-east-1",
        }
        return self._row(
            day,
            entity="AWS Marketplace" if model.marketplace else "AWS",
            legal="Anthropic, PBC" if model.marketplace else AWS_ENTITY,
            kind="Usage",
            product_code=model.product_code,
            usage_type=usage_kind,
            operation="Usage" if model.marketplace else "InvokeModelInference",
            amount=amount,
            rate=rate,
            cost=cost,
            unit=model.pricing_unit,
            description=description,
            principal=ROLE,
            product=product,
            family=None if model.marketplace else "Amazon Bedrock",
            servicecode=model.product_code,
            tags={"user_team": "support" if model.marketplace else "extraction", "user_env": "prod"},
        )

    @staticmethod
    def _row(
        day: date,
        *,
        entity: str,
        legal: str,
        kind: str,
        product_code: str,
        cost: Decimal,
        description: str,
        usage_type: str | None = None,
        operation: str | None = None,
        amount: Decimal | None = None,
        rate: Decimal | None = None,
        unit: str | None = None,
        resource: str | None = None,
        principal: str | None = None,
        tax_type: str | None = None,
        product: dict | None = None,
        family: str | None = None,
        region: str | None = "us-east-1",
        servicecode: str | None = None,
        tags: dict | None = None,
    ) -> dict:
        start, end = _period(day)
        usage = kind == "Usage"
        return {
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": entity,
            "bill_billing_period_end_date": _ts(end),
            "bill_billing_period_start_date": _ts(start),
            "bill_invoice_id": "",
            "bill_invoicing_entity": AWS_ENTITY,
            "bill_payer_account_id": PAYER,
            "bill_payer_account_name": PAYER_NAME,
            "identity_line_item_id": _line_id(day, product_code, kind, usage_type),
            "identity_time_interval": f"{_ts(day)}/{_ts(day + timedelta(days=1))}",
            "line_item_blended_cost": _text(cost),
            "line_item_currency_code": "USD",
            "line_item_iam_principal": principal or "",
            "line_item_legal_entity": legal,
            "line_item_line_item_description": description,
            "line_item_line_item_type": kind,
            "line_item_net_unblended_cost": _text(cost),
            "line_item_operation": operation or "",
            "line_item_product_code": product_code,
            "line_item_resource_id": resource or "",
            "line_item_tax_type": tax_type or "",
            "line_item_unblended_cost": _text(cost),
            "line_item_unblended_rate": _text(rate),
            "line_item_usage_account_id": AWS_ACCOUNT,
            "line_item_usage_account_name": ACCOUNT_NAME,
            "line_item_usage_amount": _text(amount),
            "line_item_usage_end_date": _ts(day + timedelta(days=1)),
            "line_item_usage_start_date": _ts(day),
            "line_item_usage_type": usage_type or "",
            "pricing_public_on_demand_cost": _text(cost) if usage else "",
            "pricing_term": "OnDemand" if usage else "",
            "pricing_unit": unit or "",
            "product": json.dumps(product or {}),
            "product_product_family": family or "",
            "product_region_code": region or "",
            "product_servicecode": servicecode if servicecode is not None else product_code,
            "resource_tags": json.dumps(tags or {}),
        }

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
            path = folder / f"acme-cur2-{day.isoformat()}-00001.csv.gz"
            path.write_bytes(gzip.compress(text.getvalue().encode("utf-8"), mtime=0))
            paths.append(path)
        return paths

    def billed_lines(self, org: SimulatedOrg, day: date) -> tuple[BilledLine, ...]:
        """Every Bedrock line of the day's export (usage, credit, tax), in USD."""
        return tuple(self.export(org, day).lines)


PLUGIN = AwsCurPlugin()
