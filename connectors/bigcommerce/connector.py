"""``BigCommerceConnector``: one store behind the platform-neutral ``StoreConnector`` interface.

    connector = BigCommerceConnector(http, "abc123", tokens)
    async for page in connector.iter_orders(since, after=checkpoint): ...

Built per store with the app's shared ``httpx.AsyncClient``; ``connector.rest`` is the store's
REST client for what the interface does not cover (hooks: ``webhooks.ensure_hooks``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime

import httpx

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
from connectors.bigcommerce import refunds, sync
from connectors.bigcommerce.budget import RateBudget
from connectors.bigcommerce.rest import AccessTokenProvider, BigCommerceREST, RetryPolicy, Sleep


class BigCommerceConnector:
    # No public Returns API (fact sheet 2.6): returns live only in our records.
    keeps_returns = False

    def __init__(
        self,
        http: httpx.AsyncClient,
        store_hash: str,
        token_provider: AccessTokenProvider,
        *,
        sleep: Sleep = asyncio.sleep,
        budget: RateBudget | None = None,
        retry: RetryPolicy | None = None,
        concurrency: int = sync.DEFAULT_CONCURRENCY,
    ) -> None:
        self.rest = BigCommerceREST(http, store_hash, token_provider, budget=budget, retry=retry, sleep=sleep)
        self.concurrency = concurrency

    async def count_orders(self, updated_since: datetime | None = None) -> RecordCount:
        return await sync.count_orders(self.rest, updated_since)

    async def count_customers(self, updated_since: datetime | None = None) -> RecordCount:
        return await sync.count_customers(self.rest, updated_since)

    def iter_orders(
        self, updated_since: datetime | None = None, *, after: str | None = None
    ) -> AsyncGenerator[Page[OrderRecord], None]:
        return sync.iter_orders(self.rest, updated_since, after=after, concurrency=self.concurrency)

    def iter_customers(
        self, updated_since: datetime | None = None, *, after: str | None = None
    ) -> AsyncGenerator[Page[CustomerRecord], None]:
        return sync.iter_customers(self.rest, updated_since, after=after)

    async def fetch_order(self, order_id: str) -> OrderRecord | None:
        return await sync.fetch_order(self.rest, order_id)

    async def fetch_customer(self, customer_id: str) -> CustomerRecord | None:
        return await sync.fetch_customer(self.rest, customer_id)

    async def suggest_refund(
        self, order_id: str, lines: Sequence[RefundLineRequest], shipping: ShippingRefund
    ) -> SuggestedRefund:
        return await refunds.suggest_refund(self.rest, order_id, lines, shipping)

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
            self.rest, order_id, lines, shipping, transactions, note=note, notify=notify
        )

    async def list_refunds(self, order_id: str, currency: str | None = None) -> tuple[RefundRecord, ...]:
        return await refunds.list_refunds(self.rest, order_id, currency)
