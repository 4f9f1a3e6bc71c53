"""One customer's footprint across every table that can hold their data (for privacy tests)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from app.clock import utcnow
from app.models import (
    Customer,
    Fulfillment,
    LineItem,
    Order,
    OutboundMessage,
    Refund,
    RefundLine,
    Return,
    ReturnItem,
    Shop,
    Survey,
    SurveyResponse,
    SurveyStatus,
    TimelineEntry,
)


@dataclass
class Footprint:
    customer: Customer
    order: Order
    guest_order: Order  # placed with the same email, not linked to the customer row
    survey: Survey
    scheduled_survey: Survey
    message: OutboundMessage
    timeline: TimelineEntry


async def seed_customer(
    shop: Shop, *, platform_id: str = "115310627314723954", email: str = "jon@example.com", n: int = 1
) -> Footprint:
    """``n`` keeps the natural keys of several customers in one shop apart."""
    now = utcnow()
    customer = await Customer.create(
        shop=shop,
        platform_id=platform_id,
        email=email,
        first_name="Jon",
        last_name="Snow",
        name_key="jon snow",
        phone="+15556251199",
        tags="vip",
    )
    order = await Order.create(
        shop=shop,
        customer=customer,
        platform_id=f"82098291194615450{n}",
        number=f"#100{n}",
        email=email,
        total_price=Decimal("199.00"),
        placed_at=now,
    )
    guest_order = await Order.create(
        shop=shop, platform_id=f"92098291194615450{n}", number=f"#200{n}", email=email.upper(), placed_at=now
    )
    line = await LineItem.create(
        shop=shop, order=order, platform_id=f"86655031176643902{n}", title="IPod Nano", quantity=1
    )
    await Fulfillment.create(shop=shop, order=order, platform_id=f"25580965500{n}", tracking_number="1Z999")
    refund = await Refund.create(shop=shop, order=order, platform_id=f"50900{n}", amount=Decimal("10.00"))
    await RefundLine.create(shop=shop, refund=refund, line_item=line, quantity=1, amount=Decimal("10.00"))
    return_request = await Return.create(
        shop=shop, order=order, customer=customer, requested_at=now, note="Jon says: call me on +15556251199"
    )
    await ReturnItem.create(
        shop=shop, return_request=return_request, line_item=line, quantity=1, note="too small"
    )
    survey = await Survey.create(
        shop=shop,
        customer=customer,
        order=order,
        subject_key=f"order:{order.id}",
        token=secrets.token_urlsafe(24),
        email=email,
        due_at=now,
        status=SurveyStatus.ANSWERED,
    )
    await SurveyResponse.create(
        shop=shop, survey=survey, score=2, comment="Jon here, it broke", answered_at=now
    )
    scheduled = await Survey.create(
        shop=shop,
        customer=customer,
        order=guest_order,
        subject_key=f"order:{guest_order.id}",
        token=secrets.token_urlsafe(24),
        email=email,
        due_at=now,
    )
    message = await OutboundMessage.create(
        shop=shop,
        customer=customer,
        order=order,
        idempotency_key=secrets.token_hex(8),
        to_email=email,
        subject="About your order, Jon",
        body_text="Hi Jon Snow, ...",
    )
    timeline = await TimelineEntry.create(
        shop=shop,
        customer=customer,
        order=order,
        kind="order.placed",
        subject_type="order",
        subject_id=str(order.id),
        summary="Jon Snow (jon@example.com) placed #1001",
        data={"email": email},
        occurred_at=now,
    )
    return Footprint(customer, order, guest_order, survey, scheduled, message, timeline)
