"""The devstore's ASGI app: its pages and control endpoints, the Shopify emulation, and the mail
sink and webhook sender in its lifespan.

``/shopify/…`` is Shopify and ``/bigcommerce/…`` BigCommerce (the app's platform URL mapping).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette

from devstore import control, pages
from devstore.bigcommerce.emulation import BigCommerceEmulation
from devstore.bigcommerce.rate_limit import DEFAULT_QUOTA, DEFAULT_WINDOW_MS
from devstore.bigcommerce.registration import DEV_CLIENT_ID as DEV_BIGCOMMERCE_CLIENT_ID
from devstore.bigcommerce.registration import DEV_CLIENT_SECRET as DEV_BIGCOMMERCE_CLIENT_SECRET
from devstore.bigcommerce.registration import BigCommerceApp
from devstore.bigcommerce.routes import routes as bigcommerce_routes
from devstore.mailsink import MailSink
from devstore.shopify.emulation import ShopifyEmulation
from devstore.shopify.graphql.runtime import AdminGraphQL
from devstore.shopify.registration import (
    DEFAULT_APP_CONFIG,
    DEV_APP_URL,
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    load_registration,
)
from devstore.shopify.routes import routes as shopify_routes
from devstore.shopify.webhooks import DEFAULT_RETRY_DELAY
from devstore.store import DevStore

logger = logging.getLogger(__name__)


def create_devstore_app(
    db_path: str | Path,
    *,
    smtp_host: str = "127.0.0.1",
    smtp_port: int | None = None,
    app_url: str | None = None,
    shopify_api_key: str = DEV_CLIENT_ID,
    shopify_api_secret: str = DEV_CLIENT_SECRET,
    app_config: Path = DEFAULT_APP_CONFIG,
    webhook_retry_delay: float = DEFAULT_RETRY_DELAY,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    bigcommerce_client_id: str = DEV_BIGCOMMERCE_CLIENT_ID,
    bigcommerce_client_secret: str = DEV_BIGCOMMERCE_CLIENT_SECRET,
    bigcommerce_quota: int = DEFAULT_QUOTA,
    bigcommerce_window_ms: int = DEFAULT_WINDOW_MS,
) -> Starlette:
    """The devstore on ``db_path``; with ``smtp_port`` (0 picks a free one) it also runs the mail sink.

    The Aftercare app it serves is ``app_url`` (default: the app's own dev URL) with these Shopify
    client credentials and the webhook subscriptions of ``app_config`` (``shopify.app.toml``).
    ``webhook_transport`` lets tests deliver webhooks to an in-process app. For BigCommerce it
    serves the same app URL with the BigCommerce client credentials, every store's API quota being
    ``bigcommerce_quota`` requests per ``bigcommerce_window_ms``; its callbacks and webhooks go
    through ``webhook_transport`` too.

    ``app.state.store`` is the ``DevStore``; ``app.state.shopify`` the ``ShopifyEmulation``;
    ``app.state.mail_sink`` the running sink, if any; ``app.state.shopify_graphql`` the GraphQL
    Admin API's buckets and bulk exports; ``app.state.bigcommerce`` the ``BigCommerceEmulation``.
    """
    store = DevStore(db_path)
    registration = load_registration(
        app_config,
        client_id=shopify_api_key,
        client_secret=shopify_api_secret,
        app_url=app_url or DEV_APP_URL,
    )
    shopify = ShopifyEmulation(
        store, registration, webhook_retry_delay=webhook_retry_delay, webhook_transport=webhook_transport
    )

    admin_graphql = AdminGraphQL(shopify)
    bigcommerce = BigCommerceEmulation(
        store,
        BigCommerceApp(
            client_id=bigcommerce_client_id,
            client_secret=bigcommerce_client_secret,
            app_url=(app_url or DEV_APP_URL).rstrip("/"),
        ),
        webhook_retry_delay=webhook_retry_delay,
        transport=webhook_transport,
        quota=bigcommerce_quota,
        window_ms=bigcommerce_window_ms,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(store.create_schema)
        sink = MailSink(store, smtp_host, smtp_port) if smtp_port is not None else None
        if sink is not None:
            await sink.start()
            app.state.smtp_address = f"{sink.host}:{sink.port}"
        app.state.mail_sink = sink
        try:
            async with shopify.running(), admin_graphql.running(), bigcommerce.running():
                yield
        finally:
            if sink is not None:
                await sink.stop()

    app = Starlette(
        routes=[*pages.routes, *control.routes, *shopify_routes, *bigcommerce_routes], lifespan=lifespan
    )
    app.state.store = store
    app.state.shopify = shopify
    app.state.shopify_graphql = admin_graphql
    app.state.bigcommerce = bigcommerce
    app.state.app_url = app_url
    app.state.mail_sink = None
    app.state.smtp_address = None
    return app
