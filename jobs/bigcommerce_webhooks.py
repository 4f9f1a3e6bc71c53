"""What each BigCommerce hook scope does. Deliveries are thin (``{scope, data: {type, id}}``):
each handler reads the resource from the store through the connector and writes it with the same
upserts as the Shopify topics, so a repeated, late or reordered delivery converges on what the
store holds now.
"""

from __future__ import annotations

from typing import Any

from app.clock import utcnow
from app.models import WebhookStatus
from app.services.sync import upsert
from app.services.sync.repair import refresh_customer, refresh_order
from app.services.sync.rows import Applied
from jobs.sync import worker_access
from jobs.webhook_handlers import Event, Handler, Outcome, app_uninstalled, applied_outcome, sync_handler

NO_ID = Outcome(WebhookStatus.IGNORED, "the delivery names no resource id; the reconcile repairs it")
# The shared note for a missing record speaks of orders; the customer's own delete delivery is
# what tombstones it, so a missing customer is only noted.
NO_CUSTOMER = Outcome(WebhookStatus.IGNORED, "the platform does not return this customer (deleted since)")


def _resource_id(payload: dict[str, Any]) -> str | None:
    data = payload.get("data")
    found = data.get("id") if isinstance(data, dict) else None
    return str(found) if isinstance(found, int | str) and str(found).isdigit() else None


@sync_handler
async def order_changed(event: Event) -> Outcome:
    """created, updated, archived, and refund/created (whose ``data.id`` is the order's)."""
    order_id = _resource_id(event.payload)
    if order_id is None:
        return NO_ID
    return applied_outcome(await refresh_order(event.shop_id, order_id, worker_access()))


@sync_handler
async def customer_changed(event: Event) -> Outcome:
    customer_id = _resource_id(event.payload)
    if customer_id is None:
        return NO_ID
    applied = await refresh_customer(event.shop_id, customer_id, worker_access())
    return NO_CUSTOMER if applied is Applied.MISSING else applied_outcome(applied)


@sync_handler
async def customer_deleted(event: Event) -> Outcome:
    customer_id = _resource_id(event.payload)
    if customer_id is None:
        return NO_ID
    return applied_outcome(
        await upsert.delete_customer(event.shop_id, customer_id, event.triggered_at or utcnow())
    )


HANDLERS: dict[str, Handler] = {
    "store/order/created": order_changed,
    "store/order/updated": order_changed,
    "store/order/statusUpdated": order_changed,
    "store/order/archived": order_changed,
    "store/order/refund/created": order_changed,
    "store/customer/created": customer_changed,
    "store/customer/updated": customer_changed,
    "store/customer/deleted": customer_deleted,
    "store/app/uninstalled": app_uninstalled,
}
