"""Benchmark: request-level cost at scale (issue 7 item 6): N LiteLLM spend-log rows over D UTC days, R times.

Generates N rows shaped like a ``LiteLLM_SpendLogs`` Parquet export (the columns connectors/litellm reads and
emulator/plugins/litellm.py writes: OpenAI and Anthropic models from the price book, teams, keys, users, tags,
cache tokens in metadata.usage_object, failed calls, an unpriced fine-tune, long prompts across a price change;
each attribute drawn from its own random stream), one file per UTC day, in bulk with DuckDB, cached between runs.
Then, R times, into a fresh FINOPS_HOME each:

  a. land the D files through the real reader (read_spend_logs) and loader (land_files): rows/s; and the
     providers' usage and cost reports for the same days (batch and service tiers among them) through the real
     OpenAI and Anthropic clients and loader, the project's emulator answering (land_provider_usage);
  b. a full ``dbt build`` of the whole project, unit tests left out as a scheduled run leaves them (a child
     process, as Dagster runs it): seconds, peak RSS;
  c. land one new day's file (and re-pull the providers' last days, as a daily run does) and ``dbt build``
     again: seconds, peak RSS; and CHECK (untimed) that it touched only the new day's requests: a row
     altered by hand in each incremental request mart on an old day stays altered,
     every old day keeps its rows and totals, and the new day's totals equal what a full rebuild computes
     (the full build's own compiled SQL, run over all the data and filtered to the new day);
  d. five spend queries an analyst or the app runs, on the marts, on fct_request_cost (one row per request)
     and on raw.litellm_spend_logs (with the JSON extraction an analyst would need): median seconds, ratios.

Prints medians (min-max) over the R runs, dbt's slowest nodes of the full and incremental builds, and writes
the same as Markdown to bench/results/request_logs.md. Timing lives here, never in tests.

    .venv/bin/python bench/request_logs.py --rows 200000 --repeat 2
    .venv/bin/python bench/request_logs.py                      # 10,000,000 rows, 30 days, 3 runs
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "request_logs.md"
# Every model below has a price from this day on, and the days cross a price change: from 2026-03-13 Anthropic
# bills Opus 4.6 and Sonnet 4.6 prompts over 200k tokens at the base rates, no longer at the long-context ones
# (2x input, 1.5x output; pricing_seeds/price_book.csv), so the build prices one model at two prices.
FIRST_DAY = date(2026, 3, 1)
GENERATOR_VERSION = 2  # bump when the generated rows change, so a stale cache is not reused

# (provider, model as LiteLLM logs it, model_group, share of requests in %, reported $ per 1M in / out)
MODELS = (
    ("openai", "gpt-4o", "gpt-4o", 14, 2.5, 10),
    ("openai", "gpt-4o-mini", "gpt-4o-mini", 18, 0.15, 0.6),
    ("openai", "gpt-4.1-2025-04-14", "gpt-4.1", 8, 2, 8),
    ("openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini", 8, 0.4, 1.6),
    ("openai", "gpt-5-2025-08-07", "gpt-5", 8, 1.25, 10),
    ("openai", "gpt-5-mini-2025-08-07", "gpt-5-mini", 8, 0.25, 2),
    ("openai", "o4-mini-2025-04-16", "o4-mini", 5, 1.1, 4.4),
    ("anthropic", "anthropic/claude-sonnet-4-5-20250929", "claude-sonnet", 9, 3, 15),
    ("anthropic", "anthropic/claude-sonnet-4-6", "claude-sonnet-4-6", 5, 3, 15),
    ("anthropic", "anthropic/claude-haiku-4-5-20251001", "claude-haiku", 9, 1, 5),
    ("anthropic", "anthropic/claude-opus-4-5-20251101", "claude-opus", 2, 5, 25),
    ("anthropic", "anthropic/claude-opus-4-6", "claude-opus-4-6", 2, 5, 25),
    ("anthropic", "anthropic/claude-sonnet-4-20250514", "claude-sonnet-4", 3, 3, 15),
    ("openai", "ft:gpt-4o-mini-2024-07-18:acme:ticket-classifier:bench1", "ticket-classifier-ft", 1, 0, 0),  # unpriced
)
# Long prompts (over 200k tokens): the share of these models' requests, and until when (exclusive) they cost the
# long-context rates, as multipliers of the base rates; LiteLLM's own spend column follows the same rule.
LONG_CONTEXT_MODELS = ("anthropic/claude-sonnet-4-6", "anthropic/claude-opus-4-6")
LONG_CONTEXT_PERCENT = 2
LONG_CONTEXT_UNTIL = date(2026, 3, 13)
LONG_CONTEXT_RATES = (2, 1.5)  # input (cache reads and writes too), output
TEAMS = ("search", "support", "ops", "growth", "data", "platform", "mobile", "research")
FEATURES = ("autocomplete", "chat", "summarise", "classify", "extract", "translate", "rag", "agent", "eval", "triage")
USERS = 2000
CUSTOMERS = 50
TAG_KEY = "customer"  # the tag key query 4 rolls up
FAILURE_PERCENT = 2
INCREMENTAL_MARTS = {  # table -> (a text column altered by hand on an old day, the cost column)
    "fct_request_cost": ("team", "list_cost_usd"),
    "fct_request_cost_daily": ("team", "list_cost_usd"),
    "fct_request_cost_team_daily": ("team", "list_cost_usd"),
    "fct_request_tag_cost_daily": ("tag_value", "list_cost_usd"),
}
ALTERED = "__bench_altered__"


# ---------------------------------------------------------------- 1. the generated export files


def _stream(seed: int, k: int) -> str:
    """SQL for random stream ``k`` of a day (``seed``): a 63-bit hash of the row number, its own per stream.

    Each stream hashes a distinct integer, (seed, k) in the high bits and the row number in the low 32. Not
    ``hash(i, seed, 'name')``: DuckDB combines the hashes of several arguments so that two such streams of one row
    are tied (generator v1: a request's team index was even or odd with its model's band; drawn that way, the
    long prompts of a model with 2% of the requests never came up)."""
    return f"cast(hash(cast({(seed * 8 + k) << 32} as bigint) + i) >> 1 as bigint)"


# The request tags of each variant of the generated rows (bench/scale.py --tags), as SQL over the drawn columns.
# shared: every request tags its environment and its customer: 100 distinct request_tags, 1,000 distinct tags
# objects with the metadata's feature.
# adverse: the worst case for the tags' speed-ups, each request's tags its own (a trace id, as LiteLLM metadata can
# carry one: every tags object distinct, so nothing is shared between requests) and holding a credential-looking
# name (an auth token, dropped: every row takes the tags' checked path, macro may_name_a_credential).
TAGS = {
    "shared": f"""'["env:' || env || '", "{TAG_KEY}:' || customer || '"]'""",
    "adverse": (
        f"""'["env:' || env || '", "{TAG_KEY}:' || customer || '", "trace:' || md5(cast(started as varchar) || '-' """
        """|| cast(i as varchar)) """
        """|| '", "auth_token:tok-' || cast(i as varchar) || '"]'"""
    ),
}


def _generate_sql(day: date, rows: int, tags: str = "shared") -> str:
    """A SELECT of ``rows`` LiteLLM_SpendLogs rows started on UTC ``day``, in the emulator's column order, with the
    request tags of variant ``tags`` (TAGS)."""
    models = ", ".join(
        f"({i}, '{p}', '{m}', '{g}', {share}, {pin}, {pout})" for i, (p, m, g, share, pin, pout) in enumerate(MODELS)
    )
    teams = "[" + ", ".join(f"'{t}'" for t in TEAMS) + "]"
    features = "[" + ", ".join(f"'{f}'" for f in FEATURES) + "]"
    seed = day.toordinal()
    long_models = ", ".join(f"'{m}'" for m in LONG_CONTEXT_MODELS)
    long_in, long_out = LONG_CONTEXT_RATES if day < LONG_CONTEXT_UNTIL else (1, 1)
    return f"""
