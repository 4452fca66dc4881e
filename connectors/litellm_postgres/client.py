"""``LiteLLM_SpendLogs`` read straight from a LiteLLM proxy's Postgres (its DATABASE_URL), day by day.

The pull is bulk: one ``COPY (select ... where "startTime" in [start, end)) TO STDOUT (FORMAT csv, HEADER)``
streamed into a temporary file and read by DuckDB through the same typing as a file export
(connectors/litellm/spend_logs.py), never a row at a time. Only the columns the server's table has are
selected (older proxies lack some), and never the payload columns (messages, response,
proxy_server_request). ``startTime`` is a ``timestamp(3)`` holding UTC (LiteLLM writes it with
``_ensure_datetime_utc``), so UTC days are compared as naive timestamps.

The budget counters (``budget_counters``) are three small tables read whole with one plain select each: the
columns the server has, as text (a float's shortest round-trip text, read exactly as DECIMAL), never a
password or metadata column (connectors/litellm_postgres/tables.py).

The DSN's password never appears in a message: every error is one sentence naming FINOPS_LITELLM_DSN, with
the DSN redacted.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
from psycopg import sql

from connectors.errors import AuthError, ConnectionFailed, NotFoundError
from connectors.files import FileDropError, read_table
from connectors.litellm.spend_logs import COLUMN_NAMES, typed
from connectors.litellm_postgres.tables import LITELLM_POSTGRES_BUDGET_COUNTERS
from connectors.schema import typed_row

SOURCE = "litellm_postgres"
ENV = "FINOPS_LITELLM_DSN"
TABLE = "LiteLLM_SpendLogs"
CONNECT_TIMEOUT_S = 10

# entity_type -> (table, {counter column: the table's column}); entity_alias lists its candidates in order.
COUNTER_TABLES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "key": (
        "LiteLLM_VerificationToken",
        {
            "entity_id": ("token",),
            "entity_alias": ("key_alias", "key_name"),
            "team_id": ("team_id",),
            "user_id": ("user_id",),
        },
    ),
    "team": (
        "LiteLLM_TeamTable",
        {"entity_id": ("team_id",), "entity_alias": ("team_alias",), "team_id": ("team_id",)},
    ),
    "user": (
        "LiteLLM_UserTable",
        {"entity_id": ("user_id",), "entity_alias": ("user_alias",), "user_id": ("user_id",)},
    ),
}
# entity_type -> the LiteLLM_SpendLogs column that names the entity a request's spend was counted to
LOG_COLUMN = {"key": "api_key", "team": "team_id", "user": "user"}
COUNTER_COLUMNS = ("spend", "max_budget", "budget_duration", "budget_reset_at", "created_at")


def redact(text: str, dsn: str) -> str:
    """``text`` with the DSN's password (URL or key=value form) and any ``password=...`` replaced by ***."""
    secrets = set()
    try:
        password = psycopg.conninfo.conninfo_to_dict(dsn).get("password")
        if password:
            secrets.add(str(password))
    except psycopg.ProgrammingError:
        pass
    match = re.match(r"^[a-z]+://[^:/@]*:([^@]*)@", dsn)
    if match and match.group(1):
        secrets.add(match.group(1))
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", text, flags=re.IGNORECASE)
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def where(dsn: str) -> str:
    """host:port/dbname of the DSN, for messages (no user, no password)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "the database"
    host = info.get("host") or "localhost"
    port = info.get("port") or "5432"
    return f"{host}:{port}/{info.get('dbname') or info.get('user') or ''}"


class _BadDsn(psycopg.Error):
    """The DSN could not be parsed."""


class LiteLLMPostgresClient:
    """The spend logs of one LiteLLM proxy database. Connects per pull (a daily job; no idle connection)."""

    def __init__(self, dsn: str | None) -> None:
        if not dsn:
            raise ConnectionFailed(f"{SOURCE}: {ENV} is not set; set it to the proxy's DATABASE_URL.", source=SOURCE)
        self._dsn = dsn

    def _fail(self, exc: Exception, table: str = TABLE) -> Exception:
        detail = redact(" ".join(str(exc).split()), self._dsn)
        at = where(self._dsn)
        if isinstance(exc, psycopg.errors.UndefinedTable):
            return NotFoundError(
                f'{SOURCE}: the database at {at} has no table "{table}"; point {ENV} at the LiteLLM proxy\'s own '
                "database (its DATABASE_URL).",
                source=SOURCE,
            )
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return AuthError(
                f'{SOURCE}: the user in {ENV} may not read "{table}" at {at} ({detail}); grant it SELECT.',
                source=SOURCE,
            )
        if isinstance(exc, _BadDsn):
            return ConnectionFailed(
                f"{SOURCE}: {ENV} is not a valid Postgres DSN ({detail}); use postgresql://user:password@host:5432/db.",
                source=SOURCE,
            )
        if "password authentication failed" in detail or "authentication" in detail.lower():
            return AuthError(
                f"{SOURCE}: the database at {at} refused the user or password in {ENV} ({detail}); fix {ENV}.",
                source=SOURCE,
            )
        return ConnectionFailed(
            f"{SOURCE}: cannot read the database at {at} named by {ENV} ({detail}); check the host, port and "
            "database name in it and that the server accepts connections.",
            source=SOURCE,
        )

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self._dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        except psycopg.ProgrammingError as exc:  # a DSN psycopg cannot parse: nothing was sent
            raise _BadDsn(str(exc)) from None

    def spend_logs(self, start: date, end: date) -> pa.Table:
        """The rows whose startTime falls in the UTC days [start, end), typed, plus ``_raw``."""
        lo, hi = datetime.combine(start, time()), datetime.combine(end, time())
        try:
            with self._connect() as conn:
                present = _columns(conn, TABLE)
                columns = [c for c in COLUMN_NAMES if c in present]
                if not {"request_id", "startTime"} <= set(columns):
                    raise psycopg.errors.UndefinedTable(f'relation "{TABLE}" has no "request_id" and "startTime"')
                query = sql.SQL(
                    "copy (select {cols} from {table} where {start} >= {lo} and {start} < {hi} "
                    "order by {start}, {rid}) to stdout (format csv, header)"
                ).format(
                    cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                    table=sql.Identifier(TABLE),
                    start=sql.Identifier("startTime"),
                    rid=sql.Identifier("request_id"),
                    lo=sql.Literal(lo),
                    hi=sql.Literal(hi),
                )
                with tempfile.TemporaryDirectory(prefix="finops-litellm-") as folder:
                    path = Path(folder) / "spend_logs.csv"
                    with open(path, "wb") as out, conn.cursor() as cur, cur.copy(query) as copy:
                        for block in copy:
                            out.write(block)
                    try:
                        batch = read_table(path, COLUMN_NAMES, kind="csv")
                        return typed(batch, f"{SOURCE} ({where(self._dsn)})", csv_lines=True)
                    except FileDropError as exc:
                        raise ConnectionFailed(str(exc), source=SOURCE) from None
        except psycopg.Error as exc:
            raise self._fail(exc) from None

    def budget_counters(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.litellm_postgres_budget_counters``: every key, team and user with its spend counter now,
        and what the proxy logged for it since UTC midnight (the day the spend-log feed has not landed yet).
        One transaction, so ``now()`` is one instant for all three tables. A column an older proxy lacks is
        NULL (``logged_spend_since`` too, when the spend logs cannot be grouped by the entity); a missing table
        or id column is an error naming the table."""
        table = TABLE
        try:
            with self._connect() as conn, conn.transaction():
                logs = _columns(conn, TABLE, missing_ok=True)
                rows = []
                for entity_type, (table, ids) in COUNTER_TABLES.items():
                    present = _columns(conn, table)
                    if ids["entity_id"][0] not in present or "spend" not in present:
                        raise psycopg.errors.UndefinedTable(f'relation "{table}" has no "{ids["entity_id"][0]}"')
                    logged = LOG_COLUMN[entity_type] in logs and "startTime" in logs
                    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
                        cur.execute(_counter_query(table, ids, present, logged, entity_type))
                        rows += [{"entity_type": entity_type, **row} for row in cur]
        except psycopg.Error as exc:
            raise self._fail(exc, table) from None
        for row in rows:
            try:
                yield typed_row(LITELLM_POSTGRES_BUDGET_COUNTERS, row, row)
            except ValueError as exc:
                raise ConnectionFailed(
                    f"{SOURCE}: a {row['entity_type']} counter at {where(self._dsn)} is not as LiteLLM writes it "
                    f"({exc}); check the proxy's version.",
                    source=SOURCE,
                ) from None


