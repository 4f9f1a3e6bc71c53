"""Bringing the platform's own return to the state of ours (the job ``jobs.returns.mirror_return``).

Each run reads the order on the platform first and starts from the state it finds there, so a
run repeated after a timeout, a crash or a retry makes no call twice:

1. Our return has no platform id yet: look among the order's returns for one an earlier attempt
   may have opened (same items, not anyone else's) and take it; only when there is none, send
   ``returnRequest``. Its id, name and line ids are recorded on ours.
2. Then one call per step from the platform's state towards ours: approve, decline, cancel, or
   process the received items and close.
3. SYNCED when the platform holds our state — only if ours has not moved on meanwhile (the job
   for the newer state then finishes the work). A platform that cannot get there (it holds a
   different final state) is FAILED with a message for the return page and Home.

The platform moving ahead of us (approved or declined in the store's own admin) is not an error:
its returns/* webhook brings ours along.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tortoise.transactions import in_transaction

from app.models import (
    ItemState,
    LineItem,
    MirrorState,
    Order,
    Refund,
    RefundStatus,
    Return,
    ReturnItem,
    ReturnStatus,
    TimelineEntry,
)
from app.services.sync.platform import keeps_returns
from connectors.base import OrderRecord, ReturnLineRequest, ReturnRecord
from connectors.shopify import returns as shopify_returns
from connectors.shopify.errors import UserErrors
from connectors.shopify.graphql import ShopifyGraphQL
from connectors.shopify.sync import fetch_order

logger = logging.getLogger(__name__)

MAX_STEPS = 4  # REQUESTED -> OPEN -> processed -> CLOSED is the longest way
FINAL = (ReturnStatus.CLOSED, ReturnStatus.DECLINED, ReturnStatus.CANCELED)


class ProcessReturn(Protocol):
    def __call__(
        self, client: ShopifyGraphQL, return_id: str, items: Sequence[tuple[str, int]], *, restock: bool
    ) -> Awaitable[ReturnRecord]: ...


@dataclass(frozen=True)
class PlatformReturns:
    """The platform's returns API, passed in so that tests can stand in for it."""

    fetch_order: Callable[[ShopifyGraphQL, str], Awaitable[OrderRecord | None]]
    request: Callable[[ShopifyGraphQL, str, Sequence[ReturnLineRequest]], Awaitable[ReturnRecord]]
    approve: Callable[[ShopifyGraphQL, str], Awaitable[ReturnRecord]]
    decline: Callable[[ShopifyGraphQL, str, str, str | None], Awaitable[ReturnRecord]]
    cancel: Callable[[ShopifyGraphQL, str], Awaitable[ReturnRecord]]
    close: Callable[[ShopifyGraphQL, str], Awaitable[ReturnRecord]]
    process: ProcessReturn


SHOPIFY = PlatformReturns(
    fetch_order=fetch_order,
    request=shopify_returns.request_return,
    approve=shopify_returns.approve_return_request,
    decline=shopify_returns.decline_return_request,
    cancel=shopify_returns.cancel_return,
    close=shopify_returns.close_return,
    process=shopify_returns.process_return,
)


class Mirrored(StrEnum):
    SYNCED = "synced"
    MOVED_ON = "moved on"  # ours changed while mirroring: the newer state's job finishes
    FAILED = "failed"
    NOT_APPLICABLE = "not applicable"
    NOTHING_TO_DO = "nothing to do"


class MirrorFailed(Exception):
    """The platform cannot be brought to our state by this job: shown to staff, not retried."""


async def mirror(return_id: int, client: ShopifyGraphQL, api: PlatformReturns) -> Mirrored:
    row = await Return.get_or_none(id=return_id).prefetch_related("shop", "order")
    if row is None or row.mirror_state != MirrorState.PENDING:
        return Mirrored.NOTHING_TO_DO
    if not keeps_returns(row.shop):
        await Return.filter(id=row.id).update(mirror_state=MirrorState.NOT_APPLICABLE, mirror_error=None)
        return Mirrored.NOT_APPLICABLE
    target = (row.status, row.item_state)
    try:
        current = await _platform_return(row, client, api)
        if current is None and row.status in (ReturnStatus.DECLINED, ReturnStatus.CANCELED):
            pass  # ended before the platform ever heard of it: nothing to bring there
        else:
            if current is None:
                current = await api.request(client, row.order.platform_id, await _line_requests(row))
                await record_platform_return(row, current)
            await _drive(row, current, client, api)
    except MirrorFailed as failed:
        await fail_mirror(row.id, str(failed))
        return Mirrored.FAILED
    synced = await Return.filter(
        id=row.id, status=target[0], item_state=target[1], mirror_state=MirrorState.PENDING
    ).update(mirror_state=MirrorState.SYNCED, mirror_error=None)
    return Mirrored.SYNCED if synced else Mirrored.MOVED_ON


async def fail_mirror(return_id: int, message: str) -> None:
    await Return.filter(id=return_id).update(mirror_state=MirrorState.FAILED, mirror_error=message[:2000])


async def note_mirror(return_id: int, message: str) -> None:
    """A message while the mirror is still PENDING (a retry is coming, or a re-authorization)."""
    await Return.filter(id=return_id, mirror_state=MirrorState.PENDING).update(mirror_error=message[:2000])


