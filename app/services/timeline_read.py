"""Reading a customer's timeline, newest first, one keyset page at a time.

The timeline is the ``TimelineEntry`` table: one range scan on its (customer, occurred_at) index.
Customers imported before the services wrote timeline entries have none; for them the timeline
is rebuilt from their orders (on the (customer, placed_at) index), so the page is never blank.
(Kept apart from the writer, ``app.services.timeline``, which another change owns.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import Order, TimelineEntry
from app.services.input import InvalidInput
from app.services.keyset import Cursor, before, take

PAGE_SIZE = 50
MAX_PAGE = 200
# Cursor keys say which source a page came from, so that "older" continues the same list.
ENTRIES = "e"
ORDERS = "o"


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "order.placed", "refund.succeeded", ...
    summary: str
    occurred_at: datetime
    order_id: int | None
    order_number: str | None


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    older: Cursor | None
    from_orders: bool  # rebuilt from orders: this customer has no recorded timeline yet


async def timeline_for(
    shop_id: int, customer_id: int, before_cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """A page of the customer's timeline, newest first. The caller has checked that the customer
    is the shop's; ``shop_id`` still scopes every query."""
    limit = max(1, min(limit, MAX_PAGE))
    source, at = _split(before_cursor)
    if source == ORDERS or (
        source is None and not await TimelineEntry.filter(shop_id=shop_id, customer_id=customer_id).exists()
    ):
        return await _from_orders(shop_id, customer_id, before_cursor, at, limit)
    page = await take(
        TimelineEntry.filter(shop_id=shop_id, customer_id=customer_id)
        .filter(before("occurred_at", before_cursor, at))
        .order_by("-occurred_at", "-id")
        .prefetch_related("order"),
        limit,
        lambda e: f"{ENTRIES}{e.occurred_at.isoformat()}",
    )
    items = [
        TimelineItem(
            e.kind, e.summary, e.occurred_at, e.order_id, e.order.number if e.order is not None else None
        )
        for e in page.items
    ]
    return TimelinePage(items, page.next, from_orders=False)


async def _from_orders(
    shop_id: int, customer_id: int, cursor: Cursor | None, at: datetime | None, limit: int
) -> TimelinePage:
    page = await take(
        Order.filter(shop_id=shop_id, customer_id=customer_id)
        .filter(before("placed_at", cursor, at))
        .order_by("-placed_at", "-id"),
        limit,
        lambda o: f"{ORDERS}{o.placed_at.isoformat()}",
    )
    items = [
        TimelineItem(
            "order.placed",
            f"Placed order {o.number} · {o.total_price} {o.currency}",
            o.placed_at,
            o.id,
            o.number,
        )
        for o in page.items
    ]
    return TimelinePage(items, page.next, from_orders=True)


def _split(cursor: Cursor | None) -> tuple[str | None, datetime | None]:
    if cursor is None:
        return None, None
    source, stamp = cursor.key[:1], cursor.key[1:]
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise InvalidInput("The page link is not valid; start from the first page.") from exc
    if source not in {ENTRIES, ORDERS} or at.tzinfo is None:
        raise InvalidInput("The page link is not valid; start from the first page.")
    return source, at