def _counter_query(table: str, ids: dict[str, tuple[str, ...]], present: set[str], logged: bool, entity_type: str):
    """One entity table's counters as text, left-joined to its spend in LiteLLM_SpendLogs since UTC midnight."""
    wanted = {**ids, **{c: (c,) for c in COUNTER_COLUMNS}}
    picks = [
        sql.SQL("coalesce({}) as {}").format(
            sql.SQL(", ").join([sql.SQL("c.{}::text").format(sql.Identifier(c)) for c in found] + [sql.SQL("null")]),
            sql.Identifier(name),
        )
        for name, candidates in wanted.items()
        for found in [[c for c in candidates if c in present]]
    ]
    midnight = sql.SQL("date_trunc('day', now() at time zone 'UTC')")
    if logged:
        tail = sql.SQL(
            "left join (select {by} as id, sum({spend}) as spend from {logs} where {start} >= {midnight} "
            "group by 1) as s on s.id = c.{entity_id}"
        ).format(
            by=sql.Identifier(LOG_COLUMN[entity_type]),
            spend=sql.Identifier("spend"),
            logs=sql.Identifier(TABLE),
            start=sql.Identifier("startTime"),
            midnight=midnight,
            entity_id=sql.Identifier(ids["entity_id"][0]),
        )
        tail_spend = sql.SQL("coalesce(s.spend, 0)::text")
    else:
        tail, tail_spend = sql.SQL(""), sql.SQL("null")
    return sql.SQL(
        "select {picks}, (now() at time zone 'UTC')::text as observed_at, {midnight}::text as logs_since, "
        "{tail_spend} as logged_spend_since from {table} as c {tail}"
    ).format(
        picks=sql.SQL(", ").join(picks),
        midnight=midnight,
        tail_spend=tail_spend,
        table=sql.Identifier(table),
        tail=tail,
    )


def _columns(conn: psycopg.Connection, table: str, missing_ok: bool = False) -> set[str]:
    """The column names ``table`` has on the server; raises UndefinedTable when it has none (unless missing_ok)."""
    present = {
        row[0].decode() if isinstance(row[0], bytes) else row[0]  # bytes from a SQL_ASCII server
        for row in conn.execute(
            "select column_name::text from information_schema.columns where table_name = %s "
            "and table_schema = any(current_schemas(false))",
            [table],
        ).fetchall()
    }
    if not present and not missing_ok:
        raise psycopg.errors.UndefinedTable(f'relation "{table}" does not exist')
    return present
