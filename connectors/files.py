"""File drops (DESIGN.md §3): paths or globs in one setting, files read in bulk, each file landed once.

A file-drop source names an environment variable holding paths or globs, several separated by ``:``
(``/exports/gcp/*.csv:/archive/**/*.parquet``). ``expand`` turns that into the files to consider;
``digest`` fingerprints a file's content (the loader lands a file again only when it changed); the
readers turn one file into an Arrow table in bulk through DuckDB's own CSV, JSON and Parquet readers,
never row by row, each row with ``_raw``: the row as the file had it, as JSON.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

GLOB_CHARS = frozenset("*?[")
# Schema metadata of a read file: the lines a reader left out (a cloud billing export's other services), counted
LEFT_OUT_KEY = b"finops.left_out"
FORMATS = ("csv", "jsonl", "json", "parquet")


class FileDropError(ValueError):
    """A setting or a file that cannot be read: the message names it and says how to fix it."""


_SCRATCH: tuple[int, duckdb.DuckDBPyConnection] | None = None  # (the process that opened it, the database)
_SCRATCH_LOCK = threading.Lock()


@contextmanager
def scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """A new connection to the readers' one in-memory DuckDB database, closed on leaving: what a reader types a file
    with. Opening an in-memory database takes about 18 ms, a connection to an open one microseconds, and a reader
    needs two or three for every file (a year of daily files: hundreds). A connection's settings (TimeZone), its
    temporary tables and its registered Arrow tables are its own and go with it, so readers on several threads do
    not see each other's."""
    global _SCRATCH
    with _SCRATCH_LOCK:
        if _SCRATCH is None or _SCRATCH[0] != os.getpid():  # a forked child opens its own
            _SCRATCH = (os.getpid(), duckdb.connect())
        conn = _SCRATCH[1].cursor()
    try:
        yield conn
    finally:
        conn.close()


def expand(spec: str, setting: str) -> list[Path]:
    """The files named by ``spec`` (paths or globs separated by ':'), sorted, each once.

    A plain path that does not exist is an error (a typo would otherwise load nothing, silently); a glob
    that matches nothing is not (no new files yet). Folders match nothing: name the files, or a glob.
    """
    found: dict[str, Path] = {}
    for part in (p.strip() for p in spec.split(os.pathsep)):
        if not part:
            continue
        pattern = os.path.expanduser(part)
        if GLOB_CHARS & set(pattern):
            matches = glob.glob(pattern, recursive=True)
        elif os.path.isfile(pattern):
            matches = [pattern]
        elif os.path.isdir(pattern):
            raise FileDropError(
                f"{setting}: {part} is a folder; name its files with a glob, e.g. {os.path.join(part, '*.csv')}."
            )
        else:
            raise FileDropError(f"{setting}: {part} does not exist; fix the path or use a glob.")
        for match in matches:
            path = Path(match).resolve()
            if path.is_file():
                found[str(path)] = path
    return [found[key] for key in sorted(found)]


def digest(path: Path) -> str:
    """SHA-256 of the file's content, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_format(path: Path) -> str:
    """``csv``, ``jsonl``, ``json`` or ``parquet``, from the file's name (``.gz`` allowed for text)."""
    suffixes = [s.lower().lstrip(".") for s in path.suffixes]
    if suffixes and suffixes[-1] in ("gz", "zst"):
        suffixes = suffixes[:-1]
    kind = suffixes[-1] if suffixes else ""
    if kind == "ndjson":
        kind = "jsonl"
    if kind not in FORMATS:
        raise FileDropError(f"{path}: cannot tell its format from the name; use .csv, .jsonl, .json or .parquet.")
    return kind


def read_table(
    path: Path, columns: Sequence[str], *, kind: str | None = None, raw_extras_only: Sequence[str] | None = None
) -> pa.Table:
    """One file as an Arrow table of ``columns`` (as text, or as Parquet typed them; a column the file lacks
    is NULL) plus ``_raw``: each row as the file had it, as JSON. Read in bulk by DuckDB.

    ``raw_extras_only`` (CSV and Parquet): ``_raw`` then holds only the file's OTHER columns, less these (e.g.
    payload columns never to be kept): a reader that lands every known column typed keeps what a newer
    export adds without storing each row twice."""
    kind = kind or file_format(path)
    if kind in ("json", "jsonl"):
        picks = [f"j.json ->> '$.{_json_key(c)}' as {_quote(c)}" for c in columns]
        query = f"select {', '.join(picks + ['j.json as _raw'])} from read_json_objects(?, format = 'auto') as j"
    else:
        reader = (
            "read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
            if kind == "csv"
            else "read_parquet(?)"
        )
        with scratch() as conn:
            try:
                present = {
                    row[0] for row in conn.sql(f"describe select * from {reader}", params=[str(path)]).fetchall()
                }
            except duckdb.Error as exc:
                raise _unreadable(path, kind, exc) from None
        picks = [f"r.{_quote(c)}" if c in present else f"null as {_quote(c)}" for c in columns]
        raw = "to_json(r)"
        if raw_extras_only is not None:
            extras = sorted(present - set(columns) - set(raw_extras_only))
            raw = (
                "to_json(struct_pack(" + ", ".join(f"{_quote(c)} := r.{_quote(c)}" for c in extras) + "))"
                if extras
                else "'{}'"
            )
        query = f"select {', '.join(picks + [f'cast({raw} as json) as _raw'])} from {reader} as r"
    with scratch() as conn:
        try:
            return conn.sql(query, params=[str(path)]).to_arrow_table()
        except duckdb.Error as exc:
            raise _unreadable(path, kind, exc) from None


def _unreadable(path: Path, kind: str, exc: Exception) -> FileDropError:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return FileDropError(
        f"{path}: not a readable {kind} file ({first_line}); it looks truncated or damaged: copy it again whole "
        "from where it was exported (nothing of it was loaded)."
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _json_key(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def with_left_out(table: pa.Table, by_service: dict[str, int]) -> pa.Table:
    """``table`` (the lines a reader keeps) carrying the count of the file's lines it left out, by service: a cloud
    billing export holds every service's lines and only the AI services' are AI spend. The ingest says the count
    in one line of the run's output."""
    note = {"rows": sum(by_service.values()), "by_service": dict(by_service)}
    return table.replace_schema_metadata({**(table.schema.metadata or {}), LEFT_OUT_KEY: json.dumps(note).encode()})


def left_out(table: pa.Table) -> dict:
    """The count a reader left on ``table`` (``with_left_out``): ``{"rows": n, "by_service": {service: n}}``."""
    raw = (table.schema.metadata or {}).get(LEFT_OUT_KEY) if isinstance(table, pa.Table) else None
    return json.loads(raw) if raw else {"rows": 0, "by_service": {}}
