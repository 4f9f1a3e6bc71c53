"""The timeline entries an order's story produces: placed, cancelled, shipped, delivered,
refunded, and each state a return reached.

Entries are derived from the rows as stored after an upsert (the merged truth), keyed by
(kind, subject) and upserted (``app.services.timeline``), so writing them again is harmless and a
later, better fact (a real delivery time replacing an estimate) updates the entry in place.
A guest order (no customer) has no timeline to write to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.models import Fulfillment, Refund, Return, ReturnStatus
from app.services.timeline import entry_row

RETURN_KINDS: dict[str, str] = {
    ReturnStatus.OPEN: "return.opened",
    ReturnStatus.CLOSED: "return.closed",
    ReturnStatus.DECLINED: "return.declined",
    ReturnStatus.CANCELED: "return.canceled",
}
NOT_SHIPPED = frozenset({"cancelled", "error", "failure"})


@dataclass(frozen=True, slots=True)
class OrderFacts:
    shop_id: int
    order_id: int
    customer_id: int | None
    number: str
    total: Decimal
    currency: str
    placed_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShipmentFact:
    id: int
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    carrier: str | None
    tracking_number: str | None


@dataclass(frozen=True, slots=True)
class RefundFact:
    id: int
    at: datetime | None
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ReturnFact:
    id: int
    name: str
    status: str
    requested_at: datetime
    changed_at: datetime | None  # when it reached its current status, as far as we know


def money(amount: Decimal) -> str:
    """``10.00`` whether the amount came from the API (``10.00``) or a 4-place column (``10.0000``)."""
    cents = amount.quantize(Decimal("0.01"))
    return str(cents if cents == amount else amount.normalize())


def delivered_at_of(shipments: Iterable[tuple[str, datetime | None]]) -> datetime | None:
    """When every shipped fulfillment was delivered (the last delivery), else None.

    ``shipments``: ``(status, delivered_at)`` per fulfillment; cancelled or failed ones shipped
    nothing and do not count. An order with nothing shipped is not delivered."""
    deliveries = [delivered for status, delivered in shipments if status not in NOT_SHIPPED]
    if not deliveries or any(delivered is None for delivered in deliveries):
        return None
    return max(delivered for delivered in deliveries if delivered is not None)


def order_entries(
    facts: OrderFacts,
    shipments: Sequence[ShipmentFact] = (),
    refunds: Sequence[RefundFact] = (),
    returns: Sequence[ReturnFact] = (),
) -> list[dict[str, Any]]:
    """Column values of the entries (``app.services.timeline.entry_row``)."""
    if facts.customer_id is None:
        return []
    number = facts.number or "(no number)"

    def entry(kind: str, subject: str, subject_id: int, summary: str, at: datetime) -> dict[str, Any]:
        return entry_row(
            facts.shop_id,
            facts.customer_id,  # type: ignore[arg-type]  # checked above
            kind,
            subject,
            str(subject_id),
            summary=summary,
            occurred_at=at,
            order_id=facts.order_id,
            data={"order": number},
        )

    entries = [
        entry(
            "order.placed",
            "order",
            facts.order_id,
            f"Placed order {number} ({money(facts.total)} {facts.currency})",
            facts.placed_at,
        )
    ]
    if facts.cancelled_at is not None:
        entries.append(
            entry(
                "order.cancelled",
                "order",
                facts.order_id,
                f"Order {number} was cancelled",
                facts.cancelled_at,
            )
        )
    for shipment in shipments:
        if shipment.status in NOT_SHIPPED:
            continue
        tracking = " ".join(part for part in (shipment.carrier, shipment.tracking_number) if part)
        shipped = f"Order {number} shipped" + (f" ({tracking})" if tracking else "")
        entries.append(
            entry(
                "fulfillment.created",
                "fulfillment",
                shipment.id,
                shipped,
                shipment.shipped_at or facts.placed_at,
            )
        )
        if shipment.delivered_at is not None:
            entries.append(
                entry(
                    "fulfillment.delivered",
                    "fulfillment",
                    shipment.id,
                    f"Order {number} was delivered",
                    shipment.delivered_at,
                )
            )
    for refund in refunds:
        entries.append(
            entry(
                "refund.created",
                "refund",
                refund.id,
                f"Refunded {money(refund.amount)} {refund.currency} on order {number}",
                refund.at or facts.placed_at,
            )
        )
    for item in returns:
        label = item.name or f"on order {number}"
        entries.append(
            entry("return.requested", "return", item.id, f"Return {label} requested", item.requested_at)
        )
        kind = RETURN_KINDS.get(item.status)
        if kind is not None:
            verb = kind.split(".", 1)[1]
            entries.append(
                entry(kind, "return", item.id, f"Return {label} {verb}", item.changed_at or item.requested_at)
            )
    return entries


def shipment_facts(rows: Iterable[Fulfillment]) -> list[ShipmentFact]:
    return [
        ShipmentFact(
            row.id, row.status, row.fulfilled_at, row.delivered_at, row.tracking_company, row.tracking_number
        )
        for row in rows
    ]


def refund_facts(rows: Iterable[Refund]) -> list[RefundFact]:
    # Our own refund intents become timeline entries through the refund service when they succeed.
    return [RefundFact(row.id, row.processed_at, row.amount, row.currency) for row in rows if row.platform_id]


def return_facts(rows: Iterable[Return]) -> list[ReturnFact]:
    return [
        ReturnFact(
            row.id,
            row.name,
            str(row.status),
            row.requested_at,
            row.closed_at or row.opened_at or row.platform_updated_at,
        )
        for row in rows
    ]
