"""Writing one order's children — line items, fulfillments, refunds, returns — under the order's
row lock (every writer of an order's subtree takes it first, so they never interleave).

Children are never deleted: Shopify does not delete line items (edits zero their quantity),
fulfillments (they are cancelled), refunds or returns (they are cancelled or declined). A list a
source could not read whole (``OrderRecord.incomplete``) therefore loses nothing; only the nested
lines of a child (fulfillment lines, refund lines, return items) could be replaced by a partial
list, and they are kept as stored when the source says its list is partial.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from app.clock import utcnow
from app.models import (
    Fulfillment,
    LineItem,
    MirrorState,
    Order,
    Refund,
    RefundLine,
    RefundStatus,
    Return,
    ReturnItem,
    ReturnStatus,
)
from app.services.refunds.execution import adopt_platform_refund
from app.services.sync.order_fields import (
    fulfillment_lines,
    fulfillment_values,
    line_item_values,
    merged_delivery,
    return_status,
    status_times,
)
from app.services.sync.order_timeline import delivered_at_of
from app.services.sync.rows import changed, cut
from app.services.sync.versions import Verdict, Version, judge
from connectors.base import FulfillmentRecord, LineItemRecord, RefundRecord, ReturnItemRecord, ReturnRecord

logger = logging.getLogger(__name__)


async def write_line_items(
    shop_id: int, order_id: int, records: Sequence[LineItemRecord], stamp: datetime | None
) -> None:
    """The order passed its version check, so its line items as of that version are written."""
    if not records:
        return
    stored = {
        row.platform_id: row
        for row in await LineItem.filter(shop_id=shop_id, platform_id__in=[r.platform_id for r in records])
    }
    fresh = []
    for record in records:
        values = line_item_values(record, stamp)
        row = stored.get(record.platform_id)
        if row is None:
            fresh.append(
                LineItem(shop_id=shop_id, order_id=order_id, platform_id=record.platform_id, **values)
            )
        elif updates := changed(row, values):
            await LineItem.filter(id=row.id).update(**updates)
    await LineItem.bulk_create(fresh, ignore_conflicts=True)


async def write_fulfillments(
    shop_id: int,
    order_id: int,
    records: Sequence[FulfillmentRecord],
    version: Version,
    *,
    lines_complete: bool,
) -> None:
    """Each fulfillment is versioned by its own ``updated_at`` (a fulfillments/update webhook may
    have written a newer one than the order version carrying it)."""
    if not records:
        return
    stored = {
        row.platform_id: row
        for row in await Fulfillment.filter(shop_id=shop_id, platform_id__in=[r.platform_id for r in records])
    }
    for record in records:
        values = fulfillment_values(record, version.stamp)
        row = stored.get(record.platform_id)
        if row is None:
            await Fulfillment.create(
                shop_id=shop_id,
                order_id=order_id,
                platform_id=record.platform_id,
                delivered_at=record.delivered_at,
                lines=fulfillment_lines(record),
                **values,
            )
            continue
        own = Version(record.updated_at or version.updated_at, version.triggered_at)
        if judge(row.platform_updated_at, own) is Verdict.STALE:
            continue
        values["delivered_at"] = merged_delivery(row.delivered_at, record.delivered_at)
        if lines_complete or not row.lines:
            values["lines"] = fulfillment_lines(record)
        if updates := changed(row, values):
            await Fulfillment.filter(id=row.id).update(**updates)


async def write_refunds(
    shop_id: int,
    order: Order,
    records: Sequence[RefundRecord],
    *,
    lines_complete: bool,
) -> None:
    """Refunds are immutable on the platform: a new one is inserted with its lines; a known one
    only gains lines it lacked. Rows that are our own intents (an idempotency key) belong to the
    refund service and are left alone."""
    if not records:
        return
    stored = {
        row.platform_id: row
        for row in await Refund.filter(shop_id=shop_id, platform_id__in=[r.platform_id for r in records])
    }
    line_ids = await line_item_ids(shop_id, [line.line_item_id for r in records for line in r.lines])
    for record in records:
        row = stored.get(record.platform_id)
        if row is None and await adopt_platform_refund(shop_id, record):
            continue  # our own refund (its note carries our marker): the intent takes it, no second row
        if row is None:
            row = await Refund.create(
                shop_id=shop_id,
                order_id=order.id,
                platform_id=record.platform_id,
                status=RefundStatus.SUCCEEDED,
                amount=record.amount,
                currency=(record.currency or order.currency)[:3],
                note=record.note,
                processed_at=record.created_at,
                platform_updated_at=record.created_at,
            )
        elif (
            not _needs_lines(row, record, lines_complete)
            or await RefundLine.filter(refund_id=row.id).exists()
        ):
            continue
        await RefundLine.bulk_create(_refund_lines(shop_id, row.id, record, line_ids))


async def write_returns(
    shop_id: int,
    order: Order,
    records: Sequence[ReturnRecord],
    version: Version,
    *,
    items_complete: bool,
) -> None:
    """A return read with its order is as new as the order version (returns have no updated_at of
    their own in the API we read). Our own sub-states (item state, resolution, mirror state)
    are never touched; items are written only to a return that has none yet."""
    if not records:
        return
    stamp = version.stamp
    stored = {
        row.platform_id: row
        for row in await Return.filter(shop_id=shop_id, platform_id__in=[r.platform_id for r in records])
    }
    line_ids = await line_item_ids(
        shop_id, [item.line_item_id for r in records for item in r.items if item.line_item_id]
    )
    for record in records:
        status = return_status(record)
        row = stored.get(record.platform_id)
        if row is None:
            at = stamp or utcnow()
            row = await Return.create(
                shop_id=shop_id,
                order_id=order.id,
                customer_id=order.customer_id,  # type: ignore[attr-defined]
                platform_id=record.platform_id,
                name=cut(record.name, 64) or "",
                status=status or ReturnStatus.REQUESTED,
                # When we first saw it [estimate]: the API read gives no request time.
                requested_at=at,
                mirror_state=MirrorState.SYNCED,
                platform_updated_at=stamp,
                **status_times(status, at),
            )
        elif judge(row.platform_updated_at, version) is not Verdict.STALE:
            values: dict[str, object] = {"platform_updated_at": stamp or row.platform_updated_at}
            if record.name:
                values["name"] = cut(record.name, 64)
            if status is not None:
                values["status"] = status
                values.update(
                    {
                        key: at
                        for key, at in status_times(status, stamp or utcnow()).items()
                        if not getattr(row, key)
                    }
                )
            if updates := changed(row, values):
                await Return.filter(id=row.id).update(**updates)
        if (items_complete or record.items) and not await ReturnItem.filter(
            return_request_id=row.id
        ).exists():
            await ReturnItem.bulk_create(return_item_rows(shop_id, row.id, record.items, line_ids))


def _needs_lines(row: Refund, record: RefundRecord, lines_complete: bool) -> bool:
    """A stored platform refund may gain lines from a complete list; our own intents never."""
    return row.idempotency_key is None and lines_complete and bool(record.lines)


async def refresh_delivered_at(order: Order) -> None:
    """``Order.delivered_at`` from the stored fulfillments: when the last shipped one arrived."""
    rows = await Fulfillment.filter(order_id=order.id).values_list("status", "delivered_at")
    delivered = delivered_at_of(rows)
    if delivered != order.delivered_at:
        await Order.filter(id=order.id).update(delivered_at=delivered)
        order.delivered_at = delivered


async def line_item_ids(shop_id: int, platform_ids: Sequence[str]) -> dict[str, int]:
    if not platform_ids:
        return {}
    return dict(
        await LineItem.filter(shop_id=shop_id, platform_id__in=list(set(platform_ids))).values_list(
            "platform_id", "id"
        )
    )


def _refund_lines(
    shop_id: int, refund_id: int, record: RefundRecord, line_ids: dict[str, int]
) -> list[RefundLine]:
    lines = []
    for line in record.lines:
        line_item = line_ids.get(line.line_item_id)
        if line_item is None:  # a line item we never read; the next full order read brings it
            logger.info("refund line for an unknown line item skipped", extra={"refund": record.platform_id})
            continue
        lines.append(
            RefundLine(
                shop_id=shop_id,
                refund_id=refund_id,
                line_item_id=line_item,
                quantity=line.quantity,
                restock_type=(line.restock_type or "no_restock")[:16],
                amount=line.amount,
            )
        )
    return lines


def return_item_rows(
    shop_id: int, return_id: int, items: Sequence[ReturnItemRecord], line_ids: dict[str, int]
) -> list[ReturnItem]:
    # A return line not tied to a line item we hold (or to none) has nowhere to point: skipped.
    return [
        ReturnItem(
            shop_id=shop_id,
            return_request_id=return_id,
            line_item_id=line_ids[item.line_item_id],
            platform_id=cut(item.platform_id, 64),
            quantity=item.quantity,
            reason=(item.reason or "other")[:64],
            note=item.note,
        )
        for item in items
        if item.line_item_id is not None and item.line_item_id in line_ids
    ]
