"""Reading a store's orders and customers: backfills, reconciles, and single reads for webhooks.

    async for page in iter_orders(rest, updated_since=high_water_mark, after=checkpoint):
        ...  # upsert page.records, then store page.next_cursor as the checkpoint

Orders come from ``GET /v2/orders`` sorted by ``date_modified`` ascending, 250 a page, until a
short page or a 204 (fact sheet 2.3); customers from ``GET /v3/customers`` with its pagination
meta (2.4). Both resume from a checkpoint that stays correct while the store changes under the
read (``checkpoint.py``). Each order is completed with its products, shipments and refunds, a few
orders at a time (``concurrency``) so one sync never floods the store's shared quota.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.base import CustomerRecord, OrderRecord, Page, RecordCount
from connectors.bigcommerce.checkpoint import Checkpoint, modified_pages
from connectors.bigcommerce.dates import filter_value
from connectors.bigcommerce.errors import NotFound
from connectors.bigcommerce.listing import PAGE_LIMIT, v2_all, v2_items, v3_all, v3_page
from connectors.bigcommerce.records import modified_at, parse_customer, parse_order
from connectors.bigcommerce.rest import BigCommerceREST, path_id
from connectors.errors import Permanent
from connectors.values import decimal, integer, mapping

Resource = Mapping[str, Any]

DEFAULT_CONCURRENCY = 4
# Statuses that say the order has refunds (fact sheet 2.5: a refund moves the order to one).
REFUNDED_STATUSES = frozenset({4, 14})


async def iter_orders(
    rest: BigCommerceREST,
    updated_since: datetime | None = None,
    *,
    after: str | None = None,
    page_size: int = PAGE_LIMIT,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AsyncGenerator[Page[OrderRecord], None]:
    """Orders modified at or after ``updated_since`` (all when None), oldest change first, from
    checkpoint ``after``."""

    async def fetch(since: datetime | None, page: int) -> tuple[Sequence[Resource], bool]:
        params: dict[str, str | int] = {"sort": "date_modified:asc", "page": page, "limit": page_size}
        if since is not None:
            params["min_date_modified"] = filter_value(since)
        orders = v2_items(await rest.get("v2/orders", params), "the order list")
        return orders, len(orders) >= page_size

    start = Checkpoint.decode(after) if after else Checkpoint(since=updated_since)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def complete(order: Resource) -> OrderRecord:
        async with gate:
            return await read_children(rest, order, always_read_refunds=False)

    async for page in modified_pages(fetch, start, modified_of=modified_at, id_of=_id):
        records = await asyncio.gather(*(complete(order) for order in page.records))
        yield Page(records=tuple(records), next_cursor=page.next.encode(), has_next=page.has_next)


async def iter_customers(
    rest: BigCommerceREST,
    updated_since: datetime | None = None,
    *,
    after: str | None = None,
    page_size: int = PAGE_LIMIT,
) -> AsyncGenerator[Page[CustomerRecord], None]:
    """Customers modified at or after ``updated_since`` (all when None), from checkpoint ``after``."""

    async def fetch(since: datetime | None, page: int) -> tuple[Sequence[Resource], bool]:
        params: dict[str, str | int] = {"sort": "date_modified:asc", "page": page, "limit": page_size}
        if since is not None:
            params["date_modified:min"] = filter_value(since)
        answer = v3_page(await rest.get("v3/customers", params), "the customer list")
        return answer.items, answer.has_next

    start = Checkpoint.decode(after) if after else Checkpoint(since=updated_since)
    async for page in modified_pages(fetch, start, modified_of=modified_at, id_of=_id):
        yield Page(
            records=tuple(parse_customer(customer) for customer in page.records),
            next_cursor=page.next.encode(),
            has_next=page.has_next,
        )


async def fetch_order(rest: BigCommerceREST, order_id: str) -> OrderRecord | None:
    """One order with every child, refunds always read (a reconcile looks for one just made), or
    None when the store has no such order."""
    try:
        order = await rest.get(f"v2/orders/{path_id(order_id)}")
    except NotFound:
        return None
    if not isinstance(order, Mapping):
        return None
    return await read_children(rest, order, always_read_refunds=True)


async def fetch_customer(rest: BigCommerceREST, customer_id: str) -> CustomerRecord | None:
    answer = v3_page(await rest.get("v3/customers", {"id:in": path_id(customer_id)}), "the customer list")
    return parse_customer(answer.items[0]) if answer.items else None


async def count_orders(rest: BigCommerceREST, updated_since: datetime | None = None) -> RecordCount:
    """``GET /v2/orders/count``: ``{"count": n, "statuses": [...]}``. That it honours
    ``min_date_modified`` like the list does is [unverified]; a count that ignored it would only
    overstate a progress bar's total."""
    params = {"min_date_modified": filter_value(updated_since)} if updated_since else None
    body = mapping(await rest.get("v2/orders/count", params))
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int):
        raise Permanent("BigCommerce answered the order count without a count", status=200)
    return RecordCount(count=count, exact=True)


async def count_customers(rest: BigCommerceREST, updated_since: datetime | None = None) -> RecordCount:
    params: dict[str, str | int] = {"limit": 1}
    if updated_since is not None:
        params["date_modified:min"] = filter_value(updated_since)
    answer = v3_page(await rest.get("v3/customers", params), "the customer list")
    if answer.total is None:
        raise Permanent("BigCommerce answered the customer list without a total", status=200)
    return RecordCount(count=answer.total, exact=True)


async def read_children(rest: BigCommerceREST, order: Resource, *, always_read_refunds: bool) -> OrderRecord:
    """The order with its products, shipments and refunds.

    Reads that cannot find anything are skipped to spare the store's quota: shipments when no
    item has shipped; in a sync, refunds when the order has no refunded amount and no refunded
    status. A refund just made may not show in either yet (its payment is asynchronous, 2.5),
    which is why single reads (``fetch_order``) always read refunds."""
    order_id = _id(order)
    incomplete: set[str] = set()
    products, whole = await v2_all(rest, f"v2/orders/{order_id}/products", "the order's products")
    if not whole:
        incomplete.add("line_items")
    shipments: list[Resource] = []
    if integer(order.get("items_shipped")) > 0:
        shipments, whole = await v2_all(rest, f"v2/orders/{order_id}/shipments", "the order's shipments")
        if not whole:
            incomplete.add("fulfillments")
    refunds: list[Resource] = []
    if always_read_refunds or _has_refunds(order):
        refunds, whole = await v3_all(
            rest,
            f"v3/orders/{order_id}/payment_actions/refunds",
            "the order's refunds",
            documents_paging=False,
        )
        if not whole:
            incomplete.add("refunds")
    return parse_order(order, products, shipments, refunds, incomplete=incomplete)


def _has_refunds(order: Resource) -> bool:
    return decimal(order.get("refunded_amount")) > 0 or integer(order.get("status_id")) in REFUNDED_STATUSES


def _id(resource: Resource) -> str:
    value = integer(resource.get("id"))
    if value <= 0:
        raise Permanent("BigCommerce sent a record without an id")
    return str(value)
