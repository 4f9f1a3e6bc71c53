"""The GraphQL Admin API's state in one devstore: the shops' cost buckets and the bulk runner.

``app.state.shopify_graphql``; ``running()`` is entered by the devstore's lifespan (it stops
exports under way on the way out). Webhooks it causes (``bulk_operations/finish``, order edits)
go through the Shopify emulation's sender, only to an installed app subscribed to the topic.
``faults`` holds the switches that make the next calls of a mutation time out or fail.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from devstore.models import Shop
from devstore.shopify.emulation import ShopifyEmulation
from devstore.shopify.graphql.bucket import Buckets
from devstore.shopify.graphql.bulk import FINISH_TOPIC, BulkRunner
from devstore.shopify.graphql.faults import Faults
from devstore.shopify.webhooks import Outgoing, WebhookRequest

logger = logging.getLogger(__name__)


class AdminGraphQL:
    def __init__(self, shopify: ShopifyEmulation) -> None:
        self.shopify = shopify
        self.store = shopify.store
        self.buckets = Buckets()
        self.bulk = BulkRunner(self.store, notify=self._bulk_finished)
        self.faults = Faults()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.bulk.running():
            yield

    def prepare_webhooks(self, shop: Shop, events: Sequence[tuple[str, dict[str, Any]]]) -> list[Outgoing]:
        """Sign and log the events the installed app subscribes to (blocking: SQLite)."""
        if self.shopify.grants.installation(shop) is None:
            return []
        now = datetime.now(UTC)
        outgoing: list[Outgoing] = []
        for topic, payload in events:
            if self.shopify.app.webhook_uri(topic) is not None:
                outgoing += self.shopify.sender.prepare(shop, WebhookRequest(topic, [payload]), now)
        return outgoing

    def _bulk_finished(self, shop: Shop, payload: dict[str, Any]) -> None:
        outgoing = self.prepare_webhooks(shop, [(FINISH_TOPIC, payload)])
        if outgoing:
            self.shopify.sender.deliver_in_background(outgoing)
