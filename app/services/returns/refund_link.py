"""Refunding a return through the refund pages: the form filled in with the return's items
(what is still refundable of them) and restock when the items came back, and the check that a
refund confirmed "for a return" really is for an open return of that order of that shop."""

from __future__ import annotations

from app.models import ItemState, Return, ReturnItem, ReturnStatus
from app.services.refunds.availability import Availability
from app.services.refunds.form import REASONS as REFUND_REASONS

# The policy's return reasons (settings.DEFAULT_REASONS) in the refund form's words.
REFUND_REASON_OF = {
    "damaged/defective": "damaged",
    "wrong item": "wrong_item",
    "changed mind": "changed_mind",
    "not as described": "not_as_described",
}


async def refundable_return(shop_id: int, order_id: int, return_id: int) -> Return | None:
    """The return, when it is one this order can be refunded for now: open, of this order and shop."""
    return await Return.get_or_none(
        id=return_id, shop_id=shop_id, order_id=order_id, status=ReturnStatus.OPEN
    )


async def refund_fields_for(row: Return, available: Availability) -> dict[str, str]:
    """The refund form's fields for this return (``refunds.form`` names)."""
    fields = {"reason": _refund_reason(row.reason), "note": f"Return {row.name or row.id}"}
    if row.item_state == ItemState.RECEIVED:
        fields["restock"] = "on"
    for item in await ReturnItem.filter(return_request_id=row.id, shop_id=row.shop_id):  # type: ignore[attr-defined]
        line_id: int = item.line_item_id  # type: ignore[attr-defined]
        units = min(item.quantity, available.quantities.get(line_id, 0))
        if units > 0:
            fields[f"qty.{line_id}"] = str(units)
    return fields


def _refund_reason(reason: str) -> str:
    mapped = REFUND_REASON_OF.get(reason.strip().lower(), reason)
    return mapped if mapped in REFUND_REASONS else "other"
