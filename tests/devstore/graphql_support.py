"""The app's own GraphQL client over a seeded, running devstore (in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.platform_http import PlatformRoutingTransport
from connectors.shopify.graphql import RetryPolicy, ShopifyGraphQL
from connectors.shopify.throttle import CostBucket
from devstore.app import create_devstore_app
from devstore.store import DevStore
from tests.devstore.shopify_support import APP_URL, CLIENT_ID, DEMO, SECRET, Receiver, exchange, seeded

API_VERSION = "2026-10"
GRAPHQL_PATH = f"/shopify/{DEMO}/admin/api/{API_VERSION}/graphql.json"


class StaticTokens:
    """The client's ``TokenProvider`` for a token the test obtained."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self) -> str:
        return self.token

    async def refresh_after_401(self, rejected: str) -> str:
        return self.token


@dataclass
class Connected:
    devstore: httpx.AsyncClient  # the devstore's own URLs (control endpoints)
    app_http: httpx.AsyncClient  # the app's client: Shopify URLs routed to the devstore
    graphql: ShopifyGraphQL
    token: str
    store: DevStore


@asynccontextmanager
async def connected(tmp_path: Path, receiver: Receiver | None = None) -> AsyncIterator[Connected]:
    """The seeded demo shop with the app installed, and the app's GraphQL client for it."""
    app = create_devstore_app(
        seeded(tmp_path),
        app_url=APP_URL,
        shopify_api_key=CLIENT_ID,
        shopify_api_secret=SECRET,
        webhook_retry_delay=0.001,
        webhook_transport=httpx.ASGITransport(app=(receiver or Receiver()).app()),
    )
    base = "http://devstore.test"
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client,
        httpx.AsyncClient(transport=PlatformRoutingTransport(base, httpx.ASGITransport(app=app))) as app_http,
    ):
        token = (await exchange(client))["access_token"]
        graphql = ShopifyGraphQL(
            app_http,
            DEMO,
            API_VERSION,
            StaticTokens(token),
            bucket=CostBucket(),
            retry=RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05),
        )
        yield Connected(client, app_http, graphql, token, DevStore(tmp_path / "devstore.sqlite3"))


async def post_graphql(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, object] | None = None
) -> httpx.Response:
    return await client.post(
        GRAPHQL_PATH,
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
    )
