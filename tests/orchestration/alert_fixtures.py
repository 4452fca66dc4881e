"""Fixtures of the alert tests: a real local webhook receiver (http.server on 127.0.0.1 in a thread, recording
every JSON body it accepts, told to answer the first ``fail_first`` requests with 500), and hand-made budget
marts with the columns of the shared interfaces (issue 10 item 5).
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MONEY = "decimal(38,12)"  # fct_usage_cost_daily's cost type
SECRET_PATH = "/services/T000SECRET/B000SECRET/xoxSecretToken123"


class Receiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests = 0
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                receiver.requests += 1
                if receiver.requests <= receiver.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.bodies.append(json.loads(body))
                self.send_response(200)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # the test output stays quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{SECRET_PATH}"

    def keys(self) -> list[str]:
        """The alert key each accepted body names (its context block)."""
        return [body["blocks"][1]["elements"][0]["text"].split("`")[1] for body in self.bodies]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """A webhook URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{SECRET_PATH}"


def budget_mart(conn, rows):
    """rows: (budget_id, period_start, period_end, as_of_date, budget, actual, forecast, highest, breach, status)."""
    conn.execute("create schema if not exists marts")
    conn.execute(
        f"""create or replace table marts.mart_budget_status (
            budget_id varchar, scope varchar, scope_type varchar, scope_value varchar, period varchar,
            period_start date, period_end date, as_of_date date, budget_usd {MONEY}, actual_usd {MONEY},
            forecast_usd {MONEY}, pct_used decimal(18,6), highest_threshold_crossed decimal(18,6),
            projected_breach_date date, status varchar, forecast_method varchar)"""
    )
    for budget_id, start, end, as_of, budget, actual, forecast, highest, breach, status in rows:
        conn.execute(
            "insert into marts.mart_budget_status values (?, 'team=search', 'team', 'search', 'month', ?, ?, ?, "
            "?, ?, ?, cast(? as decimal(38,12)) / cast(? as decimal(38,12)), ?, ?, ?, 'test')",
            [budget_id, start, end, as_of, budget, actual, forecast, actual, budget, highest, breach, status],
        )


def budget_at(conn, actual: str, highest: str | None, thresholds: str = "0.8,1.0"):
    """Budget search-monthly: $5000 for November 2026, counted to 2026-11-20."""
    conn.execute("create schema if not exists config")
    conn.execute(
        "create or replace table config.budgets as select 'search-monthly' as budget_id, 'team' as scope_type, "
        "'search' as scope_value, 'month' as period, cast(5000 as decimal(38,12)) as amount_usd, ? as thresholds",
        [thresholds],
    )
    budget_mart(
        conn,
        [
            (
                "search-monthly",
                date(2026, 11, 1),
                date(2026, 11, 30),
                date(2026, 11, 20),
                "5000",
                actual,
                actual,
                highest,
                None,
                "over" if Decimal(actual) > 5000 else "ok",
            )
        ],
    )
