"""The OpenRouter shape: the organisation's OpenRouter account as its activity, models and credits show it.

Base URL ``<url>/openrouter/api/v1``, header ``Authorization: Bearer <key>``. Paths, parameters, fields and
units follow OpenRouter's OpenAPI spec (see the shared provider-API reference, section 6):

* ``GET /activity?date=YYYY-MM-DD`` - one completed UTC day of the last 30, unpaged; a row per (model,
  provider endpoint) with, side by side, ``usage`` (USD of credits spent) and ``byok_usage_inference`` (USD
  spent on the caller's own provider key), and ``requests``, ``prompt_tokens``, ``completion_tokens``,
  ``reasoning_tokens`` counting both kinds of request. A day outside the 30 answers 400. Without ``date``,
  every day of the 30.
* ``GET /models`` - every model with its prices now, as decimal strings in USD per token (``prompt``,
  ``completion``) and per request (``request``, 0 here).
* ``GET /credits`` - ``total_credits`` and ``total_usage`` in USD (the organisation bought its credits 30
  days ago: its usage is the ``usage`` of those days' activity).

Bring-your-own-key (BYOK) requests are billed by the upstream provider on the caller's own key, not by
OpenRouter; OpenRouter's fee on them (5% of the OpenRouter price) is waived for the first 1M BYOK requests of a
month, which this organisation never reaches. The organisation has its own Anthropic and AWS keys: part of its
Claude traffic on Anthropic's endpoint is BYOK (a mixed row), all of it on Amazon Bedrock's (usage 0); the
other endpoints have none. The upstream provider charges OpenRouter's list price, so a row's ``usage`` plus
``byok_usage_inference`` is what all its tokens cost at that price: the ground truth prices every token of a
row (:meth:`split`); :meth:`billed_totals` is what OpenRouter billed (``usage``) and :meth:`byok_totals` what
the upstream providers billed on the caller's keys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext

from emulator.api import ApiError, Request, Response, decimal_text
from emulator.org import SimulatedOrg, Split
from emulator.plugin import ApiPlugin
from emulator.pricing import EXACT

HISTORY_DAYS = 30
CREDITS_BOUGHT = Decimal("250000")  # USD of credits the organisation has bought
# who serves each model: (provider name, endpoint id, share of the model's traffic, BYOK): BYOK "none" (the
# organisation has no key of that provider), "some" (the stream's byok_share of its tokens) or "all"
ENDPOINTS = {
    "openai/gpt-4.1-mini": (("OpenAI", "0f6b1c2e-4d1a-4c3e-9b1e-6a7d2f0c1a01", 1.0, "none"),),
    "anthropic/claude-sonnet-4.5": (
        ("Anthropic", "2a9e5d4c-7b3f-4e21-8c6d-1f0e9b8a7c02", 0.7, "some"),
        ("Amazon Bedrock", "3b8f6e5d-8c4a-4f32-9d7e-2a1f0c9b8d03", 0.3, "all"),
    ),
    "meta-llama/llama-3.3-70b-instruct": (
        ("Together", "4c7a8f6e-9d5b-4a43-8e8f-3b2a1d0c9e04", 0.6, "none"),
        ("DeepInfra", "5d6b9a8f-ae6c-4b54-9f9a-4c3b2e1d0f05", 0.4, "none"),
    ),
    "google/gemini-2.5-flash": (("Google AI Studio", "6e5cab9a-bf7d-4c65-8aab-5d4c3f2e1a06", 1.0, "none"),),
}
NAMES = {
    "openai/gpt-4.1-mini": "OpenAI: GPT-4.1 Mini",
    "anthropic/claude-sonnet-4.5": "Anthropic: Claude Sonnet 4.5",
    "meta-llama/llama-3.3-70b-instruct": "Meta: Llama 3.3 70B Instruct",
    "google/gemini-2.5-flash": "Google: Gemini 2.5 Flash",
}
DIMS = ("model", "model_permaslug", "endpoint_id", "provider_name")
# the row's counts (both kinds of request), then the BYOK requests' part of them (internal: the emulator's own
# record of which tokens were BYOK, which the activity row does not show)
METRICS = (
    "requests",
    "prompt_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "byok_prompt_tokens",
    "byok_completion_tokens",
)
PER_TOKEN = Decimal(1_000_000)


class OpenRouterPlugin(ApiPlugin):
    name = "openrouter"
    title = "OpenRouter (activity, models, credits)"
    prefix = "/openrouter/api/v1"
    fake_key = "sk-or-v1-emulator-fake-management-key"
    usage_dims = DIMS
    metrics = METRICS

    # -- the organisation as OpenRouter reports it ---------------------------------------------------------

    def simulate(self, org: SimulatedOrg, day: date):
        for s, model, model_id, rng, total in org.active_streams(self.name, day):
            permaslug = f"{model_id}-{org.prices.first_price_day(self.name, model_id):%Y%m%d}"
            endpoints = ENDPOINTS[model_id]
            for i, (provider, endpoint, share, byok_mode) in enumerate(endpoints):
                n = total - sum(int(total * e[2]) for e in endpoints[1:]) if i == 0 else int(total * share)
                if byok_mode == "all":
                    byok = n
                elif byok_mode == "some":
                    byok = min(n, int(n * s.byok_share * rng.uniform(0.9, 1.1)))
                else:
                    byok = 0
                metrics = dict.fromkeys(METRICS, 0)
                # the credit-paid and the BYOK requests of the endpoint's day: one activity row for both
                for is_byok, tokens in ((False, n - byok), (True, byok)):
                    if tokens <= 0:
                        continue
                    output = int(tokens * s.output_ratio * rng.uniform(0.85, 1.15))
                    metrics["requests"] += max(1, tokens // s.prompt_tokens)
                    metrics["prompt_tokens"] += tokens
                    metrics["completion_tokens"] += output
                    metrics["reasoning_tokens"] += int(output * 0.1) if model.startswith("anthropic/") else 0
                    if is_byok:
                        metrics["byok_prompt_tokens"] += tokens
                        metrics["byok_completion_tokens"] += output
                if metrics["prompt_tokens"] <= 0:
                    continue
                dims = {
                    "model": model,
                    "model_permaslug": permaslug,
                    "endpoint_id": endpoint,
                    "provider_name": provider,
                }
                yield dims, metrics

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        return {**dims, **metrics}

    @staticmethod
    def _quantities(row: dict) -> dict[str, int]:
        return {
            "input_tokens": row["prompt_tokens"],
            "output_tokens": row["completion_tokens"],  # reasoning tokens are part of them
        }

    @staticmethod
    def _byok_quantities(row: dict) -> dict[str, int]:
        return {"input_tokens": row["byok_prompt_tokens"], "output_tokens": row["byok_completion_tokens"]}

    def split(self, row: dict) -> Split:
        # every token of the row, BYOK or not: the activity row does not split them (see the module docstring)
        return Split(
            model_raw=row["model"],
            account_id=None,
            api_key_id=None,
            service_tier="standard",
            prompt_tier=0,
            context_window=None,
            quantities=self._quantities(row),
        )

    def _cost(self, org: SimulatedOrg, row: dict, day: date, quantities: dict[str, int]) -> Decimal:
        model_id = org.prices.resolve_model(self.name, row["model"], day)
        total = Decimal(0)
        with localcontext(EXACT):
            for usage_type, quantity in quantities.items():
                cost = org.prices.cost(self.name, model_id, usage_type, "standard", 0, day, quantity)
                if cost is None:
                    raise RuntimeError(f"No OpenRouter price of {model_id} {usage_type} on {day}.")
                total += cost
        return total

    def money(self, org: SimulatedOrg, row: dict, day: date) -> tuple[Decimal, Decimal]:
        """``(usage, byok_usage_inference)`` of a usage row: what OpenRouter billed in credits (its credit-paid
        requests at its list price; the BYOK fee is waived) and what the upstream provider billed on the caller's
        own key (the BYOK requests at the same price). Together: every token of the row at list price."""
        byok = self._cost(org, row, day, self._byok_quantities(row))
        with localcontext(EXACT):
            return self._cost(org, row, day, self._quantities(row)) - byok, byok

    def billed_totals(self, org: SimulatedOrg, day: date) -> dict[tuple[str, str | None], Decimal]:
        """What OpenRouter billed for ``day`` (the activity's ``usage``); BYOK spend is in :meth:`byok_totals`."""
        return self._totals(org, day, 0)

    def byok_totals(self, org: SimulatedOrg, day: date) -> dict[tuple[str, str | None], Decimal]:
        """What the upstream providers billed on the caller's own keys for ``day`` (``byok_usage_inference``)."""
        return self._totals(org, day, 1)

    def _totals(self, org: SimulatedOrg, day: date, part: int) -> dict[tuple[str, str | None], Decimal]:
        rows = org.usage(self.name, day)
        if not rows:
            return {}
        with localcontext(EXACT):
            return {(self.name, None): sum((self.money(org, row, day)[part] for row in rows), Decimal(0))}

    # -- HTTP ----------------------------------------------------------------------------------------------

    def route(self, sub: str):
        return {"/activity": self._activity, "/models": self._models, "/credits": self._credits}.get(sub)

    def authenticate(self, request: Request) -> Response | None:
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or auth[len("Bearer ") :].strip() != request.key:
            return self.error(401, "No auth credentials found", code=401)
        return None

    def error(self, status: int, message: str, kind: str | None = None, **details) -> Response:
        return Response(status, {"error": {"code": status, "message": message}})

    def _days(self, request: Request) -> list[date]:
        today = request.now.date()
        days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        raw = request.query.get("date")
        if raw is None:
            return days
        try:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            raise ApiError(400, f"Invalid date {raw!r}: use YYYY-MM-DD.") from None
        if day not in days:
            raise ApiError(400, f"Date must be within the last {HISTORY_DAYS} completed UTC days.")
        return [day]

    def _activity(self, request: Request) -> dict:
        org = request.org
        data = []
        for day in self._days(request):
            for row in org.usage(self.name, day):
                usage, byok = self.money(org, row, day)
                data.append(
                    {
                        "date": day.isoformat(),
                        "model": row["model"],
                        "model_permaslug": row["model_permaslug"],
                        "endpoint_id": row["endpoint_id"],
                        "provider_name": row["provider_name"],
                        "usage": usage,
                        "byok_usage_inference": byok,
                        "requests": row["requests"],
                        "prompt_tokens": row["prompt_tokens"],
                        "completion_tokens": row["completion_tokens"],
                        "reasoning_tokens": row["reasoning_tokens"],
                    }
                )
        return {"data": data}

    def _price(self, org: SimulatedOrg, model_id: str, usage_type: str, day: date, per: Decimal) -> str:
        price = org.prices.unit_price(self.name, model_id, usage_type, "standard", 0, day)
        if price is None:
            raise RuntimeError(f"No OpenRouter price of {model_id} {usage_type} on {day}.")
        with localcontext(EXACT):
            return decimal_text(price.unit_price / per)

    def _models(self, request: Request) -> dict:
        org, today = request.org, request.now.date()
        data = []
        for model_id, name in NAMES.items():
            created = org.prices.first_price_day(self.name, model_id)
            data.append(
                {
                    "id": model_id,
                    "canonical_slug": f"{model_id}-{created:%Y%m%d}",
                    "name": name,
                    "created": int(datetime(created.year, created.month, created.day, tzinfo=UTC).timestamp()),
                    "context_length": 131072,
                    "pricing": {
                        "prompt": self._price(org, model_id, "input_tokens", today, PER_TOKEN),
                        "completion": self._price(org, model_id, "output_tokens", today, PER_TOKEN),
                        "request": "0",  # no per-request fee on these models
                        "image": "0",
                    },
                    "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
                    "top_provider": {"context_length": 131072, "is_moderated": False},
                    "per_request_limits": None,
                    "supported_parameters": ["temperature", "max_tokens"],
                    "expiration_date": None,
                }
            )
        return {"data": data, "total_count": len(data)}

    def _credits(self, request: Request) -> dict:
        org, today = request.org, request.now.date()
        used = Decimal(0)
        with localcontext(EXACT):
            for day in (today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)):
                used += sum(self.billed_totals(org, day).values(), Decimal(0))
        return {"data": {"total_credits": CREDITS_BOUGHT, "total_usage": used}}


PLUGIN = OpenRouterPlugin()
