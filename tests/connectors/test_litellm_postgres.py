"""litellm_postgres against a REAL PostgreSQL server: Debian's initdb / pg_ctl into a temporary folder, on
127.0.0.1 and a free port, password authentication (scram), the table created with LiteLLM's DDL (the
Prisma migration of ``model LiteLLM_SpendLogs``: quoted mixed-case columns, jsonb, timestamp(3); emulator/postgres.py), and the
rows of tests/fixtures/litellm/spend_logs.csv loaded with COPY. Skipped when the binaries are absent, except
under CI=true, where their absence fails."""

import json
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from connectors.errors import ConnectorError
from connectors.litellm_postgres import SOURCE
from connectors.litellm_postgres.client import LiteLLMPostgresClient
from emulator.postgres import SPEND_LOGS_DDL, PostgresServer, free_port

FIXTURE = Path(__file__).parents[1] / "fixtures" / "litellm" / "spend_logs.csv"
PASSWORD = "pg-s3cret-Zq9"


@pytest.fixture(scope="module")
def postgres():
    """A running server: yields (dsn, dsn with a wrong password); stopped and removed after."""
    server = PostgresServer(password=PASSWORD)
    if server.bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but PostgreSQL's initdb/pg_ctl are not installed (.ci/run installs Debian's postgresql)"
            )
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin")
    with server:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute(SPEND_LOGS_DDL)
            with conn.cursor() as cur, cur.copy('copy "LiteLLM_SpendLogs" from stdin (format csv, header)') as copy:
                copy.write(FIXTURE.read_bytes())
        yield server.dsn, server.dsn.replace(f":{PASSWORD}@", f":wrong-{PASSWORD}@")


def test_only_the_asked_utc_day_is_pulled_typed(postgres):
    dsn, _ = postgres
    client = SOURCE.make_client({"FINOPS_LITELLM_DSN": dsn})
    table = client.spend_logs(date(2025, 6, 1), date(2025, 6, 2))
    rows = {r["request_id"]: r for r in table.to_pylist()}
    # 2025-06-01 holds chatcmpl-9f2b1c (09:15) and msg_01XyZ (23:59:59.999); 06-02's two rows stay out
    assert sorted(rows) == ["chatcmpl-9f2b1c", "msg_01XyZ"]
    first = rows["chatcmpl-9f2b1c"]
    assert first["startTime"] == datetime(2025, 6, 1, 9, 15, 2, 123000)
    assert first["spend"] == Decimal("0.0015")  # double precision 0.0015 -> its shortest text -> exact decimal
    assert first["prompt_tokens"] == 1200 and first["request_duration_ms"] == 1333
    assert json.loads(first["metadata"])["usage_object"]["prompt_tokens_details"]["cached_tokens"] == 1000  # jsonb
    assert rows["msg_01XyZ"]["startTime"] == datetime(2025, 6, 1, 23, 59, 59, 999000)
    assert "messages" not in table.column_names
    later = client.spend_logs(date(2025, 6, 2), date(2025, 6, 3)).column("request_id").to_pylist()
    assert sorted(later) == ["chatcmpl-fail-7", "msg_02AbC"]
    assert client.spend_logs(date(2025, 6, 3), date(2025, 6, 4)).num_rows == 0


def test_a_wrong_password_is_one_sentence_without_the_password(postgres):
    _, wrong = postgres
    with pytest.raises(ConnectorError) as caught:
        LiteLLMPostgresClient(wrong).spend_logs(date(2025, 6, 1), date(2025, 6, 2))
    message = str(caught.value)
    assert "FINOPS_LITELLM_DSN" in message and "password" in message
    assert PASSWORD not in message and "wrong-" not in message


def test_a_refused_connection_and_a_missing_table_name_the_setting(postgres):
    dsn, _ = postgres
    closed = f"postgresql://litellm:{PASSWORD}@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(ConnectorError) as refused:
        LiteLLMPostgresClient(closed).spend_logs(date(2025, 6, 1), date(2025, 6, 2))
    assert "FINOPS_LITELLM_DSN" in str(refused.value) and PASSWORD not in str(refused.value)
    other_db = dsn.rsplit("/", 1)[0] + "/template1"
    with pytest.raises(ConnectorError) as missing:
        LiteLLMPostgresClient(other_db).spend_logs(date(2025, 6, 1), date(2025, 6, 2))
    assert 'no table "LiteLLM_SpendLogs"' in str(missing.value) and "FINOPS_LITELLM_DSN" in str(missing.value)
    assert PASSWORD not in str(missing.value)


def test_an_unparsable_dsn_never_echoes_its_password():
    with pytest.raises(ConnectorError) as caught:
        LiteLLMPostgresClient(f"host=db password={PASSWORD} nonsense").spend_logs(date(2025, 6, 1), date(2025, 6, 2))
    assert "FINOPS_LITELLM_DSN" in str(caught.value) and PASSWORD not in str(caught.value)
