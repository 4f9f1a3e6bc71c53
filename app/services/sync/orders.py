"""One order at a time: the webhook path (and single reads from the API).

Each function is one transaction that locks the order row first, so the order, its children,
its customer's numbers and its timeline change together or not at all (DESIGN invariant 4), and
concurrent deliveries for one order (orders/create, orders/paid and orders/updated often come
in the same second) apply one after another.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from app.models import Fulfillment, Order, Refund, Return, TimelineEntry
from app.services.sync.customers import CustomerLink, count_new_orders, link_customers
from app.services.sync.order_children import (
    refresh_delivered_at,
    write_fulfillments,
    write_line_items,
    write_refunds,
    write_returns,
)
from app.services.sync.order_fields import order_values
from app.services.sync.order_timeline import (
    OrderFacts,
    order_entries,
    refund_facts,
    return_facts,
    shipment_facts,
)
from app.services.sync.rows import Applied, changed, create_once, locked
from app.services.sync.versions import Version, write_verdict
from app.services.timeline import record_entries
from app.webhooks.topics import ORDER_TOPICS
from connectors.base import CustomerRecord, FulfillmentRecord, OrderRecord, RefundRecord


async def upsert_order(
    shop_id: int,
    record: OrderRecord,
    *,
    triggered_at: datetime | None = None,
    customer_hint: CustomerRecord | None = None,
) -> Applied:
    """Write an order with its line items, fulfillments, refunds and returns, unless the stored
    version is newer (or the order was deleted at or after this version).

    ``triggered_at``: the delivery's trigger time, for webhooks. ``customer_hint``: the order
    body's customer summary, which names a customer we have not read yet."""
    async with in_transaction():
        return await apply_order(shop_id, record, Version(record.updated_at, triggered_at), customer_hint)


async def apply_order(
    shop_id: int, record: OrderRecord, version: Version, customer_hint: CustomerRecord | None = None
) -> Applied:
    """``upsert_order`` inside the caller's transaction (the batch upsert reuses it)."""
    row = await locked(Order, shop_id, record.platform_id)
    if row is not None:
        verdict = await write_verdict(shop_id, row, record.platform_id, version, ORDER_TOPICS)
        if verdict is not Applied.UPDATED:
            return verdict
    customer_id = await _customer_id(shop_id, record, customer_hint)
    values = {**order_values(record, version.stamp), "customer_id": customer_id}
    created = False
    if row is None:
        row, created = await create_once(
            Order, {**values, "shop_id": shop_id, "platform_id": record.platform_id}
        )
        if not created:  # a concurrent delivery created it first: judge against that one
            verdict = await write_verdict(shop_id, row, record.platform_id, version, ORDER_TOPICS)
            if verdict is not Applied.UPDATED:
                return verdict
    previous_customer = row.customer_id  # type: ignore[attr-defined]
    if not created:
        if row.deleted_at is not None:
            values["deleted_at"] = None  # only a version newer than the delete gets here
        if updates := changed(row, values):
            await Order.filter(id=row.id).update(**updates)
            for name, value in updates.items():
                setattr(row, name, value)
    await _write_children(shop_id, row, record, version)
    await refresh_delivered_at(row)
    if created and customer_id is not None:
        await count_new_orders([(customer_id, record.created_at, record.total_price)])
    if previous_customer != customer_id and not created:
        await TimelineEntry.filter(order_id=row.id).update(customer_id=customer_id)
    await write_order_timeline(row)
    return Applied.CREATED if created else Applied.UPDATED


async def apply_fulfillment(
    shop_id: int, order_id: str, record: FulfillmentRecord, *, triggered_at: datetime | None = None
) -> Applied:
    """fulfillments/create and fulfillments/update: one fulfillment of a known order."""
    async with in_transaction():
        order = await locked(Order, shop_id, order_id)
        if order is None:
            return Applied.MISSING
        if order.deleted_at is not None:
            return Applied.DELETED
        await write_fulfillments(
            shop_id, order.id, [record], Version(record.updated_at, triggered_at), lines_complete=True
        )
        await refresh_delivered_at(order)
        await write_order_timeline(order)
    return Applied.UPDATED


async def apply_refund(shop_id: int, order_id: str, record: RefundRecord) -> Applied:
    """refunds/create: one refund of a known order (the order's totals follow in orders/updated)."""
    async with in_transaction():
        order = await locked(Order, shop_id, order_id)
        if order is None:
            return Applied.MISSING
        if order.deleted_at is not None:
            return Applied.DELETED
        await write_refunds(shop_id, order, [record], lines_complete=True)
        await write_order_timeline(order)
    return Applied.UPDATED


async def delete_order(shop_id: int, platform_id: str, deleted_at: datetime) -> Applied:
    """orders/delete: a tombstone. An unknown order gets a tombstone row, so that a late
    orders/updated for it cannot create it afterwards."""
    async with in_transaction():
        row = await locked(Order, shop_id, platform_id)
        if row is None:
            row, created = await create_once(
                Order,
                {
                    "shop_id": shop_id,
                    "platform_id": platform_id,
                    "number": "",
                    "placed_at": deleted_at,
                    "deleted_at": deleted_at,
                    "platform_updated_at": deleted_at,
                },
            )
            if created:
                return Applied.CREATED
        if row.deleted_at is not None:
            return Applied.DELETED
        stamp = row.platform_updated_at
        await Order.filter(id=row.id).update(
            deleted_at=deleted_at,
            platform_updated_at=max(stamp, deleted_at) if stamp is not None else deleted_at,
        )
    return Applied.UPDATED


async def write_order_timeline(order: Order) -> None:
    """The order's timeline entries, from its rows as stored now."""
    customer_id = order.customer_id  # type: ignore[attr-defined]
    if customer_id is None or order.deleted_at is not None:
        return
    facts = OrderFacts(
        shop_id=order.shop_id,  # type: ignore[attr-defined]
        order_id=order.id,
        customer_id=customer_id,
        number=order.number,
        total=order.total_price,
        currency=order.currency,
        placed_at=order.placed_at,
        cancelled_at=order.cancelled_at,
    )
    await record_entries(
        order_entries(
            facts,
            shipment_facts(await Fulfillment.filter(order_id=order.id)),
            refund_facts(await Refund.filter(order_id=order.id)),
            return_facts(await Return.filter(order_id=order.id)),
        )
    )


async def _customer_id(shop_id: int, record: OrderRecord, hint: CustomerRecord | None) -> int | None:
    if record.customer_id is None:
        return None
    hint = hint if hint is not None and hint.platform_id == record.customer_id else None
    linked = await link_customers(shop_id, [CustomerLink(record.customer_id, record.email, hint)])
    return linked.ids.get(record.customer_id)


async def _write_children(shop_id: int, row: Order, record: OrderRecord, version: Version) -> None:
    incomplete = record.incomplete
    await write_line_items(shop_id, row.id, record.line_items, version.stamp)
    await write_fulfillments(
        shop_id, row.id, record.fulfillments, version, lines_complete="fulfillment_lines" not in incomplete
    )
    await write_refunds(shop_id, row, record.refunds, lines_complete="refund_lines" not in incomplete)
    await write_returns(
        shop_id, row, record.returns, version, items_complete="return_items" not in incomplete
    )
