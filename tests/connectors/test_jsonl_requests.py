"""The plain JSONL request format (finops.request.v1, README): the reader, claims and whole-file rejection."""

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.files import FileDropError
from connectors.helicone.reader import claims as helicone_claims
from connectors.jsonl_requests.reader import claims, read_requests

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "jsonl_requests" / "requests.jsonl"
GOOD = {
    "format": "finops.request.v1",
    "request_id": "x",
    "timestamp": "2025-06-01T00:00:00Z",
    "provider": "openai",
    "model": "m",
}


def test_the_fixture_is_read_typed_and_kept_whole():
    one, two, three = read_requests(FIXTURE).to_pylist()
    assert one["requested_at"] == datetime(2025, 6, 1, 21, 30)  # 23:30 at +02:00 is 21:30 UTC
    assert (one["input_tokens"], one["cache_read_tokens"], one["output_tokens"]) == (1200, 800, 150)
    assert one["cost_usd"] == Decimal("0.00033") and one["user_id"] == "alice" and one["service_tier"] == "default"
    assert json.loads(one["tags"]) == {"env": "prod", "api_key": "sk-should-not-reach-marts"}
    assert (two["cache_write_tokens"], two["cache_write_1h_tokens"], two["cost_usd"]) == (1000, 2000, Decimal("0.0123"))
    assert three["status"] == "error" and three["service_tier"] == "standard" and three["tags"] == "{}"
    assert json.loads(three["_raw"])["extra_field"] == {"kept": "in _raw"}


def test_claims_only_the_plain_format(tmp_path):
    assert claims(FIXTURE) and not helicone_claims(FIXTURE)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"request_id": "a", "timestamp": "2025-06-01T00:00:00Z"}) + "\n")
    as_json = tmp_path / "plain.json"
    as_json.write_text(FIXTURE.read_text())
    assert not claims(other) and not claims(as_json) and not claims(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{oops", "is not JSON"),
        ("[1, 2]", "is not a JSON object"),
        (json.dumps({**GOOD, "format": "v0"}), 'lacks "format"'),
        (json.dumps({k: v for k, v in GOOD.items() if k != "model"}), '"model" is missing or not a string'),
        (json.dumps({**GOOD, "timestamp": "yesterday"}), '"timestamp" is not an ISO 8601 time'),
        (json.dumps({**GOOD, "input_tokens": -3}), '"input_tokens" is not a whole number >= 0'),
        (json.dumps({**GOOD, "output_tokens": "12"}), '"output_tokens" is not a whole number >= 0'),
        (json.dumps({**GOOD, "status": "ok"}), '"status" is neither success nor error'),
        (json.dumps({**GOOD, "tags": {"a": 1}}), '"tags" is not an object of strings'),
        (json.dumps({**GOOD, "cost_usd": "cheap"}), '"cost_usd" is not a number'),
    ],
)
def test_a_bad_line_rejects_the_file_naming_file_and_line(tmp_path, bad, message):
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + bad + "\n")
    with pytest.raises(FileDropError, match=r"log\.jsonl: line 3 ") as info:
        read_requests(path)
    assert message in str(info.value) and "nothing of this file was loaded" in str(info.value)
