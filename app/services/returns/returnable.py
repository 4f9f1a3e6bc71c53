"""What each line item of an order can still be returned: fulfilled units, not already in a
return that counts (requested, open or closed), and not refunded outside a return.

A unit refunded through its return is one unit, not two: it is counted in the return and its
refund is not subtracted again. Units claimed by our own refund intents not yet sent count as
refunded (``refunds.availability``), so a return cannot be started for units being refunded.
"""

from __future__ import annotations

from collections import Counter

from app.models import LineItem, Order, Refund, RefundLine, RefundStatus, ReturnItem, ReturnStatus
from app.services.refunds.availability import OPEN as OPEN_INTENTS
from app.services.refunds.availability import availability_of, requested_lines

COUNTING = (ReturnStatus.REQUESTED, ReturnStatus.OPEN, ReturnStatus.CLOSED)


async def returnable_quantities(order: Order) -> dict[int, int]:
    """Line item row id -> units that can still be returned (0 for unfulfilled lines)."""
    lines = await LineItem.filter(order_id=order.id).only("id", "fulfilled_quantity")
    unrefunded = (await availability_of(order)).quantities
    in_returns: Counter[int] = Counter()
    for item in await ReturnItem.filter(
        return_request__order_id=order.id, return_request__status__in=COUNTING
    ).only("line_item_id", "quantity"):
        in_returns[item.line_item_id] += item.quantity  # type: ignore[attr-defined]
    refunded_in_returns = await _refunded_through_returns(order)
    result: dict[int, int] = {}
    for line in lines:
        not_in_returns = line.fulfilled_quantity - in_returns[line.id]
        # Unrefunded units outside returns: a return's units still waiting for their refund are
        # among the unrefunded ones, so they are taken out once.
        waiting_in_returns = max(0, in_returns[line.id] - refunded_in_returns[line.id])
        free = unrefunded.get(line.id, 0) - waiting_in_returns
        result[line.id] = max(0, min(not_in_returns, free))
    return result


async def _refunded_through_returns(order: Order) -> Counter[int]:
    counted: Counter[int] = Counter()
    refunds = await Refund.filter(
        order_id=order.id,
        return_request_id__not_isnull=True,
        return_request__status__in=COUNTING,
        status__in=(*OPEN_INTENTS, RefundStatus.SUCCEEDED),
    )
    succeeded = [r.id for r in refunds if r.status == RefundStatus.SUCCEEDED]
    for line in await RefundLine.filter(refund_id__in=succeeded).only("line_item_id", "quantity"):
        counted[line.line_item_id] += line.quantity  # type: ignore[attr-defined]
    for refund in refunds:
        if refund.status in OPEN_INTENTS:
            for requested in requested_lines(refund.quote):
                counted[requested["line_item"]] += requested["quantity"]
    return counted
