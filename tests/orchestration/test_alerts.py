"""Alerts against a real local HTTP receiver: once per threshold and period however often the pipeline runs,
retried on failure, never lost, logged without a webhook, and the webhook URL never stored or logged.

The marts are hand-made tables with the columns of the shared interfaces (issue 10 items 5-6)."""

import json
import logging
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from orchestration.alerts import LOG, evaluate, ratio_text, run_alerts
from tests.orchestration.alert_fixtures import MONEY, SECRET_PATH, Receiver, budget_at, budget_mart, closed_port_url

NO_SLEEP: list[float] = []


def no_sleep(seconds: float) -> None:
    NO_SLEEP.append(seconds)


def budget_keys(conn) -> list[tuple[str, str, int]]:
    return conn.execute(
        f"select alert_key, status, attempts from {LOG} where kind = 'budget_threshold' order by alert_key"
    ).fetchall()


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


KEY_80 = "budget_threshold|search-monthly|2026-11-01|0.8"
KEY_100 = "budget_threshold|search-monthly|2026-11-01|1.0"


def test_a_budget_crossing_80_then_100_percent_alerts_once_each_over_three_runs_a_day(conn):
    with Receiver() as receiver:
        # 4250 / 5000 = 0.85: past 0.8, under 1.0 -> one 0.8 alert
        budget_at(conn, "4250", "0.8")
        for _ in range(3):
            run_alerts(conn, receiver.url, sleep=no_sleep)
        assert receiver.keys() == [KEY_80]
        assert "85%" in receiver.bodies[0]["text"] and "$4,250.00 of $5,000.00" in receiver.bodies[0]["text"]
        # 5250 / 5000 = 1.05: the 1.0 alert, once; 0.8 is not sent again
        budget_at(conn, "5250", "1.0")
        for _ in range(3):
            run_alerts(conn, receiver.url, sleep=no_sleep)
        assert receiver.keys() == [KEY_80, KEY_100]
    assert budget_keys(conn) == [(KEY_80, "sent", 1), (KEY_100, "sent", 1)]
    severity = dict(conn.execute(f"select alert_key, severity from {LOG}").fetchall())
    assert severity == {KEY_80: "warning", KEY_100: "critical"}


def test_a_jump_past_both_thresholds_sends_the_lower_one_too(conn):
    # 0 -> 5500 / 5000 = 1.1 in one run: highest crossed 1.0, and 0.8 (configured, not yet sent) as well
    budget_at(conn, "5500", "1.0")
    with Receiver() as receiver:
        summary = run_alerts(conn, receiver.url, sleep=no_sleep)
    assert sorted(receiver.keys()) == [KEY_80, KEY_100]
    assert (summary.new, summary.delivery.sent) == (2, 2)


def test_thresholds_from_the_budget_thresholds_table_and_their_key_text(conn):
    assert [ratio_text(Decimal(t)) for t in ("0.800000", "1.000000", "0.85", "2")] == ["0.8", "1.0", "0.85", "2.0"]
    # 4750 / 5000 = 0.95: thresholds 0.5 and 0.9 crossed, 1.2 not
    budget_at(conn, "4750", "0.9")
    conn.execute(
        "create table config.budget_thresholds as select 'search-monthly' as budget_id, "
        "cast(t as decimal(18,6)) as threshold from (values ('0.5'), ('0.9'), ('1.2')) v(t)"
    )
    run_alerts(conn, None)
    assert [key for key, _, _ in budget_keys(conn)] == [
        "budget_threshold|search-monthly|2026-11-01|0.5",
        "budget_threshold|search-monthly|2026-11-01|0.9",
    ]


