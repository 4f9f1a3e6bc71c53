"""The BigCommerce emulation of one devstore: the app it serves, grants, hooks, the webhook sender,
the stores' rate limits and fault switches.

Created with the devstore app; ``running()`` (entered by the app's lifespan) creates the tables,
opens the HTTP client that makes callbacks and webhook deliveries, and on the way out cancels
deliveries still under way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from devstore.bigcommerce.callbacks import CallbackOutcome, call_back
from devstore.bigcommerce.faults import Faults
from devstore.bigcommerce.grants import Grants
from devstore.bigcommerce.hooks import Hooks
from devstore.bigcommerce.rate_limit import DEFAULT_QUOTA, DEFAULT_WINDOW_MS, RateLimits
from devstore.bigcommerce.records import Records
from devstore.bigcommerce.registration import REMOVE_USER_PATH, UNINSTALL_PATH, BigCommerceApp
from devstore.bigcommerce.tables import ensure_tables
from devstore.bigcommerce.users import StoreUser
from devstore.bigcommerce.webhooks import DEFAULT_RETRY_DELAY, DeliveryLog, Outgoing, WebhookSender
from devstore.models import Platform, Shop
from devstore.store import DevStore

UNINSTALLED_SCOPE = "store/app/uninstalled"


class BigCommerceEmulation:
    def __init__(
        self,
        store: DevStore,
        app: BigCommerceApp,
        *,
        webhook_retry_delay: float = DEFAULT_RETRY_DELAY,
        transport: httpx.AsyncBaseTransport | None = None,
        quota: int = DEFAULT_QUOTA,
        window_ms: int = DEFAULT_WINDOW_MS,
    ) -> None:
        self.store = store
        self.app = app
        self.grants = Grants(store, app)
        self.hooks = Hooks(store)
        self.records = Records(store)
        self.deliveries = DeliveryLog(store)
        self.limits = RateLimits(quota, window_ms)
        self.faults = Faults()
        self._retry_delay = webhook_retry_delay
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._sender: WebhookSender | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        ensure_tables(self.store)
        async with httpx.AsyncClient(transport=self._transport, follow_redirects=False) as client:
            self._client = client
            self._sender = WebhookSender(
                self.hooks, self.deliveries, self.app.client_secret, client, retry_delay=self._retry_delay
            )
            try:
                yield
            finally:
                await self._sender.aclose()
                self._sender = self._client = None

    @property
    def sender(self) -> WebhookSender:
        if self._sender is None:
            raise RuntimeError("the devstore is not running (its lifespan has not started)")
        return self._sender

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the devstore is not running (its lifespan has not started)")
        return self._client

    def shop(self, store_hash: str) -> Shop | None:
        """The BigCommerce store with ``store_hash``; None for an unknown or a Shopify one."""
        shop = self.store.get_shop(store_hash)
        return shop if shop is not None and shop.platform is Platform.BIGCOMMERCE else None

    def prepare_webhooks(self, shop: Shop, events: Sequence[tuple[str, dict[str, Any]]]) -> list[Outgoing]:
        """The deliveries of ``events`` to the app's hooks (blocking: SQLite)."""
        return self.sender.prepare(shop, self.app.client_id, events, datetime.now(UTC))

    def uninstall(self, shop: Shop) -> list[Outgoing] | None:
        """Revoke the token and delete the app's hooks, after preparing ``store/app/uninstalled`` for
        them; None if the app was not installed (blocking: SQLite)."""
        if self.grants.live_token(shop) is None:
            return None
        outgoing = self.prepare_webhooks(shop, [(UNINSTALLED_SCOPE, {"type": "store", "id": str(shop.id)})])
        self.grants.revoke(shop, datetime.now(UTC))
        self.hooks.delete_all(shop.id, self.app.client_id)
        return outgoing

    async def send_uninstall_callback(self, shop: Shop, user: StoreUser) -> CallbackOutcome:
        return await call_back(self.client, self.app, UNINSTALL_PATH, shop, user, datetime.now(UTC))

    async def send_remove_user_callback(self, shop: Shop, user: StoreUser) -> CallbackOutcome:
        return await call_back(self.client, self.app, REMOVE_USER_PATH, shop, user, datetime.now(UTC))
