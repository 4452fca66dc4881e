"""Benchmark anchor (issue 13 items 1 and 4): the five spend queries on a LiteLLM-shaped PostgreSQL table, and the
engine floor (one hand-written DuckDB aggregate over the raw Parquet files).

The row-store anchor: a real PostgreSQL started on 127.0.0.1 in a temporary folder (emulator/postgres.py), a
``"LiteLLM_SpendLogs"`` table as LiteLLM's schema.prisma declares it (its primary key and its four indexes), the
SAME rows the generator wrote (bench/request_logs.py: DuckDB writes them as CSV, Postgres reads them with COPY),
ANALYZE, then the five spend queries of bench/request_logs.py written in Postgres SQL as an analyst would (JSON
with ``->>``, tags with ``jsonb_array_elements_text``, the day range on the indexed ``"startTime"``). Untimed
check: every answer equals DuckDB's over the raw rows (raw.litellm_spend_logs, landed by the real loader) to the
cent (same groups; each cost within half a cent: Postgres sums ``double precision``, DuckDB ``DECIMAL``).

The engine floor: the daily spend by team and model straight from the Parquet files (FLOOR_SQL), the least work
any build of the marts must do; the scale benchmark compares the full build with it.

Importable (bench/scale.py, tests/bench/test_postgres_anchor.py) and a CLI that times both at one size:

    .venv/bin/python bench/postgres_anchor.py --rows 200000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: bench/ is not on the path as a package
    sys.path.insert(0, str(REPO))

from bench.request_logs import FIRST_DAY, QUERIES, TAG_KEY, connect  # noqa: E402
from emulator.postgres import SPEND_LOGS_INDEXES, SPEND_LOGS_TABLE, PostgresNotFound, PostgresServer  # noqa: E402

TABLE = '"LiteLLM_SpendLogs"'
# the server's settings beyond initdb's defaults: fsync off (a benchmark's data, loaded once); a memory budget a
# 24 GB machine's Postgres would be given (defaults: shared_buffers 128MB, work_mem 4MB)
PG_SETTINGS = {"shared_buffers": "2GB", "work_mem": "64MB", "maintenance_work_mem": "512MB", "max_wal_size": "4GB"}
PG_RANGE = '"startTime" >= %(start)s and "startTime" < %(end)s'  # half-open UTC day range, on the indexed column
PG_QUERIES = {
    "cost by team": (
        f"select metadata ->> 'user_api_key_team_alias' as team, sum(spend) as cost from {TABLE} "
        f"where {PG_RANGE} group by 1 order by cost desc"
    ),
    "by model per day": (
        f'select "startTime"::date as day, model, sum(spend) as cost from {TABLE} '
        f"where {PG_RANGE} group by 1, 2 order by 1, 2"
    ),
    "top 20 users": (
        "select coalesce(nullif(end_user, ''), nullif(\"user\", ''), metadata ->> 'user_api_key_user_id') as u, "
        f"sum(spend) as cost from {TABLE} where {PG_RANGE} group by 1 order by cost desc nulls last limit 20"
    ),
    f"cost by tag '{TAG_KEY}'": (
        f"select substr(tag, {len(TAG_KEY) + 2}) as tag_value, sum(spend) as cost "
        f"from {TABLE} cross join lateral jsonb_array_elements_text(request_tags) as t (tag) "
        f"where tag like '{TAG_KEY}:%%' and {PG_RANGE} group by 1 order by cost desc"
    ),
    "daily total by provider": (
        f'select "startTime"::date as day, custom_llm_provider, sum(spend) as cost from {TABLE} '
        f"where {PG_RANGE} group by 1, 2 order by 1, 2"
    ),
}
assert list(PG_QUERIES) == list(QUERIES), "the anchor runs the same five queries as bench/request_logs.py"

# The engine floor: daily spend by team and model straight from the export files. {files}: a DuckDB list literal.
FLOOR_SQL = """
select
    cast("startTime" as date) as usage_date,
    metadata ->> '$.user_api_key_team_alias' as team,
    model,
    count(*) as requests,
    sum(cast(spend as decimal(38, 10))) as cost
