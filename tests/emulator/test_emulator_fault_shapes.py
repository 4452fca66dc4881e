"""The fault kinds that answer 200 with a wrong shape: no_cursor, endless_cursor, no_cached_field, html."""

from __future__ import annotations

import json
from datetime import date

import pytest
from emu_helpers import ANTHROPIC_HEADERS, rfc3339, unix

from emulator import FaultSpec

COMPLETIONS = "/organization/usage/completions"
COSTS = "/organization/costs"
PROJECTS = "/organization/projects"
ANT_USAGE = "/v1/organizations/usage_report/messages"
ANT_COSTS = "/v1/organizations/cost_report"
WORKSPACES = "/v1/organizations/workspaces"
ANT_KEYS = "/v1/organizations/api_keys"

OPENAI_WINDOW = {"start_time": unix(date(2025, 6, 1)), "end_time": unix(date(2025, 6, 4)), "limit": 1}
ANTHROPIC_WINDOW = {"starting_at": rfc3339(date(2025, 6, 1)), "ending_at": rfc3339(date(2025, 6, 4)), "limit": 1}
WRONG_OPENAI = {"Authorization": "Bearer sk-admin-wrong-key"}
WRONG_ANTHROPIC = {**ANTHROPIC_HEADERS, "x-api-key": "sk-ant-admin01-wrong"}

OPENAI_REPORT_STUCK = {"object": "page", "data": [], "has_more": True, "next_page": None}
ANTHROPIC_REPORT_STUCK = {"data": [], "has_more": True, "next_page": None}
OPENAI_LIST_STUCK = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": True}
ANTHROPIC_LIST_STUCK = {"data": [], "has_more": True, "first_id": None, "last_id": None}


def _json_200(resp) -> dict:
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/json"
    return resp.json()


@pytest.mark.parametrize(
    "text, rates, script",
    [
        ("no_cursor:1", (("no_cursor", 1.0),), ()),
        ("endless_cursorx3", (), ("endless_cursor",) * 3),
        ("no_cursorx1,endless_cursor:0.5", (("endless_cursor", 0.5),), ("no_cursor",)),
        ("no_cached_fieldx2,html:0.25", (("html", 0.25),), ("no_cached_field",) * 2),
        ("htmlx1,no_cached_field:0.1,endless_cursorx1", (("no_cached_field", 0.1),), ("html", "endless_cursor")),
    ],
)
def test_new_kinds_parse_as_rate_and_as_count(text, rates, script):
    spec = FaultSpec.parse(text)
    assert (spec.rates, spec.script) == (rates, script)
    assert [spec.fault_for(n) for n in range(len(script))] == list(script)
    assert FaultSpec.parse(spec.describe().replace(" ", "")) == spec


def test_new_kinds_drawn_by_rate_are_deterministic():
    spec = FaultSpec.parse("no_cursor:0.25,endless_cursor:0.25,no_cached_field:0.25,html:0.25,seed=3")
    draws = [spec.fault_for(n) for n in range(400)]
    assert draws == [FaultSpec.parse(spec.describe().replace(" ", "") + ",seed=3").fault_for(n) for n in range(400)]
    assert set(draws) == {"no_cursor", "endless_cursor", "no_cached_field", "html"}
    assert FaultSpec.parse("no_cursor:1").fault_for(12345) == "no_cursor"


# -- no_cursor ------------------------------------------------------------------------------------------------


def test_no_cursor_contradicts_itself_on_every_paged_endpoint(make_emu):
    emu = make_emu(faults="no_cursor:1")
    assert _json_200(emu.openai(COMPLETIONS, OPENAI_WINDOW)) == OPENAI_REPORT_STUCK
    assert _json_200(emu.openai("/organization/usage/embeddings", OPENAI_WINDOW)) == OPENAI_REPORT_STUCK
    assert _json_200(emu.openai(COSTS, OPENAI_WINDOW)) == OPENAI_REPORT_STUCK
    assert _json_200(emu.openai(PROJECTS)) == OPENAI_LIST_STUCK
    project = emu.server.org.accounts("openai")[0].id
    assert _json_200(emu.openai(f"{PROJECTS}/{project}/api_keys")) == OPENAI_LIST_STUCK
    assert _json_200(emu.anthropic(ANT_USAGE, ANTHROPIC_WINDOW)) == ANTHROPIC_REPORT_STUCK
    assert _json_200(emu.anthropic(ANT_COSTS, ANTHROPIC_WINDOW)) == ANTHROPIC_REPORT_STUCK
    assert _json_200(emu.anthropic(WORKSPACES)) == ANTHROPIC_LIST_STUCK
    assert _json_200(emu.anthropic(ANT_KEYS)) == ANTHROPIC_LIST_STUCK
    log = emu.server.requests
    assert len(log) == 9 and {(r["status"], r["fault"]) for r in log} == {(200, "no_cursor")}


