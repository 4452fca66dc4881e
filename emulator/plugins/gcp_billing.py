"""The Google Cloud Billing shape: the organisation's Vertex AI and Gemini API usage as the Cloud Billing export to
BigQuery holds it, extracted as newline-delimited JSON (``bq extract --destination_format NEWLINE_DELIMITED_JSON``).

What the reader (``connectors/gcp_billing/reader.py``) takes as the contract, and what is written:

* One file per UTC day with usage and per billing account (a BigQuery export table is one billing account's):
  ``gcp_billing_export_v1_<ACCOUNT>-YYYY-MM-DD.jsonl``, one export row per line, records nested (``service``,
  ``sku``, ``project``, ``location``, ``usage``, ``invoice``, ``price``), repeated records as lists (``credits``,
  ``labels``), timestamps as BigQuery renders them (``"2025-11-03 07:00:00 UTC"``), FLOAT fields as JSON numbers
  written as exact decimals, NUMERIC (``price.*``) as strings. Rows are hourly (``usage_start_time`` to
  ``usage_end_time``, one hour), one per (hour, project, SKU).
* Two billing accounts, because a billing account has one currency: ``01A2B3-C4D5E6-F7A8B9`` in USD (project
  ``acme-genai-prod``, Vertex AI) and ``01C3D4-E5F6A7-B8C9D0`` in EUR (project ``acme-genai-dev``, the Gemini
  API), whose rows carry ``currency`` EUR and ``currency_conversion_rate`` (EUR per USD, Google: "cost ÷
  currency_conversion_rate is the cost in US dollars"; one rate a month here, with two decimals).
* ``cost`` (and ``cost_at_list``: the organisation pays list price) is the quantity at the list price in
  ``emulator/price_table.py`` times the rate, exact: a FLOAT in BigQuery, and every cost here has at most 10
  decimals and 15 significant digits, so it passes through a double (and the reader's DECIMAL(38, 10)) unchanged
  and ``cost / currency_conversion_rate`` is the list price again, exactly.
* Vertex AI (service id ``C7E2-9256-1C43``, ``"Vertex AI"``): SKUs ``"<Model> Text Input - Predictions"``,
  ``"<Model> Text Output - Predictions"``, ``"<Model> Input Text Caching"`` (cache read), and for batch
  ``"<Model> Text Input - Batch Predictions"`` / ``"<Model> Text Output - Batch Predictions"``, with ``<Model>``
  ``"Gemini 2.5 Flash GA"`` (the research note's 3P SKU list: "Gemini 2.5 Flash GA Text Input - Predictions",
  "Gemini 2.5 Flash GA Input Text Caching", "... - Batch Predictions") or ``"Gemini 2.5 Pro"`` (no "GA": as in the
  3P-seen "Gemini 2.5 Pro Thinking Text Output - Predictions" and "Gemini 2.5 Pro Input Text Caching (Long)").
* Gemini API (service id ``AEFD-7695-64FA``, ``"Gemini API"``): ``"Generate content input token count gemini 2.5
  flash short input text"``, ``"Generate content output token count gemini 2.5 flash short output text"``,
  ``"Generate content cached input token count gemini 2.5 flash input text"`` (3P, research note section 4).
* Token SKUs: ``usage.unit`` = ``usage.pricing_unit`` = ``"count"``, ``usage.amount`` =
  ``usage.amount_in_pricing_units`` = tokens (a whole number; research note section 5, 3P); ``price`` =
  ``{"effective_price": <per 1M tokens, in the row's currency>, "unit": "count", "pricing_unit_quantity":
  "1000000"}``.
* Credits (``credits[]``, negative, in the row's currency, exact): a ``DISCOUNT``
  ("Spending based discount", 5%) on every Gemini 2.5 Pro row, and a ``PROMOTION`` (a promotional credit covering
  the row) on the Vertex Gemini 2.5 Flash online rows of hours 3, 9, 15 and 21 (credit types: Google's list,
  research note section 6).
* One tax row per day and project (``cost_type`` ``"tax"``, the project's AI service, no SKU, the day as its
  usage window): sales tax 8.25% of the project's day net of credits (USD), VAT 19% (EUR), rounded to 6 places.
* Rows the reader must leave out: three ``"Cloud Storage"`` rows a day in the USD account.

The warehouse names the two services as two providers (``dbt_project/models/staging/gcp_billing``): Vertex AI
lines are ``google_vertex``, Gemini API lines ``google``. :meth:`GcpBillingPlugin.billed_lines` is each written
AI row (and each credit) in its currency and in USD (``cost / currency_conversion_rate`` to 12 places, rounded half
away from zero, as the warehouse's ``usd_at_rate``); the ground truth, the billed totals and the token quantities
are built from them.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path

from emulator.org import (
    GCP_DEV,
    GCP_PROD,
    BilledLine,
    SimulatedOrg,
    Split,
    _days,
    usd_at_rate,
)
from emulator.plugin import BilledExportPlugin
from emulator.pricing import EXACT

VERTEX = {"id": "C7E2-9256-1C43", "description": "Vertex AI"}
GEMINI_API = {"id": "AEFD-7695-64FA", "description": "Gemini API"}
STORAGE = {"id": "95FF-2EF5-5EA1", "description": "Cloud Storage"}

MICROS = Decimal("0.000001")  # tax rows are rounded to micros
ROUNDED = Context(prec=60)  # where the export rounds (EXACT traps any rounding)


class Model:
    """A model as the organisation calls it (``vertex_ai/...``, ``gemini/...``) and as the export bills it."""

    def __init__(self, service: dict, provider: str, sku_name: str, model_id: str) -> None:
        self.service, self.provider, self.sku_name, self.model_id = service, provider, sku_name, model_id

    def sku(self, usage_type: str, tier: str) -> str:
        n = self.sku_name
        if self.service is VERTEX:
            mode = "Batch Predictions" if tier == "batch" else "Predictions"
            return {
                "input_tokens": f"{n} Text Input - {mode}",
                "output_tokens": f"{n} Text Output - {mode}",
                "cache_read_tokens": f"{n} Input Text Caching",
            }[usage_type]
        return {
            "input_tokens": f"Generate content input token count {n} short input text",
            "output_tokens": f"Generate content output token count {n} short output text",
            "cache_read_tokens": f"Generate content cached input token count {n} input text",
        }[usage_type]


MODELS = {
    "vertex_ai/gemini-2.5-flash": Model(VERTEX, "google_vertex", "Gemini 2.5 Flash GA", "gemini-2.5-flash"),
    "vertex_ai/gemini-2.5-pro": Model(VERTEX, "google_vertex", "Gemini 2.5 Pro", "gemini-2.5-pro"),
    "gemini/gemini-2.5-flash": Model(GEMINI_API, "google", "gemini 2.5 flash", "gemini-2.5-flash"),
}


class BillingAccount:
    """A billing account (one currency) and the one project of the organisation it bills: the project's number,
    its AI service (that of its tax row, and the warehouse provider of that row) and its tax rate."""

    def __init__(self, account_id: str, currency: str, number: str, service: dict, provider: str, tax: str) -> None:
        self.id, self.currency, self.number = account_id, currency, number
        self.service, self.provider, self.tax_rate = service, provider, Decimal(tax)

    @property
    def table(self) -> str:
        return "gcp_billing_export_v1_" + self.id.replace("-", "_")


# project -> its billing account
ACCOUNTS = {
    GCP_PROD: BillingAccount("01A2B3-C4D5E6-F7A8B9", "USD", "482913570164", VERTEX, "google_vertex", "0.0825"),
    GCP_DEV: BillingAccount("01C3D4-E5F6A7-B8C9D0", "EUR", "731605928447", GEMINI_API, "google", "0.19"),
}
PROJECT_NAMES = {GCP_PROD: "Acme GenAI prod", GCP_DEV: "Acme GenAI dev"}
DISCOUNT = Decimal("0.05")  # the spending-based discount on Gemini 2.5 Pro
PROMOTION_HOURS = (3, 9, 15, 21)
# the Cloud Storage rows of a day: (hour, SKU, cost in USD, usage amount, usage unit)
STORAGE_ROWS = (
    (0, "Standard Storage US Multi-region", "1.73456", "3600000000000000", "byte-seconds"),
    (8, "Multi-Region Standard Class A Operations", "0.2175", "21750", "requests"),
    (16, "Multi-Region Standard Class B Operations", "0.0428", "107000", "requests"),
)
USAGE_TYPES = ("input_tokens", "cache_read_tokens", "output_tokens")


def _window(day: date, hour: int | None) -> tuple[str, str]:
    """usage_start_time and usage_end_time of an hourly row (``hour``) or a daily one (None)."""
    if hour is None:
        return f"{day} 00:00:00 UTC", f"{day + timedelta(days=1)} 00:00:00 UTC"
    end = f"{day + timedelta(days=1)} 00:00:00 UTC" if hour == 23 else f"{day} {hour + 1:02d}:00:00 UTC"
    return f"{day} {hour:02d}:00:00 UTC", end


def _sku_id(description: str) -> str:
    """A stable made-up SKU id in Cloud Billing's shape (XXXX-XXXX-XXXX)."""
    h = hashlib.sha256(description.encode()).hexdigest().upper()[:12]
    return f"{h[:4]}-{h[4:8]}-{h[8:]}"


