"""Acceptance, as a new user tries it: FINOPS_REQUEST_LOGS points at request logs written by the tools
themselves, not by this project - a LiteLLM_SpendLogs row from LiteLLM's own test data exported as Postgres
CSV (tests/fixtures/real/README.md), and OTLP/JSON spans written by the official OpenTelemetry GenAI
instrumentations around the real OpenAI and Anthropic SDK clients (tests/connectors/
test_otel_real_instrumentation.py makes them) - and `finops run` lands every request once in
fct_request_cost, priced from the price book, on its UTC day, with team, feature, user and tags.

File drops land whole whatever days `--start/--end` name (those bound the API pulls), so the spans, dated
today, land too."""

import json
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from e2e_helpers import serving

from orchestration.runner import check_summary, prepare_environment, run_pipeline, utc_today
from orchestration.settings import Paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connectors"))
from test_otel_real_instrumentation import _instrumented_calls, encode_spans  # noqa: E402
from test_real_samples import LITELLM_PAYLOAD, REQUEST_ID, _as_postgres_csv  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    drops = tmp_path_factory.mktemp("drops")
    litellm = _as_postgres_csv(json.loads(LITELLM_PAYLOAD.read_text()), drops / "spend_logs.csv")
    spans = drops / "traces.jsonl"
    spans.write_text(json.dumps(encode_spans(_instrumented_calls()).to_dict()) + "\n")
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.update(FINOPS_HOME=str(home), FINOPS_REQUEST_LOGS=f"{litellm}:{spans}")
    try:
        paths = Paths(home)
        prepare_environment(paths)
        yesterday = utc_today() - timedelta(days=1)
        check_summary(run_pipeline(yesterday, yesterday))
        return paths
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_every_request_lands_once_priced_on_its_utc_day(published):
    rows = serving(
        published,
        "select source, model_id, usage_date, status, input_tokens, cached_tokens, cache_write_tokens, output_tokens, "
        "list_cost_usd, reported_cost_usd, is_priced from marts.fct_request_cost order by source, requested_at",
    )
    today = utc_today()
    litellm = [r for r in rows if r[0] == "litellm"]
    otel = [r for r in rows if r[0] == "otel"]
    assert len(litellm) == 1 and len(otel) == 4
    # LiteLLM: gpt-4o on 2025-01-24 -> gpt-4o-2024-08-06 ($2.50 / $10.00 per 1M): 10 x 2.5 + 20 x 10 = $0.000225,
    # which is also what LiteLLM itself logged as spend
    assert litellm[0] == (
        "litellm", "gpt-4o-2024-08-06", today.replace(2025, 1, 24), "success", 10, 0, 0, 20,
        Decimal("0.000225"), Decimal("0.000225"), True,
    )  # fmt: skip
    by_model = {r[1]: r for r in otel}
    assert {r[2] for r in otel} == {today}
    # gpt-4o-mini -> gpt-4o-mini-2024-07-18 ($0.15 input, $0.075 cached, $0.60 output per 1M):
    # 93 x 0.15 + 1,024 x 0.075 + 46 x 0.60 = 13.95 + 76.8 + 27.6 = $118.35 per 1M = $0.00011835
    assert by_model["gpt-4o-mini-2024-07-18"][4:9] == (93, 1024, 0, 46, Decimal("0.00011835"))
    # claude-sonnet-4-0 -> claude-sonnet-4-20250514 ($3 input, $0.30 cache read, $3.75 cache write, $15 output):
    # 21 x 3 + 1,800 x 0.30 + 3,000 x 3.75 + 393 x 15 = 63 + 540 + 11,250 + 5,895 = $17,748 per 1M = $0.017748
    assert by_model["claude-sonnet-4-20250514"][4:9] == (21, 1800, 3000, 393, Decimal("0.017748"))
    # the failed call: no tokens, $0, an error
    (failed,) = [r for r in otel if r[3] == "error"]
    assert failed[4:9] == (0, 0, 0, 0, Decimal(0)) and failed[10]


def test_attribution_comes_through(published):
    rows = serving(
        published,
        "select source, team, feature, user_id, tags from marts.fct_request_cost where status = 'success' "
        "order by source",
    )
    # the spans' resource says service support-bot, team support, feature triage (the app sets these; the
    # instrumentation records no user); LiteLLM's sample row has no team, user or tags
    assert {(r[1], r[2]) for r in rows if r[0] == "otel"} == {("support", "triage")}
    assert all(json.loads(r[4]) == {"service.name": "support-bot"} for r in rows if r[0] == "otel")
    assert [r for r in rows if r[0] == "litellm"] == [("litellm", None, None, None, "{}")]
    assert serving(published, "select request_id from marts.fct_request_cost where source = 'litellm'") == [
        (REQUEST_ID,)
    ]