with
models (k, provider, model, model_group, share, price_in, price_out) as (values {models}),
bands as (
    select *, sum(share) over (order by k) - share as lo, sum(share) over (order by k) as hi from models
),
draws as (
    select
        i,
        {_stream(seed, 0)} % 100 as m,
        {_stream(seed, 1)} as w,
        {_stream(seed, 2)} as t,
        {_stream(seed, 3)} as s,
        {_stream(seed, 4)} as c
    from range({rows}) as r (i)
),
picked as (
    select
        draws.i,
        draws.w,
        bands.provider, bands.model, bands.model_group, bands.price_in, bands.price_out,
        {teams}[1 + (w % {len(TEAMS)})] as team,
        'user-' || lpad(cast((w >> 8) % {USERS} as varchar), 5, '0') as user_id,
        {features}[1 + ((w >> 24) % {len(FEATURES)})] as feature,
        'cust-' || lpad(cast((w >> 32) % {CUSTOMERS} as varchar), 3, '0') as customer,
        case when (w >> 40) % 10 < 8 then 'prod' else 'staging' end as env,
        (w >> 48) % 100 < {FAILURE_PERCENT} as failed,
        bands.model in ({long_models}) and c % 100 < {LONG_CONTEXT_PERCENT} as long_prompt,
        cast(case when long_prompt then 200001 + (c >> 8) % 200000 else 200 + t % 6000 end as bigint) as fresh_in,
        cast(case when (t >> 16) % 3 = 0 then (t >> 20) % 4000 else 0 end as bigint) as cache_read,
        cast(case when bands.provider = 'anthropic' and (t >> 32) % 5 = 0 then (t >> 36) % 2000 else 0 end
            as bigint) as cache_write,
        cast(20 + (t >> 44) % 1500 as bigint) as output,
        cast(case when bands.model like 'o4%' or bands.model like 'gpt-5%' then ((t >> 44) % 1500) / 2 else 0 end
            as bigint) as reasoning,
        cast(200 + (s >> 32) % 9000 as bigint) as latency_ms,
        timestamp '{day.isoformat()}' + to_milliseconds(cast(s % 86400000 as bigint)) as started
    from draws
    join bands on draws.m >= bands.lo and draws.m < bands.hi
),
shaped as (
    select
        *,
        case when failed then null
        when provider = 'anthropic' then json_object(
            'prompt_tokens', fresh_in + cache_read, 'completion_tokens', output,
            'total_tokens', fresh_in + cache_read + output,
            'prompt_tokens_details', json_object('cached_tokens', cache_read, 'audio_tokens', null),
            'completion_tokens_details', null,
            'cache_creation_input_tokens', cache_write, 'cache_read_input_tokens', cache_read)
        else json_object(
            'prompt_tokens', fresh_in + cache_read, 'completion_tokens', output,
            'total_tokens', fresh_in + cache_read + output,
            'prompt_tokens_details', json_object('cached_tokens', cache_read, 'audio_tokens', 0),
            'completion_tokens_details', json_object('reasoning_tokens', reasoning, 'audio_tokens', 0))
        end as usage_object,
        sha256('sk-fake-litellm-' || team) as key_hash
    from picked
)
select
    'bench-{day.isoformat()}-' || cast(i as varchar) as request_id,
    'acompletion' as call_type,
    key_hash as api_key,
    case when failed then 0.0
        when long_prompt then round(
            ((fresh_in + cache_read + cache_write) * price_in * {long_in} + output * price_out * {long_out}) / 1e6, 8
        )
        else round(((fresh_in + cache_read + cache_write) * price_in + output * price_out) / 1e6, 8) end as spend,
    cast(case when failed then 0 else fresh_in + cache_read + output end as integer) as total_tokens,
    cast(case when failed then 0 else fresh_in + cache_read end as integer) as prompt_tokens,
    cast(case when failed then 0 else output end as integer) as completion_tokens,
    cast(started as timestamp_ms) as "startTime",
    cast(started + to_milliseconds(latency_ms) as timestamp_ms) as "endTime",
    cast(latency_ms as integer) as request_duration_ms,
    case when not failed then cast(started + to_milliseconds(latency_ms) as timestamp_ms) end as "completionStartTime",
    model,
    md5(model) as model_id,
    model_group,
    provider as custom_llm_provider,
    case when provider = 'anthropic' then 'https://api.anthropic.com/v1/messages'
        else 'https://api.openai.com/v1' end as api_base,
    user_id as "user",
    cast(json_object(
        'user_api_key', key_hash, 'user_api_key_alias', team || '-key', 'user_api_key_team_id', 'team-' || team,
        'user_api_key_team_alias', team, 'user_api_key_org_id', null, 'user_api_key_user_id', user_id,
        'spend_logs_metadata', json_object('feature', feature, 'env', env),
        'usage_object', usage_object,
        'status', case when failed then 'failure' else 'success' end,
        'error_information', case when failed
            then json_object('error_code', '429', 'error_class', 'RateLimitError') end
    ) as varchar) as metadata,
    'False' as cache_hit,
    'Cache OFF' as cache_key,
    {TAGS[tags]} as request_tags,
    'team-' || team as team_id,
    cast(null as varchar) as organization_id,
    cast(null as varchar) as end_user,
    '10.0.3.17' as requester_ip_address,
    '{{}}' as messages,
    '{{}}' as response,
    'sess-' || cast((w >> 12) % 100000 as varchar) as session_id,
    case when failed then 'failure' else 'success' end as status,
    cast(null as varchar) as mcp_namespaced_tool_name,
    cast(null as varchar) as agent_id,
    '{{"url": "/chat/completions", "method": "POST"}}' as proxy_server_request
