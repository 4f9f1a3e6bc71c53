"""Shopify behind the platform-neutral ``StoreConnector`` interface (``connectors.base``).

The services reach a shop's platform through this; the GraphQL client stays reachable as
``graphql`` for what only Shopify has (bulk exports, its own return records).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime

from connectors.base import (
    CustomerRecord,
    OrderRecord,
    Page,
    RecordCount,
    RefundLineRequest,
    RefundRecord,
    RefundTransaction,
    ShippingRefund,
    SuggestedRefund,
)
from connectors.shopify import refunds, sync
from connectors.shopify.graphql import ShopifyGraphQL


class ShopifyConnector:
    keeps_returns = True

    def __init__(self, graphql: ShopifyGraphQL) -> None:
        self.graphql = graphql

    async def count_orders(self, updated_since: datetime | None = None) -> RecordCount:
        return await sync.count_orders(self.graphql, updated_since)

    async def count_customers(self, updated_since: datetime | None = None) -> RecordCount:
        return await sync.count_customers(self.graphql, updated_since)

    def iter_orders(
        self, updated_since: datetime | None = None, *, after: str | None = None
    ) -> AsyncGenerator[Page[OrderRecord], None]:
        return sync.iter_orders(self.graphql, updated_since, after=after)

    def iter_customers(
        self, updated_since: datetime | None = None, *, after: str | None = None
    ) -> AsyncGenerator[Page[CustomerRecord], None]:
        return sync.iter_customers(self.graphql, updated_since, after=after)

    async def fetch_order(self, order_id: str) -> OrderRecord | None:
        return await sync.fetch_order(self.graphql, order_id)

    async def fetch_customer(self, customer_id: str) -> CustomerRecord | None:
        return await sync.fetch_customer(self.graphql, customer_id)

    async def suggest_refund(
        self, order_id: str, lines: Sequence[RefundLineRequest], shipping: ShippingRefund
    ) -> SuggestedRefund:
        return await refunds.suggest_refund(self.graphql, order_id, lines, shipping)

    async def create_refund(
        self,
        order_id: str,
        lines: Sequence[RefundLineRequest],
        shipping: ShippingRefund,
        transactions: Sequence[RefundTransaction],
        *,
        note: str,
        notify: bool,
    ) -> RefundRecord:
        return await refunds.create_refund(
            self.graphql, order_id, lines, shipping, transactions, note=note, notify=notify
        )
