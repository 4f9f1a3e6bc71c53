"""Reading one order (or customer) whole from the platform and writing it: for webhooks that do
not carry it (orders/edited, returns/*, BigCommerce's thin deliveries), children of orders we do
not hold yet, and orders a bulk export brought in without their nested lines."""

from __future__ import annotations

from app.models import Shop
from app.services.sync.customers import upsert_customer
from app.services.sync.orders import upsert_order
from app.services.sync.platform import PlatformAccess
from app.services.sync.rows import Applied


async def refresh_order(shop_id: int, order_id: str, access: PlatformAccess) -> Applied:
    """``MISSING`` when the platform does not return the order. That is not a delete: without
    ``read_all_orders`` Shopify hides orders older than 60 days (fact sheet 5.2), so nothing is
    tombstoned here; orders/delete does that."""
    shop = await Shop.get(id=shop_id)
    record = await access.connector_for(shop).fetch_order(order_id)
    if record is None:
        return Applied.MISSING
    # A read is the state at read time: it carries no trigger time and wins ties.
    return await upsert_order(shop_id, record)


async def refresh_customer(shop_id: int, customer_id: str, access: PlatformAccess) -> Applied:
    """For deliveries that name only a customer id (BigCommerce's thin payloads). ``MISSING``
    when the platform has none: its own delete delivery tombstones it, not a failed read."""
    shop = await Shop.get(id=shop_id)
    record = await access.connector_for(shop).fetch_customer(customer_id)
    if record is None:
        return Applied.MISSING
    return await upsert_customer(shop_id, record)
