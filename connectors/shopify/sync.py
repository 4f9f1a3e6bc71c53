"""Paginated reads of orders and customers, for reconciles and small backfills.

    async for page in iter_orders(client, updated_since=high_water_mark, after=checkpoint):
        ...  # upsert page.records, then store page.next_cursor as the checkpoint

Pages come in ``updated_at`` order (``sortKey: UPDATED_AT``) with cursor pagination. Orders whose
nested lists overflowed the page's small sizes are re-read one by one with larger sizes, and their
remaining line items are paged, before the page is yielded; whatever still overflows (an order
with more than five refunds, say) stays named in ``OrderRecord.incomplete``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Mapping
from datetime import datetime
from typing import Any

from connectors.base import CustomerRecord, OrderRecord, Page, RecordCount
from connectors.errors import Permanent
from connectors.shopify.graphql import ShopifyGraphQL
from connectors.shopify.ids import to_gid
from connectors.shopify.queries import (
    CUSTOMER_DETAIL,
    CUSTOMER_PAGE_SIZE,
    CUSTOMERS_COUNT,
    CUSTOMERS_PAGE,
    DETAIL_NESTED,
    LINE_ITEM_PAGE_SIZE,
    ORDER_PAGE_SIZE,
    ORDERS_COUNT,
    PAGE_NESTED,
    order_detail_query,
    order_line_items_query,
    orders_page_query,
    updated_since_filter,
)
from connectors.shopify.records import Connection, parse_customer, parse_line_item, parse_order

# Children a single-order read can complete; "line_items" is completed by paging instead.
DETAIL_FIXES = frozenset(
    {"fulfillments", "fulfillment_lines", "refunds", "refund_lines", "returns", "return_items"}
)


async def iter_customers(
    client: ShopifyGraphQL,
    updated_since: datetime | None = None,
    page_size: int = CUSTOMER_PAGE_SIZE,
    *,
    after: str | None = None,
) -> AsyncGenerator[Page[CustomerRecord], None]:
    """Customers changed at or after ``updated_since`` (all when None), from cursor ``after``."""
    search = updated_since_filter(updated_since)
    cursor = after
    while True:
        data = await client.query(CUSTOMERS_PAGE, {"first": page_size, "after": cursor, "query": search})
        connection = _top_connection(data, "customers")
        yield Page(
            records=tuple(parse_customer(node) for node in connection.nodes),
            next_cursor=connection.end_cursor,
            has_next=connection.has_next,
        )
        if not connection.has_next or connection.end_cursor is None:
            return
        cursor = connection.end_cursor


async def iter_orders(
    client: ShopifyGraphQL,
    updated_since: datetime | None = None,
    page_size: int = ORDER_PAGE_SIZE,
    *,
    after: str | None = None,
    include_products: bool = False,
) -> AsyncGenerator[Page[OrderRecord], None]:
    """Orders changed at or after ``updated_since`` (all when None), from cursor ``after``.

    ``include_products`` adds product/variant ids and product tags (needs ``read_products``)."""
    search = updated_since_filter(updated_since)
    document = orders_page_query(include_products=include_products)
    cursor = after
    while True:
        variables = {"first": page_size, "after": cursor, "query": search, **PAGE_NESTED.variables()}
        data = await client.query(document, variables)
        connection = _top_connection(data, "orders")
        records = []
        for node in connection.nodes:
            record = parse_order(node, PAGE_NESTED)
            records.append(
                await _complete(client, record, Connection(node.get("lineItems")), include_products)
            )
        yield Page(records=tuple(records), next_cursor=connection.end_cursor, has_next=connection.has_next)
        if not connection.has_next or connection.end_cursor is None:
            return
        cursor = connection.end_cursor


async def fetch_order(
    client: ShopifyGraphQL, order_id: str, *, include_products: bool = False
) -> OrderRecord | None:
    """One order with larger nested lists and every line item, or None when it does not exist.

    For repairing a record named ``incomplete`` (by a bulk export, say) and for one-off reads."""
    record, line_items = await _read_detail(client, order_id, include_products)
    if record is None:
        return None
    return await _complete(client, record, line_items, include_products)


async def fetch_customer(client: ShopifyGraphQL, customer_id: str) -> CustomerRecord | None:
    """One customer by numeric id, or None when Shopify has none (deleted or redacted)."""
    data = await client.query(CUSTOMER_DETAIL, {"id": to_gid("Customer", customer_id)})
    node = data.get("customer")
    return parse_customer(node) if isinstance(node, Mapping) else None


async def count_orders(client: ShopifyGraphQL, updated_since: datetime | None = None) -> RecordCount:
    data = await client.query(ORDERS_COUNT, {"query": updated_since_filter(updated_since)})
    return _count(data, "ordersCount")


async def count_customers(client: ShopifyGraphQL, updated_since: datetime | None = None) -> RecordCount:
    data = await client.query(CUSTOMERS_COUNT, {"query": updated_since_filter(updated_since)})
    return _count(data, "customersCount")


async def _complete(
    client: ShopifyGraphQL, record: OrderRecord, line_items: Connection, include_products: bool
) -> OrderRecord:
    """Re-read an order whose nested lists overflowed, then page its remaining line items."""
    if record.incomplete & DETAIL_FIXES:
        detailed, detail_line_items = await _read_detail(client, record.platform_id, include_products)
        if detailed is not None:  # deleted in between: keep what the page said
            record, line_items = detailed, detail_line_items
    if "line_items" in record.incomplete and line_items.has_next and line_items.end_cursor:
        record = await _with_all_line_items(client, record, line_items.end_cursor, include_products)
    return record


async def _read_detail(
    client: ShopifyGraphQL, order_id: str, include_products: bool
) -> tuple[OrderRecord | None, Connection]:
    data = await client.query(
        order_detail_query(include_products=include_products),
        {"id": to_gid("Order", order_id), **DETAIL_NESTED.variables()},
    )
    node = data.get("order")
    if not isinstance(node, Mapping):
        return None, Connection(None)
    return parse_order(node, DETAIL_NESTED), Connection(node.get("lineItems"))


async def _with_all_line_items(
    client: ShopifyGraphQL, record: OrderRecord, cursor: str, include_products: bool
) -> OrderRecord:
    document = order_line_items_query(include_products=include_products)
    line_items = list(record.line_items)
    after: str | None = cursor
    while after is not None:
        data = await client.query(
            document,
            {"id": to_gid("Order", record.platform_id), "first": LINE_ITEM_PAGE_SIZE, "after": after},
        )
        order = data.get("order")
        connection = Connection(order.get("lineItems") if isinstance(order, Mapping) else None)
        line_items.extend(parse_line_item(node) for node in connection.nodes)
        after = connection.end_cursor if connection.has_next else None
    return dataclasses.replace(
        record, line_items=tuple(line_items), incomplete=record.incomplete - {"line_items"}
    )


def _top_connection(data: Mapping[str, Any], name: str) -> Connection:
    connection = Connection(data.get(name))
    if not connection.present:
        raise Permanent(f"the response has no {name} connection", status=200)
    return connection


def _count(data: Mapping[str, Any], name: str) -> RecordCount:
    value = data.get(name)
    if not isinstance(value, Mapping) or not isinstance(value.get("count"), int):
        raise Permanent(f"the response has no {name}", status=200)
    return RecordCount(count=value["count"], exact=value.get("precision") == "EXACT")
