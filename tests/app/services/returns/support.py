"""Shared by the return tests: a Shopify shop with staff, and an order delivered ten days ago
with a mug (2 units, shipped and delivered), a scarf (1 unit, shipped and delivered) and a lamp
(1 unit, never shipped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from arq import ArqRedis
from arq.constants import default_queue_name

from app.clock import utcnow
from app.models import Customer, Fulfillment, LineItem, Order, Platform, Shop, StaffUser

DELIVERED_DAYS_AGO = 10


@dataclass
class Store:
    shop: Shop
    staff: StaffUser
    order: Order
    mug: LineItem
    scarf: LineItem
    lamp: LineItem
    fulfillment: Fulfillment


async def store(domain: str = "returns.myshopify.com", **shop_fields: Any) -> Store:
    shop_fields.setdefault("platform", Platform.SHOPIFY)
    shop = await Shop.create(domain=domain, currency="EUR", **shop_fields)
    staff = await StaffUser.create(shop=shop, platform_user_id="7", email="sam@example.com")
    return await order_in(shop, staff, delivered_at=utcnow() - timedelta(days=DELIVERED_DAYS_AGO))


async def order_in(
    shop: Shop,
    staff: StaffUser,
    *,
    delivered_at: datetime | None,
    fulfilled_at: datetime | None = None,
    number: str = "#1001",
) -> Store:
    customer = await Customer.create(shop=shop, platform_id=f"c{number}", email="ava@example.com")
    order = await Order.create(
        shop=shop,
        customer=customer,
        platform_id=number.strip("#"),
        number=number,
        currency="EUR",
        total_shipping=Decimal("10"),
        total_price=Decimal("140"),
        placed_at=utcnow() - timedelta(days=20),
    )

    async def line(platform_id: str, title: str, quantity: int, fulfilled: int, price: str) -> LineItem:
        return await LineItem.create(
            shop=shop,
            order=order,
            platform_id=f"{number.strip('#')}{platform_id}",
            title=title,
            quantity=quantity,
            fulfilled_quantity=fulfilled,
            refundable_quantity=quantity,
            price=Decimal(price),
        )

    mug = await line("1", "Mug", 2, 2, "30")
    scarf = await line("2", "Scarf", 1, 1, "40")
    lamp = await line("3", "Lamp", 1, 0, "40")
    fulfillment = await Fulfillment.create(
        shop=shop,
        order=order,
        platform_id=f"f{number}",
        fulfilled_at=fulfilled_at or (delivered_at or utcnow()) - timedelta(days=3),
        delivered_at=delivered_at,
        lines=[
            {"line_item_platform_id": mug.platform_id, "quantity": 2},
            {"line_item_platform_id": scarf.platform_id, "quantity": 1},
        ],
    )
    return Store(shop, staff, order, mug, scarf, lamp, fulfillment)


def request(**fields: str) -> dict[str, str]:
    """A return form as the page posts it (the default policy's first reason and resolution)."""
    return {"reason": "damaged/defective", "resolution": "refund", "note": "", **fields}


async def queued_jobs(queue: ArqRedis) -> list[str]:
    return [job.decode() for job in await queue.zrange(default_queue_name, 0, -1)]