async def _platform_return(row: Return, client: ShopifyGraphQL, api: PlatformReturns) -> ReturnRecord | None:
    order: Order = row.order
    record = await api.fetch_order(client, order.platform_id)
    if record is None:
        raise MirrorFailed("The order is no longer in the store.")
    if row.platform_id:
        for candidate in record.returns:
            if candidate.platform_id == row.platform_id:
                return candidate
        raise MirrorFailed("The store no longer has this return.")
    found = await _earlier_attempt(row, record)
    if found is not None:
        await record_platform_return(row, found)
        return found
    if "returns" in record.incomplete:
        # More returns than one read holds: absence is not proven, and guessing could open two.
        raise MirrorFailed("Could not confirm whether this return is in the store; check the store admin.")
    return None


async def _earlier_attempt(row: Return, record: OrderRecord) -> ReturnRecord | None:
    """A platform return with our items that no other return of ours holds: one an attempt of
    ours opened before a timeout. A row the sync wrote for it meanwhile (a returns/request
    webhook that came before we knew the id) is not another return, and does not hide it."""
    held = set(
        await Return.filter(shop_id=row.shop.id, order_id=row.order.id, platform_id__not_isnull=True)
        .exclude(requested_by_id=None, created_at__gte=row.created_at)
        .values_list("platform_id", flat=True)
    )
    wanted = Counter(dict(await _units_by_platform_line(row)))
    for candidate in record.returns:
        if candidate.platform_id in held or candidate.status in FINAL:
            continue
        units: Counter[str] = Counter()
        for item in candidate.items:
            units[item.line_item_id or ""] += item.quantity
        if units == wanted:
            return candidate
    return None


async def record_platform_return(row: Return, record: ReturnRecord) -> None:
    """Our return takes the platform's id, name and line ids; a twin the sync wrote is removed."""
    async with in_transaction():
        locked = await Return.select_for_update().get(id=row.id)
        shop_id = row.shop.id
        twin = await Return.get_or_none(shop_id=shop_id, platform_id=record.platform_id)
        if twin is not None and twin.id != locked.id:
            await TimelineEntry.filter(
                shop_id=shop_id, subject_type="return", subject_id=str(twin.id)
            ).delete()
            await twin.delete()
        values: dict[str, object] = {"platform_id": record.platform_id}
        if record.name:
            values["name"] = record.name[:64]
        await Return.filter(id=locked.id).update(**values)
        row.platform_id, row.name = record.platform_id, record.name[:64] or row.name
        items = await ReturnItem.filter(return_request_id=row.id).prefetch_related("line_item")
        by_line = {item.line_item.platform_id: item for item in items}
        for line in record.items:
            item = by_line.get(line.line_item_id or "")
            if item is not None and item.platform_id is None:
                await ReturnItem.filter(id=item.id).update(platform_id=line.platform_id[:64])


async def _drive(row: Return, current: ReturnRecord, client: ShopifyGraphQL, api: PlatformReturns) -> None:
    processed = False
    for _ in range(MAX_STEPS):
        theirs, ours = current.status, row.status
        platform_id = current.platform_id
        if theirs == ours:
            return
        if theirs == ReturnStatus.REQUESTED and ours in (ReturnStatus.OPEN, ReturnStatus.CLOSED):
            current = await api.approve(client, platform_id)
        elif theirs == ReturnStatus.REQUESTED and ours == ReturnStatus.DECLINED:
            current = await api.decline(client, platform_id, row.decline_reason or "OTHER", row.decline_note)
        elif theirs in (ReturnStatus.REQUESTED, ReturnStatus.OPEN) and ours == ReturnStatus.CANCELED:
            current = await api.cancel(client, platform_id)
        elif theirs == ReturnStatus.OPEN and ours == ReturnStatus.CLOSED:
            if not processed and row.item_state == ItemState.RECEIVED:
                processed = True
                current = await _process(row, current, client, api)
            else:
                current = await api.close(client, platform_id)
        elif ours in FINAL:
            raise MirrorFailed(
                f"The store has this return {theirs.lower()}; it cannot become {ours.lower()}."
            )
        else:
            return  # the platform is ahead of us: its webhook brings ours along
    raise MirrorFailed(f"The store's return stayed {current.status.lower()} after {MAX_STEPS} steps.")


async def _process(
    row: Return, current: ReturnRecord, client: ShopifyGraphQL, api: PlatformReturns
) -> ReturnRecord:
    """Confirm the received units on the platform before closing. A refund of this return made
    the stock decision already (refundCreate's restock type): processing restocks only when no
    refund did, so that no unit is put back twice nor a damaged one put back at all."""
    items = [
        (item.platform_id, item.quantity)
        for item in await ReturnItem.filter(return_request_id=row.id)
        if item.platform_id
    ]
    if not items:
        return current
    refunded = await Refund.filter(return_request_id=row.id, status=RefundStatus.SUCCEEDED).exists()
    try:
        return await api.process(client, current.platform_id, items, restock=not refunded)
    except UserErrors as refused:
        # An earlier attempt may have processed them before it timed out: closing is what is left.
        logger.info("return processing refused; closing it as it is", extra={"error": refused.message})
        return current


async def _line_requests(row: Return) -> list[ReturnLineRequest]:
    items = await ReturnItem.filter(return_request_id=row.id).prefetch_related("line_item").order_by("id")
    return [
        ReturnLineRequest(item.line_item.platform_id, item.quantity, item.reason, item.note) for item in items
    ]


async def _units_by_platform_line(row: Return) -> list[tuple[str, int]]:
    units: Counter[str] = Counter()
    for item in await ReturnItem.filter(return_request_id=row.id).prefetch_related("line_item"):
        line: LineItem = item.line_item
        units[line.platform_id] += item.quantity
    return list(units.items())
