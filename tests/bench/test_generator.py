"""bench/request_logs.py's generated workload: independent random streams, long prompts priced across the price
book's change, and the providers' usage and costs landed through the real clients (issue 13, item 1)."""

import csv
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from bench.request_logs import (
    FIRST_DAY,
    LONG_CONTEXT_MODELS,
    LONG_CONTEXT_PERCENT,
    LONG_CONTEXT_RATES,
    LONG_CONTEXT_UNTIL,
    MODELS,
    TAGS,
    TEAMS,
    _generate_sql,
    connect,
    land_provider_usage,
)
from orchestration.settings import REPO_ROOT

ROWS = 100_000
PRICES = {model: (Decimal(str(p_in)), Decimal(str(p_out))) for _, model, _, _, p_in, p_out in MODELS}


def rows_of(day: date, rows: int = ROWS) -> list[tuple]:
    sql = f"""
        select model, team_id, prompt_tokens, completion_tokens, spend,
            cast(json_extract(metadata, '$.usage_object.cache_creation_input_tokens') as bigint)
        from ({_generate_sql(day, rows)})
    """
    return duckdb.connect().execute(sql).fetchall()


def test_the_random_streams_are_independent():
    """Every team calls every model in about the model's share, and the long prompts are a steady share of each
    long-context model. Generator v1 drew its streams as hash(i, seed, 'name'), which DuckDB ties together: a
    team saw only half of the models, and Opus 4.6 (2% of requests) never had a long prompt."""
    rows = rows_of(LONG_CONTEXT_UNTIL)
    pairs = Counter((model, team) for model, team, *_ in rows)
    for _, model, _, share, _, _ in MODELS:
        expected = ROWS * share / 100 / len(TEAMS)
        for team in TEAMS:
            assert 0.75 * expected < pairs[(model, f"team-{team}")] < 1.25 * expected, (model, team)
    for model in LONG_CONTEXT_MODELS:
        calls = [r for r in rows if r[0] == model]
        long = sum(1 for r in calls if r[2] > 200_000)
        # the long draw is independent of the 2% failed calls (logged with 0 tokens)
        assert 0.6 * LONG_CONTEXT_PERCENT < 100 * long / len(calls) < 1.4 * LONG_CONTEXT_PERCENT, model
    assert not [r for r in rows if r[0] not in LONG_CONTEXT_MODELS and r[2] > 200_000]


@pytest.mark.parametrize("day", [LONG_CONTEXT_UNTIL - timedelta(days=1), LONG_CONTEXT_UNTIL])
def test_long_prompts_cost_the_long_context_rates_until_the_price_change(day):
    """LiteLLM's logged spend of a prompt over 200k tokens: inputs at 2x, output at 1.5x the base rates before
    2026-03-13, the base rates from that day on; worked out here from each row's tokens."""
    rate_in, rate_out = (Decimal(str(r)) for r in LONG_CONTEXT_RATES) if day < LONG_CONTEXT_UNTIL else (1, 1)
    long = [r for r in rows_of(day) if r[2] > 200_000]
    assert len(long) > 20
    for model, _, prompt, completion, spend, cache_write in long:
        p_in, p_out = PRICES[model]
        expected = ((prompt + cache_write) * p_in * rate_in + completion * p_out * rate_out) / 1_000_000
        assert abs(Decimal(str(spend)) - expected) < Decimal("0.00000001"), (model, prompt, spend)


def test_the_adverse_tags_are_each_requests_own_and_name_a_credential():
    """bench/scale.py --tags adverse: every request's tags differ from every other's and hold a name to drop, while
    the shared tags repeat (100 distinct request_tags); the rest of the row is the same draw."""
    day, n = FIRST_DAY, 5_000

    def tags_of(variant: str, day: date = day) -> list[tuple[str, str]]:
        sql = f"select request_id, request_tags from ({_generate_sql(day, n, variant)}) order by request_id"
        return duckdb.connect().execute(sql).fetchall()

    shared, adverse = tags_of("shared"), tags_of("adverse")
    assert set(TAGS) == {"shared", "adverse"}
    assert len({t for _, t in shared}) == 100 and len({t for _, t in adverse}) == n
    # and from one day to the next: a trace id is never reused
    assert not {t for _, t in adverse} & {t for _, t in tags_of("adverse", day + timedelta(days=1))}
    assert all('"auth_token:' in t for _, t in adverse) and not any("auth_token" in t for _, t in shared)
    # the adverse tags are the shared ones plus the two per-request tags
    for (rid, one), (rid2, other) in zip(shared, adverse, strict=True):
        assert rid == rid2 and other.startswith(one[:-1] + ", ")


