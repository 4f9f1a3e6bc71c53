"""The Shopify emulation of one devstore: the app it serves, its grants, and its webhook sender.

Created with the devstore app; ``running()`` (entered by the app's lifespan) opens the HTTP client
that delivers webhooks and, on the way out, cancels deliveries still under way and closes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import httpx

from devstore.models import Platform, Shop
from devstore.shopify.delivery_log import DeliveryLog
from devstore.shopify.grants import Grants
from devstore.shopify.payloads import shop_payload
from devstore.shopify.registration import AppRegistration
from devstore.shopify.webhooks import DEFAULT_RETRY_DELAY, TIMEOUT, Outgoing, WebhookRequest, WebhookSender
from devstore.store import DevStore

UNINSTALLED_TOPIC = "app/uninstalled"


class ShopifyEmulation:
    def __init__(
        self,
        store: DevStore,
        app: AppRegistration,
        *,
        webhook_retry_delay: float = DEFAULT_RETRY_DELAY,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.app = app
        self.grants = Grants(store, app)
        self.deliveries = DeliveryLog(store)
        self._retry_delay = webhook_retry_delay
        self._transport = webhook_transport
        self._sender: WebhookSender | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with httpx.AsyncClient(
            transport=self._transport, timeout=TIMEOUT, follow_redirects=False
        ) as client:
            self._sender = WebhookSender(self.deliveries, self.app, client, retry_delay=self._retry_delay)
            try:
                yield
            finally:
                await self._sender.aclose()
                self._sender = None

    @property
    def sender(self) -> WebhookSender:
        if self._sender is None:
            raise RuntimeError("the devstore is not running (its lifespan has not started)")
        return self._sender

    def shop(self, domain: str) -> Shop | None:
        """The Shopify shop at ``domain``; None for an unknown or a BigCommerce one."""
        shop = self.store.get_shop(domain)
        return shop if shop is not None and shop.platform is Platform.SHOPIFY else None

    def uninstall(self, shop: Shop, now: datetime) -> list[Outgoing]:
        """Revoke the app's install and tokens; returns the ``app/uninstalled`` delivery to send
        (none if the app was not installed). Blocking: call it in a thread."""
        if not self.grants.uninstall(shop, now):
            return []
        return self.sender.prepare(shop, WebhookRequest(UNINSTALLED_TOPIC, [shop_payload(shop)]), now)
