"""When a survey is due, and why one is not sent: the suppression rules, as plain functions.

Each rule returns a reason (recorded in ``Survey.decision`` and shown to the merchant) or None.
They are checked when the survey is planned and again at send time, because an order can be
cancelled, a return opened or a customer unsubscribed in between.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from app.models import Customer, Order, Return, ReturnStatus
from app.services.settings import SurveySettings

OPEN_RETURN = (ReturnStatus.REQUESTED, ReturnStatus.OPEN)
OPEN_RETURN_REASON = "suppressed: a return is open for this order"
LOCALES = ("en", "de", "fr", "es")


def delivery_due(
    order: Order, last_fulfilled_at: datetime | None, settings: SurveySettings
) -> tuple[datetime, str] | None:
    """N days after delivery; without a reported delivery, fulfillment + the transit buffer."""
    if order.delivered_at is not None:
        return order.delivered_at + timedelta(days=settings.delay_days), "delivered"
    if last_fulfilled_at is not None:
        # The transit buffer stands in for the delay (PRODUCT.md §5: "fulfillment + 5 days").
        return last_fulfilled_at + timedelta(days=settings.transit_buffer_days), "fulfilled"
    return None


def sampled(shop_id: int, subject_key: str, percent: int) -> bool:
    """Deterministic per subject: re-planning the same order always decides the same way."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"{shop_id}:{subject_key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def order_reason(
    order: Order, now: datetime, settings: SurveySettings, *, check_age: bool = True
) -> str | None:
    if order.test:
        return "suppressed: test order"
    if order.cancelled_at is not None:
        return "suppressed: the order was cancelled"
    if order.deleted_at is not None:
        return "suppressed: the order was deleted"
    if check_age and order.placed_at < now - timedelta(days=settings.max_order_age_days):
        return f"suppressed: order older than {settings.max_order_age_days} days"
    return None


def customer_reason(customer: Customer | None, due_at: datetime, settings: SurveySettings) -> str | None:
    if customer is None:
        return None
    if customer.unsubscribed_at is not None:
        return "suppressed: the customer unsubscribed from surveys"
    if customer.redacted_at is not None or customer.deleted_at is not None:
        return "suppressed: the customer's data was redacted"
    if customer.last_surveyed_at is not None and customer.last_surveyed_at > due_at - timedelta(
        days=settings.throttle_days
    ):
        return f"suppressed: surveyed within {settings.throttle_days} days"
    return None


async def open_return_reason(order_id: int) -> str | None:
    if await Return.filter(order_id=order_id, status__in=list(OPEN_RETURN)).exists():
        return OPEN_RETURN_REASON
    return None


def locale_for(*candidates: str | None) -> str:
    """The first supported language among the order's, the customer's and the shop's; else en."""
    for candidate in candidates:
        language = (candidate or "").replace("_", "-").split("-")[0].lower()
        if language in LOCALES:
            return language
    return "en"
