"""A platform return's change of state (returns/* webhooks), applied to the return we hold.

A returns/* delivery carries the new status (and a decline's reason and note) but seldom the
items, and no ``updated_at``: its version is its trigger time. A return we do not hold yet is
``Applied.MISSING``: the caller reads the order (whose returns come with their items) and calls
again, so that a return is only ever created whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from app.models import Order, Return, ReturnItem, ReturnStatus
from app.services.sync.order_children import line_item_ids, return_item_rows
from app.services.sync.order_fields import RETURN_STATUSES, status_times
from app.services.sync.orders import write_order_timeline
from app.services.sync.rows import Applied, changed, cut, locked
from app.services.sync.versions import Verdict, Version, judge, later_delivery_exists
from app.webhooks.topics import RETURN_TOPICS
from connectors.base import ReturnItemRecord

DECLINE_REASONS = frozenset({"FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"})


@dataclass(frozen=True, slots=True)
class ReturnUpdate:
    platform_id: str
    status: str | None  # upper-case ReturnStatus value
    name: str | None = None
    decline_reason: str | None = None
    decline_note: str | None = None
    items: Sequence[ReturnItemRecord] | None = None  # None: the source did not list them all


async def apply_return_change(
    shop_id: int, update: ReturnUpdate, *, triggered_at: datetime | None = None
) -> Applied:
    version = Version(None, triggered_at)
    async with in_transaction():
        # The order's lock first, as every writer of an order's subtree takes it (no deadlock
        # with an orders/* delivery updating this return under that lock).
        found = (
            await Return.filter(shop_id=shop_id, platform_id=update.platform_id).first().values("order_id")
        )
        if found is None:
            return Applied.MISSING
        order = await Order.select_for_update().get(id=found["order_id"])
        row = await locked(Return, shop_id, update.platform_id)
        if row is None:
            return Applied.MISSING
        values: dict[str, object] = _decline_details(row, update)
        verdict = judge(row.platform_updated_at, version)
        fresh = verdict is Verdict.APPLY or (
            verdict is Verdict.TIE
            and not await later_delivery_exists(shop_id, RETURN_TOPICS, update.platform_id, version)
        )
        if fresh:
            values.update(_state(row, update, version))
        if updates := changed(row, values):
            await Return.filter(id=row.id).update(**updates)
        if fresh and update.items and not await ReturnItem.filter(return_request_id=row.id).exists():
            await _write_items(shop_id, row.id, update.items)
        await write_order_timeline(order)
    return Applied.UPDATED if fresh else Applied.STALE


def _state(row: Return, update: ReturnUpdate, version: Version) -> dict[str, object]:
    values: dict[str, object] = {}
    if version.stamp is not None:
        values["platform_updated_at"] = version.stamp
    if update.name:
        values["name"] = cut(update.name, 64)
    if update.status in RETURN_STATUSES:
        status = ReturnStatus(update.status)
        values["status"] = status
        at = version.stamp or row.platform_updated_at or row.requested_at
        values.update({key: when for key, when in status_times(status, at).items() if not getattr(row, key)})
    return values


def _decline_details(row: Return, update: ReturnUpdate) -> dict[str, object]:
    """A decline's reason and note, whenever the return is (or becomes) declined and has none:
    they only come with returns/decline, which may arrive after a read already said DECLINED."""
    declined = row.status == ReturnStatus.DECLINED or update.status == ReturnStatus.DECLINED
    values: dict[str, object] = {}
    if declined and update.decline_reason and not row.decline_reason:
        reason = update.decline_reason.upper()
        values["decline_reason"] = reason if reason in DECLINE_REASONS else "OTHER"
    if declined and update.decline_note and not row.decline_note:
        values["decline_note"] = update.decline_note[:500]
    return values


async def _write_items(shop_id: int, return_id: int, items: Sequence[ReturnItemRecord]) -> None:
    line_ids = await line_item_ids(shop_id, [item.line_item_id for item in items if item.line_item_id])
    await ReturnItem.bulk_create(return_item_rows(shop_id, return_id, items, line_ids))
