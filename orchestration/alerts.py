"""Alerts (issue 10 item 7): budget thresholds, projected breaches, cost anomalies and newly unpriced models,
read from the checked marts, written once to an alert log and posted to FINOPS_ALERT_WEBHOOK.

* ``evaluate(conn)`` reads the marts and returns every alert they call for now. Each alert has a once-only
  key (shared interfaces, issue 10): ``budget_threshold|<budget_id>|<period_start>|<threshold>``,
  ``projected_breach|<budget_id>|<period_start>``, ``anomaly|<scope>|<usage_date>``,
  ``unpriced_model|<provider>|<model_raw>``. A mart that is not built yet means no alerts of its kind.
* ``record(conn, alerts)`` inserts the alerts whose key is not in the log yet (insert-if-absent on the
  primary key), so however often the pipeline runs, each alert is logged, and so sent, once.
* ``deliver(conn, webhook)`` posts every pending or failed alert (Slack-compatible ``{"text", "blocks"}``),
  retrying 429, 5xx, timeouts and connection errors a few times with backoff; what still fails stays
  ``failed`` and is tried again on the next run (or by the retry sensor), so nothing is lost silently.
  Without a webhook, pending alerts become ``logged``: the log is published with the marts, the app shows it.

Old news is not paged: on a first run over months of history, an anomaly or a budget period that ended more
than RECENT_DAYS data days before the latest data day is recorded as ``suppressed`` (visible in the log,
never posted). Unpriced models are always current (every build reprices all history), so they always alert.

The webhook URL is a secret (a Slack webhook's path is its key): it is never logged, never stored, and every
error text written to the log passes through ``redact``. Money in facts is exact decimal text.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import duckdb
import requests

SCHEMA = "ops"  # written by Python only: dbt owns schema marts; publish copies the log into the serving copy
TABLE = "alert_log"
LOG = f"{SCHEMA}.{TABLE}"
RECENT_DAYS = 7  # anomalies and budget periods older than this many data days are logged as suppressed
TIMEOUT = 10.0  # seconds per POST (connect and read)
MAX_ATTEMPTS = 3  # per alert and run; a failed alert is tried again on the next run
INITIAL_DELAY = 0.5  # seconds before the second attempt; doubles after each
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
DEFAULT_THRESHOLDS = (Decimal("0.8"), Decimal("1.0"))  # finops.yaml budgets: thresholds default
REDACTED = "[webhook]"

# status: pending (not tried yet) | sent | failed (tried, will be retried) | logged (no webhook: shown in the
# app only) | suppressed (too old to page when first seen)
LOG_COLUMNS = """
    alert_key varchar primary key,
    kind varchar not null,
    severity varchar not null,
    title varchar not null,
    body varchar not null,
    facts varchar not null,
    first_seen_at timestamp not null,
    status varchar not null,
    attempts integer not null,
    last_attempt_at timestamp,
    sent_at timestamp,
    last_error varchar
