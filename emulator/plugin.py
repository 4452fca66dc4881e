"""What an emulator plugin is, and how the emulator finds them.

The emulator is one simulated organisation (:mod:`.org`) rendered by one plugin per vendor shape. A source
in ``connectors.registry`` names its plugin by module (``Source.emulator``, e.g. ``"emulator.plugins.openai"``);
that module exports ``PLUGIN``, an instance of :class:`ApiPlugin` (the vendor's HTTP API: the emulator serves
it under the plugin's URL prefix) or :class:`FileDropPlugin` (the vendor's exports: the emulator writes them
to a folder). The core (server, organisation, faults) finds plugins only through :func:`plugins_for`, never
through a list of its own, and never branches on a plugin's name; a source defined anywhere, even in a test
tree, can bring its own plugin.

Every plugin has:

* ``name``: the name of its source (and the ``provider`` of its ground-truth rows);
* the organisation as its vendor reports it, when it simulates usage: :meth:`Plugin.simulate` (the day's
  full-grain records), :meth:`Plugin.usage_row` (a record as the vendor's usage row),
  :meth:`Plugin.split` (how a usage row is priced: disjoint quantities per usage type, service tier,
  prompt-size tier), :meth:`Plugin.cost_line` (a priced line as the vendor's cost line);
* its ground truth, :meth:`Plugin.ground_truth` (default: its priced lines summed per day and model).

An :class:`ApiPlugin` adds its URL ``prefix`` (``/openai/v1``), its ``fake_key``, how it authenticates
(:meth:`ApiPlugin.authenticate`), its handlers (:meth:`ApiPlugin.route`), its error envelope
(:meth:`ApiPlugin.error` and the answers built on it: not found, wrong method, an :class:`~.api.ApiError`, an
emulator bug, an injected fault), its request-id header, and :meth:`ApiPlugin.alter` for the faults that bend
one of its own answers (OpenAI's missing cached-token count). A :class:`FileDropPlugin` adds
:meth:`FileDropPlugin.write_drops`, which writes the files of a window of days into a folder and returns
their paths; a :class:`BilledExportPlugin` (a cloud billing export) also describes each day as the billed
lines its files hold, from which its ground truth, billed totals and token quantities follow.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, localcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api import ApiError, Request, Response
from .pricing import EXACT

if TYPE_CHECKING:
    from connectors.source import Source

    from .org import BilledLine, PricedLine, SimulatedOrg, Split

Handler = Callable[[Request], object]  # returns the body of a 200 answer, or raises ApiError


class Plugin:
    """One vendor shape over the simulated organisation. Subclass :class:`ApiPlugin` or
    :class:`FileDropPlugin`; a plugin that simulates no usage keeps the defaults below."""

    name: str = ""
    title: str = ""
    usage_dims: tuple[str, ...] = ()  # the dimensions of its full-grain records
    metrics: tuple[str, ...] = ()  # their additive metrics

    def simulate(self, org: "SimulatedOrg", day: date) -> Iterable[tuple[dict, dict]]:
        """The organisation's usage at this vendor on one UTC day: ``(dims, metrics)`` pairs (pairs with
        the same dims are summed). Deterministic in ``(org.seed, day)``: draw from ``org.rng(self.name, ...)``."""
        return ()

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        """A record (grouped dims, summed metrics) as the vendor's usage row."""
        raise NotImplementedError(f"plugin {self.name!r} simulates no usage rows")

    def split(self, row: dict) -> "Split":
        """How one full-grain usage row is priced."""
        raise NotImplementedError(f"plugin {self.name!r} prices no usage rows")

    def cost_line(self, line: "PricedLine") -> tuple[dict, dict]:
        """A priced line as the vendor's cost line at full grain: ``(dims, metrics)``; lines with the same
        dims are summed."""
        raise NotImplementedError(f"plugin {self.name!r} has no cost lines")

    def ground_truth(self, org: "SimulatedOrg", day: date) -> list[dict]:
        """What this vendor's usage of ``day`` costs: rows of ``usage_date, provider, model_raw, model_id,
        list_cost_usd, billed_cost_usd, is_priced`` (see :meth:`SimulatedOrg.ground_truth`)."""
        from .org import ground_truth_rows

        return ground_truth_rows(org.priced_lines(self.name, day), day, self.name)

    def billed_totals(self, org: "SimulatedOrg", day: date) -> dict[tuple[str, str | None], Decimal]:
        """What this vendor bills for ``day`` in USD per (provider, account); default: its priced lines' billed
        cost under its own name. A cloud billing export (credits, tax, another currency) overrides it."""
        totals: dict[tuple[str, str | None], Decimal] = {}
        with localcontext(EXACT):
            for line in org.priced_lines(self.name, day):
                key = (self.name, line.account_id)
                totals[key] = totals.get(key, Decimal(0)) + line.billed_cost_usd
        return totals

    def usage_quantities(self, org: "SimulatedOrg", day: date) -> dict[tuple[str, str, str, str], int]:
        """Its usage of ``day`` per (provider, model_id, usage_type, service_tier): the disjoint quantities it is
        priced on (tokens, requests, seconds); default: its priced lines' quantities under its own name."""
        out: dict[tuple[str, str, str, str], int] = {}
        for line in org.priced_lines(self.name, day):
            key = (self.name, line.model_id, line.usage_type, line.service_tier)
            out[key] = out.get(key, 0) + line.quantity
        return out


