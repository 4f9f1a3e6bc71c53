"""Rows for survey tests: a shop, customers, orders at chosen ages, sent surveys."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from app.clock import utcnow
from app.models import Customer, Fulfillment, LineItem, Order, Shop, Survey, SurveyKind, SurveyStatus
from app.services.surveys.tokens import new_token

_numbers = count(1001)


async def make_shop(surveys: dict[str, Any] | None = None, **fields: Any) -> Shop:
    return await Shop.create(
        platform="shopify",
        domain=fields.pop("domain", f"demo{next(_numbers)}.myshopify.com"),
        name=fields.pop("name", "Demo <Shop>"),
        settings={"surveys": surveys or {}},
        **fields,
    )


async def make_customer(shop: Shop, email: str = "ava@example.com", **fields: Any) -> Customer:
    return await Customer.create(shop=shop, platform_id=f"c-{email}", email=email, first_name="Ava", **fields)


def days_ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)


async def make_order(
    shop: Shop,
    customer: Customer | None,
    *,
    placed: float = 3,
    delivered: float | None = None,
    fulfilled: float | None = None,
    **fields: Any,
) -> Order:
    """``placed``/``delivered``/``fulfilled``: days ago (None: not delivered / not fulfilled)."""
    number = next(_numbers)
    order = await Order.create(
        shop=shop,
        customer=customer,
        platform_id=f"o{number}",
        number=f"#{number}",
        email=customer.email if customer else fields.pop("email", None),
        placed_at=days_ago(placed),
        delivered_at=days_ago(delivered) if delivered is not None else None,
        platform_updated_at=fields.pop("platform_updated_at", utcnow()),
        **fields,
    )
    await LineItem.create(
        shop=shop, order=order, platform_id=f"li{number}", title="Blue <b>Mug</b>", quantity=1
    )
    if fulfilled is not None:
        await Fulfillment.create(
            shop=shop, order=order, platform_id=f"f{number}", fulfilled_at=days_ago(fulfilled)
        )
    return order


async def make_survey(
    shop: Shop,
    order: Order,
    *,
    status: SurveyStatus = SurveyStatus.SENT,
    kind: SurveyKind = SurveyKind.CSAT,
    due: float = 1,
    expires_in_days: float = 13,
    locale: str = "en",
) -> Survey:
    return await Survey.create(
        shop=shop,
        customer_id=order.customer_id,  # type: ignore[attr-defined]
        order=order,
        kind=kind,
        subject_key=f"order:{order.id}",
        status=status,
        token=new_token(),
        email=order.email,
        locale=locale,
        due_at=days_ago(due),
        sent_at=days_ago(due) if status != SurveyStatus.SCHEDULED else None,
        expires_at=utcnow() + timedelta(days=expires_in_days) if status != SurveyStatus.SCHEDULED else None,
    )
