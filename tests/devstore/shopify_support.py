"""The devstore's Shopify part under test: a seeded devstore, a webhook receiver, token helpers."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstore.app import create_devstore_app
from devstore.shopify.grants import ID_TOKEN_TYPE, OFFLINE_TOKEN_TYPE, ONLINE_TOKEN_TYPE, TOKEN_EXCHANGE
from devstore.store import DevStore

DEMO = "demo.myshopify.com"
OTHER = "other.myshopify.com"
CLIENT_ID = "test-client-id"
SECRET = "test-client-secret-with-enough-bytes-for-hs256"
APP_URL = "https://aftercare.test"
TOKEN_URL = f"/shopify/{DEMO}/admin/oauth/access_token"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """The app's webhook endpoint, as a Starlette app: records every delivery; answers the next
    status of ``statuses`` (then 200), or drops the connection where the status is 0."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.received.append(Received(request.url.path, dict(request.headers), await request.body()))
            status = self.statuses.pop(0) if self.statuses else 200
            if status == 0:
                raise httpx.ConnectError("the app is down")
            return Response(status_code=status)

        return Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])])


def seeded(tmp_path: Path, *shops: str) -> Path:
    db = tmp_path / "devstore.sqlite3"
    store = DevStore(db)
    store.create_schema()
    for shop in shops or (DEMO,):
        store.seed(shop, "shopify", orders=12, customers=5, seed=7)
    return db


@asynccontextmanager
async def devstore(
    tmp_path: Path, receiver: Receiver | None = None, *shops: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a seeded devstore serving ``APP_URL`` with the test credentials; its webhooks go
    to ``receiver`` (retried after 1 ms, doubling)."""
    transport = httpx.ASGITransport(app=(receiver or Receiver()).app())
    app = create_devstore_app(
        seeded(tmp_path, *shops),
        app_url=APP_URL,
        shopify_api_key=CLIENT_ID,
        shopify_api_secret=SECRET,
        webhook_retry_delay=0.001,
        webhook_transport=transport,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://devstore.test") as client,
    ):
        yield client


def session_token(shop: str = DEMO, *, secret: str = SECRET, **overrides: Any) -> str:
    """A session token as the admin signs it; ``overrides`` replace claims (None removes one)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": CLIENT_ID,
        "sub": "70000000042",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": "session-1",
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


def exchange_body(subject_token: str, *, online: bool = False, expiring: object = 1) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": subject_token,
        "subject_token_type": ID_TOKEN_TYPE,
        "requested_token_type": ONLINE_TOKEN_TYPE if online else OFFLINE_TOKEN_TYPE,
        "expiring": expiring,
    }


async def install(client: httpx.AsyncClient, shop: str = DEMO) -> None:
    response = await client.post(f"/_devstore/shopify/{shop}/install")
    assert response.status_code == 200, response.text


async def exchange(client: httpx.AsyncClient, shop: str = DEMO) -> dict[str, Any]:
    """An expiring offline token pair for ``shop`` (installing the app first)."""
    await install(client, shop)
    response = await client.post(
        f"/shopify/{shop}/admin/oauth/access_token", json=exchange_body(session_token(shop))
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def refresh(client: httpx.AsyncClient, refresh_token: str, shop: str = DEMO) -> httpx.Response:
    return await client.post(
        f"/shopify/{shop}/admin/oauth/access_token",
        json={
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
    )


async def admin_api(client: httpx.AsyncClient, access_token: str, shop: str = DEMO) -> httpx.Response:
    return await client.get(
        f"/shopify/{shop}/admin/api/2026-10/shop.json", headers={"X-Shopify-Access-Token": access_token}
    )


def decode_host(host: str) -> str:
    return base64.urlsafe_b64decode(host + "=" * (-len(host) % 4)).decode()
