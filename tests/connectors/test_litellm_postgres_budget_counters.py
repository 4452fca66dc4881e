"""litellm_postgres's budget counters against the REAL PostgreSQL server of test_litellm_postgres.py: the three
tables created as Prisma migrates them (the columns the feed reads, plus a password and metadata it must not),
and a second database playing an older proxy that has no budget_reset_at. Skipped like that module when the
PostgreSQL binaries are absent."""

from datetime import datetime
from decimal import Decimal

import psycopg
import pytest

from connectors.errors import ConnectorError
from connectors.litellm_postgres import SOURCE
from connectors.litellm_postgres.client import LiteLLMPostgresClient
from tests.connectors.test_litellm_postgres import PASSWORD, postgres  # noqa: F401 - the server fixture

DDL = """
create table "LiteLLM_VerificationToken" (
    "token" text primary key, "key_name" text, "key_alias" text, "spend" double precision not null default 0.0,
    "max_budget" double precision, "budget_duration" text, "budget_reset_at" timestamp(3), "user_id" text,
    "team_id" text, "metadata" jsonb not null default '{}', "created_at" timestamp(3) default current_timestamp
);
create table "LiteLLM_TeamTable" (
    "team_id" text primary key, "team_alias" text, "spend" double precision not null default 0.0,
    "max_budget" double precision, "budget_duration" text, "budget_reset_at" timestamp(3),
    "metadata" jsonb not null default '{}', "created_at" timestamp(3) not null default current_timestamp
);
create table "LiteLLM_UserTable" (
    "user_id" text primary key, "user_alias" text, "user_email" text, "password" text,
    "spend" double precision not null default 0.0, "max_budget" double precision, "budget_duration" text,
    "budget_reset_at" timestamp(3), "metadata" jsonb default '{}', "created_at" timestamp(3) default current_timestamp
);
"""
ROWS = """
insert into "LiteLLM_VerificationToken" values
    ('88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b', 'sk-...wxyz', 'billing-bot', 12.5, 100,
     '30d', '2025-07-01 00:00:00', 'u-ana', 't-core', '{"secret": "no"}', '2025-01-02 03:04:05.678'),
    ('1f2e', 'sk-...abcd', null, 0.1, null, null, null, null, null, '{}', '2025-05-01 00:00:00');
insert into "LiteLLM_TeamTable" values ('t-core', 'core', 0.30000000000000004, 50, '1mo', '2025-07-01', '{}',
    '2025-01-01');
insert into "LiteLLM_SpendLogs" ("request_id", "call_type", "api_key", "spend", "startTime", "endTime", "team_id",
    "user") values
    ('today-1', 'acompletion', '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b', 0.5,
     now() at time zone 'UTC', now() at time zone 'UTC', 't-core', 'u-ana'),
    ('today-2', 'acompletion', '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b', 0.25,
     now() at time zone 'UTC', now() at time zone 'UTC', 't-core', 'u-ana'),
    ('yesterday', 'acompletion', '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b', 9,
     date_trunc('day', now() at time zone 'UTC') - interval '1 second', now() at time zone 'UTC', 't-core', 'u-ana');
insert into "LiteLLM_UserTable" values ('u-ana', 'ana', 'ana@example.com', 'hunter2-hash', 1e-05, null, null, null,
    '{}', '2025-01-01');
"""


@pytest.fixture(scope="module")
def proxies(postgres):  # noqa: F811 - the imported fixture
    """(dsn of a current proxy, dsn of an older proxy whose tables lack budget_reset_at)."""
    dsn, _ = postgres
    old = dsn.rsplit("/", 1)[0] + "/old_proxy"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute(ROWS)
        conn.execute("create database old_proxy")
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute(DDL.replace('"budget_reset_at" timestamp(3), ', ""))
        conn.execute(
            """insert into "LiteLLM_TeamTable" ("team_id", "spend", "budget_duration") values ('t-old', 2.25, '7d')"""
        )
    return dsn, old


def test_every_key_team_and_user_counter_is_read_exactly_and_nothing_secret(proxies):
    dsn, _ = proxies
    rows = list(SOURCE.make_client({"FINOPS_LITELLM_DSN": dsn}).budget_counters())
    by_id = {(r["entity_type"], r["entity_id"]): r for r in rows}
    assert sorted(by_id) == [
        ("key", "1f2e"),
        ("key", "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"),
        ("team", "t-core"),
        ("user", "u-ana"),
    ]
    key = by_id[("key", "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")]
    assert key["spend"] == Decimal("12.5") and key["max_budget"] == Decimal("100")
    assert key["entity_alias"] == "billing-bot" and key["team_id"] == "t-core" and key["user_id"] == "u-ana"
    assert key["budget_duration"] == "30d" and key["budget_reset_at"] == datetime(2025, 7, 1)
    assert key["created_at"] == datetime(2025, 1, 2, 3, 4, 5, 678000)
    assert by_id[("key", "1f2e")]["entity_alias"] == "sk-...abcd"  # no alias: the proxy's abbreviated key_name
    # 0.1 + 0.2 as a float is 0.30000000000000004: its shortest round-trip text, exactly (landing keeps 10 places)
    assert by_id[("team", "t-core")]["spend"] == Decimal("0.30000000000000004")
    assert by_id[("user", "u-ana")]["spend"] == Decimal("0.00001")  # Postgres prints 1e-05
    assert by_id[("user", "u-ana")]["entity_alias"] == "ana" and by_id[("user", "u-ana")]["team_id"] is None
    # one transaction: one instant for every row, and the spend logged since that instant's UTC midnight
    (observed,) = {r["observed_at"] for r in rows}
    assert {r["logs_since"] for r in rows} == {datetime.combine(observed.date(), datetime.min.time())}
    # today-1 + today-2 = 0.5 + 0.25 = 0.75 for the key, its team and its user; 'yesterday' (9) is before midnight
    assert key["logged_spend_since"] == Decimal("0.75")
    assert by_id[("team", "t-core")]["logged_spend_since"] == Decimal("0.75")
    assert by_id[("user", "u-ana")]["logged_spend_since"] == Decimal("0.75")
    assert by_id[("key", "1f2e")]["logged_spend_since"] == 0  # no request today: 0, not NULL
    text = repr(rows)
    assert "hunter2" not in text and "ana@example.com" not in text and "secret" not in text


def test_an_older_proxy_without_budget_reset_at_reads_it_as_null(proxies):
    _, old = proxies
    (team,) = [r for r in LiteLLMPostgresClient(old).budget_counters() if r["entity_type"] == "team"]
    assert team["entity_id"] == "t-old" and team["spend"] == Decimal("2.25") and team["budget_reset_at"] is None
    assert team["logged_spend_since"] is None  # that database has no spend logs to read the day's tail from


def test_a_database_without_the_tables_names_the_table_and_never_the_password(proxies):
    dsn, _ = proxies
    with pytest.raises(ConnectorError) as missing:
        list(LiteLLMPostgresClient(dsn.rsplit("/", 1)[0] + "/template1").budget_counters())
    assert 'no table "LiteLLM_VerificationToken"' in str(missing.value) and "FINOPS_LITELLM_DSN" in str(missing.value)
    assert PASSWORD not in str(missing.value)
    wrong = dsn.replace(PASSWORD, "wrong-" + PASSWORD)
    with pytest.raises(ConnectorError) as refused:
        list(LiteLLMPostgresClient(wrong).budget_counters())
    assert PASSWORD not in str(refused.value) and "FINOPS_LITELLM_DSN" in str(refused.value)
