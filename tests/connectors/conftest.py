"""Fixtures for the connector tests: mocked HTTP (``responses``), a recorded sleep, vendor example bodies.

No test touches the network or sleeps: every client gets ``sleep=sleeps.append`` and an identity jitter.
Keys are obviously fake; each test module defines its own.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import responses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fixture_text():
    def load(provider: str, name: str) -> str:
        return (FIXTURES / provider / f"{name}.json").read_text()

    return load


@pytest.fixture
def fixture_json(fixture_text):
    def load(provider: str, name: str):
        return json.loads(fixture_text(provider, name), parse_float=Decimal)

    return load
