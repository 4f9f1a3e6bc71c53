"""What the BigCommerce tests share (no tests here): a seeded devstore serving a test app whose
callbacks and webhook endpoint are an in-process receiver, and the steps of an install."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstore.app import create_devstore_app
from devstore.store import DevStore

STORE = "abc123"
OTHER_STORE = "xyz789"
CLIENT_ID = "test-client-id"
SECRET = "test-client-secret-with-enough-bytes-for-hs256"
APP_URL = "https://aftercare.test"
API = f"/bigcommerce/api/stores/{STORE}"
CONTROL = f"/_devstore/bigcommerce/{STORE}"
TOKEN_URL = "/bigcommerce/login/oauth2/token"
REDIRECT_URI = f"{APP_URL}/bigcommerce/auth"
SCOPES = "store_v2_orders store_v2_customers_read_only store_v2_transactions store_v2_information_read_only"


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """The app's side: records every callback (GET) and webhook (POST); answers the next status of
    ``statuses`` (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            self.received.append(
                Received(
                    request.method,
                    request.url.path,
                    dict(request.query_params),
                    dict(request.headers),
                    await request.body(),
                )
            )
            self._arrived.set()
            return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

        return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])

    def posts(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST"]

    def gets(self, path: str) -> list[Received]:
        return [r for r in self.received if r.method == "GET" and r.path == path]

    async def posted(self, count: int) -> list[Received]:
        """The webhooks, once ``count`` have arrived (they are sent in the background); 3 s at most."""
        async with asyncio.timeout(3):
            while len(self.posts()) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.posts()


def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "devstore.sqlite3"
    store = DevStore(db)
    store.create_schema()
    store.seed(STORE, "bigcommerce", orders=12, customers=5, seed=7)
    store.seed(OTHER_STORE, "bigcommerce", orders=3, customers=2, seed=7)
    return db


@asynccontextmanager
async def devstore(
    tmp_path: Path,
    receiver: Receiver | None = None,
    *,
    quota: int = 150,
    window_ms: int = 30_000,
    retry_delay: float = 0.001,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a seeded devstore serving ``APP_URL`` with the test credentials; callbacks and
    webhooks go to ``receiver`` (the first webhook retry after ``retry_delay``, the others on
    BigCommerce's schedule scaled alike)."""
    app = create_devstore_app(
        seeded(tmp_path),
        app_url=APP_URL,
        bigcommerce_client_id=CLIENT_ID,
        bigcommerce_client_secret=SECRET,
        bigcommerce_quota=quota,
        bigcommerce_window_ms=window_ms,
        webhook_retry_delay=retry_delay,
        webhook_transport=httpx.ASGITransport(app=(receiver or Receiver()).app()),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://devstore.test") as client,
    ):
        yield client


def token_request(code: str, **overrides: str) -> dict[str, str]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "code": code,
        "scope": SCOPES,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT_URI,
        "context": f"stores/{STORE}",
        **overrides,
    }


async def issue_code(client: httpx.AsyncClient, store: str = STORE, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/_devstore/bigcommerce/{store}/install", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def install(client: httpx.AsyncClient) -> str:
    """Install the app on ``STORE`` as its owner and exchange the code: the access token."""
    code = (await issue_code(client))["code"]
    response = await client.post(TOKEN_URL, json=token_request(code))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def auth(token: str) -> dict[str, str]:
    return {"X-Auth-Token": token, "Accept": "application/json"}
