"""When a line item's return window opens: its delivery, or else its fulfillment plus the transit
buffer the surveys use (PRODUCT.md §5: "30 days from delivery, or fulfillment + 5 days")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.models import Fulfillment, LineItem, Order

NOT_SHIPPED = frozenset({"cancelled", "error", "failure"})


@dataclass(frozen=True)
class WindowStart:
    at: datetime
    source: str  # "delivery" or "fulfillment"


def window_start(
    order: Order, line: LineItem, fulfillments: Sequence[Fulfillment], buffer_days: int
) -> WindowStart | None:
    """None when nothing says when the item left the shop (no dates on its fulfillments)."""
    shipped = [f for f in fulfillments if f.status not in NOT_SHIPPED and _carries(f, line)]
    delivered = [f.delivered_at for f in shipped if f.delivered_at is not None]
    if delivered:
        return WindowStart(max(delivered), "delivery")
    if order.delivered_at is not None:
        return WindowStart(order.delivered_at, "delivery")
    fulfilled = [f.fulfilled_at for f in shipped if f.fulfilled_at is not None]
    if fulfilled:
        return WindowStart(max(fulfilled) + timedelta(days=buffer_days), "fulfillment")
    return None


def _carries(fulfillment: Fulfillment, line: LineItem) -> bool:
    lines = fulfillment.lines if isinstance(fulfillment.lines, list) else []
    if not lines:
        return True  # a fulfillment read without its lines may carry any item of the order
    return any(isinstance(f, dict) and f.get("line_item_platform_id") == line.platform_id for f in lines)
