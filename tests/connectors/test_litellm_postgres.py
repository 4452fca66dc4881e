"""litellm_postgres against a REAL PostgreSQL server: Debian's initdb / pg_ctl into a temporary folder, on
127.0.0.1 and a free port, password authentication (scram), the table created with LiteLLM's DDL (the
Prisma migration of ``model LiteLLM_SpendLogs``: quoted mixed-case columns, jsonb, timestamp(3)), and the
rows of tests/fixtures/litellm/spend_logs.csv loaded with COPY. Skipped when the binaries are absent, except
under CI=true, where their absence fails."""

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from connectors.errors import ConnectorError
from connectors.litellm_postgres import SOURCE
from connectors.litellm_postgres.client import LiteLLMPostgresClient

FIXTURE = Path(__file__).parents[1] / "fixtures" / "litellm" / "spend_logs.csv"
PASSWORD = "pg-s3cret-Zq9"

# DDL of LiteLLM_SpendLogs as Prisma migrates it (litellm/proxy/schema.prisma -> Postgres)
DDL = """
create table "LiteLLM_SpendLogs" (
    "request_id" text not null,
    "call_type" text not null,
    "api_key" text not null default '',
    "spend" double precision not null default 0.0,
    "total_tokens" integer not null default 0,
    "prompt_tokens" integer not null default 0,
    "completion_tokens" integer not null default 0,
    "startTime" timestamp(3) not null,
    "endTime" timestamp(3) not null,
    "request_duration_ms" integer,
    "completionStartTime" timestamp(3),
    "model" text not null default '',
    "model_id" text default '',
    "model_group" text default '',
    "custom_llm_provider" text default '',
    "api_base" text default '',
    "user" text default '',
    "metadata" jsonb default '{}',
    "cache_hit" text default '',
    "cache_key" text default '',
    "request_tags" jsonb default '[]',
    "team_id" text,
    "organization_id" text,
    "end_user" text,
    "requester_ip_address" text,
    "messages" jsonb default '{}',
    "response" jsonb default '{}',
    "session_id" text,
    "status" text,
    "mcp_namespaced_tool_name" text,
    "agent_id" text,
    "proxy_server_request" jsonb default '{}',
    constraint "LiteLLM_SpendLogs_pkey" primary key ("request_id")
);
create index "LiteLLM_SpendLogs_startTime_idx" on "LiteLLM_SpendLogs" ("startTime");
"""


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A running server: yields (dsn, dsn with a wrong password); stopped and removed after."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but PostgreSQL's initdb/pg_ctl are not installed (.ci/run installs Debian's postgresql)"
            )
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin")
    # initdb refuses to run as root: as root, the server runs as `nobody`, in a folder it owns
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="finops-pg-"))
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        as_user = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--"]
    data, pwfile, log = folder / "data", folder / "pw", folder / "log"
    pwfile.write_text(PASSWORD + "\n")
    if as_user:
        os.chown(pwfile, nobody.pw_uid, nobody.pw_gid)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C", "HOME": str(folder)}

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, env=env, cwd=folder)

    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-E",
        "UTF8",
        "-U",
        "litellm",
        f"--pwfile={pwfile}",
        "--auth=scram-sha-256",
    )
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
    try:
        dsn = f"postgresql://litellm:{PASSWORD}@127.0.0.1:{port}/postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(DDL)
            with conn.cursor() as cur, cur.copy('copy "LiteLLM_SpendLogs" from stdin (format csv, header)') as copy:
                copy.write(FIXTURE.read_bytes())
        yield dsn, f"postgresql://litellm:wrong-{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], env=env)
        shutil.rmtree(folder, ignore_errors=True)


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
    closed = f"postgresql://litellm:{PASSWORD}@127.0.0.1:{_free_port()}/postgres"
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