def test_a_receiver_failing_twice_is_retried_and_delivered_once(conn):
    budget_at(conn, "4250", "0.8")
    with Receiver(fail_first=2) as receiver:
        summary = run_alerts(conn, receiver.url, sleep=(sleeps := []).append)
        # 3 requests: 500, 500, 200; backoff 0.5 s then 1.0 s
        assert (receiver.requests, receiver.keys()) == (3, [KEY_80])
    assert sleeps == [0.5, 1.0]
    assert summary.delivery.sent == 1
    assert budget_keys(conn) == [(KEY_80, "sent", 3)]


def test_a_receiver_that_is_down_leaves_the_alert_failed_and_the_next_run_delivers_it(conn, caplog):
    caplog.set_level(logging.DEBUG)
    budget_at(conn, "4250", "0.8")
    down = closed_port_url()
    summary = run_alerts(conn, down, sleep=no_sleep)
    assert (summary.delivery.sent, summary.delivery.failed) == (0, 1)
    # 3 attempts, all refused
    [(status, attempts, error)] = conn.execute(f"select status, attempts, last_error from {LOG}").fetchall()
    assert (status, attempts) == ("failed", 3)
    assert "ConnectionError" in error
    with Receiver() as receiver:
        summary = run_alerts(conn, receiver.url, sleep=no_sleep)
        assert receiver.keys() == [KEY_80]
    # 3 failed attempts + 1 that got through
    assert budget_keys(conn) == [(KEY_80, "sent", 4)]
    assert conn.execute(f"select last_error is null from {LOG}").fetchall() == [(True,)]
    everything = json.dumps(conn.execute(f"select * from {LOG}").fetchall(), default=str)
    for secret in (SECRET_PATH, "xoxSecretToken123", down):
        assert secret not in everything
        assert secret not in caplog.text


def test_a_4xx_is_not_retried_within_the_run(conn):
    budget_at(conn, "4250", "0.8")
    posts = []

    def gone(url, payload):
        posts.append(payload)
        return 404

    run_alerts(conn, "http://127.0.0.1:9" + SECRET_PATH, post=gone, sleep=no_sleep)
    assert len(posts) == 1
    assert conn.execute(f"select status, attempts, last_error from {LOG}").fetchall() == [
        ("failed", 1, "the webhook answered HTTP 404")
    ]


def test_without_a_webhook_alerts_are_logged_for_the_app(conn):
    budget_at(conn, "4250", "0.8")
    for _ in range(2):
        summary = run_alerts(conn, None)
    assert summary.new == 0  # the second run finds it logged already
    assert budget_keys(conn) == [(KEY_80, "logged", 0)]
    [(title, body, facts)] = conn.execute(f"select title, body, facts from {LOG}").fetchall()
    assert title == "Budget search-monthly crossed 80%"
    assert json.loads(facts)["actual_usd"] == "4250.000000000000"


def test_missing_marts_mean_no_alerts(conn):
    assert evaluate(conn) == []
    assert run_alerts(conn, None).new == 0


def anomaly_mart(conn, days):
    """days: (usage_date, severity); actual 300 vs expected 100 on anomalous days."""
    conn.execute("create schema if not exists marts")
    conn.execute(
        f"""create or replace table marts.mart_cost_anomalies (
            usage_date date, scope varchar, scope_type varchar, scope_value varchar, actual_usd {MONEY},
            expected_usd {MONEY}, score decimal(18,4), severity varchar, is_anomaly boolean, driver_type varchar,
            driver_value varchar, driver_delta_usd {MONEY}, explained_share decimal(18,6))"""
    )
    for day, severity in days:
        conn.execute(
            "insert into marts.mart_cost_anomalies values (?, 'org', 'org', null, 300, 100, 6.5, ?, ?, "
            "'model', 'gpt-4o', 180, 0.9)",
            [day, severity, severity != "none"],
        )


