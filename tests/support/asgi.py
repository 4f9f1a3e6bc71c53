"""Run an app's lifespan around an httpx client, the way a server would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send


class _WithLifespanState:
    """Copies the lifespan state into each request scope, as uvicorn does."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = dict(self.state)
        await self.app(scope, receive, send)


@asynccontextmanager
async def serve_in_process(app: Any, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=_WithLifespanState(app, dict(state or {})))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
