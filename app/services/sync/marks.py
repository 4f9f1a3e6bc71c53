"""The high-water mark ``Shop.synced_through``: every change stamped before it has been imported.

A listing read in ``updated_at`` order from start to end has imported every change stamped before
the time it started (anything changed during the read moves to the end of the order and is read
there) and, likewise, everything up to the newest stamp it saw; a bulk export holds everything
changed before it was started. So a resource's mark is the later of (its read's start, minus our
clock's possible lag behind Shopify's) and the newest stamp imported; a shop's mark is the earliest
of its resources' marks, and it only ever moves forward. The reconcile reads from the mark minus
an overlap, so a change stamped in the same second as the mark is read again, not skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tortoise.expressions import Q

from app.models import Shop

CLOCK_SKEW = timedelta(minutes=1)


def resource_mark(started_at: datetime, newest: datetime | None) -> datetime:
    floor = started_at - CLOCK_SKEW
    return max(floor, newest) if newest is not None else floor


async def advance_mark(shop_id: int, marks: Iterable[datetime]) -> datetime | None:
    """Move the shop's mark up to the earliest of ``marks`` (never down); returns that mark."""
    candidates = list(marks)
    if not candidates:
        return None
    mark = min(candidates)
    await Shop.filter(Q(id=shop_id) & (Q(synced_through__isnull=True) | Q(synced_through__lt=mark))).update(
        synced_through=mark
    )
    return mark
