"""Helpers shared by the emulator tests (a uniquely named module, so it never shadows another conftest)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import requests

from emulator import EmulatorServer
from emulator.plugins.anthropic import PLUGIN as ANTHROPIC
from emulator.plugins.openai import PLUGIN as OPENAI

OPENAI_HEADERS = {"Authorization": f"Bearer {OPENAI.fake_key}"}
ANTHROPIC_HEADERS = {
    "x-api-key": ANTHROPIC.fake_key,
    "anthropic-version": "2023-06-01",
    "anthropic-beta": "fast-mode-2026-02-01",  # as the connector sends it, to group by speed
}


def unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


class Client:
    """Thin helpers over requests for one running emulator."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.session = requests.Session()

    def openai(self, path: str, params=None, headers=None) -> requests.Response:
        return self.session.get(
            self.server.base_url("openai") + path,
            params=params,
            headers=OPENAI_HEADERS if headers is None else headers,
            timeout=10,
        )

    def anthropic(self, path: str, params=None, headers=None) -> requests.Response:
        return self.session.get(
            self.server.base_url("anthropic") + path,
            params=params,
            headers=ANTHROPIC_HEADERS if headers is None else headers,
            timeout=10,
        )

    def openai_pages(self, path: str, params) -> list[dict]:
        """Every page of an OpenAI bucketed endpoint, following next_page."""
        pages, query = [], list(params)
        while True:
            resp = self.openai(path, query + ([("page", pages[-1]["next_page"])] if pages else []))
            assert resp.status_code == 200, resp.text
            pages.append(resp.json(parse_float=Decimal))
            if not pages[-1]["has_more"]:
                return pages

    def anthropic_pages(self, path: str, params) -> list[dict]:
        pages, query = [], list(params)
        while True:
            resp = self.anthropic(path, query + ([("page", pages[-1]["next_page"])] if pages else []))
            assert resp.status_code == 200, resp.text
            pages.append(resp.json())
            if not pages[-1]["has_more"]:
                return pages
