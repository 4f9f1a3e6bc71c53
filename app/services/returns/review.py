"""The review queue: returns waiting for a decision, oldest first, on the
(shop, status, requested_at) index; keyset pages, so the 500th page costs what the first does."""

from __future__ import annotations

from app.models import Return, ReturnStatus
from app.services.keyset import Page, after, take
from app.services.orders import order_cursor

PAGE_SIZE = 50


async def review_queue(shop_id: int, cursor_text: str | None = None, limit: int = PAGE_SIZE) -> Page[Return]:
    """``InvalidInput`` for a cursor that is not one of ours."""
    cursor, at = order_cursor(cursor_text)  # a cursor on a time column, whatever the table
    rows = Return.filter(shop_id=shop_id, status=ReturnStatus.REQUESTED).filter(
        after("requested_at", cursor, at)
    )
    page: Page[Return] = await take(
        rows.order_by("requested_at", "id").prefetch_related("order", "customer"),
        limit,
        lambda r: r.requested_at.isoformat(),
    )
    return page


async def awaiting_review_count(shop_id: int) -> int:
    return await Return.filter(shop_id=shop_id, status=ReturnStatus.REQUESTED).count()