class ApiPlugin(Plugin):
    """A vendor's HTTP API, served under ``prefix``.

    The server hands every request whose path is ``prefix`` or starts with ``prefix + "/"`` to
    :meth:`handle`; the default :meth:`handle` finds the handler (:meth:`route`), then authenticates, then
    allows GET only, then calls the handler and turns an :class:`ApiError` into the vendor's envelope.
    """

    prefix: str = ""  # e.g. "/openai/v1": the base URL is the server's URL + prefix
    fake_key: str = ""  # the key the emulator accepts unless the server is given another
    request_id_header: str = "x-request-id"

    # -- routing and authentication ----------------------------------------------------------------------

    def route(self, sub: str) -> Handler | None:
        """The handler of a path below the prefix (``sub`` starts with ``/``, no trailing slash), or None."""
        return None

    def authenticate(self, request: Request) -> Response | None:
        """None when the request carries ``request.key`` the way the vendor expects, else the refusal."""
        return None

    def handle(self, request: Request) -> Response:
        handler = self.route(request.sub)
        if handler is None:
            return self.not_found(request)
        refused = self.authenticate(request)
        if refused is not None:
            return refused
        if request.method != "GET":
            return self.method_not_allowed(request)
        try:
            return Response(200, handler(request))
        except ApiError as exc:
            return self.api_error(exc)

    # -- the error envelope ------------------------------------------------------------------------------

    def error(self, status: int, message: str, kind: str | None = None, **details: Any) -> Response:
        """An error in the vendor's envelope (``kind``: the vendor's error type; ``details``: extra fields
        such as ``param`` and ``code`` where the vendor has them)."""
        return Response(status, {"error": {"message": message, "type": kind or "error", **details}})

    def not_found(self, request: Request) -> Response:
        return self.error(404, f"Not found: {request.method} {request.path}.")

    def method_not_allowed(self, request: Request) -> Response:
        return self.error(405, f"Method {request.method} is not allowed on {request.path}; use GET.")

    def api_error(self, exc: ApiError) -> Response:
        return self.error(exc.status, exc.message)

    def server_error(self, message: str) -> Response:
        """A bug in the emulator, said in the vendor's envelope."""
        return self.error(500, message)

    def fault_response(self, kind: str, retry_after: float) -> Response:
        """The answer of an injected error fault (``"429"``, ``"500"``, ``"502"``, ``"503"``, ``"529"``);
        a 429 carries ``Retry-After``."""
        if kind == "429":
            response = self.error(429, "Rate limit exceeded.")
            response.headers["Retry-After"] = f"{retry_after:g}"
            return response
        return self.error(int(kind), "Server error.")

    def alter(self, fault: str | None, sub: str, response: Response) -> Response:
        """Apply a fault that bends one of this vendor's own answers (``sub``: the path below the prefix;
        default: none)."""
        return response

    # -- configuration -----------------------------------------------------------------------------------

    def environ(self, source: "Source", base_url: str, key: str) -> dict[str, str]:
        """The environment variables that point ``source`` at this plugin on a running emulator."""
        return {source.setting.base_url_env: base_url, source.setting.key_env: key}


class FileDropPlugin(Plugin):
    """A vendor's exports (billing files, request logs), written to a folder instead of served."""

    def write_drops(self, org: "SimulatedOrg", start: date, end: date, folder: Path) -> list[Path]:
        """Write the files covering the UTC days ``[start, end)`` into ``folder`` (it exists) and return
        their paths. Deterministic: the same org and window write the same bytes."""
        raise NotImplementedError(f"plugin {self.name!r} writes no files")

    def environ(self, source: "Source", paths: Sequence[Path]) -> dict[str, str]:
        """The environment variables that point ``source`` at the files written."""
        return {source.setting.paths_env: ":".join(str(p) for p in paths)}


