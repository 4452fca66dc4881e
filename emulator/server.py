"""The emulator's HTTP server: the API plugins over one :class:`SimulatedOrg`, with faults.

Standard library only (``http.server.ThreadingHTTPServer``), bound to 127.0.0.1. The server knows no
vendor: a request whose path is an API plugin's URL prefix, or below it, goes to that plugin (each plugin's
module documents its endpoints: :mod:`emulator.plugins.openai` under ``/openai/v1``,
:mod:`emulator.plugins.anthropic` under ``/anthropic``); errors, injected faults and emulator bugs are
answered in that plugin's error envelope with its request-id header. The plugins are those of the sources
in ``connectors.registry`` (or the ``sources=`` given), found through :func:`emulator.plugin.plugins_for`.

Unauthenticated helpers: ``GET /_emulator/health``,
``GET /_emulator/ground_truth?start=YYYY-MM-DD&end=YYYY-MM-DD`` (decimals as strings),
``GET /_emulator/requests`` (the request log) and
``POST /_emulator/revise?provider=P&day=YYYY-MM-DD&factor=F`` (a late revision: P's usage and costs of that
UTC day become F times what they were; see ``SimulatedOrg.revise``).

Faults (see :mod:`.faults`) are applied in :meth:`EmulatorServer._serve`: the error kinds and ``html`` answer
instead of the handler; ``no_cursor`` and ``endless_cursor`` rewrite the handler's successful paged answer,
and a plugin's :meth:`~emulator.plugin.ApiPlugin.alter` applies the faults specific to it (``no_cached_field``,
and the data faults of one day such as ``dup_row@2025-06-08``, on every request),
so authentication and parameter checks still come first.

:meth:`EmulatorServer.environ` gives the environment variables that point sources at the emulator (API
sources: key and base URL; file-drop sources: the paths of the files their plugins write).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit

from .api import UTC, Query, Request, Response, decimal_text, dumps, paged_body  # noqa: F401 (dumps: re-export)
from .faults import ERROR_KINDS, FaultInjector, FaultSpec
from .org import SimulatedOrg
from .plugin import ApiPlugin, FileDropPlugin, Plugin, check_prefixes, plugins_for, registered_sources

if TYPE_CHECKING:
    from connectors.source import Source

MAX_GROUND_TRUTH_DAYS = 3700
DEFAULT_DROP_DAYS = 30  # file drops cover the 30 UTC days before today unless a window is given
CURSOR_PARAMS = ("page", "after", "after_id", "before_id")
ENDLESS_CURSOR = re.compile(r"(page_)?endless_[0-9]+")  # the cursors the endless_cursor fault hands out
HTML_PAGE = (
    b'<!doctype html>\n<html><head><meta charset="utf-8"><title>Sign in</title></head>\n'
    b"<body><main><h1>Sign in to continue</h1>\n"
    b'<form method="post" action="/login"><label>Username <input name="username"></label>\n'
    b'<label>Password <input type="password" name="password"></label>\n'
    b'<button type="submit">Sign in</button></form></main></body></html>\n'
)
REDACTED_QUERY_NAMES = {"key", "api_key", "apikey", "x-api-key", "token", "access_token", "authorization"}

# Paths no plugin claims are answered in this plain envelope ({"error": {"message", "type"}}).
NO_PLUGIN = ApiPlugin()


# ---------------------------------------------------------------------------------------------------------
# Fault helpers (vendor-neutral: they only touch the generic paged shapes)
# ---------------------------------------------------------------------------------------------------------


def html_response() -> Response:
    """The ``html`` fault: a proxy's sign-in page where the API was expected."""
    return Response(200, content_type="text/html; charset=utf-8", raw=HTML_PAGE)


def empty_page(response: Response, *, has_more: bool, cursor: str | None) -> Response:
    """A successful paged answer emptied: ``data: []``, the given ``has_more``, and ``cursor`` as the only way
    on (``next_page`` = ``"page_" + cursor`` on the reports, ``last_id`` = ``cursor`` on the lists; None for
    no cursor). Any other answer (an error, a single object) is returned unchanged."""
    body = paged_body(response)
    if body is None:
        return response
    body = {**body, "data": [], "has_more": has_more}
    if "next_page" in body:
        body["next_page"] = None if cursor is None else "page_" + cursor
    else:
        body["first_id"] = None
        body["last_id"] = cursor
    return Response(response.status, body, dict(response.headers))