from read_parquet({files})
group by all
"""


def _files_literal(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


# ---------------------------------------------------------------- the engine floor


def engine_floor(files: list[Path], times: int = 3) -> tuple[list[float], list[tuple]]:
    """FLOOR_SQL over ``files``, ``times`` times in a fresh in-memory DuckDB: (seconds of each run, its rows)."""
    sql = FLOOR_SQL.format(files=_files_literal(files))
    runs, rows = [], []
    with duckdb.connect() as conn:
        for _ in range(times):
            started = time.perf_counter()
            rows = conn.execute(sql).fetchall()
            runs.append(time.perf_counter() - started)
    return runs, rows


# ---------------------------------------------------------------- the Postgres anchor


def load(dsn: str, files: list[Path], workdir: Path) -> dict[str, float]:
    """Create the table, COPY the rows of ``files`` (each written as CSV by DuckDB, COPYed, then deleted, so that the
    disk holds one file's CSV at a time beside the table), create LiteLLM's indexes, ANALYZE: seconds of each step,
    the rows and the table's size with its indexes."""
    import psycopg

    csv = workdir / "spend_logs.csv"
    out: dict[str, float] = {"csv_s": 0.0, "copy_s": 0.0}
    with duckdb.connect() as duck, psycopg.connect(dsn, autocommit=True) as conn:
        columns = [
            r[0] for r in duck.execute(f"describe select * from read_parquet({_files_literal(files)})").fetchall()
        ]
        column_list = ", ".join(f'"{c}"' for c in columns)
        conn.execute(SPEND_LOGS_TABLE)
        for file in files:
            started = time.perf_counter()
            duck.execute(
                f"copy (select {column_list} from read_parquet({_files_literal([file])})) to '{csv}' (format csv, header)"
            )
            out["csv_s"] += time.perf_counter() - started
            started = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy(f"copy {TABLE} ({column_list}) from stdin (format csv, header)") as copy,
            ):
                with open(csv, "rb") as src:
                    while chunk := src.read(1 << 20):
                        copy.write(chunk)
            out["copy_s"] += time.perf_counter() - started
            csv.unlink()
        started = time.perf_counter()
        conn.execute(SPEND_LOGS_INDEXES)
        out["index_s"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(f"analyze {TABLE}")
        out["analyze_s"] = time.perf_counter() - started
        out["rows"] = conn.execute(f"select count(*) from {TABLE}").fetchall()[0][0]
        out["table_gib"] = conn.execute(f"select pg_total_relation_size('{TABLE}')").fetchall()[0][0] / 2**30
    return out


def postgres_queries(dsn: str, start: date, end: date, times: int = 3) -> tuple[dict[str, float], dict[str, list]]:
    """Each of PG_QUERIES ``times`` times over [start, end): ({query: median seconds}, {query: answer rows})."""
    import psycopg

    seconds, answers = {}, {}
    with psycopg.connect(dsn) as conn:
        for name, sql in PG_QUERIES.items():
            runs = []
            for _ in range(times):
                started = time.perf_counter()
                answers[name] = conn.execute(sql, {"start": start, "end": end}).fetchall()
                runs.append(time.perf_counter() - started)
            seconds[name] = statistics.median(runs)
    return seconds, answers


def duckdb_raw_answers(warehouse: Path, start: date, end: date) -> dict[str, list]:
    """The raw-layer answers of bench/request_logs.py's QUERIES (raw.litellm_spend_logs) over [start, end)."""
    with connect(warehouse, read_only=True) as conn:
        return {name: conn.execute(sqls[2], [start, end]).fetchall() for name, sqls in QUERIES.items()}


def compare(postgres: dict[str, list], duck: dict[str, list]) -> list[str]:
    """Where Postgres's answers differ from DuckDB's: a group one has and the other not, or a cost apart by half a
    cent or more. Empty when they agree to the cent."""
    problems = []
    for name in QUERIES:
        pg = {tuple(row[:-1]): Decimal(str(row[-1])) for row in postgres[name]}
        dk = {tuple(row[:-1]): Decimal(str(row[-1])) for row in duck[name]}
        if set(pg) != set(dk):
            problems.append(f"{name}: groups differ ({sorted(map(str, set(pg) ^ set(dk)))[:3]} ...)")
            continue
        apart = [k for k in pg if abs(pg[k] - dk[k]) >= Decimal("0.005")]
        if apart:
            k = apart[0]
            problems.append(f"{name}: {len(apart)} groups differ, e.g. {k}: postgres {pg[k]} vs duckdb {dk[k]}")
        if not pg:
            problems.append(f"{name}: no rows")
    return problems


def land_raw(files: list[Path], home: Path) -> Path:
    """A warehouse with raw.litellm_spend_logs landed from ``files`` by the real reader and loader."""
    from bench.request_logs import land_files
    from connectors.registry import RAW_TABLES
    from orchestration.loader import ensure_raw_tables

    warehouse = home / "warehouse.duckdb"
    with connect(warehouse) as conn:
        ensure_raw_tables(conn, RAW_TABLES.values())
    land_files(warehouse, files, run_id="bench-anchor")
    return warehouse


def main() -> None:
    from bench.request_logs import GENERATOR_VERSION, generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--times", type=int, default=3, help="executions of each query (median)")
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.gettempdir()) / (
        f"finops-bench-request-logs-v{GENERATOR_VERSION}-{args.rows}-{args.days}"
    )
    files, _ = generate(args.rows, args.days, cache)
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=args.days)
    home = Path(tempfile.mkdtemp(prefix="finops-bench-anchor-"))
    try:
        duck = duckdb_raw_answers(land_raw(files, home), start, end)
        floor_runs, floor_rows = engine_floor(files, args.times)
        with PostgresServer(settings=PG_SETTINGS) as pg:
            loaded = load(pg.dsn, files, home)
            seconds, answers = postgres_queries(pg.dsn, start, end, args.times)
    except PostgresNotFound as e:
        raise SystemExit(str(e)) from None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    problems = compare(answers, duck)
    print(
        f"{loaded['rows']:,} rows: csv {loaded['csv_s']:.1f} s, COPY {loaded['copy_s']:.1f} s, "
        f"indexes {loaded['index_s']:.1f} s, ANALYZE {loaded['analyze_s']:.1f} s, {loaded['table_gib']:.2f} GiB"
    )
    for name, s in seconds.items():
        print(f"postgres  {name:28s} {s:8.3f} s")
    print(f"engine floor ({len(floor_rows):,} groups): {statistics.median(floor_runs):.3f} s")
    print("answers equal DuckDB's to the cent" if not problems else "MISMATCH: " + "; ".join(problems))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
