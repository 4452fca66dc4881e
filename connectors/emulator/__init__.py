"""Provider emulator: a local HTTP server that speaks the OpenAI and Anthropic admin APIs.

It serves a deterministic simulated organisation (:class:`SimulatedOrg`) with the vendors' paths, parameters,
envelopes, units and pagination, knows the ground truth (what every day cost, priced by an independent
implementation of the price rules), and can inject faults (:class:`FaultSpec`). ``finops demo`` and the tests
run against it; production points the same connectors at the real base URLs.

    from connectors.emulator import EmulatorServer

    with EmulatorServer(faults="429x1,retry_after=0") as emu:
        emu.openai_base_url      # http://127.0.0.1:<port>/openai/v1
        emu.anthropic_base_url   # http://127.0.0.1:<port>/anthropic
        emu.org.ground_truth(date(2025, 6, 1), date(2025, 7, 1))

Standard library only.
"""

from .faults import FaultSpec
from .org import SimulatedOrg
from .pricing import PriceBook
from .server import DEFAULT_ANTHROPIC_KEY, DEFAULT_OPENAI_KEY, EmulatorServer, serve

__all__ = [
    "DEFAULT_ANTHROPIC_KEY",
    "DEFAULT_OPENAI_KEY",
    "EmulatorServer",
    "FaultSpec",
    "PriceBook",
    "SimulatedOrg",
    "serve",
]
