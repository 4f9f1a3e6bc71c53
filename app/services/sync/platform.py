"""Reaching a shop's platform API from a sync: the shared HTTP client, tokens, cost bucket.

access = PlatformAccess.from_job_context(ctx)       # in a job
connector = access.connector_for(shop)               # the shop's platform, as a StoreConnector
client = access.client_for(shop)                     # Shopify only: its GraphQL client (bulk, returns)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis.asyncio import Redis

from app.models import Platform, Shop
from app.services.shops import ShopTokens
from app.settings import Settings
from connectors.base import StoreConnector
from connectors.bigcommerce.budget import shared_budget
from connectors.bigcommerce.connector import BigCommerceConnector
from connectors.errors import Permanent
from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.graphql import ShopifyGraphQL, Sleep
from connectors.shopify.throttle import CostBucket, shared_bucket


@dataclass(frozen=True)
class PlatformAccess:
    """What a sync needs to call the platform. ``sleep`` and ``bucket_for`` are for tests."""

    settings: Settings
    http: httpx.AsyncClient
    redis: Redis
    sleep: Sleep = field(default=asyncio.sleep)
    bucket_for: Callable[[str], CostBucket] = field(default=shared_bucket)

    @classmethod
    def from_job_context(cls, ctx: Mapping[str, Any]) -> PlatformAccess:
        """arq's ``ctx`` carries ``settings``, ``http`` and its ``redis`` pool (``jobs.worker``)."""
        return cls(ctx["settings"], ctx["http"], ctx["redis"])

    def tokens(self) -> ShopTokens:
        return ShopTokens(self.settings, self.http, self.redis)

    def connector_for(self, shop: Shop) -> StoreConnector:
        """The one place that picks a shop's connector by its platform."""
        if shop.platform == Platform.SHOPIFY:
            return ShopifyConnector(self.client_for(shop))
        return BigCommerceConnector(
            self.http,
            shop.domain,
            _ShopTokenProvider(self.tokens(), shop.id),
            sleep=self.sleep,
            budget=shared_budget(shop.domain),
        )

    def client_for(self, shop: Shop) -> ShopifyGraphQL:
        if shop.platform != Platform.SHOPIFY:
            raise Permanent(f"{shop.platform} has no GraphQL Admin API")
        return ShopifyGraphQL(
            self.http,
            shop.domain,
            self.settings.shopify_api_version,
            _ShopTokenProvider(self.tokens(), shop.id),
            bucket=self.bucket_for(shop.domain),
            sleep=self.sleep,
        )


class _ShopTokenProvider:
    """The client's ``TokenProvider`` over the app's per-shop token store."""

    def __init__(self, tokens: ShopTokens, shop_id: int) -> None:
        self._tokens = tokens
        self._shop_id = shop_id

    async def access_token(self) -> str:
        return await self._tokens.access_token_for(self._shop_id)

    async def refresh_after_401(self, rejected: str) -> str:
        return await self._tokens.refresh_after_401(self._shop_id, rejected_token=rejected)


def bulk_client(connector: StoreConnector) -> ShopifyGraphQL | None:
    """Shopify exports a whole listing as one file (bulk operations); other platforms are read
    page by page, so a large backfill there is only ever paginated."""
    return connector.graphql if isinstance(connector, ShopifyConnector) else None


# Each platform's connector class, for what a shop's platform can do without building a client.
CONNECTORS: dict[Platform, type[ShopifyConnector] | type[BigCommerceConnector]] = {
    Platform.SHOPIFY: ShopifyConnector,
    Platform.BIGCOMMERCE: BigCommerceConnector,
}


def keeps_returns(shop: Shop) -> bool:
    """Whether the shop's platform keeps return records of its own, which ours are mirrored to."""
    return CONNECTORS[shop.platform].keeps_returns
