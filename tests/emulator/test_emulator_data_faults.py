"""The data faults of one UTC day (dup_row@, negative_tokens@, unknown_model@): what a corrupt vendor day looks
like on the OpenAI completions and Anthropic messages usage reports, and only there."""

from __future__ import annotations

from datetime import date

import pytest
from emu_helpers import ANTHROPIC_HEADERS, rfc3339, unix

from emulator import FaultSpec
from emulator.faults import UNKNOWN_MODEL

COMPLETIONS = "/organization/usage/completions"
COSTS = "/organization/costs"
ANT_USAGE = "/v1/organizations/usage_report/messages"
DAY = date(2025, 6, 2)
ALL = f"dup_row@{DAY},negative_tokens@{DAY},unknown_model@{DAY}"
OPENAI = [("start_time", unix(date(2025, 6, 1))), ("end_time", unix(date(2025, 6, 4))), ("group_by[]", "model")]
ANTHROPIC = [
    ("starting_at", rfc3339(date(2025, 6, 1))),
    ("ending_at", rfc3339(date(2025, 6, 4))),
    ("group_by[]", "model"),
]


def _rows(body: dict) -> list[list[dict]]:
    return [b["results"] for b in body["data"]]


def _pages(make_emu, emu, vendor: str, faults: str):
    faulty = make_emu(faults=faults)
    path, params = (COMPLETIONS, OPENAI) if vendor == "openai" else (ANT_USAGE, ANTHROPIC)
    broken = getattr(faulty, vendor)(path, params)
    whole = getattr(emu, vendor)(path, params)
    assert broken.status_code == 200 and whole.status_code == 200, broken.text
    return faulty, _rows(broken.json()), _rows(whole.json())


def test_spec_parses_days_in_order_and_describes_them():
    spec = FaultSpec.parse(f"{ALL},429x1,dup_row@2025-06-05")
    assert spec.days == (
        ("dup_row", DAY),
        ("negative_tokens", DAY),
        ("unknown_model", DAY),
        ("dup_row", date(2025, 6, 5)),
    )
    assert spec.script == ("429",) and bool(FaultSpec.parse(f"dup_row@{DAY}"))
    assert spec.describe() == (
        "429x1, dup_row@2025-06-02, negative_tokens@2025-06-02, unknown_model@2025-06-02, dup_row@2025-06-05"
    )
    # a data fault is not a drawn one: no request "has" it
    assert FaultSpec.parse(f"dup_row@{DAY}").fault_for(0) is None


@pytest.mark.parametrize("spec", ["dup_row@06/02/2025", "dup_row@2025-13-01", "429@2025-06-02", "bad_row@2025-06-02"])
def test_invalid_day_fault_is_one_clear_sentence(spec):
    with pytest.raises(ValueError) as err:
        FaultSpec.parse(spec)
    message = str(err.value)
    assert message.startswith("Invalid fault spec item") and message.endswith(".") and "\n" not in message
    assert message.count(". ") == 0 and "KIND@YYYY-MM-DD" in message


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_dup_row_repeats_the_first_result_of_that_day_only(make_emu, emu, vendor):
    _, broken, whole = _pages(make_emu, emu, vendor, f"dup_row@{DAY}")
    assert len(whole) == 3 and all(len(b) >= 3 for b in whole)
    assert broken[0] == whole[0] and broken[2] == whole[2]  # 2025-06-01 and 2025-06-03 untouched
    assert broken[1] == [whole[1][0], whole[1][0], *whole[1][1:]]


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_negative_tokens_negates_the_second_result_output(make_emu, emu, vendor):
    _, broken, whole = _pages(make_emu, emu, vendor, f"negative_tokens@{DAY}")
    assert broken[0] == whole[0] and broken[2] == whole[2]
    assert whole[1][1]["output_tokens"] > 0
    assert broken[1][1] == {**whole[1][1], "output_tokens": -whole[1][1]["output_tokens"]}
    assert broken[1][0] == whole[1][0] and broken[1][2:] == whole[1][2:]


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_all_three_on_one_day_hit_three_rows_and_repeat_the_same_way(make_emu, emu, vendor):
    faulty, broken, whole = _pages(make_emu, emu, vendor, ALL)
    day = whole[1]
    assert broken[1][0] == broken[1][1] == day[0]  # the repeated row, untouched by the other two
    assert broken[1][2] == {**day[1], "output_tokens": -day[1]["output_tokens"]}
    assert broken[1][3] == {**day[2], "model": UNKNOWN_MODEL}
    assert broken[1][4:] == day[3:]
    assert sum(len(b) for b in broken) == sum(len(b) for b in whole) + 1
    path, params = (COMPLETIONS, OPENAI) if vendor == "openai" else (ANT_USAGE, ANTHROPIC)
    again = getattr(faulty, vendor)(path, params).json()
    assert _rows(again) == broken  # reproducible: every request gets the same corruption
    assert [r["fault"] for r in faulty.server.requests] == [None, None]


def test_other_endpoints_and_other_days_answer_normally(make_emu, emu):
    faulty = make_emu(faults=ALL.replace(str(DAY), "2025-06-20"))
    assert faulty.openai(COMPLETIONS, OPENAI).json() == emu.openai(COMPLETIONS, OPENAI).json()
    window = {"start_time": unix(date(2025, 6, 20)), "end_time": unix(date(2025, 6, 21))}
    assert faulty.openai(COSTS, window).json() == emu.openai(COSTS, window).json()
    denied = faulty.openai(COMPLETIONS, OPENAI, headers={"Authorization": "Bearer sk-admin-wrong"})
    assert denied.status_code == 401
    wrong = faulty.anthropic(ANT_USAGE, ANTHROPIC, headers={**ANTHROPIC_HEADERS, "x-api-key": "sk-ant-admin01-x"})
    assert wrong.status_code == 401


def test_hourly_buckets_corrupt_the_first_hours_of_that_day(make_emu, emu):
    params = [
        ("start_time", unix(DAY)),
        ("end_time", unix(date(2025, 6, 3))),
        ("bucket_width", "1h"),
        ("group_by[]", "model"),
        ("limit", 24),
    ]
    broken = make_emu(faults=f"dup_row@{DAY}").openai(COMPLETIONS, params).json()
    whole = emu.openai(COMPLETIONS, params).json()
    first = next(i for i, b in enumerate(whole["data"]) if b["results"])
    assert broken["data"][first]["results"] == [whole["data"][first]["results"][0], *whole["data"][first]["results"]]
    assert sum(len(b["results"]) for b in broken["data"]) == sum(len(b["results"]) for b in whole["data"]) + 1