"""
PENDING, SENT, FAILED, LOGGED, SUPPRESSED = "pending", "sent", "failed", "logged", "suppressed"

_log = logging.getLogger("finops")


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # budget_threshold | projected_breach | anomaly | unpriced_model
    severity: str  # warning | critical
    title: str
    text: str  # Slack mrkdwn, title first
    facts: dict[str, Any] = field(default_factory=dict)
    suppressed: bool = False

    def payload(self) -> dict[str, Any]:
        """Slack-compatible JSON: ``text`` (the notification and fallback) plus blocks."""
        return slack_payload(self.key, self.text)


def slack_payload(key: str, text: str) -> dict[str, Any]:
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"finops alert `{key}`"}]},
        ],
    }


# ------------------------------------------------------------------------------------------- evaluate


def evaluate(conn: duckdb.DuckDBPyConnection) -> list[Alert]:
    """Every alert the marts call for now (already-logged ones included: ``record`` keeps the first)."""
    return [*_budget_alerts(conn), *_anomaly_alerts(conn), *_unpriced_alerts(conn)]


def _exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ? and table_catalog = current_database()",
            [schema, table],
        ).fetchall()[0][0]
    )


def _columns(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? and table_catalog = current_database()",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _mart_rows(conn: duckdb.DuckDBPyConnection, table: str, clauses: str) -> list[dict[str, Any]]:
    """The rows of marts.``table`` (with ``clauses``); none when the mart is not built yet."""
    if not _exists(conn, "marts", table):
        return []
    return _rows(conn, f"select * from marts.{table} {clauses}")


def ratio_text(value: Decimal) -> str:
    """A threshold as the key writes it: '0.8', '1.0', '0.85' (whatever the decimal scale it was read with)."""
    text = format(Decimal(value).normalize(), "f")
    return text if "." in text else text + ".0"


def _pct(value: Decimal) -> str:
    return f"{format((Decimal(value) * 100).normalize(), 'f')}%"


def _usd(value: Any) -> str:
    return "n/a" if value is None else f"${Decimal(value).quantize(Decimal('0.01')):,}"


def _fact(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# The mart columns an alert carries as its facts (exact decimal text, ISO dates).
BUDGET_FACTS = "budget_id scope period period_start period_end as_of_date budget_usd actual_usd forecast_usd pct_used projected_breach_date status".split()
ANOMALY_FACTS = "usage_date scope actual_usd expected_usd score severity driver_type driver_value driver_delta_usd explained_share".split()


def _facts(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: _fact(row.get(name)) for name in names}


def configured_thresholds(conn: duckdb.DuckDBPyConnection) -> dict[str, list[Decimal]]:
    """budget_id -> its thresholds, ascending, from config.budget_thresholds (budget_id, threshold) or
    config.budgets.thresholds ('0.8,1.0'); empty when neither exists (then only the highest crossed is known)."""
    if _exists(conn, "config", "budget_thresholds"):
        found: dict[str, list[Decimal]] = {}
        for budget_id, threshold in conn.execute(
            "select budget_id, cast(threshold as varchar) from config.budget_thresholds"
        ).fetchall():
            found.setdefault(budget_id, []).append(Decimal(threshold))
        return {k: sorted(v) for k, v in found.items()}
    if _exists(conn, "config", "budgets") and "thresholds" in _columns(conn, "config", "budgets"):
        rows = conn.execute("select budget_id, thresholds from config.budgets").fetchall()
        return {
            budget_id: sorted(Decimal(t.strip()) for t in text.split(",") if t.strip())
            if text
            else list(DEFAULT_THRESHOLDS)
            for budget_id, text in rows
        }
    return {}


def _budget_alerts(conn: duckdb.DuckDBPyConnection) -> Iterator[Alert]:
    rows = _mart_rows(conn, "mart_budget_status", "order by budget_id, period_start")
    if not rows:
        return
    latest = max(r["as_of_date"] for r in rows if r["as_of_date"] is not None)
    thresholds = configured_thresholds(conn)
    for row in rows:
        old = row["period_end"] < latest - timedelta(days=RECENT_DAYS - 1)
        facts = _facts(row, BUDGET_FACTS)
        where = f"*{row['budget_id']}* ({row['scope']}, {row['period']} from {row['period_start']})"
        spent = (
            f"{_usd(row['actual_usd'])} of {_usd(row['budget_usd'])} spent ({_pct(row['pct_used'])}) "
            f"as of {row['as_of_date']}; forecast for the period {_usd(row['forecast_usd'])}."
        )
        highest = row["highest_threshold_crossed"]
        if highest is not None:
            crossed = {t for t in thresholds.get(row["budget_id"], []) if t <= highest} | {Decimal(highest)}
            for threshold in sorted(crossed):
                title = f"Budget {row['budget_id']} crossed {_pct(threshold)}"
                yield Alert(
                    key=f"budget_threshold|{row['budget_id']}|{row['period_start']}|{ratio_text(threshold)}",
                    kind="budget_threshold",
                    severity="critical" if threshold >= 1 else "warning",
                    title=title,
                    text=f"*{title}*\n{where}: {spent}",
                    facts={**facts, "threshold": ratio_text(threshold)},
                    suppressed=old,
                )
        if row["status"] == "at_risk" and row["projected_breach_date"] is not None:
            title = f"Budget {row['budget_id']} is projected to run out on {row['projected_breach_date']}"
            yield Alert(
                key=f"projected_breach|{row['budget_id']}|{row['period_start']}",
                kind="projected_breach",
                severity="warning",
                title=title,
                text=f"*{title}*\n{where}: {spent}",
                facts=facts,
                suppressed=old,
            )


def _anomaly_alerts(conn: duckdb.DuckDBPyConnection) -> Iterator[Alert]:
    rows = _mart_rows(conn, "mart_cost_anomalies", "where is_anomaly order by usage_date, scope")
    if not rows:
        return
    latest = conn.execute("select max(usage_date) from marts.mart_cost_anomalies").fetchall()[0][0]
    for row in rows:
        title = f"Spend anomaly: {row['scope']} on {row['usage_date']}"
        driver = (
            f" Driver: {row['driver_type']} {row['driver_value']} ({_usd(row['driver_delta_usd'])} vs its expected)."
            if row.get("driver_type")
            else ""
        )
        text = (
            f"*{title}*\n{_usd(row['actual_usd'])} spent, {_usd(row['expected_usd'])} expected "
            f"(score {row['score']}, {row['severity']}).{driver}"
        )
        facts = _facts(row, ANOMALY_FACTS)
        yield Alert(
            key=f"anomaly|{row['scope']}|{row['usage_date']}",
            kind="anomaly",
            severity="critical" if row["severity"] == "critical" else "warning",
            title=title,
            text=text,
            facts=facts,
            suppressed=row["usage_date"] < latest - timedelta(days=RECENT_DAYS - 1),
        )


def _unpriced_alerts(conn: duckdb.DuckDBPyConnection) -> Iterator[Alert]:
    if not _exists(conn, "marts", "fct_usage_cost_daily"):
        return
    rows = _rows(
        conn,
        "select provider, model_raw, min(usage_date) as first_seen_date, max(usage_date) as last_seen_date, "
        "sum(quantity) as quantity from marts.fct_usage_cost_daily where not is_priced "
        "group by provider, model_raw order by provider, model_raw",
    )
    for row in rows:
        title = f"Unpriced model: {row['provider']} {row['model_raw']}"
        text = (
            f"*{title}*\nUsage since {row['first_seen_date']} (last {row['last_seen_date']}, {row['quantity']} units) "
            "has no price in the price book, so its cost is unknown (NULL, not $0). "
            "Add a price: `finops prices add` or `finops prices sync`."
        )
        yield Alert(
            key=f"unpriced_model|{row['provider']}|{row['model_raw']}",
            kind="unpriced_model",
            severity="warning",
            title=title,
            text=text,
            facts=_facts(row, list(row)),
        )


# ------------------------------------------------------------------------------------------- record


def ensure_log(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(f"create table if not exists {LOG} ({LOG_COLUMNS})")


def record(conn: duckdb.DuckDBPyConnection, alerts: list[Alert], now: datetime | None = None) -> list[str]:
    """Insert the alerts whose key is not in the log yet; returns the keys that were new."""
    ensure_log(conn)
    now = now or _utcnow()
    known = {r[0] for r in conn.execute(f"select alert_key from {LOG}").fetchall()}
    new = []
    for alert in alerts:
        if alert.key in known:
            continue
        known.add(alert.key)
        new.append(alert.key)
        conn.execute(
            f"insert into {LOG} (alert_key, kind, severity, title, body, facts, first_seen_at, status, attempts) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, 0) on conflict do nothing",
            [
                alert.key,
                alert.kind,
                alert.severity,
                alert.title,
                alert.text,
                json.dumps(alert.facts, sort_keys=True),
                now,
                SUPPRESSED if alert.suppressed else PENDING,
            ],
        )
    return new


# ------------------------------------------------------------------------------------------- deliver


def redact(text: object, webhook: str | None) -> str:
    """``text`` without the webhook URL or its path (a Slack webhook's path is its secret)."""
    out = str(text)
    if webhook:
        parts = urlsplit(webhook)
        for secret in (webhook, parts.path, parts.query):
            if secret and secret != "/":
                out = out.replace(secret, REDACTED)
    return out


@contextmanager
def _quiet_http_logs() -> Iterator[None]:
    """urllib3 logs each request line with its path at DEBUG (httpx logs the URL at INFO): the path of a
    webhook is its secret, so those loggers stay above DEBUG/INFO while we post."""
    loggers = [logging.getLogger(name) for name in ("urllib3", "urllib3.connectionpool", "httpx", "httpcore")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def post_json(url: str, payload: dict[str, Any], timeout: float = TIMEOUT) -> int:
    """POST ``payload``; the HTTP status (no redirects followed: a webhook that redirects is misconfigured)."""
    with _quiet_http_logs():
        response = requests.post(url, json=payload, timeout=timeout, allow_redirects=False)
    return response.status_code


@dataclass
class Delivery:
    status: str
    attempts: int
    error: str | None = None


def send(
    url: str,
    payload: dict[str, Any],
    *,
    post: Callable[[str, dict[str, Any]], int] = post_json,
    sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = MAX_ATTEMPTS,
) -> Delivery:
    """Post with up to ``max_attempts`` tries (backoff INITIAL_DELAY, doubling); 2xx is sent. The error names
    the last status or exception class and message, redacted."""
    error = None
    for attempt in range(1, max_attempts + 1):
        try:
            status = post(url, payload)
        except requests.RequestException as exc:  # connection refused, timeout, ...
            error = redact(f"{type(exc).__name__}: {exc}", url)
            retry = True
        else:
            if 200 <= status < 300:
                return Delivery(SENT, attempt)
            error = f"the webhook answered HTTP {status}"
            retry = status in RETRY_STATUSES
        if not retry or attempt == max_attempts:
            return Delivery(FAILED, attempt, error)
        sleep(INITIAL_DELAY * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


@dataclass
class DeliverySummary:
    sent: int = 0
    failed: int = 0
    logged: int = 0


def deliver(
    conn: duckdb.DuckDBPyConnection,
    webhook: str | None,
    *,
    post: Callable[[str, dict[str, Any]], int] = post_json,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] | None = None,
) -> DeliverySummary:
    """Post every pending and failed alert of the log, oldest first; without a webhook, pending ones become
    logged (failed ones wait for a webhook)."""
    ensure_log(conn)
    clock = now or _utcnow
    summary = DeliverySummary()
    if not webhook:
        logged = conn.execute(
            f"update {LOG} set status = ? where status = ? returning alert_key", [LOGGED, PENDING]
        ).fetchall()
        summary.logged = len(logged)
        return summary
    due = conn.execute(
        f"select alert_key, body from {LOG} where status in (?, ?) order by first_seen_at, alert_key",
        [PENDING, FAILED],
    ).fetchall()
    for key, body in due:
        outcome = send(webhook, slack_payload(key, body), post=post, sleep=sleep)
        at = clock()
        conn.execute(
            f"update {LOG} set status = ?, attempts = attempts + ?, last_attempt_at = ?, "
            "sent_at = case when ? = 'sent' then ? else sent_at end, last_error = ? where alert_key = ?",
            [outcome.status, outcome.attempts, at, outcome.status, at, outcome.error, key],
        )
        if outcome.status == SENT:
            summary.sent += 1
        else:
            summary.failed += 1
            _log.warning("alert %s not delivered (%s); it is retried on the next run", key, outcome.error)
    return summary


# ------------------------------------------------------------------------------------------- one run


@dataclass
class AlertRun:
    evaluated: int
    new: int
    suppressed: int
    delivery: DeliverySummary

    def line(self) -> str:
        d = self.delivery
        return (
            f"alerts: {self.new} new ({self.suppressed} suppressed as old), {d.sent} sent, "
            f"{d.failed} failed (retried next run), {d.logged} logged (no webhook)"
        )


def run_alerts(
    conn: duckdb.DuckDBPyConnection,
    webhook: str | None,
    *,
    retry_only: bool = False,
    post: Callable[[str, dict[str, Any]], int] = post_json,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] | None = None,
) -> AlertRun:
    """Evaluate, record the new alerts, deliver what is due. ``retry_only``: deliver only (the retry sensor,
    which must not read marts that may not have passed the gate)."""
    ensure_log(conn)
    alerts = [] if retry_only else evaluate(conn)
    clock = now or _utcnow
    new = set(record(conn, alerts, clock()))
    suppressed = sum(1 for a in alerts if a.key in new and a.suppressed)
    delivery = deliver(conn, webhook, post=post, sleep=sleep, now=clock)
    return AlertRun(len(alerts), len(new), suppressed, delivery)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
