"""Provider emulator: one simulated organisation, served and written by one plugin per vendor shape.

A local HTTP server (:class:`EmulatorServer`) serves the vendors' admin APIs (same paths, parameters,
envelopes, units and pagination) from a deterministic simulated organisation (:class:`SimulatedOrg`), and
file-drop plugins write the vendors' exports. Each source in ``connectors.registry`` names its plugin
(``Source.emulator``; see :mod:`emulator.plugin`). The emulator knows the ground truth (what every day cost,
priced from its own price table, :mod:`emulator.price_table`, never from the warehouse's seeds) and can inject
faults (:class:`FaultSpec`). ``finops demo`` and the tests run against it; production points the same
connectors at the real base URLs.

    from emulator import EmulatorServer

    with EmulatorServer(faults="429x1,retry_after=0") as emu:
        os.environ.update(emu.environ())   # OPENAI_BASE_URL, OPENAI_ADMIN_KEY, ANTHROPIC_... for every source
        emu.base_url("openai")             # http://127.0.0.1:<port>/openai/v1
        emu.key("anthropic")               # the fake key it accepts
        emu.org.ground_truth(date(2025, 6, 1), date(2025, 7, 1))

``python -m emulator`` runs it in the foreground. Standard library only.
"""

from .api import ApiError, Request, Response
from .faults import FaultSpec
from .org import SimulatedOrg
from .plugin import ApiPlugin, FileDropPlugin, Plugin, plugin_of, plugins_for
from .pricing import PriceTable
from .server import EmulatorServer, serve

__all__ = [
    "ApiError",
    "ApiPlugin",
    "EmulatorServer",
    "FaultSpec",
    "FileDropPlugin",
    "Plugin",
    "PriceTable",
    "Request",
    "Response",
    "SimulatedOrg",
    "plugin_of",
    "plugins_for",
    "serve",
]
