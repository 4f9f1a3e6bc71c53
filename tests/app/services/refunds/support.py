"""Shared by the refund tests: a shop with staff and an order of two items, and a quoter that
prices a plan the way the platform would (units x price, plus shipping; no tax here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.clock import utcnow
from app.models import Customer, LineItem, Order, Platform, Shop, StaffUser
from app.services.refunds.plan import RefundPlan
from connectors.base import RefundTransaction, SuggestedRefund, SuggestedRefundLine


@dataclass
class Books:
    shop: Shop
    staff: StaffUser
    order: Order
    mug: LineItem  # 2 x 30.00, fulfilled
    lamp: LineItem  # 1 x 40.00, not fulfilled


async def books(domain: str = "refunds.myshopify.com", **shop_fields: Any) -> Books:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain=domain, currency="EUR", **shop_fields)
    staff = await StaffUser.create(shop=shop, platform_user_id="7", email="sam@example.com")
    return await order_for(shop, staff)


async def order_for(shop: Shop, staff: StaffUser) -> Books:
    customer = await Customer.create(shop=shop, platform_id="c1", email="ava@example.com")
    order = await Order.create(
        shop=shop,
        customer=customer,
        platform_id="1001",
        number="#1001",
        currency="EUR",
        total_shipping=Decimal("10"),
        total_price=Decimal("110"),
        placed_at=utcnow(),
    )
    mug = await LineItem.create(
        shop=shop,
        order=order,
        platform_id="11",
        title="Mug",
        quantity=2,
        fulfilled_quantity=2,
        refundable_quantity=2,
        price=Decimal("30"),
    )
    lamp = await LineItem.create(
        shop=shop,
        order=order,
        platform_id="12",
        title="Lamp",
        quantity=1,
        refundable_quantity=1,
        price=Decimal("40"),
    )
    return Books(shop, staff, order, mug, lamp)


PRICES = {"11": Decimal("30"), "12": Decimal("40")}


def priced(plan: RefundPlan) -> SuggestedRefund:
    subtotal = sum((PRICES[line.platform_id] * line.quantity for line in plan.lines), Decimal("0"))
    shipping = Decimal("10") if plan.shipping.full else plan.shipping.amount
    amount = subtotal + shipping
    return SuggestedRefund(
        amount=amount,
        subtotal=subtotal,
        tax=Decimal("0"),
        shipping=shipping,
        shipping_refundable=Decimal("10"),
        currency="EUR",
        lines=tuple(
            SuggestedRefundLine(line.platform_id, line.quantity, line.quantity) for line in plan.lines
        ),
        transactions=(RefundTransaction("9001", "shopify_payments", amount),),
    )


async def quote_for(plan: RefundPlan) -> SuggestedRefund:
    return priced(plan)


def form(**fields: str) -> dict[str, str]:
    return {"reason": "damaged", "note": "", **fields}
