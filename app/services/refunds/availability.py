"""What an order can still refund, in our books: the platform's last word on each line (synced)
less what our own open intents already claim, which the platform has not seen yet.

Open intents count against the order until they succeed (then the order's totals carry them) or
fail. This is what keeps two staff members, or two tabs, from promising the same money twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.models import LineItem, Order, Refund, RefundStatus

OPEN = (RefundStatus.AWAITING_APPROVAL, RefundStatus.QUEUED, RefundStatus.EXECUTING)
# Refunds whose shipping is spent: open ones and the ones that went through.
SHIPPING_SPENT = (*OPEN, RefundStatus.SUCCEEDED)
ZERO = Decimal("0")


@dataclass(frozen=True)
class Availability:
    quantities: dict[int, int]  # line item row id -> units still refundable
    shipping: Decimal  # shipping still refundable
    money: Decimal  # money still refundable (the order's total less refunds and open intents)


async def availability_of(order: Order) -> Availability:
    lines = await LineItem.filter(order_id=order.id).only("id", "refundable_quantity")
    quantities = {line.id: max(0, line.refundable_quantity) for line in lines}
    claimed_money = ZERO
    shipping_spent = ZERO
    for refund in await Refund.filter(order_id=order.id, status__in=SHIPPING_SPENT):
        shipping_spent += refund.shipping_amount
        if refund.status not in OPEN:
            continue
        claimed_money += refund.amount
        for line in requested_lines(refund.quote):
            row = line["line_item"]
            if row in quantities:
                quantities[row] = max(0, quantities[row] - line["quantity"])
    return Availability(
        quantities=quantities,
        shipping=max(ZERO, order.total_shipping - shipping_spent),
        money=max(ZERO, order.total_price - order.total_refunded - claimed_money),
    )


def requested_lines(quote: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The lines an intent asked for (stored with its quote when confirmed)."""
    request = (quote or {}).get("request")
    lines = request.get("lines") if isinstance(request, dict) else None
    if not isinstance(lines, list):
        return []
    return [
        line
        for line in lines
        if isinstance(line, dict)
        and isinstance(line.get("line_item"), int)
        and isinstance(line.get("quantity"), int)
    ]
