"""Fixtures of the connector tests: a plain HTTP client (respx intercepts it) and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.connectors.fakes import FakeTime


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()