def strip_endless_cursors(raw_query: str) -> tuple[str, bool]:
    """The query without the cursors the ``endless_cursor`` fault handed out, and whether there were any."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not (k in CURSOR_PARAMS and ENDLESS_CURSOR.fullmatch(v))]
    if len(kept) == len(pairs):
        return raw_query, False
    return urlencode(kept), True


def _redact(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    return urlencode([(k, "REDACTED" if k.lower() in REDACTED_QUERY_NAMES else v) for k, v in pairs])


# ---------------------------------------------------------------------------------------------------------
# The application (no sockets: method, path, query and headers in, Response out)
# ---------------------------------------------------------------------------------------------------------


class EmulatorApp:
    """Routes a request to the API plugin whose prefix it is under (or to the ``/_emulator/`` helpers)."""

    def __init__(
        self,
        org: SimulatedOrg,
        plugins: Iterable[Plugin] | None = None,
        keys: Mapping[str, str] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.org = org
        self.routes: Mapping[str, ApiPlugin] = check_prefixes(org.plugins if plugins is None else plugins)
        keys = dict(keys or {})
        self.keys: dict[str, str] = {p.name: keys.pop(p.name, p.fake_key) for p in self.routes.values()}
        if keys:
            raise ValueError(f"keys= names no API plugin served here: {', '.join(sorted(keys))}")
        self.now = now or (lambda: datetime.now(UTC))
        self.request_log: Callable[[], list[dict]] = lambda: []

    def plugin_at(self, path: str) -> ApiPlugin | None:
        """The plugin whose prefix ``path`` is, or is under (prefixes never nest)."""
        path = path.rstrip("/") or "/"
        for prefix, plugin in self.routes.items():
            if path == prefix or path.startswith(prefix + "/"):
                return plugin
        return None

    def handle(self, method: str, path: str, raw_query: str, headers) -> Response:
        path = path.rstrip("/") or "/"
        query = Query(raw_query)
        if path.startswith("/_emulator/") or path == "/_emulator":
            return self._internal(method, path, query)
        plugin = self.plugin_at(path)
        if plugin is None:
            served = ", ".join(f"{prefix}/..." for prefix in self.routes)
            message = f"Unknown path {path}: the emulator serves {served} and /_emulator/...."
            return NO_PLUGIN.error(404, message, kind="not_found")
        request = Request(
            method=method,
            path=path,
            sub=path[len(plugin.prefix) :],
            query=query,
            headers=headers,
            org=self.org,
            now=self.now(),
            key=self.keys[plugin.name],
        )
        return plugin.handle(request)

    def _internal(self, method: str, path: str, query: Query) -> Response:
        if path == "/_emulator/health":
            return Response(200, {"ok": True})
        if path == "/_emulator/requests":
            return Response(200, {"data": self.request_log()})
        if path == "/_emulator/revise":
            if method != "POST":
                return Response(405, {"error": "POST /_emulator/revise?provider=P&day=YYYY-MM-DD&factor=F"})
            try:
                day = date.fromisoformat(query.get("day") or "")
                factor = float(query.get("factor") or "")
                self.org.revise(query.get("provider") or "", day, factor)
            except ValueError as exc:
                message = f"{exc} Expected provider=P&day=YYYY-MM-DD&factor=F (F > 0)."
                return Response(400, {"error": message})
            return Response(200, {"provider": query.get("provider"), "day": day.isoformat(), "factor": factor})
        if path == "/_emulator/ground_truth":
            try:
                start = date.fromisoformat(query.get("start") or "")
                end = date.fromisoformat(query.get("end") or "")
            except ValueError:
                return Response(400, {"error": "start and end are required, as YYYY-MM-DD (end exclusive)."})
            if not start < end or (end - start).days > MAX_GROUND_TRUTH_DAYS:
                message = f"end must be after start and at most {MAX_GROUND_TRUTH_DAYS} days later."
                return Response(400, {"error": message})
            rows = [
                {
                    **row,
                    "usage_date": row["usage_date"].isoformat(),
                    "list_cost_usd": None if row["list_cost_usd"] is None else decimal_text(row["list_cost_usd"]),
                    "billed_cost_usd": decimal_text(row["billed_cost_usd"]),
                }
                for row in self.org.ground_truth(start, end)
            ]
            body = {"seed": self.org.seed, "start": start.isoformat(), "end": end.isoformat(), "data": rows}
            return Response(200, body)
        return Response(404, {"error": f"Unknown emulator path {path}."})


# ---------------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    emulator: "EmulatorServer"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "finops-emulator/1.0"
    timeout = 60  # idle keep-alive connections are dropped after this
    disable_nagle_algorithm = True  # headers and body go out as separate writes: don't wait for ACKs

    def do_GET(self) -> None:
        self.server.emulator._serve(self, "GET")

    def do_HEAD(self) -> None:
        self.server.emulator._serve(self, "HEAD")

    def do_POST(self) -> None:
        self.server.emulator._serve(self, "POST")

    do_PUT = do_PATCH = do_DELETE = do_POST

    def log_message(self, format: str, *args) -> None:  # quiet: the request log is on the server object
        pass


class EmulatorServer:
    """The emulator on a background thread.

    ``sources``: the sources to emulate (default: every source of ``connectors.registry`` with a plugin);
    ``org``: the organisation (default: a :class:`SimulatedOrg` rendered by those sources' plugins);
    ``keys``: fake keys by source name, instead of the plugins' own; ``drop_dir``: where file-drop plugins
    write (default: a temporary folder, removed by :meth:`stop`).

    >>> with EmulatorServer(faults="429x1") as emu:   # doctest: +SKIP
    ...     os.environ.update(emu.environ())          # every source pointed at the emulator
    ...     requests.get(emu.base_url("openai") + "/organization/projects", headers=...)
    """

    def __init__(
        self,
        org: SimulatedOrg | None = None,
        *,
        sources: Iterable["Source"] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultSpec | str | None = None,
        keys: Mapping[str, str] | None = None,
        drop_dir: Path | str | None = None,
    ) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError(f"The emulator only binds to the loopback interface (127.0.0.1), not {host!r}.")
        self.sources: tuple[Source, ...] = registered_sources() if sources is None else tuple(sources)
        plugins = plugins_for(self.sources)
        self.org = org if org is not None else SimulatedOrg(plugins=plugins)
        missing = [p.name for p in plugins if p.name not in self.org.providers]
        if missing:
            raise ValueError(
                f"The organisation is not rendered by the plugins of {', '.join(missing)}: "
                "build it with SimulatedOrg(plugins=...) including them."
            )
        self.plugins: dict[str, Plugin] = {p.name: p for p in plugins}
        self.host = "127.0.0.1"
        self._port = int(port)
        self.faults = FaultSpec.parse(faults)
        self._injector = FaultInjector(self.faults)
        self.app = EmulatorApp(self.org, plugins, keys)
        self.app.request_log = lambda: self.requests
        self.drop_dir = Path(drop_dir) if drop_dir is not None else None
        self._own_drop_dir: Path | None = None
        self._log: list[dict] = []
        self._log_lock = threading.Lock()
        self._request_ids = 0
        self._endless_pages = 0  # numbers the endless_cursor fault's cursors
        self._endless_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> "EmulatorServer":
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.emulator = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"emulator:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        if self._own_drop_dir is not None:
            shutil.rmtree(self._own_drop_dir, ignore_errors=True)
            self._own_drop_dir = None

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("The emulator is not running: call start() first.")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- where each source finds the emulator -------------------------------------------------------------

    def _api_plugin(self, name: str) -> ApiPlugin:
        plugin = self.plugins.get(name)
        if not isinstance(plugin, ApiPlugin):
            served = ", ".join(n for n, p in self.plugins.items() if isinstance(p, ApiPlugin))
            raise ValueError(f"{name!r} is not an API source this emulator serves (it serves: {served}).")
        return plugin

    def base_url(self, name: str) -> str:
        """The base URL of source ``name`` on this emulator (the server must be running)."""
        return self.url + self._api_plugin(name).prefix

    def key(self, name: str) -> str:
        """The fake key this emulator accepts for source ``name``."""
        self._api_plugin(name)
        return self.app.keys[name]

    def environ(
        self,
        sources: Iterable["Source | str"] | None = None,
        *,
        drop_dir: Path | str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> dict[str, str]:
        """The environment variables that point ``sources`` (default: every source this emulator serves) at
        it: for an API source its key and base URL variables (the server must be running); for a file-drop
        source its paths variable, after its plugin has written the files of the UTC days ``[start, end)``
        (default: the 30 days before today) into ``drop_dir`` / the source's name (default: the server's
        ``drop_dir``, else a temporary folder removed by :meth:`stop`)."""
        by_name = {source.name: source for source in self.sources}
        env: dict[str, str] = {}
        for wanted in self.sources if sources is None else tuple(sources):
            name = wanted if isinstance(wanted, str) else wanted.name
            source = by_name.get(name)
            if source is None:
                raise ValueError(f"The emulator does not serve source {name!r}; start it with sources= including it.")
            plugin = self.plugins[name]
            if isinstance(plugin, ApiPlugin):
                env.update(plugin.environ(source, self.base_url(name), self.key(name)))
            elif isinstance(plugin, FileDropPlugin):
                if end is None:
                    end = datetime.now(UTC).date()
                if start is None:
                    start = end - timedelta(days=DEFAULT_DROP_DAYS)
                folder = self._drops(drop_dir) / name
                folder.mkdir(parents=True, exist_ok=True)
                paths = plugin.write_drops(self.org, start, end, folder)
                for name, value in plugin.environ(source, paths).items():
                    # sources sharing a paths variable (FINOPS_REQUEST_LOGS) each add their files to it
                    env[name] = f"{env[name]}:{value}" if env.get(name) and value else (value or env.get(name, ""))
        return env

    def _drops(self, drop_dir: Path | str | None) -> Path:
        if drop_dir is not None:
            return Path(drop_dir)
        if self.drop_dir is not None:
            return self.drop_dir
        if self._own_drop_dir is None:
            self._own_drop_dir = Path(tempfile.mkdtemp(prefix="finops-emulator-drops-"))
        return self._own_drop_dir

    # -- the request log ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[dict]:
        """The request log (a copy): method, path, query (secrets redacted), status, fault. Requests to
        ``/_emulator/`` paths are not logged."""
        with self._log_lock:
            return [dict(entry) for entry in self._log]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    # -- one request ----------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path, raw_query = parts.path, parts.query
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        internal = path.startswith("/_emulator")
        plugin = (None if internal else self.app.plugin_at(path)) or NO_PLUGIN
        fault = None if internal else self._injector.next_fault()
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)
        if fault in ERROR_KINDS:
            response = plugin.fault_response(fault, self.faults.retry_after)
        elif fault == "html":
            response = html_response()
        else:
            app_query, endless = raw_query, False
            if not internal and self.faults.uses("endless_cursor"):  # take back the cursors it handed out
                app_query, endless = strip_endless_cursors(raw_query)
            try:
                response = self.app.handle(method, path, app_query, handler.headers)
            except Exception as exc:  # a bug in the emulator: answer 500 in the plugin's envelope, say what
                response = plugin.server_error(f"Emulator error: {type(exc).__name__}: {exc}")
            response = self._rewrite(fault, plugin, path, response, endless)
        body = response.payload()
        close = False
        if fault == "truncate":
            body, close = body[: len(body) // 2], True
        with self._log_lock:
            self._request_ids += 1
            request_id = f"req_emu{self._request_ids:08d}"
            if not internal:
                entry = {"method": method, "path": path, "query": _redact(raw_query), "status": response.status}
                self._log.append({**entry, "fault": fault})
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            if fault != "html":  # a web page in front of the API does not carry the vendor's request id
                handler.send_header(plugin.request_id_header, request_id)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            if close:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            if method != "HEAD":
                handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _rewrite(self, fault: str | None, plugin: ApiPlugin, path: str, response: Response, endless: bool) -> Response:
        """Apply the faults that alter a handler's answer; ``endless``: the request carried an endless cursor."""
        if fault == "no_cursor":
            return empty_page(response, has_more=True, cursor=None)
        if fault == "endless_cursor":
            if paged_body(response) is None:
                return response
            with self._endless_lock:
                self._endless_pages += 1
                n = self._endless_pages
            return empty_page(response, has_more=True, cursor=f"endless_{n}")
        if endless:  # the endless streak is over: the cursor leads to an empty last page
            response = empty_page(response, has_more=False, cursor=None)
        if plugin is not NO_PLUGIN:
            sub = (path.rstrip("/") or "/")[len(plugin.prefix) :]
            response = plugin.alter(fault, sub, response)
            for data_fault in self.faults.day_faults():  # a corrupt day: every answer that holds it, every time
                response = plugin.alter(data_fault, sub, response)
        return response


