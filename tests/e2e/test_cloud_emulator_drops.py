"""The emulator's cloud billing exports end to end: the simulated organisation's Google Cloud Billing, AWS CUR 2.0
and Azure Cost Management files dropped where their env vars point, `finops run`, and the warehouse holds each
day's bill per provider and account to the cent (usage, credits, tax) and each day's tokens per model and token
type as the emulator counted them. Then the emulator restates a past day, as cloud exports do, rewriting the same
files: the next run follows, and nothing is counted twice."""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from e2e_helpers import serving

from emulator import SimulatedOrg
from emulator.plugin import plugins_for
from emulator.plugins.aws_cur import MODELS as BEDROCK_MODELS
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

CLOUD = ("gcp_billing", "aws_cur", "azure_cost")
FIRST, LAST = date(2025, 11, 3), date(2025, 11, 5)  # the Gemini API stream starts on 2025-11-03
REVISED = date(2025, 11, 4)
BEDROCK_IDS = {model.model_id: bedrock_id for bedrock_id, model in BEDROCK_MODELS.items()}


def _cloud_sources():
    from connectors.registry import SOURCES

    return [s for s in SOURCES if s.name in CLOUD]


def _days():
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def _drop(org, home):
    """Write every cloud plugin's files of the window (the same names each time) and point the env vars at them."""
    env = {}
    for source in _cloud_sources():
        folder = home / "drops" / source.name
        folder.mkdir(parents=True, exist_ok=True)
        plugin = org.plugin(source.name)
        env.update(plugin.environ(source, plugin.write_drops(org, FIRST, LAST + timedelta(days=1), folder)))
    os.environ.update(env)


def _truth_billed(org) -> dict:
    totals: dict = {}
    for name in CLOUD:
        plugin = org.plugin(name)
        for day in _days():
            for (provider, account), amount in plugin.billed_totals(org, day).items():
                totals[(day, provider, account)] = totals.get((day, provider, account), Decimal(0)) + amount
    return {k: v for k, v in totals.items() if v}


def _truth_tokens(org) -> dict:
    """Tokens per (day, provider, model_raw, usage_type, service_tier); the emulator keys them by model id, its
    ground truth names each model id's model_raw (as the export's SKU, usage type or meter writes it). The warehouse
    reads Bedrock's CUR names (NovaPro, the Marketplace's Claude Sonnet 4.5) as Bedrock's model ids, which the
    emulator's plugin keys its models by (its calls are in-Region: no inference-profile prefix)."""
    tokens: dict = {}
    for name in CLOUD:
        plugin = org.plugin(name)
        for day in _days():
            raw = {(g["provider"], g["model_id"]): g["model_raw"] for g in plugin.ground_truth(org, day)}
            for (provider, model_id, usage_type, tier), quantity in plugin.usage_quantities(org, day).items():
                if quantity:
                    name = BEDROCK_IDS[model_id] if provider == "aws_bedrock" else raw[(provider, model_id)]
                    key = (day, provider, name, usage_type, tier)
                    tokens[key] = tokens.get(key, 0) + quantity
    return tokens


def _billed(paths) -> dict:
    rows = serving(
        paths,
        "select usage_date, provider, account_id, sum(billed_cost_usd) from marts.fct_billed_cost_daily "
        "group by all having sum(billed_cost_usd) <> 0",
    )
    return {(d, p, a): amount for d, p, a, amount in rows}


def _tokens(paths) -> dict:
    rows = serving(
        paths,
        "select usage_date, provider, model_raw, usage_type, service_tier, sum(quantity) "
        "from marts.fct_usage_cost_daily group by all",
    )
    return {(d, p, m, u, t): int(q) for d, p, m, u, t, q in rows}


def _status(paths) -> dict:
    rows = serving(paths, "select usage_date, provider, account_id, status from marts.fct_cost_reconciliation_daily")
    return {(d, p, a): status for d, p, a, status in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    saved = dict(os.environ)
    org = SimulatedOrg(42, plugins=plugins_for(_cloud_sources()))
    try:
        os.environ["FINOPS_HOME"] = str(home)
        paths = Paths(home)
        prepare_environment(paths)
        _drop(org, home)
        check_summary(run_pipeline(FIRST, LAST))
        first = {"billed": _billed(paths), "tokens": _tokens(paths), "status": _status(paths)}
        truth = {"billed": _truth_billed(org), "tokens": _truth_tokens(org)}
        # the clouds restate a past day: the same files, rewritten
        org.revise("aws_cur", REVISED, 1.5)
        org.revise("gcp_billing", REVISED, 0.5)
        _drop(org, home)
        check_summary(run_pipeline(FIRST, LAST))
        second = {"billed": _billed(paths), "tokens": _tokens(paths)}
        revised = {"billed": _truth_billed(org), "tokens": _truth_tokens(org)}
        yield {"first": first, "truth": truth, "second": second, "revised": revised}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_every_days_bill_per_provider_and_account_is_the_emulators(runs):
    truth, got = runs["truth"]["billed"], runs["first"]["billed"]
    assert {p for _, p, _ in truth} == {"google_vertex", "google", "aws_bedrock", "azure_openai"}
    assert got == truth


def test_every_days_tokens_per_model_and_token_type_are_the_emulators(runs):
    truth, got = runs["truth"]["tokens"], runs["first"]["tokens"]
    assert {p for _, p, *_ in truth} == {"google_vertex", "google", "aws_bedrock", "azure_openai"}
    assert got == truth


def test_token_billing_reconciles_on_every_cloud_route(runs):
    """Each cloud's export tokens at the price book's prices are what the cloud billed for them, every day: an
    independent check of the export reading (model, token type, quantity and route) and of the book's cloud route
    prices against the emulator's own table (emulator/price_table.py), which never reads the seeds. Vertex AI is
    served from us-central1 (a regional endpoint), Bedrock's Claude Sonnet 4.5 and Nova Pro in-Region, Azure's
    deployments are Global."""
    status = runs["first"]["status"]
    assert {p for (_, p, _) in status} == {"google_vertex", "google", "aws_bedrock", "azure_openai"}
    assert {s for s in status.values()} == {"matched"}


def test_a_restated_day_is_followed_and_nothing_is_counted_twice(runs):
    before, after = runs["first"]["billed"], runs["second"]["billed"]
    assert after == runs["revised"]["billed"]
    assert runs["second"]["tokens"] == runs["revised"]["tokens"]
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed and {(d, p) for d, p, _ in changed} <= {
        (REVISED, "aws_bedrock"),
        (REVISED, "google_vertex"),
        (REVISED, "google"),
    }