def test_the_generator_constants_follow_the_price_book():
    """The long-context rates and the day they end are the price book's (pricing_seeds/price_book.csv), and the
    generated days cross that day."""
    with open(REPO_ROOT / "pricing_seeds" / "price_book.csv", newline="") as f:
        book = list(csv.DictReader(f))
    for model in LONG_CONTEXT_MODELS:
        model_id = model.split("/", 1)[1]

        def price(usage_type: str, tier: str, model_id: str = model_id) -> tuple[Decimal, str]:
            row = next(
                r
                for r in book
                if r["model_id"] == model_id
                and r["usage_type"] == usage_type
                and r["prompt_tokens_gt"] == tier
                and r["effective_from"] < LONG_CONTEXT_UNTIL.isoformat()
            )
            return Decimal(row["unit_price"]), row["effective_to"]

        for usage_type, rate in zip(("input_tokens", "output_tokens"), LONG_CONTEXT_RATES, strict=True):
            (base, _), (long, until) = price(usage_type, "0"), price(usage_type, "200000")
            assert long / base == Decimal(str(rate)), (model, usage_type)
            assert until == LONG_CONTEXT_UNTIL.isoformat()
    assert FIRST_DAY < LONG_CONTEXT_UNTIL < FIRST_DAY + timedelta(days=30)


def test_the_providers_usage_lands_through_the_real_clients(tmp_path):
    """land_provider_usage: usage by batch / service tier and the cost reports of both providers, every day of the
    window; re-pulling the last day (the daily run's increment) replaces it and leaves the other days as they were."""
    from connectors.registry import BY_NAME
    from orchestration.loader import ensure_raw_tables

    warehouse = tmp_path / "warehouse.duckdb"
    tables = [t for name in ("openai", "anthropic") for t in BY_NAME[name].tables]
    with connect(warehouse) as conn:
        ensure_raw_tables(conn, tables)
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=3)
    _, landed = land_provider_usage(warehouse, start, end, run_id="test")

    def counts(conn) -> dict[str, int]:
        return {t.name: conn.execute(f"select count(*) from {t.qualified_name}").fetchone()[0] for t in tables}

    with connect(warehouse, read_only=True) as conn:
        before = counts(conn)
        assert landed == sum(before.values())
        batch = conn.execute(
            "select cast(bucket_start as date), list(distinct batch order by batch) from raw.openai_completions_usage "
            "group by 1 order by 1"
        ).fetchall()
        tiers = conn.execute(
            "select cast(bucket_start as date), list(distinct service_tier order by service_tier) "
            "from raw.anthropic_messages_usage group by 1 order by 1"
        ).fetchall()
    days = [start + timedelta(days=k) for k in range(3)]
    assert batch == [(d, [False, True]) for d in days]
    assert tiers == [(d, ["batch", "standard"]) for d in days]
    assert before["openai_costs"] > 0 and before["anthropic_cost_report"] > 0
    assert before["openai_api_keys"] > 0 and before["anthropic_api_keys"] > 0

    land_provider_usage(warehouse, end - timedelta(days=1), end, run_id="test-increment")
    with connect(warehouse, read_only=True) as conn:
        assert counts(conn) == before
        runs = conn.execute(
            "select cast(bucket_start as date), list(distinct _run_id) from raw.openai_completions_usage "
            "group by 1 order by 1"
        ).fetchall()
    assert runs == [(days[0], ["test"]), (days[1], ["test"]), (days[2], ["test-increment"])]