def test_only_recent_anomalies_page_older_ones_are_logged_as_suppressed(conn):
    # data to 2026-11-20; the last 7 data days are 11-14..11-20: 11-13 is old, 11-14 and 11-20 page
    anomaly_mart(
        conn,
        [
            (date(2026, 11, 13), "warning"),
            (date(2026, 11, 14), "critical"),
            (date(2026, 11, 15), "none"),
            (date(2026, 11, 20), "warning"),
        ],
    )
    with Receiver() as receiver:
        summary = run_alerts(conn, receiver.url, sleep=no_sleep)
        run_alerts(conn, receiver.url, sleep=no_sleep)
        assert receiver.keys() == ["anomaly|org|2026-11-14", "anomaly|org|2026-11-20"]
        assert "Driver: model gpt-4o ($180.00" in receiver.bodies[0]["text"]
    assert (summary.new, summary.suppressed) == (3, 1)
    assert conn.execute(f"select alert_key, status, severity from {LOG} order by alert_key").fetchall() == [
        ("anomaly|org|2026-11-13", "suppressed", "warning"),
        ("anomaly|org|2026-11-14", "sent", "critical"),
        ("anomaly|org|2026-11-20", "sent", "warning"),
    ]


def test_past_budget_periods_are_suppressed_and_a_projected_breach_alerts_once(conn):
    # October ended 2026-10-31, more than 7 data days before 2026-11-20: its 1.0 crossing is old news.
    # November: 3000 / 5000 = 0.6, forecast 5400 > 5000 -> at_risk, breach projected 2026-11-28.
    budget_mart(
        conn,
        [
            ("b", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 31), "5000", "5100", "5100", "1.0", None, "over"),
            ("b", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 20), "5000", "3000", "5400", None, date(2026, 11, 28), "at_risk"),
        ],
    )  # fmt: skip
    with Receiver() as receiver:
        for _ in range(3):
            run_alerts(conn, receiver.url, sleep=no_sleep)
        assert receiver.keys() == ["projected_breach|b|2026-11-01"]
        assert "run out on 2026-11-28" in receiver.bodies[0]["text"]
    # no thresholds configured anywhere: only the highest crossed (1.0) is known for October
    assert conn.execute(f"select alert_key, status from {LOG} order by alert_key").fetchall() == [
        ("budget_threshold|b|2026-10-01|1.0", "suppressed"),
        ("projected_breach|b|2026-11-01", "sent"),
    ]


def test_a_newly_unpriced_model_alerts_once(conn):
    conn.execute("create schema marts")
    conn.execute(
        f"""create table marts.fct_usage_cost_daily as select * from (values
            (date '2026-11-01', 'openai', 'gpt-9-preview', 1000, false, cast(null as {MONEY})),
            (date '2026-11-02', 'openai', 'gpt-9-preview', 500, false, null),
            (date '2026-11-02', 'openai', 'gpt-4o', 700, true, 1.25)
        ) t(usage_date, provider, model_raw, quantity, is_priced, list_cost_usd)"""
    )
    with Receiver() as receiver:
        run_alerts(conn, receiver.url, sleep=no_sleep)
        run_alerts(conn, receiver.url, sleep=no_sleep)
        assert receiver.keys() == ["unpriced_model|openai|gpt-9-preview"]
    [(facts,)] = conn.execute(f"select facts from {LOG}").fetchall()
    # 1000 + 500 units unpriced, first seen 11-01
    assert json.loads(facts) == {
        "first_seen_date": "2026-11-01",
        "last_seen_date": "2026-11-02",
        "model_raw": "gpt-9-preview",
        "provider": "openai",
        "quantity": 1500,
    }


def test_first_seen_is_kept_when_a_later_run_sees_the_alert_again(conn):
    budget_at(conn, "4250", "0.8")
    run_alerts(conn, None, now=lambda: datetime(2026, 11, 21, 6, 0))
    run_alerts(conn, None, now=lambda: datetime(2026, 11, 21, 14, 0))
    assert conn.execute(f"select first_seen_at from {LOG}").fetchall() == [(datetime(2026, 11, 21, 6, 0),)]
