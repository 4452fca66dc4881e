"""Issue 9's acceptance: repricing a month of demo usage to another model matches a hand computation.

A month (June 2025) of the emulator's OpenAI organisation runs through the whole pipeline with a finops.yaml
whose what-if moves gpt-4.1 (2025-04-14) to gpt-4o-mini. The computation to match is independent of dbt and of
the price book: the emulator's own usage (per day, usage type and tier) times the emulator's own price table
(emulator/price_table.py, written out by hand from the vendors' pages), in exact Decimal arithmetic:

    actual         = sum over June days and gpt-4.1's usage types of quantity x gpt-4.1's price that day
    counterfactual = the same quantities x gpt-4o-mini-2024-07-18's price for the same usage type and tier
                     (gpt-4o-mini is the alias the scenario names; it resolved to that snapshot in June 2025)
"""

import os
from datetime import date, timedelta
from decimal import Decimal, localcontext

import duckdb
import pytest
from e2e_helpers import billing_emulator, usage_sources

from emulator.pricing import EXACT
from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

FIRST, LAST = date(2025, 6, 1), date(2025, 6, 30)
ACTUAL, TARGET = "gpt-4.1-2025-04-14", "gpt-4o-mini-2024-07-18"
CONFIG = """\
whatif:
  scenarios:
    - name: gpt41-to-mini
      scope: {provider: openai, models: ["gpt-4.1-2025-04-14"]}
      to_model: gpt-4o-mini
"""


@pytest.fixture(scope="module")
def june(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    config = home / "finops.yaml"
    config.write_text(CONFIG)
    saved = dict(os.environ)
    with billing_emulator().start() as server:
        openai = [source for source in usage_sources(server) if source.name == "openai"]
        os.environ.update(FINOPS_HOME=str(home), FINOPS_CONFIG=str(config), **server.environ(openai))
        try:
            paths = Paths(home)
            prepare_environment(paths)
            check_summary(run_pipeline(FIRST, LAST))
            with duckdb.connect(str(paths.serving), read_only=True) as conn:
                rows = conn.execute(
                    "select month, provider, model_id, target_model_id, actual_cost_usd, counterfactual_cost_usd, "
                    "savings_usd, caveats from marts.mart_whatif_reprice where scenario = 'gpt41-to-mini'"
                ).fetchall()
            yield server.org, rows
        finally:
            os.environ.clear()
            os.environ.update(saved)


def hand_computation(org) -> tuple[Decimal, Decimal]:
    actual = counterfactual = Decimal(0)
    quantities = org.usage_quantities(FIRST, LAST + timedelta(days=1))
    with localcontext(EXACT):
        for (day, provider, model_id, usage_type, tier), quantity in quantities.items():
            if provider != "openai" or model_id != ACTUAL:
                continue
            actual += org.prices.cost(provider, ACTUAL, usage_type, tier, 0, day, quantity)
            counterfactual += org.prices.cost(provider, TARGET, usage_type, tier, 0, day, quantity)
    return actual, counterfactual


def test_a_month_moved_to_another_model_costs_what_the_emulator_says(june):
    org, rows = june
    actual, counterfactual = hand_computation(org)
    assert actual > counterfactual > 0
    assert rows == [
        (date(2025, 6, 1), "openai", ACTUAL, TARGET, actual, counterfactual, actual - counterfactual, None),
    ]
