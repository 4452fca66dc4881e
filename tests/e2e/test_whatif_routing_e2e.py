"""End to end, the routing view (issue 11 item 7): the emulator's request logs for three days run through
`finops run` under two routing rules of a finops.yaml (targets the emulator's price table prices too), and the published mart_whatif_routing must match
a computation independent of dbt and of the price book: the emulator's own requests (emulator/requests.py,
each with its disjoint token buckets and exact list cost), classified by hand (prompt <= 1,000 and output <=
300 tokens = simple), and the simple ones' buckets priced at the target model by the emulator's own price
table (emulator/price_table.py), in exact Decimal arithmetic."""

import os
from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest
from e2e_helpers import billing_sources, serving

from connectors.registry import SOURCES
from emulator.pricing import EXACT
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 3)
END = LAST + timedelta(days=1)
REQUEST_SOURCES = tuple(s for s in SOURCES if "request_lines" in s.conformed)
# provider -> (rule, the snapshot its to_model names in Nov 2026: the book's aliases resolve claude-haiku-4-5 and
# gpt-4o-mini so; the emulator's table prices the snapshots and has no alias for claude-haiku-4-5)
TARGETS = {
    "anthropic": ("to-haiku", "claude-haiku-4-5-20251001"),
    "openai": ("to-4o-mini", "gpt-4o-mini-2024-07-18"),
}
CONFIG = """\
whatif:
  routing:
    - name: to-haiku
      scope: {provider: anthropic}
      to_model: claude-haiku-4-5
    - name: to-4o-mini
      simple: {max_input_tokens: 1000, max_output_tokens: 300}
      scope: {provider: openai}
      to_model: gpt-4o-mini
"""
UNKNOWN = object()
BUCKETS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from emulator import EmulatorServer, SimulatedOrg
    from emulator.plugin import plugins_for

    sources = (*billing_sources(), *(s for s in REQUEST_SOURCES if s.emulator))
    with EmulatorServer(SimulatedOrg(plugins=plugins_for(sources)), sources=sources).start() as server:
        env = server.environ(drop_dir=tmp_path_factory.mktemp("drops"), start=FIRST, end=END)
        home = tmp_path_factory.mktemp("home")
        config = home / "finops.yaml"
        config.write_text(CONFIG)
        saved = dict(os.environ)
        os.environ.update(FINOPS_HOME=str(home), FINOPS_CONFIG=str(config), **env)
        try:
            paths = Paths(home)
            prepare_environment(paths)
            check_summary(run_pipeline(FIRST, LAST))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        logs = tuple(s.name for s in REQUEST_SOURCES if s.name in server.plugins)
        yield server.org, logs, paths


def hand_computation(org, logs) -> dict[tuple, list]:
    """(rule, model_id, size_class) -> [requests, actual list cost, cost under the target]; the actual cost is
    None when no request of the row is priced, the target's when the row has none (other) or any of its priced
    simple requests has a bucket the target has no price for (never a partial sum)."""
    from emulator.requests import requests_between

    expected: dict[tuple, list] = {}
    unpriced_targets: set[tuple] = set()
    with localcontext(EXACT):
        for log in logs:
            for r in requests_between(org, FIRST, END, log):
                if r.status != "success" or r.provider not in TARGETS:
                    continue
                rule, target = TARGETS[r.provider]
                simple = r.prompt_tokens <= 1000 and r.output_tokens <= 300
                key = (rule, r.model_id, "simple" if simple else "other")
                row = expected.setdefault(key, [0, None, None])
                row[0] += 1
                if r.list_cost_usd is None:
                    continue  # unpriced: counted, left out of both costs
                row[1] = (row[1] or Decimal(0)) + r.list_cost_usd
                if simple:
                    costs = [
                        org.prices.cost(r.provider, target, bucket, r.service_tier, 0, r.usage_date, quantity)
                        for bucket in BUCKETS
                        if (quantity := getattr(r, bucket))
                    ]
                    if None in costs:
                        unpriced_targets.add(key)
                    else:
                        row[2] = (row[2] or Decimal(0)) + sum(costs, Decimal(0))
    # a bucket the emulator's table has no price for: the independent side cannot price the row (the book may)
    for key in unpriced_targets:
        expected[key][2] = UNKNOWN
    for key, row in expected.items():
        if key[2] == "simple" and row[1] is not None and row[2] is None:
            row[2] = Decimal(0)  # priced simple requests without a token: nothing to price
    return expected


def test_the_routing_mart_matches_the_emulators_requests_and_prices(run):
    org, logs, paths = run
    expected = hand_computation(org, logs)
    assert any(key[2] == "simple" for key in expected) and any(key[2] == "other" for key in expected)
    rows = serving(
        paths,
        "select rule, model_id, size_class, requests, actual_cost_usd, counterfactual_cost_usd, savings_usd "
        "from marts.mart_whatif_routing",
    )
    got = {(rule, model, size): [requests, actual, counterfactual] for rule, model, size, requests, actual, counterfactual, _ in rows}  # fmt: skip
    assert got.keys() == expected.keys()
    compared = set()
    for key, (requests, actual, counterfactual) in expected.items():
        if counterfactual is UNKNOWN:
            assert got[key][:2] == [requests, actual], key
        else:
            assert got[key] == [requests, actual, counterfactual], key
            if key[2] == "simple" and counterfactual:
                compared.add(key[0])
    # both rules' savings were checked on some priced simple requests
    assert compared == {"to-haiku", "to-4o-mini"}
    for rule, model, size, _, actual, counterfactual, savings in rows:
        if size == "simple" and counterfactual is not None:
            assert savings == actual - counterfactual, (rule, model)


def test_the_size_histogram_counts_every_successful_request(run):
    org, logs, paths = run
    from emulator.requests import requests_between

    successful = [r for log in logs for r in requests_between(org, FIRST, END, log) if r.status == "success"]
    assert serving(paths, "select sum(requests) from marts.mart_request_size_monthly") == [(len(successful),)]
    small = sum(1 for r in successful if r.prompt_tokens <= 250)
    assert serving(paths, "select sum(requests) from marts.mart_request_size_monthly where size_bucket = '0-250'") == [
        (small,)
    ]