def _micros(value: Decimal) -> Decimal:
    """Rounded to 6 places (the export's micros), half away from zero."""
    with localcontext(ROUNDED):
        return value.quantize(MICROS, rounding=ROUND_HALF_UP)


class _Num:
    """A number written into the JSON exactly as its decimal text."""

    def __init__(self, value: Decimal | int) -> None:
        text = format(Decimal(value), "f")
        self.text = text.rstrip("0").rstrip(".") if "." in text else text


_NUM = re.compile(r'"\\u0000(-?[0-9.]+)"')


def _dumps(row: dict) -> str:
    text = json.dumps(row, separators=(",", ":"), default=lambda n: "\x00" + n.text)
    return _NUM.sub(r"\1", text)


class DayExport:
    """One UTC day of the export: the rows of each billing account and the AI lines they bill."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}  # billing account id -> rows, in file order
        self.lines: list[BilledLine] = []


class GcpBillingPlugin(BilledExportPlugin):
    name = "gcp_billing"
    title = "Google Cloud Billing export (Vertex AI, Gemini API)"
    usage_dims = ("project_id", "model", "tier")
    metrics = USAGE_TYPES

    # -- the organisation as Google reports it ---------------------------------------------------------------

    def simulate(self, org: SimulatedOrg, day: date):
        for s, model, _model_id, rng, total in org.active_streams(self.name, day):
            batch = int(total * s.batch_share)
            for tier, tokens in (("standard", total - batch), ("batch", batch)):
                if tokens <= 0:
                    continue
                cached = int(tokens * s.cache_read_share) if tier == "standard" else 0
                output = int(tokens * s.output_ratio * rng.uniform(0.85, 1.15))
                dims = {"project_id": s.account, "model": model, "tier": tier}
                yield dims, {"input_tokens": tokens - cached, "cache_read_tokens": cached, "output_tokens": output}

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        return {**dims, **metrics}

    def split(self, row: dict) -> Split:
        return Split(
            model_raw=row["model"],
            account_id=row["project_id"],
            api_key_id=None,
            service_tier=row["tier"],
            prompt_tier=0,
            context_window=None,
            quantities={t: row[t] for t in USAGE_TYPES if row[t]},
        )

    # -- the export ------------------------------------------------------------------------------------------

    def eur_rate(self, org: SimulatedOrg, day: date) -> Decimal:
        """EUR per USD, one rate a month with two decimals (Google's ``currency_conversion_rate``)."""
        rng = org.rng(self.name, "eur-per-usd", f"{day:%Y-%m}")
        return Decimal(rng.randrange(85, 96)) / 100

    def export(self, org: SimulatedOrg, day: date) -> DayExport:
        """The day's export rows per billing account and the AI lines they bill (deterministic)."""
        out = DayExport()
        rates = {GCP_PROD: Decimal(1), GCP_DEV: self.eur_rate(org, day)}
        net: dict[str, Decimal] = {}  # project -> its AI rows' cost net of credits, in its currency
        exported = f"{day + timedelta(days=1)} 04:12:33.118 UTC"
        for hour, records in enumerate(org.hourly_records(self.name, day)):
            for record in records:
                row = self.usage_row(record.dim, record.metric)
                s = self.split(row)
                model = MODELS[s.model_raw]
                project, account, rate = s.account_id, ACCOUNTS[s.account_id], rates[s.account_id]
                for usage_type, tokens in s.quantities.items():
                    price = org.prices.unit_price(self.name, s.model_raw, usage_type, s.service_tier, 0, day)
                    if price is None:
                        raise RuntimeError(f"No price of {s.model_raw} {usage_type} ({s.service_tier}) on {day}.")
                    with localcontext(EXACT):
                        list_usd = price.cost(tokens)
                        cost = list_usd * rate
                        unit_price = price.unit_price * rate
                    credits = self._credits(model, s.service_tier, hour, cost)
                    line = dict(
                        usage_date=day,
                        provider=model.provider,
                        account_id=project,
                        currency=account.currency,
                        model_raw=model.model_id,
                        model_id=model.model_id,
                    )
                    out.lines.append(
                        BilledLine(
                            **line,
                            line_type="usage",
                            cost=cost,
                            cost_usd=self._usd(cost, rate, account),
                            usage_type=usage_type,
                            service_tier=s.service_tier,
                            quantity=tokens,
                            list_cost_usd=list_usd,
                        )
                    )
                    for credit in credits:
                        amount = Decimal(credit["amount"].text)
                        out.lines.append(
                            BilledLine(
                                **line, line_type="credit", cost=amount, cost_usd=self._usd(amount, rate, account)
                            )
                        )
                    with localcontext(EXACT):
                        net[project] = (
                            net.get(project, Decimal(0))
                            + cost
                            + sum((Decimal(c["amount"].text) for c in credits), Decimal(0))
                        )
                    sku = model.sku(usage_type, s.service_tier)
                    out.rows.setdefault(account.id, []).append(
                        self._row(
                            account,
                            project,
                            model.service,
                            sku,
                            day,
                            hour,
                            cost,
                            rate,
                            exported,
                            usage={"amount": _Num(tokens), "unit": "count"},
                            credits=credits,
                            price=unit_price,
                            location="us-central1" if model.service is VERTEX else "global",
                        )
                    )
        if not out.rows:
            return out
        # the rows of other services, left out by the reader
        storage = ACCOUNTS[GCP_PROD]
        if storage.id in out.rows:
            for hour, sku, cost, amount, unit in STORAGE_ROWS:
                out.rows[storage.id].append(
                    self._row(
                        storage,
                        GCP_PROD,
                        STORAGE,
                        sku,
                        day,
                        hour,
                        Decimal(cost),
                        Decimal(1),
                        exported,
                        usage={"amount": _Num(Decimal(amount)), "unit": unit},
                        location="us",
                    )
                )
        # one tax row per project and day
        for project, base in sorted(net.items()):
            account, rate = ACCOUNTS[project], rates[project]
            with localcontext(EXACT):
                tax = _micros(base * account.tax_rate)
            out.rows[account.id].append(
                self._row(account, project, account.service, None, day, None, tax, rate, exported, cost_type="tax")
            )
            out.lines.append(
                BilledLine(
                    usage_date=day,
                    provider=account.provider,
                    account_id=project,
                    line_type="tax",
                    currency=account.currency,
                    cost=tax,
                    cost_usd=self._usd(tax, rate, account),
                )
            )
        return out

    @staticmethod
    def _usd(amount: Decimal, rate: Decimal, account: BillingAccount) -> Decimal:
        return amount if account.currency == "USD" else usd_at_rate(amount, rate)

    @staticmethod
    def _credits(model: Model, tier: str, hour: int, cost: Decimal) -> list[dict]:
        credits = []
        with localcontext(EXACT):
            if model.sku_name == "Gemini 2.5 Pro":
                amount = -(cost * DISCOUNT)
                if amount:
                    credits.append(
                        {
                            "name": "Spending based discount",
                            "amount": _Num(amount),
                            "full_name": None,
                            "id": "Spending based discount",
                            "type": "DISCOUNT",
                        }
                    )
            elif model.service is VERTEX and tier == "standard" and hour in PROMOTION_HOURS and cost:
                credits.append(
                    {
                        "name": "Vertex AI promotional credit",
                        "amount": _Num(-cost),
                        "full_name": "Vertex AI promotional credit",
                        "id": "31-f4a-9c2-e7d",
                        "type": "PROMOTION",
                    }
                )
        return credits

    @staticmethod
    def _row(
        account: BillingAccount,
        project: str,
        service: dict,
        sku: str | None,
        day: date,
        hour: int | None,
        cost: Decimal,
        rate: Decimal,
        exported: str,
        *,
        usage: dict | None = None,
        credits: list | None = None,
        price: Decimal | None = None,
        location: str = "us-central1",
        cost_type: str = "regular",
    ) -> dict:
        start, end = _window(day, hour)
        region = None if location in ("global", "us") else location
        amount = usage["amount"] if usage else _Num(0)
        row = {
            "billing_account_id": account.id,
            "service": dict(service),
            "sku": None if sku is None else {"id": _sku_id(sku), "description": sku},
            "usage_start_time": start,
            "usage_end_time": end,
            "project": {
                "id": project,
                "number": account.number,
                "name": PROJECT_NAMES[project],
                "labels": [{"key": "env", "value": "prod" if project == GCP_PROD else "dev"}],
            },
            "labels": [],
            "system_labels": [],
            "location": {
                "location": location,
                "country": None if location == "global" else "US",
                "region": region,
                "zone": None,
            },
            "export_time": exported,
            "cost": _Num(cost),
            "currency": account.currency,
            "currency_conversion_rate": _Num(rate),
            "usage": {
                "amount": amount,
                "unit": usage["unit"] if usage else None,
                "amount_in_pricing_units": amount if usage and usage["unit"] == "count" else None,
                "pricing_unit": "count" if usage and usage["unit"] == "count" else None,
            },
            "credits": credits or [],
            "invoice": {"month": f"{day:%Y%m}", "publisher_type": "GOOGLE"},
            "cost_type": cost_type,
            "cost_at_list": _Num(cost),
            "transaction_type": "GOOGLE" if cost_type == "regular" else None,
            "seller_name": None,
            "price": None
            if price is None
            else {
                "effective_price": _Num(price).text,
                "unit": "count",
                "pricing_unit_quantity": "1000000",
            },
        }
        return row

    def write_drops(self, org: SimulatedOrg, start: date, end: date, folder: Path) -> list[Path]:
        paths = []
        for day in _days(start, end):
            export = self.export(org, day)
            for account in sorted(ACCOUNTS.values(), key=lambda a: a.id):
                if account.id not in export.rows:
                    continue
                path = folder / f"{account.table}-{day.isoformat()}.jsonl"
                path.write_text("".join(_dumps(r) + "\n" for r in export.rows[account.id]), encoding="utf-8")
                paths.append(path)
        return paths

    def billed_lines(self, org: SimulatedOrg, day: date) -> tuple[BilledLine, ...]:
        """Every AI row of the day's export (and every credit of one), in its currency and in USD."""
        return tuple(self.export(org, day).lines)


PLUGIN = GcpBillingPlugin()