from shaped
"""


def generate(rows: int, days: int, cache: Path, tags: str = "shared") -> tuple[list[Path], Path]:
    """The D day files and the new day's file (day D+1) of ``rows / days`` rows each, made once per cache; the
    request tags of variant ``tags`` (TAGS)."""
    per_day = rows // days
    files = [cache / f"spendlogs-{(FIRST_DAY + timedelta(days=k)).isoformat()}.parquet" for k in range(days + 1)]
    done = cache / ".complete"
    if done.exists():
        print(f"generated files: cached in {cache}")
        return files[:-1], files[-1]
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    started = time.perf_counter()
    with duckdb.connect() as conn:
        for k, path in enumerate(files):
            day = FIRST_DAY + timedelta(days=k)
            n = per_day + (rows - per_day * days if k == days - 1 else 0)  # the last old day takes the remainder
            conn.execute(f"copy ({_generate_sql(day, n, tags)}) to '{path}' (format parquet)")
    done.write_text("ok\n")
    print(f"generated {rows:,} rows + {per_day:,} new-day rows in {time.perf_counter() - started:.1f} s -> {cache}")
    return files[:-1], files[-1]


# ---------------------------------------------------------------- 2a. landing


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The bench's own connection to a warehouse, with the memory limit the pipeline's connections have
    (orchestration.settings.duckdb_memory_limit, 6GB by default). Without it DuckDB takes 80% of RAM, and the
    in-process checks between builds (the full-rebuild totals, the raw queries) held 14.8 GiB at 10M rows."""
    from orchestration.settings import duckdb_memory_limit

    return duckdb.connect(str(warehouse), read_only=read_only, config={"memory_limit": duckdb_memory_limit()})


def land_files(warehouse: Path, files: list[Path], run_id: str) -> tuple[float, int]:
    """Every file through read_spend_logs and the loader's land_files, as the file-drop asset does (several
    files per connection, each read before the connection opens): (seconds, rows)."""
    from connectors.files import digest
    from connectors.litellm import read_spend_logs
    from connectors.litellm.tables import LITELLM_SPEND_LOGS
    from orchestration.loader import DroppedFile
    from orchestration.loader import land_files as land

    started = time.perf_counter()
    read = (DroppedFile(str(path), digest(path), read_spend_logs(path)) for path in files)
    rows = land(lambda: connect(warehouse), LITELLM_SPEND_LOGS, read, run_id=run_id)
    return time.perf_counter() - started, rows


PROVIDER_SOURCES = ("openai", "anthropic")  # the admin APIs of the providers the generated requests call