def test_no_cursor_still_checks_the_key_and_the_parameters_first(make_emu):
    emu = make_emu(faults="no_cursor:1")
    denied = emu.openai(COMPLETIONS, OPENAI_WINDOW, headers=WRONG_OPENAI)
    assert denied.status_code == 401 and denied.json()["error"]["code"] == "invalid_api_key"
    denied = emu.anthropic(WORKSPACES, headers=WRONG_ANTHROPIC)
    assert denied.status_code == 401 and denied.json()["error"]["type"] == "authentication_error"
    missing = emu.openai(COMPLETIONS, {"limit": 1})  # no start_time
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "start_time"
    project = emu.server.org.accounts("openai")[0]
    single = _json_200(emu.openai(f"{PROJECTS}/{project.id}"))  # not a page: left alone
    assert single["id"] == project.id and "data" not in single
    assert _json_200(emu.openai(PROJECTS)) == OPENAI_LIST_STUCK  # the right key: the contradiction
    assert [(r["status"], r["fault"]) for r in emu.server.requests] == [
        (401, "no_cursor"),
        (401, "no_cursor"),
        (400, "no_cursor"),
        (200, "no_cursor"),
        (200, "no_cursor"),
    ]


def test_no_cursor_scripted_then_normal(make_emu):
    emu = make_emu(faults="no_cursorx1")
    assert _json_200(emu.anthropic(ANT_USAGE, ANTHROPIC_WINDOW)) == ANTHROPIC_REPORT_STUCK
    normal = _json_200(emu.anthropic(ANT_USAGE, ANTHROPIC_WINDOW))
    assert len(normal["data"]) == 1 and normal["has_more"] is True and normal["next_page"].startswith("page_")
    assert [r["fault"] for r in emu.server.requests] == ["no_cursor", None]


# -- endless_cursor -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
@pytest.mark.parametrize("report", [True, False], ids=["report", "list"])
def test_endless_cursor_hands_out_a_fresh_cursor_every_page(make_emu, vendor, report):
    emu = make_emu(faults="endless_cursor:1")
    if vendor == "openai":
        path, window, get = (COMPLETIONS, OPENAI_WINDOW, emu.openai) if report else (PROJECTS, {"limit": 2}, emu.openai)
        param = "page" if report else "after"
    else:
        path, window, get = (
            (ANT_USAGE, ANTHROPIC_WINDOW, emu.anthropic) if report else (WORKSPACES, {"limit": 2}, emu.anthropic)
        )
        param = "page" if report else "after_id"
    cursor_field = "next_page" if report else "last_id"
    bodies, query = [], dict(window)
    for _ in range(6):  # a client that only follows has_more would never stop
        body = _json_200(get(path, query))
        bodies.append(body)
        assert body["data"] == [] and body["has_more"] is True
        query = {**window, param: body[cursor_field]}
    cursors = [b[cursor_field] for b in bodies]
    prefix = "page_endless_" if report else "endless_"
    assert cursors == [f"{prefix}{n}" for n in range(1, 7)]
    assert len(set(cursors)) == len(cursors) and cursors[0] != cursors[1]
    if report:
        keys = {"data", "has_more", "next_page"} | ({"object"} if vendor == "openai" else set())
        assert all(set(b) == keys and b.get("object", "page") == "page" for b in bodies)
    else:
        keys = {"data", "has_more", "first_id", "last_id"} | ({"object"} if vendor == "openai" else set())
        assert all(set(b) == keys and b["first_id"] is None and b.get("object", "list") == "list" for b in bodies)
    log = emu.server.requests
    assert [(r["status"], r["fault"]) for r in log] == [(200, "endless_cursor")] * 6
    assert f"{param}={cursors[0]}" in log[1]["query"]


def test_endless_cursor_costs_and_keys_too(make_emu):
    emu = make_emu(faults="endless_cursor:1")
    first = _json_200(emu.openai(COSTS, OPENAI_WINDOW))
    second = _json_200(emu.openai(COSTS, {**OPENAI_WINDOW, "page": first["next_page"]}))
    assert (first["next_page"], second["next_page"]) == ("page_endless_1", "page_endless_2")
    first = _json_200(emu.anthropic(ANT_KEYS))
    second = _json_200(emu.anthropic(ANT_KEYS, {"after_id": first["last_id"]}))
    assert (first["last_id"], second["last_id"]) == ("endless_3", "endless_4")
    assert second == {"data": [], "has_more": True, "first_id": None, "last_id": "endless_4"}


def test_endless_cursor_still_checks_the_key(make_emu):
    emu = make_emu(faults="endless_cursor:1")
    denied = emu.openai(COMPLETIONS, {**OPENAI_WINDOW, "page": "page_endless_1"}, headers=WRONG_OPENAI)
    assert denied.status_code == 401 and denied.json()["error"]["code"] == "invalid_api_key"
    denied = emu.anthropic(WORKSPACES, {"after_id": "endless_1"}, headers=WRONG_ANTHROPIC)
    assert denied.status_code == 401
    first = _json_200(emu.openai(COMPLETIONS, OPENAI_WINDOW))
    assert first["next_page"] == "page_endless_1"  # answers that were refused did not use up a number


