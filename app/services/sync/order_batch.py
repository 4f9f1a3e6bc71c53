"""Many orders at once, for backfills and reconciles: a page, or a batch of a bulk export.

Orders we have never stored — nearly all of a backfill — go in with one multi-row insert per
table (orders, line items, fulfillments, refunds and their lines, returns and their items,
timeline entries), so the cost per order is a share of a dozen statements rather than a dozen
statements. Stored orders that the read is newer than take the one-order path; equal versions
are skipped (a re-read after a resume, or the reconcile's overlap). All of it is one transaction:
a crash leaves either the whole batch or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

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
    TimelineEntry,
)
from app.services.sync.customers import CustomerLink, count_new_orders, link_customers
from app.services.sync.fast_insert import insert_rows
from app.services.sync.order_fields import (
    fulfillment_lines,
    fulfillment_values,
    line_item_values,
    order_values,
    return_status,
    status_times,
)
from app.services.sync.order_timeline import (
    OrderFacts,
    RefundFact,
    ReturnFact,
    ShipmentFact,
    delivered_at_of,
    order_entries,
)
from app.services.sync.orders import apply_order
from app.services.sync.rows import cut
from app.services.sync.versions import Version
from connectors.base import OrderRecord


@dataclass(frozen=True, slots=True)
class BatchResult:
    created: int
    updated: int
    skipped: int

    @property
    def written(self) -> int:
        return self.created + self.updated


async def upsert_orders(shop_id: int, records: Sequence[OrderRecord]) -> BatchResult:
    """Write orders read from the API (a page or a bulk batch), monotonic as ``upsert_order``."""
    newest: dict[str, OrderRecord] = {}
    for record in records:
        kept = newest.get(record.platform_id)
        if kept is None or (
            record.updated_at and (kept.updated_at is None or record.updated_at > kept.updated_at)
        ):
            newest[record.platform_id] = record
    if not newest:
        return BatchResult(0, 0, 0)
    async with in_transaction():
        stored = {
            row["platform_id"]: row
            for row in await Order.filter(shop_id=shop_id, platform_id__in=list(newest)).values(
                "platform_id", "platform_updated_at", "deleted_at"
            )
        }
        fresh = [record for pid, record in newest.items() if pid not in stored]
        updated = 0
        for pid, row in stored.items():
            record = newest[pid]
            if _read_is_newer(row["platform_updated_at"], row["deleted_at"], record.updated_at):
                await apply_order(shop_id, record, Version(record.updated_at))
                updated += 1
        if fresh:
            await _insert(shop_id, fresh)
    return BatchResult(created=len(fresh), updated=updated, skipped=len(newest) - len(fresh) - updated)


def _read_is_newer(stored: Any, deleted_at: Any, incoming: Any) -> bool:
    if deleted_at is not None and (incoming is None or incoming <= deleted_at):
        return False
    return stored is None or (incoming is not None and incoming > stored)


async def _insert(shop_id: int, records: Sequence[OrderRecord]) -> None:
    placed: dict[str, list[OrderRecord]] = {}
    for record in records:
        if record.customer_id is not None:
            placed.setdefault(record.customer_id, []).append(record)
    linked = await link_customers(
        shop_id,
        [CustomerLink(pid, orders[0].email) for pid, orders in placed.items()],
        # A placeholder created here starts out counting this batch's orders.
        counts={
            pid: (len(orders), sum((o.total_price for o in orders), Decimal("0")))
            for pid, orders in placed.items()
        },
    )
    customers = linked.ids
    # ignore_conflicts: an order a webhook inserted since the read above keeps the webhook's row.
    await insert_rows(
        Order,
        [
            {
                **order_values(record, record.updated_at),
                "shop_id": shop_id,
                "platform_id": record.platform_id,
                "customer_id": customers.get(record.customer_id) if record.customer_id else None,
                "delivered_at": delivered_at_of((f.status, f.delivered_at) for f in record.fulfillments),
            }
            for record in records
        ],
    )
    order_ids = await _ids(Order, shop_id, [r.platform_id for r in records])
    await insert_rows(
        LineItem,
        [
            {
                **line_item_values(item, record.updated_at),
                "shop_id": shop_id,
                "order_id": order_ids[record.platform_id],
                "platform_id": item.platform_id,
            }
            for record in records
            for item in record.line_items
        ],
    )
    await insert_rows(
        Fulfillment,
        [
            {
                **fulfillment_values(fulfillment, record.updated_at),
                "shop_id": shop_id,
                "order_id": order_ids[record.platform_id],
                "platform_id": fulfillment.platform_id,
                "delivered_at": fulfillment.delivered_at,
                "lines": fulfillment_lines(fulfillment),
            }
            for record in records
            for fulfillment in record.fulfillments
        ],
    )
    line_ids = await _child_line_ids(shop_id, records)
    refund_ids = await _insert_refunds(shop_id, records, order_ids, line_ids)
    return_ids = await _insert_returns(shop_id, records, order_ids, customers, line_ids)
    await count_new_orders(
        (customers[pid], order.created_at, order.total_price)
        for pid, orders in placed.items()
        if pid in customers and pid not in linked.created
        for order in orders
    )
    await _timeline(shop_id, records, order_ids, customers, refund_ids, return_ids)


async def _insert_refunds(
    shop_id: int,
    records: Sequence[OrderRecord],
    order_ids: dict[str, int],
    line_ids: dict[str, int],
) -> dict[str, int]:
    wanted = [(record, refund) for record in records for refund in record.refunds]
    if not wanted:
        return {}
    known = set(
        await Refund.filter(shop_id=shop_id, platform_id__in=[r.platform_id for _, r in wanted]).values_list(
            "platform_id", flat=True
        )
    )
    new = [(record, refund) for record, refund in wanted if refund.platform_id not in known]
    await insert_rows(
        Refund,
        [
            {
                "shop_id": shop_id,
                "order_id": order_ids[record.platform_id],
                "platform_id": refund.platform_id,
                "status": RefundStatus.SUCCEEDED,
                "amount": refund.amount,
                "currency": (refund.currency or record.currency or "USD")[:3],
                "note": refund.note,
                "processed_at": refund.created_at,
                "platform_updated_at": refund.created_at,
            }
            for record, refund in new
        ],
    )
    ids = await _ids(Refund, shop_id, [refund.platform_id for _, refund in wanted])
    await insert_rows(
        RefundLine,
        [
            {
                "shop_id": shop_id,
                "refund_id": ids[refund.platform_id],
                "line_item_id": line_ids[line.line_item_id],
                "quantity": line.quantity,
                "restock_type": (line.restock_type or "no_restock")[:16],
                "amount": line.amount,
            }
            for _, refund in new
            for line in refund.lines
            if line.line_item_id in line_ids and refund.platform_id in ids
        ],
        ignore_conflicts=False,
    )
    return ids


async def _insert_returns(
    shop_id: int,
    records: Sequence[OrderRecord],
    order_ids: dict[str, int],
    customers: dict[str, int],
    line_ids: dict[str, int],
) -> dict[str, int]:
    wanted = [(record, item) for record in records for item in record.returns]
    if not wanted:
        return {}
    known = set(
        await Return.filter(shop_id=shop_id, platform_id__in=[r.platform_id for _, r in wanted]).values_list(
            "platform_id", flat=True
        )
    )
    rows = []
    new = [(record, item) for record, item in wanted if item.platform_id not in known]
    for record, item in new:
        status = return_status(item)
        # First seen with this order version [estimate]: the API read gives no request time.
        at = record.updated_at or record.created_at
        rows.append(
            {
                "shop_id": shop_id,
                "order_id": order_ids[record.platform_id],
                "customer_id": customers.get(record.customer_id) if record.customer_id else None,
                "platform_id": item.platform_id,
                "name": cut(item.name, 64) or "",
                "status": status or ReturnStatus.REQUESTED,
                "requested_at": at,
                "mirror_state": MirrorState.SYNCED,
                "platform_updated_at": record.updated_at,
                **status_times(status, at),
            }
        )
    await insert_rows(Return, rows)
    ids = await _ids(Return, shop_id, [item.platform_id for _, item in wanted])
    await insert_rows(
        ReturnItem,
        [
            {
                "shop_id": shop_id,
                "return_request_id": ids[item.platform_id],
                "line_item_id": line_ids[line.line_item_id],
                "platform_id": cut(line.platform_id, 64),
                "quantity": line.quantity,
                "reason": (line.reason or "other")[:64],
                "note": line.note,
            }
            for _, item in new
            for line in item.items
            if line.line_item_id is not None and line.line_item_id in line_ids and item.platform_id in ids
        ],
        ignore_conflicts=False,
    )
    return ids


async def _timeline(
    shop_id: int,
    records: Sequence[OrderRecord],
    order_ids: dict[str, int],
    customers: dict[str, int],
    refund_ids: dict[str, int],
    return_ids: dict[str, int],
) -> None:
    linked = [r for r in records if r.customer_id is not None and r.customer_id in customers]
    if not linked:
        return
    fulfillment_ids = await _ids(
        Fulfillment, shop_id, [f.platform_id for r in linked for f in r.fulfillments]
    )
    entries: list[dict[str, Any]] = []
    for record in linked:
        values = order_values(record, record.updated_at)
        facts = OrderFacts(
            shop_id=shop_id,
            order_id=order_ids[record.platform_id],
            customer_id=customers[record.customer_id],  # type: ignore[index]  # filtered above
            number=values["number"],
            total=record.total_price,
            currency=values.get("currency", "USD"),
            placed_at=values["placed_at"],
            cancelled_at=record.cancelled_at,
        )
        shipments = [
            ShipmentFact(
                fulfillment_ids[f.platform_id],
                f.status,
                f.created_at,
                f.delivered_at,
                f.tracking_company,
                f.tracking_number,
            )
            for f in record.fulfillments
            if f.platform_id in fulfillment_ids
        ]
        refunds = [
            RefundFact(refund_ids[r.platform_id], r.created_at, r.amount, (r.currency or record.currency)[:3])
            for r in record.refunds
            if r.platform_id in refund_ids
        ]
        at = record.updated_at or record.created_at
        returns = [
            ReturnFact(return_ids[r.platform_id], r.name, r.status, at, at)
            for r in record.returns
            if r.platform_id in return_ids
        ]
        entries.extend(order_entries(facts, shipments, refunds, returns))
    # New orders have no entries yet: a plain insert (ignoring a concurrent webhook's) suffices.
    await insert_rows(TimelineEntry, entries)


async def _child_line_ids(shop_id: int, records: Sequence[OrderRecord]) -> dict[str, int]:
    wanted = {line.line_item_id for r in records for refund in r.refunds for line in refund.lines}
    wanted |= {
        item.line_item_id for r in records for ret in r.returns for item in ret.items if item.line_item_id
    }
    return await _ids(LineItem, shop_id, list(wanted)) if wanted else {}


async def _ids(model: Any, shop_id: int, platform_ids: Sequence[str]) -> dict[str, int]:
    if not platform_ids:
        return {}
    return dict(
        await model.filter(shop_id=shop_id, platform_id__in=list(set(platform_ids))).values_list(
            "platform_id", "id"
        )
    )