def land_provider_usage(warehouse: Path, start: date, end: date, run_id: str) -> tuple[float, int]:
    """The providers' own usage and cost reports (OpenAI's and Anthropic's admin APIs: usage by model, key and
    batch / service tier, cost lines, projects, keys) for the UTC days ``[start, end)``, landed as a run lands them:
    each feed's real client and the loader's ``land``, the project's emulator (seeded, on 127.0.0.1) answering.
    Its organisation is the emulator's own, not the traffic of the generated request logs: these rows give the
    usage, billing and allocation models and pages their data, at the size a provider reports it (a row per day x
    model x key x tier, whatever the number of requests). (seconds, rows)."""
    from connectors.registry import BY_NAME
    from emulator.server import EmulatorServer
    from orchestration.loader import land

    sources = [BY_NAME[name] for name in PROVIDER_SOURCES]
    rows = 0
    started = time.perf_counter()
    with EmulatorServer(sources=sources) as emulator, connect(warehouse) as conn:
        environ = emulator.environ()
        for source in sources:
            client = source.make_client(environ)
            for feed in source.feeds:
                if feed.table.partitioned:
                    fetched = feed.fetch(client, start, end)
                    rows += land(conn, feed.table, fetched, run_id=run_id, window=(start, end))
                else:
                    rows += land(conn, feed.table, feed.fetch(client, None, None), run_id=run_id)
    return time.perf_counter() - started, rows


# ---------------------------------------------------------------- 2b/c. dbt as a child process


class PeakRss:
    """The peak resident memory of one running child process, in MiB: its own high-water mark (VmHWM in
    /proc/<pid>/status, Linux), read every ``interval`` seconds until the child exits; VmHWM only grows, so the last
    read holds the peak up to the last ``interval`` before the exit.

    Not wait4's ru_maxrss: CPython starts a child by vfork and exec, and Linux carries the parent's high-water mark
    into the child's ru_maxrss at the exec. This bench's own process queries DuckDB in-process between builds, so
    once it had held 14 GiB every later dbt child reported 14 GiB (the 10M runs of 2026-12-04) while dbt itself
    stayed at 6 GiB."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self._status = Path(f"/proc/{pid}/status")
        self._interval = interval
        self._peak_kib: int | None = None
        self._read()  # Popen returns after the exec: this is the child's own, small, mark
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            text = self._status.read_text()
        except OSError:  # exited (and reaped)
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):  # "VmHWM:   123456 kB"; absent once the child is a zombie
                self._peak_kib = max(self._peak_kib or 0, int(line.split()[1]))

    def _poll(self) -> None:
        while not self._done.wait(self._interval):
            self._read()

    def stop(self) -> float | None:
        """Stop reading; the peak seen, in MiB (``None`` when the child was gone before the first read)."""
        self._done.set()
        self._thread.join()
        return None if self._peak_kib is None else self._peak_kib / 1024


def dbt_build(home: Path, log: Path) -> tuple[float, float, list[dict]]:
    """One `dbt build` as a scheduled run's dbt step makes it, FINOPS_HOME = ``home``: bench/dbt_step.py in a
    child process (the project parsed first, untimed, as a run does at its start; then the plan, the build in that
    process on that parse without dbt's unit tests and without the nodes whose inputs are unchanged, and the plan's
    record, timed by the child). (seconds, peak RSS in MiB of that child (class PeakRss), run_results.json's
    results). Raises if the build fails; the child's output is in ``log``."""
    env = dict(os.environ, FINOPS_HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "bench" / "dbt_step.py"), str(home)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        peak = PeakRss(proc.pid)
        proc.wait()
        peak_mib = peak.stop()
    if proc.returncode != 0:
        raise SystemExit(f"dbt build failed (exit {proc.returncode}); see {log}")
    if peak_mib is None:
        raise SystemExit(f"dbt exited before its memory could be read; see {log}")
    seconds = json.loads(log.read_text().strip().splitlines()[-1])["seconds"]
    return seconds, peak_mib, json.loads((home / "dbt_target" / "run_results.json").read_text())["results"]