def test_endless_streak_ends_with_an_empty_last_page(make_emu):
    emu = make_emu(faults="endless_cursorx2")
    first = _json_200(emu.openai(COMPLETIONS, OPENAI_WINDOW))
    second = _json_200(emu.openai(COMPLETIONS, {**OPENAI_WINDOW, "page": first["next_page"]}))
    last = _json_200(emu.openai(COMPLETIONS, {**OPENAI_WINDOW, "page": second["next_page"]}))
    assert last == {"object": "page", "data": [], "has_more": False, "next_page": None}
    after = _json_200(emu.anthropic(WORKSPACES, {"after_id": "endless_9"}))
    assert after == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    normal = _json_200(emu.openai(COMPLETIONS, OPENAI_WINDOW))
    assert len(normal["data"]) == 1 and normal["next_page"].startswith("page_") and "endless" not in normal["next_page"]
    assert [r["fault"] for r in emu.server.requests] == ["endless_cursor", "endless_cursor", None, None, None]


def test_endless_cursors_are_refused_without_the_fault(emu):
    resp = emu.openai(COMPLETIONS, {**OPENAI_WINDOW, "page": "page_endless_1"})
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "page"
    assert emu.anthropic(WORKSPACES, {"after_id": "endless_1"}).status_code == 400


# -- no_cached_field ------------------------------------------------------------------------------------------


def test_no_cached_field_drops_only_input_cached_tokens(make_emu, emu):
    faulty = make_emu(faults="no_cached_field:1")
    params = [("start_time", unix(date(2025, 6, 1))), ("end_time", unix(date(2025, 6, 4))), ("group_by[]", "model")]
    broken = _json_200(faulty.openai(COMPLETIONS, params))
    whole = _json_200(emu.openai(COMPLETIONS, params))
    whole_rows = [r for b in whole["data"] for r in b["results"]]
    broken_rows = [r for b in broken["data"] for r in b["results"]]
    assert whole_rows and all("input_cached_tokens" in r for r in whole_rows)
    assert len(broken_rows) == len(whole_rows)
    for cut, full in zip(broken_rows, whole_rows, strict=True):
        assert "input_cached_tokens" not in cut
        assert "input_uncached_tokens" in cut and "input_cache_write_tokens" in cut
        assert cut == {k: v for k, v in full.items() if k != "input_cached_tokens"}
    assert {k: v for k, v in broken.items() if k != "data"} == {k: v for k, v in whole.items() if k != "data"}
    assert [len(b["results"]) for b in broken["data"]] == [len(b["results"]) for b in whole["data"]]


def test_no_cached_field_leaves_other_endpoints_alone_but_counts_them(make_emu, emu):
    faulty = make_emu(faults="no_cached_fieldx2")
    assert _json_200(faulty.openai(COSTS, OPENAI_WINDOW)) == _json_200(emu.openai(COSTS, OPENAI_WINDOW))
    assert _json_200(faulty.anthropic(ANT_USAGE, ANTHROPIC_WINDOW)) == _json_200(
        emu.anthropic(ANT_USAGE, ANTHROPIC_WINDOW)
    )
    after = _json_200(faulty.openai(COMPLETIONS, OPENAI_WINDOW))  # the two faults are used up
    assert all("input_cached_tokens" in r for b in after["data"] for r in b["results"])
    assert [r["fault"] for r in faulty.server.requests] == ["no_cached_field", "no_cached_field", None]
    denied = make_emu(faults="no_cached_fieldx1").openai(COMPLETIONS, OPENAI_WINDOW, headers=WRONG_OPENAI)
    assert denied.status_code == 401


# -- html -----------------------------------------------------------------------------------------------------


def test_html_is_a_sign_in_page_not_json(make_emu):
    emu = make_emu(faults="htmlx2")
    page = emu.openai(COMPLETIONS, OPENAI_WINDOW)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.text.startswith("<!doctype html>") and "<title>Sign in</title>" in page.text
    assert page.text.rstrip().endswith("</html>") and int(page.headers["Content-Length"]) == len(page.content)
    assert "x-request-id" not in page.headers
    with pytest.raises(json.JSONDecodeError):
        json.loads(page.content)
    other = emu.anthropic(WORKSPACES, headers=WRONG_ANTHROPIC)  # a page in front of the API checks no key
    assert other.status_code == 200 and other.headers["Content-Type"] == "text/html; charset=utf-8"
    assert other.content == page.content
    normal = emu.openai(PROJECTS)
    assert normal.headers["Content-Type"] == "application/json" and normal.json()["object"] == "list"
    assert [(r["status"], r["fault"]) for r in emu.server.requests] == [(200, "html"), (200, "html"), (200, None)]


def test_new_kinds_never_touch_emulator_paths(make_emu):
    for kind in ("no_cursor", "endless_cursor", "no_cached_field", "html"):
        emu = make_emu(faults=f"{kind}:1")
        health = emu.session.get(emu.server.url + "/_emulator/health")
        assert health.status_code == 200 and health.json() == {"ok": True}
        log = emu.session.get(emu.server.url + "/_emulator/requests")
        assert log.headers["Content-Type"] == "application/json" and log.json() == {"data": []}
