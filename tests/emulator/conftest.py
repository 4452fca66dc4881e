"""Fixtures for the emulator suite: one organisation and one running server per session."""

from __future__ import annotations

import pytest
from emu_helpers import Client

from emulator import EmulatorServer, SimulatedOrg


@pytest.fixture(scope="session")
def emu_org() -> SimulatedOrg:
    return SimulatedOrg(seed=42)


@pytest.fixture(scope="session")
def emu_server(emu_org):
    with EmulatorServer(emu_org) as server:
        yield server


@pytest.fixture()
def emu(emu_server) -> Client:
    return Client(emu_server)


@pytest.fixture()
def make_emu():
    """Start extra servers (fault specs, other seeds); all stopped at the end of the test."""
    started: list[EmulatorServer] = []

    def make(org: SimulatedOrg | None = None, **kwargs) -> Client:
        server = EmulatorServer(org, **kwargs).start()
        started.append(server)
        return Client(server)

    yield make
    for server in started:
        server.stop()