def slowest(results: list[dict], top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` slowest dbt nodes (models, seeds, tests) of a run_results.json, by execution time."""
    timed = [(r["unique_id"].split(".", 2)[-1], float(r.get("execution_time") or 0)) for r in results]
    return sorted(timed, key=lambda kv: -kv[1])[:top]


def compiled_sql(home: Path, model: str) -> str:
    return (home / "dbt_target" / "compiled" / "ai_spend" / "models" / "marts" / f"{model}.sql").read_text()


# ---------------------------------------------------------------- 2c. the increment touches only the new day


def alter_old_rows(warehouse: Path, day: date) -> dict[str, str]:
    """Set a text column of one row of ``day`` in each incremental request mart to a marker; returns each
    table's original value (restore_old_rows puts it back, so the queries below see the real data)."""
    originals = {}
    with connect(warehouse) as conn:
        for table, (column, _) in INCREMENTAL_MARTS.items():
            picked = f"(select min(rowid) from marts.{table} where usage_date = ?)"
            originals[table] = conn.execute(
                f"select {column} from marts.{table} where rowid = {picked}", [day]
            ).fetchall()[0][0]
            conn.execute(f"update marts.{table} set {column} = ? where rowid = {picked}", [ALTERED, day])
    return originals


def restore_old_rows(warehouse: Path, originals: dict[str, str]) -> None:
    with connect(warehouse) as conn:
        for table, (column, _) in INCREMENTAL_MARTS.items():
            conn.execute(f"update marts.{table} set {column} = ? where {column} = ?", [originals[table], ALTERED])


def mart_state(warehouse: Path) -> dict[str, dict]:
    """Per incremental mart: {day: (rows, cost, altered rows)}."""
    state = {}
    with connect(warehouse, read_only=True) as conn:
        for table, (column, cost) in INCREMENTAL_MARTS.items():
            rows = conn.execute(
                f"select usage_date, count(*), sum({cost}), count(*) filter (where {column} = ?) "
                f"from marts.{table} group by usage_date",
                [ALTERED],
            ).fetchall()
            state[table] = {r[0]: tuple(r[1:]) for r in rows}
    return state


def full_rebuild_totals(warehouse: Path, sql: dict[str, str], day: date) -> dict[str, tuple]:
    """What a full rebuild gives for ``day``: each mart's full-build compiled SQL over all the data now landed
    (fct_request_cost from the intermediate views; the two roll-ups from fct_request_cost), filtered to it."""
    totals = {}
    with connect(warehouse, read_only=True) as conn:
        for table, (_, cost) in INCREMENTAL_MARTS.items():
            totals[table] = tuple(
                conn.execute(
                    f"select count(*), sum({cost}) from ({sql[table]}) where usage_date = ?", [day]
                ).fetchall()[0]
            )
    return totals


def check_increment(before: dict, after: dict, rebuilt: dict, old_day: date, new_day: date, new_rows: int) -> list[str]:
    """Problems found (empty: the increment touched only the new day, and got it right)."""
    problems = []
    for table in INCREMENTAL_MARTS:
        if after[table].get(old_day, (0, 0, 0))[2] != 1:
            problems.append(f"{table}: the row altered on {old_day} was rebuilt")
        changed = [d for d, v in before[table].items() if after[table].get(d) != v]
        if changed:
            problems.append(f"{table}: old days changed: {changed[:5]}")
        if new_day in before[table]:
            problems.append(f"{table}: {new_day} was there before its file landed")
        got = after[table].get(new_day, (0, None, 0))[:2]
        if got != rebuilt[table]:
            problems.append(f"{table}: {new_day} has (rows, cost) {got}, a full rebuild gives {rebuilt[table]}")
    if after["fct_request_cost"].get(new_day, (0,))[0] != new_rows:
        problems.append(f"fct_request_cost: {new_day} has not the {new_rows} requests of its file")
    return problems


# ---------------------------------------------------------------- 2d. five spend queries

# name -> (on the marts, on fct_request_cost, on raw.litellm_spend_logs). $1, $2: the half-open day range.
RAW_DAY = 'cast("startTime" as date)'
QUERIES = {
    "cost by team": (
        "select team, sum(list_cost_usd) as cost from marts.fct_request_cost_team_daily "
        "where usage_date >= $1 and usage_date < $2 group by team order by cost desc",
        "select coalesce(team, '(none)') as team, sum(list_cost_usd) as cost from marts.fct_request_cost "
        "where usage_date >= $1 and usage_date < $2 group by 1 order by cost desc",
        "select metadata ->> '$.user_api_key_team_alias' as team, sum(spend) as cost from raw.litellm_spend_logs "
        f"where {RAW_DAY} >= $1 and {RAW_DAY} < $2 group by 1 order by cost desc",
    ),
    "by model per day": (
        "select usage_date, model_id, sum(list_cost_usd) as cost from marts.fct_request_cost_team_daily "
        "where usage_date >= $1 and usage_date < $2 group by all order by all",
        "select usage_date, model_id, sum(list_cost_usd) as cost from marts.fct_request_cost "
        "where usage_date >= $1 and usage_date < $2 group by all order by all",
        f"select {RAW_DAY} as day, model, sum(spend) as cost from raw.litellm_spend_logs "
        f"where {RAW_DAY} >= $1 and {RAW_DAY} < $2 group by all order by all",
    ),
    "top 20 users": (
        "select user_id, sum(list_cost_usd) as cost from marts.fct_request_cost_daily "
        "where usage_date >= $1 and usage_date < $2 group by 1 order by cost desc nulls last limit 20",
        "select user_id, sum(list_cost_usd) as cost from marts.fct_request_cost "
        "where usage_date >= $1 and usage_date < $2 group by 1 order by cost desc nulls last limit 20",
        "select coalesce(nullif(end_user, ''), nullif(\"user\", ''), metadata ->> '$.user_api_key_user_id') as u, "
        "sum(spend) as cost from raw.litellm_spend_logs "
        f"where {RAW_DAY} >= $1 and {RAW_DAY} < $2 group by 1 order by cost desc nulls last limit 20",
    ),
    f"cost by tag '{TAG_KEY}'": (
        "select tag_value, sum(list_cost_usd) as cost from marts.fct_request_tag_cost_daily "
        f"where tag_key = '{TAG_KEY}' and usage_date >= $1 and usage_date < $2 group by 1 order by cost desc",
        f"select tags ->> '$.{TAG_KEY}' as tag_value, sum(list_cost_usd) as cost from marts.fct_request_cost "
        f"where tags ->> '$.{TAG_KEY}' is not null and usage_date >= $1 and usage_date < $2 "
        "group by 1 order by cost desc",
        f"select substr(tag, {len(TAG_KEY) + 2}) as tag_value, sum(spend) as cost from ("
        'select spend, "startTime", unnest(cast(request_tags as varchar[])) as tag from raw.litellm_spend_logs'
        f") where tag like '{TAG_KEY}:%' and {RAW_DAY} >= $1 and {RAW_DAY} < $2 group by 1 order by cost desc",
    ),
    "daily total by provider": (
        "select usage_date, provider, sum(list_cost_usd) as cost from marts.fct_request_cost_team_daily "
        "where usage_date >= $1 and usage_date < $2 group by all order by all",
        "select usage_date, provider, sum(list_cost_usd) as cost from marts.fct_request_cost "
        "where usage_date >= $1 and usage_date < $2 group by all order by all",
        f"select {RAW_DAY} as day, custom_llm_provider, sum(spend) as cost from raw.litellm_spend_logs "
        f"where {RAW_DAY} >= $1 and {RAW_DAY} < $2 group by all order by all",
    ),
}
LAYERS = ("marts", "fct_request_cost", "raw")


def time_queries(warehouse: Path, start: date, end: date, times: int = 3) -> tuple[dict[tuple[str, str], float], list]:
    """{(query, layer): median seconds of ``times`` runs}, and the queries whose marts and fct_request_cost
    answers differ (they must not: the roll-ups sum the same requests)."""
    seconds, mismatches = {}, []
    with connect(warehouse, read_only=True) as conn:
        for name, sqls in QUERIES.items():
            answers = {}
            for layer, sql in zip(LAYERS, sqls, strict=True):
                runs = []
                for _ in range(times):
                    started = time.perf_counter()
                    answers[layer] = conn.execute(sql, [start, end]).fetchall()
                    runs.append(time.perf_counter() - started)
                seconds[(name, layer)] = statistics.median(runs)
            if name != "top 20 users" and sorted(map(str, answers["marts"])) != sorted(
                map(str, answers["fct_request_cost"])
            ):
                mismatches.append(name)
    return seconds, mismatches


# ---------------------------------------------------------------- diagnostics: what the increment pays for


def increment_diagnostics(warehouse: Path, new_day: date) -> dict[str, float]:
    """Seconds of the pieces an incremental build of fct_request_cost evaluates, each on its own (not in the
    figures above): the days-to-build subquery over int_requests_unioned, and the new day's rows of
    int_request_usage against all of them (the filter must reach the raw rows)."""
    pieces = {
        "request_days_to_build over intermediate.int_requests_unioned": (
            "select distinct usage_date from intermediate.int_requests_unioned where loaded_at > "
            "(select max(loaded_at) from marts.fct_request_cost where usage_date < ?)",
            [new_day],
        ),
        # a date constant, as macro request_days_predicate writes the days in, so the piece is what the model pays
        "intermediate.int_request_usage, the new day only": (
            f"select count(*) from intermediate.int_request_usage where usage_date in (date '{new_day.isoformat()}')",
            [],
        ),
        "intermediate.int_request_usage, all days": ("select count(*) from intermediate.int_request_usage", []),
    }
    out = {}
    with connect(warehouse, read_only=True) as conn:
        for name, (sql, params) in pieces.items():
            started = time.perf_counter()
            conn.execute(sql, params).fetchall()
            out[name] = time.perf_counter() - started
    return out


# ---------------------------------------------------------------- one run, and the report


def publish(home: Path, run_id: str) -> tuple[float, int]:
    """Publish the marts to home's serving copy as a run does: (seconds, request day files written)."""
    from orchestration.publish import publish_serving

    with connect(home / "warehouse.duckdb") as conn:
        started = time.perf_counter()
        result = publish_serving(conn, home / "serving.duckdb", run_id=run_id)
        return time.perf_counter() - started, result.days_written


def land_home(files: list[Path], days: int) -> dict:
    """A new FINOPS_HOME with the D files and the providers' usage for their days landed: {home, land_s, rows,
    land_rows_s, usage_s, usage_rows, landed} (``landed``: the warehouse's tables after the landing, which
    reset_to_landed keeps)."""
    from connectors.registry import RAW_TABLES
    from orchestration.loader import ensure_raw_tables

    home = Path(tempfile.mkdtemp(prefix="finops-bench-requests-"))
    warehouse = home / "warehouse.duckdb"
    out: dict = {"home": home}
    try:
        with connect(warehouse) as conn:
            ensure_raw_tables(conn, RAW_TABLES.values())
        seconds, rows = land_files(warehouse, files, run_id="bench-full")
        out.update(land_s=seconds, rows=rows, land_rows_s=rows / seconds)
        out["usage_s"], out["usage_rows"] = land_provider_usage(
            warehouse, FIRST_DAY, FIRST_DAY + timedelta(days=days), run_id="bench-full"
        )
        with connect(warehouse, read_only=True) as conn:
            out["landed"] = set(conn.execute(TABLES).fetchall())
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    return out


TABLES = "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
INCREMENT_RUN = "bench-increment"  # the run_id of what build_run lands for the increment


def reset_to_landed(home: Path, landed: set[tuple[str, str]], days: int) -> None:
    """Put ``home`` back as land_home left it, for another build_run without landing again: every table or view
    the build made dropped, the rows the increment landed taken out (and the providers' days its window replaced
    landed again, as the seeded emulator gives them), the serving copy and dbt's folders removed."""
    from orchestration.loader import FILES_LEDGER

    warehouse = home / "warehouse.duckdb"
    for path in home.iterdir():
        if path.name not in {warehouse.name, f"{warehouse.name}.wal"}:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    schemas = {schema for schema, _ in landed}
    with connect(warehouse) as conn:
        made = conn.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        for schema, name, kind in made:
            if schema not in schemas:
                conn.execute(f'drop schema if exists "{schema}" cascade')
            elif (schema, name) not in landed:
                conn.execute(f'drop {"view" if kind == "VIEW" else "table"} if exists "{schema}"."{name}"')
        stamped = conn.execute(
            "select table_schema, table_name from information_schema.columns "
            "where table_catalog = current_database() and column_name = '_run_id'"
        ).fetchall()
        for schema, name in sorted(set(stamped) & landed):
            conn.execute(f'delete from "{schema}"."{name}" where _run_id = ?', [INCREMENT_RUN])
        conn.execute(f"delete from {FILES_LEDGER} where run_id = ?", [INCREMENT_RUN])
    new_day = FIRST_DAY + timedelta(days=days)
    land_provider_usage(warehouse, revision_start(new_day), new_day, run_id="bench-full")


def revision_start(new_day: date) -> date:
    """The first day a daily run re-pulls from the providers on ``new_day``: the days they may still revise."""
    from connectors.registry import BY_NAME

    return new_day - timedelta(days=max(BY_NAME[name].revision_days for name in PROVIDER_SOURCES) - 1)


def build_run(home: Path, new_file: Path, days: int) -> dict:
    """On a home as land_home leaves it: the full build, its publish, one new day and the providers' revision
    window landed, the increment's build checked against a full rebuild, its publish, the five queries."""
    warehouse = home / "warehouse.duckdb"
    out: dict = {}
    seconds, rss, results = dbt_build(home, home / "dbt-full.log")
    out.update(full_s=seconds, full_rss=rss, full_slowest=slowest(results))
    full_sql = {table: compiled_sql(home, table) for table in INCREMENTAL_MARTS}
    out["publish_full_s"], out["publish_full_days"] = publish(home, "bench-full")

    old_day, new_day = FIRST_DAY, FIRST_DAY + timedelta(days=days)
    originals = alter_old_rows(warehouse, old_day)
    before = mart_state(warehouse)
    _, new_rows = land_files(warehouse, [new_file], run_id=INCREMENT_RUN)
    # and what a daily run re-pulls from the providers: the days they may still revise, up to the new one
    land_provider_usage(warehouse, revision_start(new_day), new_day + timedelta(days=1), run_id=INCREMENT_RUN)
    seconds, rss, results = dbt_build(home, home / "dbt-increment.log")
    out.update(incr_s=seconds, incr_rss=rss, incr_slowest=slowest(results, 8), new_rows=new_rows)
    after = mart_state(warehouse)
    rebuilt = full_rebuild_totals(warehouse, full_sql, new_day)
    out["problems"] = check_increment(before, after, rebuilt, old_day, new_day, new_rows)
    restore_old_rows(warehouse, originals)
    out["publish_incr_s"], out["publish_incr_days"] = publish(home, INCREMENT_RUN)
    out["diagnostics"] = increment_diagnostics(warehouse, new_day)

    out["queries"], out["mismatches"] = time_queries(warehouse, FIRST_DAY, new_day + timedelta(days=1))
    out["db_gib"] = warehouse.stat().st_size / 2**30
    return out


def one_run(files: list[Path], new_file: Path, days: int, keep: bool) -> dict:
    """land_home, then build_run on it (the home removed after, unless ``keep``)."""
    out = land_home(files, days)
    try:
        out.update(build_run(out["home"], new_file, days))
    finally:
        if not keep:
            shutil.rmtree(out["home"], ignore_errors=True)
    return out


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    med = fmt.format(statistics.median(values))
    return f"{med} ({fmt.format(min(values))}-{fmt.format(max(values))})" if len(values) > 1 else med


def machine() -> dict[str, str]:
    import dbt.version

    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return {
        "nproc": str(os.cpu_count()),
        "RAM": f"{mem_kib / 2**20:.1f} GiB",
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt-core": dbt.version.__version__,
        "dbt threads": "1 (profiles.yml)",
    }


def command_line(script: str, argv: list[str]) -> str:
    """The command a results file quotes: ``script`` with ``argv``, machine paths left out (a path under the
    checkout shown relative to it; any other path, such as a --cache folder under the temp dir, as <path>)."""
    shown = []
    for arg in argv:
        if arg.startswith("/"):
            path = Path(arg)
            arg = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else "<path>"
        shown.append(arg)
    return " ".join([".venv/bin/python", script, *shown])


def report(args, runs: list[dict]) -> str:
    r = len(runs)
    rows, new_rows = runs[0]["rows"], runs[0]["new_rows"]
    lines = [
        "# Request-level cost at scale (bench/request_logs.py)",
        "",
        f"`{command_line('bench/request_logs.py', sys.argv[1:])}`",
        "",
        f"{rows:,} LiteLLM_SpendLogs rows (Parquet exports) over {args.days} UTC days ({args.days} files), "
        f"then one new day of {new_rows:,} rows; {r} of {args.repeat} run(s) done, each into a fresh FINOPS_HOME. "
        "Figures: median (min-max) over the runs.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine().items()],
        "",
        "| step | figure |",
        "|---|---|",
        f"| land {args.days} files (read_spend_logs + land_files) | {spread([x['land_s'] for x in runs])} s |",
        f"| land rate | {spread([x['land_rows_s'] for x in runs], '{:,.0f}')} rows/s |",
        f"| land the providers' usage and costs ({runs[0]['usage_rows']:,} rows from the emulator) "
        f"| {spread([x['usage_s'] for x in runs])} s |",
        f"| full `dbt build` (whole project, no unit tests, as a scheduled run) | {spread([x['full_s'] for x in runs])} s |",
        f"| full build peak RSS (dbt process) | {spread([x['full_rss'] for x in runs], '{:,.0f}')} MiB |",
        f"| increment: `dbt build` after 1 new day landed | {spread([x['incr_s'] for x in runs])} s |",
        f"| increment peak RSS (dbt process) | {spread([x['incr_rss'] for x in runs], '{:,.0f}')} MiB |",
        f"| increment / full build | {statistics.median(x['incr_s'] / x['full_s'] for x in runs):.2f} |",
        f"| publish after the full build ({runs[0]['publish_full_days']} request day files written) "
        f"| {spread([x['publish_full_s'] for x in runs])} s |",
        f"| publish after the increment ({runs[0]['publish_incr_days']} request day file(s) written) "
        f"| {spread([x['publish_incr_s'] for x in runs])} s |",
        f"| warehouse.duckdb size after the increment | {spread([x['db_gib'] for x in runs])} GiB |",
        "",
        "Increment check (untimed): a row altered by hand on the first day in each of "
        + ", ".join(INCREMENTAL_MARTS)
        + " stays altered; every old day keeps its rows and "
        "cost; the new day's (rows, cost) in each equals the full build's compiled SQL run over all the data: "
        + (
            "**passed in every run**."
            if not any(x["problems"] for x in runs)
            else "**FAILED**: " + "; ".join(p for x in runs for p in x["problems"])
        ),
        "",
        "## Five spend queries, seconds (median of 3 executions per run; then median (min-max) over runs)",
        "",
        "Marts: fct_request_cost_team_daily (by team, model, provider) / fct_request_cost_daily (users) / "
        "fct_request_tag_cost_daily. fct: fct_request_cost (one row per request). "
        "Raw: raw.litellm_spend_logs with the JSON extraction an analyst needs (LiteLLM's own `spend`, as the raw "
        "rows have no list price). Whole range, all days.",
        "",
        "| query | marts | fct_request_cost | raw | fct / marts | raw / marts |",
        "|---|---|---|---|---|---|",
    ]
    for name in QUERIES:
        cells = [spread([x["queries"][(name, layer)] for x in runs], "{:.3f}") for layer in LAYERS]
        med = {layer: statistics.median(x["queries"][(name, layer)] for x in runs) for layer in LAYERS}
        lines.append(
            f"| {name} | {' | '.join(cells)} | {med['fct_request_cost'] / med['marts']:.0f}x "
            f"| {med['raw'] / med['marts']:.0f}x |"
        )
    mismatched = sorted({m for x in runs for m in x["mismatches"]})
    lines += [
        "",
        "Marts and fct_request_cost give the same answers"
        + (f", except: {', '.join(mismatched)} (**a bug**)." if mismatched else " (checked every run)."),
        "",
    ]
    for title, key in (("full build", "full_slowest"), ("incremental build", "incr_slowest")):
        per_node: dict[str, list[float]] = defaultdict(list)
        for x in runs:
            for node, seconds in x[key]:
                per_node[node].append(seconds)
        top = sorted(per_node.items(), key=lambda kv: -statistics.median(kv[1]))[: 5 if key == "full_slowest" else 8]
        lines += [
            f"## Where the time goes: {title} (run_results.json execution_time, slowest nodes)",
            "",
            "| node | seconds |",
            "|---|---|",
            *[f"| {node} | {spread(v)} |" for node, v in top],
            "",
        ]
    lines += [
        "## What an incremental build of fct_request_cost evaluates, each piece alone (seconds, after the increment)",
        "",
        "| piece | seconds |",
        "|---|---|",
        *[f"| {k} | {spread([x['diagnostics'][k] for x in runs])} |" for k in runs[0]["diagnostics"]],
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="where the generated files are kept between runs (default: a folder under the temp dir)",
    )
    parser.add_argument("--keep", action="store_true", help="keep each run's FINOPS_HOME (printed)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    cache = args.cache or Path(tempfile.gettempdir()) / (
        f"finops-bench-request-logs-v{GENERATOR_VERSION}-{args.rows}-{args.days}"
    )
    files, new_file = generate(args.rows, args.days, cache)
    runs = []
    for i in range(args.repeat):
        run = one_run(files, new_file, args.days, args.keep)
        runs.append(run)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report(args, runs))  # after every run: a long benchmark stopped early keeps its figures
        print(
            f"run {i + 1}/{args.repeat}: land {run['land_s']:.1f} s ({run['land_rows_s']:,.0f} rows/s), "
            f"full build {run['full_s']:.1f} s ({run['full_rss']:,.0f} MiB), "
            f"increment {run['incr_s']:.1f} s ({run['incr_rss']:,.0f} MiB), "
            f"check {'ok' if not run['problems'] else run['problems']}" + (f", home {run['home']}" if args.keep else "")
        )
    print("\n" + report(args, runs))
    print(f"\nwritten to {args.output}")
    if any(x["problems"] for x in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
