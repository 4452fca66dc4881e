"""A real PostgreSQL server in a temporary folder on 127.0.0.1, and LiteLLM's ``LiteLLM_SpendLogs`` DDL.

Used by the litellm_postgres connector tests (tests/connectors/test_litellm_postgres.py) and by the scale
benchmark's row-store anchor (bench/postgres_anchor.py). Debian's ``initdb`` / ``pg_ctl`` (the newest
/usr/lib/postgresql/*/bin, else the ones on PATH) into a fresh folder, a free port, password authentication
(scram-sha-256). ``initdb`` refuses to run as root: as root, the server runs as ``nobody`` in a folder it owns.
Standard library only (the callers connect with psycopg).

    with PostgresServer(password="s3cret") as pg:
        psycopg.connect(pg.dsn)
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

# ``model LiteLLM_SpendLogs`` of BerriAI/litellm's schema.prisma (read at commit 029f645f), as Prisma migrates it
# to Postgres: quoted mixed-case columns, String -> text, Float -> double precision, Int -> integer, DateTime ->
# timestamp(3) (no time zone; LiteLLM writes UTC), Json -> jsonb, @id -> the primary key.
SPEND_LOGS_TABLE = """
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
"""
# its @@index lines, under the names Prisma gives them
SPEND_LOGS_INDEXES = """
create index "LiteLLM_SpendLogs_startTime_idx" on "LiteLLM_SpendLogs" ("startTime");
create index "LiteLLM_SpendLogs_startTime_request_id_idx" on "LiteLLM_SpendLogs" ("startTime", "request_id");
create index "LiteLLM_SpendLogs_end_user_idx" on "LiteLLM_SpendLogs" ("end_user");
create index "LiteLLM_SpendLogs_session_id_idx" on "LiteLLM_SpendLogs" ("session_id");
"""
SPEND_LOGS_DDL = SPEND_LOGS_TABLE + SPEND_LOGS_INDEXES


class PostgresNotFound(RuntimeError):
    """No initdb / pg_ctl on this machine."""


def pg_bin() -> Path | None:
    """The folder of the newest /usr/lib/postgresql/<version>/bin/initdb, else of ``initdb`` on PATH, else None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """Start on ``__enter__`` (or :meth:`start`), stop and remove the folder on ``__exit__`` (or :meth:`stop`).

    ``settings``: extra server settings (``-c name=value``), e.g. ``{"shared_buffers": "1GB"}``."""

    def __init__(self, user: str = "litellm", password: str = "pg-bench-Zq9", settings: dict[str, str] | None = None):
        self.user, self.password = user, password
        self.settings = {"fsync": "off", **(settings or {})}
        self.bin_dir = pg_bin()
        self.folder: Path | None = None
        self.port = 0
        self._as_user: list[str] = []

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/postgres"

    @property
    def version(self) -> str:
        out = subprocess.run([str(self.bin_dir / "pg_ctl"), "--version"], capture_output=True, text=True)
        return out.stdout.strip()

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, env=self._env, cwd=self.folder)

    def start(self) -> PostgresServer:
        if self.bin_dir is None:
            raise PostgresNotFound(
                "PostgreSQL's initdb and pg_ctl were not found under /usr/lib/postgresql/*/bin or on PATH; "
                "install PostgreSQL (Debian: apt-get install postgresql) and run again."
            )
        self.folder = Path(tempfile.mkdtemp(prefix="finops-pg-"))
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
            self._as_user = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--"]
        data, pwfile, log = self.folder / "data", self.folder / "pw", self.folder / "log"
        pwfile.write_text(self.password + "\n")
        if self._as_user:
            os.chown(pwfile, nobody.pw_uid, nobody.pw_gid)
        self.port = free_port()
        self._env = {**os.environ, "LC_ALL": "C", "HOME": str(self.folder)}
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-E",
            "UTF8",
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
        )
        options = " ".join(
            [f"-h 127.0.0.1 -p {self.port} -k {self.folder}"] + [f"-c {k}={v}" for k, v in self.settings.items()]
        )
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
        return self

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run(
            [*self._as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"],
            env=self._env,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
