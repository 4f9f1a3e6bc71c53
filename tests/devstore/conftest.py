"""Fixtures for the devstore: a store on a temporary file, and its app with the lifespan running."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from devstore.store import DevStore

DEMO = "demo.myshopify.com"


@pytest.fixture
def store(tmp_path: Path) -> DevStore:
    store = DevStore(tmp_path / "devstore.sqlite3")
    store.create_schema()
    return store


@asynccontextmanager
async def _running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://devstore.test") as client:
            yield client


@pytest.fixture
def running() -> Callable[[Starlette], AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``async with running(app) as client``: the app's lifespan around an HTTP client for it."""
    return _running
