"""Carrying out one refund intent: at most one platform refund, whatever happens around it.

1. Claim: QUEUED -> EXECUTING by a conditional UPDATE (one claimer wins).
2. An intent found EXECUTING was claimed by an earlier attempt that may have reached the
   platform (a timeout, a crash): RECONCILE first, by reading the order's refunds and looking for
   our marker. Found -> SUCCEEDED. Not found -> the earlier call did not happen; send it now.
   Only once that attempt is over: it ended (and released the intent), or it was last seen
   longer ago than any attempt can live (``ATTEMPT_LEASE``). While it may still be in flight, a
   second job leaves it alone: reading the platform before that call lands finds nothing.
3. Send the refund once (never retried inside the client after an ambiguous failure).
   Success -> SUCCEEDED with the platform id, lines, order totals and a timeline entry;
   a refusal (``Permanent``) -> FAILED with the platform's messages; a transient failure propagates and
   leaves the intent EXECUTING, so the job's retry reconciles before anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import LineItem, Order, Refund, RefundLine, RefundStatus, TimelineEntry
from app.services.refunds.availability import requested_lines
from app.services.refunds.marker import find_ours, key_in_note, note_with_marker
from app.services.refunds.quote import shipping_of, transactions_of
from app.services.timeline import record_entry
from connectors.base import RefundLineRecord, RefundLineRequest, RefundRecord, StoreConnector
from connectors.errors import Permanent

logger = logging.getLogger(__name__)

# Longer than an execute_refund job may run (jobs.refunds.EXECUTE_TIMEOUT) and shorter than the
# requeue cron's STUCK_AFTER: an attempt last seen this long ago is dead (a killed worker).
ATTEMPT_LEASE = timedelta(minutes=5)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RECONCILED = "reconciled"  # found on the platform after an attempt that may have reached it
    FAILED = "failed"
    NOTHING_TO_DO = "nothing to do"
    UNCERTAIN = "uncertain"  # could not tell whether an earlier attempt refunded: left for a person


async def execute(refund_id: int, connector: StoreConnector) -> Outcome:
    refund = await Refund.get_or_none(id=refund_id).prefetch_related("order")
    if refund is None or refund.idempotency_key is None:
        return Outcome.NOTHING_TO_DO
    claimed = await Refund.filter(id=refund.id, status=RefundStatus.QUEUED).update(
        status=RefundStatus.EXECUTING, attempts=F("attempts") + 1, updated_at=utcnow()
    )
    held = refund.attempts + 1
    if not claimed:
        if refund.status != RefundStatus.EXECUTING:
            return Outcome.NOTHING_TO_DO  # done, failed, canceled, or waiting for approval
        # A re-take, not a first try: only one reconciler at a time (the attempts count moves
        # once), and only after the attempt before it is over (else it may yet refund).
        if not await Refund.filter(
            id=refund.id,
            status=RefundStatus.EXECUTING,
            attempts=refund.attempts,
            updated_at__lte=utcnow() - ATTEMPT_LEASE,
        ).update(attempts=held, updated_at=utcnow()):
            return Outcome.NOTHING_TO_DO
    try:
        if not claimed:
            outcome = await _reconcile(refund, connector)
            if outcome is not None:
                return outcome
        return await _send(refund, connector)
    finally:
        await _release(refund.id, held)


async def _reconcile(refund: Refund, connector: StoreConnector) -> Outcome | None:
    order: Order = refund.order
    record = await connector.fetch_order(order.platform_id)
    if record is None:
        await _fail(refund, "The order is no longer on the platform.")
        return Outcome.FAILED
    known = set(
        await Refund.filter(order_id=order.id, idempotency_key__not_isnull=True)
        .exclude(id=refund.id)
        .exclude(platform_id=None)
        .values_list("platform_id", flat=True)
    )
    lines = {line["platform_id"]: line["quantity"] for line in requested_lines(refund.quote)}
    found = find_ours(
        record.refunds,
        refund.idempotency_key or "",
        known_platform_ids={str(p) for p in known},
        amount=refund.amount,
        lines=lines,
        after=refund.created_at,
    )
    if found is not None:
        await record_success(refund, found)
        return Outcome.RECONCILED
    if "refunds" in record.incomplete:
        # More refunds than one read returns: absence is not proven, and guessing could refund twice.
        await Refund.filter(id=refund.id).update(
            error="Could not confirm whether this refund went through; check the order in the store admin."
        )
        return Outcome.UNCERTAIN
    return None


async def _send(refund: Refund, connector: StoreConnector) -> Outcome:
    order: Order = refund.order
    lines = [
        RefundLineRequest(
            str(line["platform_id"]), line["quantity"], str(line.get("restock_type", "no_restock"))
        )
        for line in requested_lines(refund.quote)
    ]
    try:
        record = await connector.create_refund(
            order.platform_id,
            lines,
            shipping_of(refund.quote),
            transactions_of(refund.quote),
            note=note_with_marker(refund.note, refund.idempotency_key or ""),
            notify=refund.notify_customer,
        )
    except Permanent as refused:
        await _fail(refund, "; ".join(refused.reasons) or refused.message)
        return Outcome.FAILED
    await record_success(refund, record)
    return Outcome.SUCCEEDED


async def record_success(refund: Refund, record: RefundRecord) -> bool:
    """Mark the intent SUCCEEDED with the platform's refund, once (False if it already was).

    A row the sync wrote for the same platform refund before we knew its id (a refunds/create
    webhook racing the job) is the same refund seen twice: it is removed and ours kept."""
    async with in_transaction():
        # Written before anything is read: on SQLite a transaction that reads first and writes
        # later fails at once ("database is locked") when another process wrote in between, as
        # the web process does with the webhooks this very refund sets off; a first write waits
        # for the lock instead. On PostgreSQL it locks the row, as SELECT ... FOR UPDATE would.
        if (
            not await Refund.filter(id=refund.id)
            .exclude(status=RefundStatus.SUCCEEDED)
            .update(updated_at=utcnow())
        ):
            return False
        row = await Refund.get(id=refund.id)
        shop_id: int = row.shop_id  # type: ignore[attr-defined]
        twin = await Refund.get_or_none(shop_id=shop_id, platform_id=record.platform_id)
        if twin is not None and twin.id != row.id:
            # Its timeline line too: ours is written below for the same refund.
            await TimelineEntry.filter(
                shop_id=shop_id, subject_type="refund", subject_id=str(twin.id)
            ).delete()
            await twin.delete()
        processed_at = record.created_at or utcnow()
        await Refund.filter(id=row.id).update(
            status=RefundStatus.SUCCEEDED,
            platform_id=record.platform_id,
            amount=record.amount,
            processed_at=processed_at,
            platform_updated_at=record.created_at,
            error=None,
            updated_at=utcnow(),
        )
        row.status, row.amount, row.processed_at = RefundStatus.SUCCEEDED, record.amount, processed_at
        await _write_lines(row, record.lines)
        order = await Order.select_for_update().get(id=row.order_id)  # type: ignore[attr-defined]
        # Our books until the next sync brings the platform's own totals.
        await Order.filter(id=order.id).update(total_refunded=F("total_refunded") + record.amount)
    await _timeline(row, order)
    return True


async def _release(refund_id: int, held: int) -> None:
    """This attempt is over (whatever its end): an intent it left EXECUTING may be taken again at
    once, by the job's retry, instead of after the lease. Its last-touched time is set back by the
    lease, which is what a re-take checks; nothing moves if another attempt has taken it since."""
    await Refund.filter(id=refund_id, status=RefundStatus.EXECUTING, attempts=held).update(
        updated_at=utcnow() - ATTEMPT_LEASE
    )


async def _fail(refund: Refund, message: str) -> None:
    await Refund.filter(id=refund.id, status__in=(RefundStatus.EXECUTING, RefundStatus.QUEUED)).update(
        status=RefundStatus.FAILED, error=message[:2000]
    )


async def _write_lines(row: Refund, lines: Sequence[RefundLineRecord]) -> None:
    if not lines or await RefundLine.filter(refund_id=row.id).exists():
        return
    order_id = row.order_id  # type: ignore[attr-defined]
    items = dict(
        await LineItem.filter(
            order_id=order_id, platform_id__in=[line.line_item_id for line in lines]
        ).values_list("platform_id", "id")
    )
    rows = []
    for line in lines:
        item = items.get(line.line_item_id)
        if item is None:  # a line item we never read: the next order sync brings it
            continue
        rows.append(
            RefundLine(
                shop_id=row.shop_id,  # type: ignore[attr-defined]
                refund_id=row.id,
                line_item_id=item,
                quantity=line.quantity,
                restock_type=line.restock_type[:16],
                amount=line.amount,
            )
        )
        # Our books until the next sync: these units are no longer refundable.
        await LineItem.filter(id=item, refundable_quantity__gte=line.quantity).update(
            refundable_quantity=F("refundable_quantity") - line.quantity
        )
    await RefundLine.bulk_create(rows)


async def _timeline(row: Refund, order: Order) -> None:
    customer_id = order.customer_id  # type: ignore[attr-defined]
    if customer_id is None:
        return
    # The kind the sync uses for platform refunds: one entry per refund, whoever writes first.
    await record_entry(
        row.shop_id,  # type: ignore[attr-defined]
        customer_id,
        "refund.created",
        "refund",
        str(row.id),
        summary=f"Refunded {row.amount:.2f} {row.currency} on order {order.number}",
        occurred_at=row.processed_at or utcnow(),
        order_id=order.id,
        data={"status": "succeeded", "reason": row.reason},
    )


async def adopt_platform_refund(shop_id: int, record: RefundRecord) -> bool:
    """For a refund the platform reports (refunds/create, an order sync): if its note carries our
    marker, it is our intent's refund; the intent takes it instead of a second row appearing."""
    key = key_in_note(record.note)
    if key is None:
        return False
    refund = await Refund.get_or_none(shop_id=shop_id, idempotency_key=key)
    if refund is None:
        return False
    await record_success(refund, record)
    return True