def serve(
    port: int = 0,
    seed: int = 42,
    faults: FaultSpec | str | None = None,
    *,
    spikes: str | None = None,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
    drop_dir: Path | str | None = None,
) -> int:
    """Run the emulator until Ctrl-C (or until ``stop`` is set); print its environment first
    (:meth:`EmulatorServer.environ`: each source's base URL and key, or its files).

    ``spikes``: injected spend spikes (:mod:`.spikes`), e.g. ``"2025-06-18:openai:gpt-4o:8"``.

    Returns the process exit code. Raises ``ValueError`` for an invalid fault or spike spec and ``OSError`` when
    the port cannot be bound, each with a one-sentence message.
    """
    out = out or sys.stdout
    spec = FaultSpec.parse(faults)
    org = SimulatedOrg(seed=seed, spikes=spikes)
    try:
        server = EmulatorServer(org, port=port, faults=spec, drop_dir=drop_dir).start()
    except OSError as exc:
        raise OSError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.") from None
    stop = stop or threading.Event()
    try:  # entered before the first line is printed, so a Ctrl-C right after it still stops cleanly
        for name, value in server.environ().items():
            print(f"{name}={value}", file=out)
        spiked = ", ".join(s.describe() for s in org.spikes) or "none"
        status = (
            f"Emulator running on {server.url} (seed {seed}, faults: {spec.describe()}, spikes: {spiked}); "
            "press Ctrl-C to stop."
        )
        print(status, file=out, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("Emulator stopped.", file=out, flush=True)
    return 0