class BilledExportPlugin(FileDropPlugin):
    """A cloud billing export: its bill is not its priced lines (its own rounding, credits, tax, another
    currency), so a subclass describes each day as the :class:`~.org.BilledLine` s its files hold
    (:meth:`billed_lines`), under the warehouse's provider names, and its ground truth, billed totals and token
    quantities are worked out from them."""

    def billed_lines(self, org: "SimulatedOrg", day: date) -> "Sequence[BilledLine]":
        """Every AI line of the day's export (and every credit of one), in its currency and in USD."""
        raise NotImplementedError(f"plugin {self.name!r} describes no billed lines")

    def ground_truth(self, org: "SimulatedOrg", day: date) -> list[dict]:
        """Per (provider, model as the export names it): what its usage lines bill in USD, before credits and
        tax, and their list cost."""
        from .org import billed_ground_truth

        return billed_ground_truth(self.billed_lines(org, day), day)

    def billed_totals(self, org: "SimulatedOrg", day: date) -> dict[tuple[str, str | None], Decimal]:
        """The day's full bill in USD per (provider, account): usage, credits and tax."""
        from .org import billed_totals_of

        return billed_totals_of(self.billed_lines(org, day))

    def usage_quantities(self, org: "SimulatedOrg", day: date) -> dict[tuple[str, str, str, str], int]:
        """Tokens per (provider, model_id, usage_type, service_tier) of the day's usage lines."""
        from .org import billed_quantities

        return billed_quantities(self.billed_lines(org, day))


# ---------------------------------------------------------------------------------------------------------
# Finding plugins
# ---------------------------------------------------------------------------------------------------------


def registered_sources() -> tuple["Source", ...]:
    """The sources of ``connectors.registry`` that have an emulator plugin."""
    from connectors.registry import SOURCES

    return tuple(source for source in SOURCES if source.emulator)


def plugin_of(source: "Source") -> Plugin:
    """The plugin a source names (``importlib.import_module(source.emulator).PLUGIN``), checked."""
    if not source.emulator:
        raise ValueError(f"source {source.name!r} has no emulator plugin (Source.emulator is not set)")
    module = importlib.import_module(source.emulator)
    plugin = getattr(module, "PLUGIN", None)
    if not isinstance(plugin, Plugin):
        raise TypeError(f"{source.emulator}.PLUGIN must be an emulator.plugin.Plugin (source {source.name!r})")
    if plugin.name != source.name:
        raise ValueError(f"{source.emulator}.PLUGIN is named {plugin.name!r}, but its source is {source.name!r}")
    if isinstance(plugin, ApiPlugin) != source.is_api:
        kind = "an API" if source.is_api else "a file-drop"
        raise TypeError(
            f"source {source.name!r} is {kind} source, but {source.emulator}.PLUGIN is a {type(plugin).__name__}"
        )
    return plugin


def plugins_for(sources: Iterable["Source"] | None = None) -> tuple[Plugin, ...]:
    """The plugins of ``sources`` (default: every registered source that has one), in order."""
    chosen = registered_sources() if sources is None else tuple(sources)
    return tuple(plugin_of(source) for source in chosen)


def check_prefixes(plugins: Iterable[Plugin]) -> Mapping[str, ApiPlugin]:
    """The API plugins by prefix; two plugins may not claim the same or nested prefixes."""
    by_prefix: dict[str, ApiPlugin] = {}
    for plugin in plugins:
        if not isinstance(plugin, ApiPlugin):
            continue
        prefix = plugin.prefix
        if not prefix.startswith("/") or prefix.endswith("/") or prefix.startswith("/_emulator"):
            raise ValueError(
                f"plugin {plugin.name!r}: prefix {prefix!r} must start with '/', not end with one, "
                "and not be under /_emulator"
            )
        for other in by_prefix:
            if prefix == other or prefix.startswith(other + "/") or other.startswith(prefix + "/"):
                raise ValueError(
                    f"plugins {by_prefix[other].name!r} and {plugin.name!r} claim overlapping URL "
                    f"prefixes {other!r} and {prefix!r}"
                )
        by_prefix[prefix] = plugin
    return by_prefix
