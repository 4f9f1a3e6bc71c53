"""What each webhook topic does: payload in, a service call, an outcome out.

Handlers take the recorded event and call platform-neutral services with primitive ids; each
service is one transaction that checks the state it changes, so running a handler twice is safe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.models import WebhookEvent, WebhookStatus
from app.services.privacy import CustomerRef, erase_shop, export_customer_data, redact_customer
from app.services.uninstall import uninstall_shop
from app.webhooks.topics import (
    CUSTOMER_TOPICS,
    FULFILLMENT_TOPICS,
    ORDER_TOPICS,
    REFUND_TOPICS,
    RETURN_TOPICS,
)


@dataclass(frozen=True)
class Event:
    """The parts of a recorded delivery a handler reads."""

    id: int
    shop_id: int
    topic: str
    payload: dict[str, Any]
    triggered_at: datetime | None

    @classmethod
    async def load(cls, event_id: int) -> tuple[Event, WebhookStatus] | None:
        row = (
            await WebhookEvent.filter(id=event_id)
            .first()
            .values("id", "shop_id", "topic", "payload", "triggered_at", "status")
        )
        if row is None:
            return None
        status = WebhookStatus(row.pop("status"))
        return cls(**row), status


@dataclass(frozen=True)
class Outcome:
    """How processing ended: PROCESSED, or IGNORED with the reason (kept in the event's ``error``,
    the one free-text column it has)."""

    status: WebhookStatus
    note: str | None = None


Handler = Callable[[Event], Awaitable[Outcome]]


async def app_uninstalled(event: Event) -> Outcome:
    result = await uninstall_shop(event.shop_id, triggered_at=event.triggered_at)
    return (
        Outcome(WebhookStatus.PROCESSED) if result.applied else Outcome(WebhookStatus.IGNORED, result.reason)
    )


async def customers_data_request(event: Event) -> Outcome:
    ref = CustomerRef.from_payload(event.payload, "orders_requested")
    data_request = event.payload.get("data_request")
    request_id = data_request.get("id") if isinstance(data_request, dict) else None
    await export_customer_data(event.shop_id, ref, str(request_id) if request_id not in (None, "") else None)
    return Outcome(WebhookStatus.PROCESSED)


async def customers_redact(event: Event) -> Outcome:
    await redact_customer(event.shop_id, CustomerRef.from_payload(event.payload, "orders_to_redact"))
    return Outcome(WebhookStatus.PROCESSED)


async def shop_redact(event: Event) -> Outcome:
    # The event row belongs to the shop and goes with it when the shop is erased.
    erasure = await erase_shop(event.shop_id)
    return (
        Outcome(WebhookStatus.PROCESSED) if erasure.erased else Outcome(WebhookStatus.IGNORED, erasure.reason)
    )


HANDLERS: dict[str, Handler] = {
    "app/uninstalled": app_uninstalled,
    "customers/data_request": customers_data_request,
    "customers/redact": customers_redact,
    "shop/redact": shop_redact,
}

# Subscribed topics whose handlers land in later issues: recorded (nothing is lost, and sync can
# reconcile from them), then marked IGNORED with this reason rather than faked as processed.
_SYNC_LATER = "not processed yet: order and customer sync lands in issue 4"
_RETURNS_LATER = "not processed yet: refund, fulfillment and return sync land in a later issue"
NOT_YET_HANDLED: dict[str, str] = {
    **dict.fromkeys(ORDER_TOPICS, _SYNC_LATER),
    **dict.fromkeys(CUSTOMER_TOPICS, _SYNC_LATER),
    "bulk_operations/finish": "not processed yet: the bulk import lands with order sync in issue 4",
    **dict.fromkeys((*REFUND_TOPICS, *FULFILLMENT_TOPICS, *RETURN_TOPICS), _RETURNS_LATER),
}


async def dispatch(event: Event) -> Outcome:
    handler = HANDLERS.get(event.topic)
    if handler is not None:
        return await handler(event)
    return Outcome(WebhookStatus.IGNORED, NOT_YET_HANDLED.get(event.topic, "no handler for this topic"))
