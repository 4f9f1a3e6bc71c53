"""What each webhook topic does: payload in, a service call, an outcome out.

Handlers take the recorded event and call platform-neutral services with primitive ids; each
service is one transaction that checks the state it changes, so running a handler twice is safe.

Order, customer, refund, fulfillment and return topics (issue 4): the REST payload becomes a
connector record (``connectors.shopify.webhook_payloads``) and goes through the sync upserts,
which never let an older version overwrite a newer one (``updated_at``, then the delivery's
trigger time). Nothing is done for a shop that is no longer installed (a delivery may be late).
A delivery that does not carry the order (orders/edited, returns/*, a refund or fulfillment of
an order we do not hold) makes the handler read the order from the platform. A body that cannot
be read (no id, no created_at: Shopify sends whole resources, so it is malformed) is IGNORED with
the reason; the next reconcile repairs that order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clock import utcnow
from app.models import Shop, SyncKind, SyncRun, WebhookEvent, WebhookStatus
from app.services.privacy import CustomerRef, erase_shop, export_customer_data, redact_customer
from app.services.sync import upsert
from app.services.sync.repair import refresh_order
from app.services.sync.returns import ReturnUpdate
from app.services.sync.rows import Applied
from app.services.sync.runs import UNFINISHED
from app.services.sync.schedule import queue_backfill
from app.services.uninstall import uninstall_shop
from app.webhooks.topics import RETURN_TOPICS
from connectors.shopify import webhook_payloads as payloads
from jobs.errors import WebhookFailure, run_webhook_mapped
from jobs.sync import worker_access, worker_queue


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


# --- order and customer sync (issue 4) ---------------------------------------------------------

PROCESSED = Outcome(WebhookStatus.PROCESSED)
NOT_INSTALLED = Outcome(WebhookStatus.IGNORED, "the shop is not installed")
# How an upsert that wrote nothing is reported (a stale or duplicate delivery is expected).
_NOT_WRITTEN = {
    Applied.STALE: "stale: a newer version is stored",
    Applied.DELETED: "the record was deleted on the platform",
    Applied.MISSING: "the platform does not return this order (deleted, or older than 60 days)",
}


def sync_handler(handle: Handler) -> Handler:
    """For the sync topics: skip shops that are not installed, IGNORE a body that cannot be read,
    and map platform errors (``jobs.errors``)."""

    async def handler(event: Event) -> Outcome:
        shop = await Shop.filter(id=event.shop_id).first().values("is_active")
        if shop is None or not shop["is_active"]:
            return NOT_INSTALLED

        async def guarded() -> Outcome:
            try:
                return await handle(event)
            except payloads.PayloadError as exc:  # retrying the same body cannot help
                return Outcome(
                    WebhookStatus.IGNORED, f"unreadable payload ({exc.message}); the reconcile repairs it"
                )

        result = await run_webhook_mapped(event.shop_id, guarded)
        if isinstance(result, WebhookFailure):
            return Outcome(WebhookStatus.FAILED, result.note)
        return result

    handler.__name__ = handle.__name__
    return handler


def applied_outcome(applied: Applied) -> Outcome:
    note = _NOT_WRITTEN.get(applied)
    return Outcome(WebhookStatus.IGNORED, note) if note else PROCESSED


@sync_handler
async def order_changed(event: Event) -> Outcome:
    record = payloads.order_from_payload(event.payload)
    hint = payloads.order_customer_from_payload(event.payload)
    return applied_outcome(
        await upsert.upsert_order(event.shop_id, record, triggered_at=event.triggered_at, customer_hint=hint)
    )


@sync_handler
async def order_edited(event: Event) -> Outcome:
    order_id = payloads.order_id_of_edit(event.payload)
    return applied_outcome(await refresh_order(event.shop_id, order_id, worker_access()))


@sync_handler
async def order_deleted(event: Event) -> Outcome:
    order_id = payloads.deleted_id(event.payload, "order")
    return applied_outcome(await upsert.delete_order(event.shop_id, order_id, event.triggered_at or utcnow()))


@sync_handler
async def customer_changed(event: Event) -> Outcome:
    partial = payloads.customer_from_payload(event.payload)
    return applied_outcome(
        await upsert.upsert_customer(
            event.shop_id, partial.record, triggered_at=event.triggered_at, known=partial.known
        )
    )


@sync_handler
async def customer_deleted(event: Event) -> Outcome:
    customer_id = payloads.deleted_id(event.payload, "customer")
    return applied_outcome(
        await upsert.delete_customer(event.shop_id, customer_id, event.triggered_at or utcnow())
    )


@sync_handler
async def customers_merged(event: Event) -> Outcome:
    merge = payloads.merge_from_payload(event.payload)
    if not merge.done:
        return Outcome(
            WebhookStatus.IGNORED, f"the merge did not complete (status {merge.status or 'unknown'})"
        )
    await upsert.merge_customers(
        event.shop_id, merge.kept_id, merge.deleted_id, event.triggered_at or utcnow()
    )
    return PROCESSED


@sync_handler
async def refund_created(event: Event) -> Outcome:
    order_id, record = payloads.refund_from_payload(event.payload)
    applied = await upsert.apply_refund(event.shop_id, order_id, record)
    if applied is Applied.MISSING:  # the refund's order has not reached us yet: read it whole
        applied = await refresh_order(event.shop_id, order_id, worker_access())
    return applied_outcome(applied)


@sync_handler
async def fulfillment_changed(event: Event) -> Outcome:
    order_id, record = payloads.fulfillment_from_payload(event.payload)
    applied = await upsert.apply_fulfillment(event.shop_id, order_id, record, triggered_at=event.triggered_at)
    if applied is Applied.MISSING:
        applied = await refresh_order(event.shop_id, order_id, worker_access())
    return applied_outcome(applied)


@sync_handler
async def return_changed(event: Event) -> Outcome:
    """returns/*: the status change is applied to the return we hold; a return we do not hold is
    read with its order (the payloads list no items), then the change applied over that read."""
    change = payloads.return_from_payload(event.payload)
    update = ReturnUpdate(
        platform_id=change.platform_id,
        status=change.status,
        name=change.name,
        decline_reason=change.decline_reason,
        decline_note=change.decline_note,
        items=change.items,
    )
    applied = await upsert.apply_return_change(event.shop_id, update, triggered_at=event.triggered_at)
    if applied is not Applied.MISSING:
        return applied_outcome(applied)
    if change.order_id is None:
        return Outcome(WebhookStatus.IGNORED, "an unknown return without its order; the reconcile repairs it")
    read = await refresh_order(event.shop_id, change.order_id, worker_access())
    if read is Applied.MISSING:
        return applied_outcome(read)
    await upsert.apply_return_change(event.shop_id, update, triggered_at=event.triggered_at)
    return PROCESSED


async def bulk_operation_finished(event: Event) -> Outcome:
    """Wake the backfill that waits for this export, instead of its next poll."""
    try:
        finished = payloads.bulk_finish_from_payload(event.payload)
    except payloads.PayloadError as exc:
        return Outcome(WebhookStatus.IGNORED, exc.message)
    run = await SyncRun.filter(
        shop_id=event.shop_id,
        kind=SyncKind.BACKFILL,
        bulk_operation_id=finished.operation_id,
        status__in=UNFINISHED,
    ).first()
    if run is None:
        return Outcome(WebhookStatus.IGNORED, "no backfill waits for this bulk operation")
    await queue_backfill(worker_queue(), event.shop_id, f"bulk-{run.id}-{finished.status.lower()}")
    return PROCESSED


HANDLERS: dict[str, Handler] = {
    "app/uninstalled": app_uninstalled,
    "customers/data_request": customers_data_request,
    "customers/redact": customers_redact,
    "shop/redact": shop_redact,
    "orders/create": order_changed,
    "orders/updated": order_changed,
    "orders/paid": order_changed,
    "orders/cancelled": order_changed,
    "orders/fulfilled": order_changed,
    "orders/partially_fulfilled": order_changed,
    "orders/edited": order_edited,
    "orders/delete": order_deleted,
    "customers/create": customer_changed,
    "customers/update": customer_changed,
    "customers/enable": customer_changed,
    "customers/disable": customer_changed,
    "customers/delete": customer_deleted,
    "customers/merge": customers_merged,
    "refunds/create": refund_created,
    "fulfillments/create": fulfillment_changed,
    "fulfillments/update": fulfillment_changed,
    **dict.fromkeys(RETURN_TOPICS, return_changed),
    "bulk_operations/finish": bulk_operation_finished,
}
