"""Changing an order in the devstore, as a merchant would in Shopify's admin, and which webhooks that
change makes Shopify send.

``OrderEdit`` fields left None are kept. Every edit bumps ``updated_at`` (to now, and at least one
second past the old stamp: the API's times have whole seconds and a sync's high-water mark must see
the change). ``fulfill`` ships every unshipped unit in one new fulfillment; ``deliver`` marks the
order's fulfillments delivered (fulfilling first if nothing shipped yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from devstore import rows
from devstore.models import FinancialStatus, FulfillmentStatus, Shop
from devstore.shipments import ship_unshipped
from devstore.shopify import payloads
from devstore.store import DevStore

CANCEL_REASONS = {"customer", "fraud", "inventory", "declined", "other", "staff"}


class EditRefused(ValueError):
    """The edit cannot be made (422), or the order does not exist (404)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class OrderEdit:
    financial_status: FinancialStatus | None = None
    tags: tuple[str, ...] | None = None
    note: str | None = None
    cancel_reason: str | None = None  # cancels the order
    fulfill: bool = False
    deliver: bool = False

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> OrderEdit:
        status = data.get("financial_status")
        if status is not None and status not in {s.value for s in FinancialStatus}:
            raise EditRefused(f"financial_status must be one of {[s.value for s in FinancialStatus]}")
        tags = data.get("tags")
        if isinstance(tags, str):
            tags = [t for t in (part.strip() for part in tags.split(",")) if t]
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            raise EditRefused("tags must be a list of strings or a comma-separated string")
        note = data.get("note")
        if note is not None and not isinstance(note, str):
            raise EditRefused("note must be a string")
        cancel = data.get("cancel")
        reason = None
        if cancel:
            reason = cancel if isinstance(cancel, str) else "other"
            if reason not in CANCEL_REASONS:
                raise EditRefused(f"cancel must be true or a reason of {sorted(CANCEL_REASONS)}")
        return cls(
            financial_status=FinancialStatus(status) if status else None,
            tags=None if tags is None else tuple(tags),
            note=note,
            cancel_reason=reason,
            fulfill=bool(data.get("fulfill")),
            deliver=bool(data.get("deliver")),
        )


def apply_edit(
    store: DevStore, shop: Shop, order_id: int, edit: OrderEdit
) -> list[tuple[str, dict[str, Any]]]:
    """Change the order; returns the (topic, payload) webhooks Shopify would send, in order. Blocking."""
    order = store.get_order(shop.domain, order_id)
    if order is None:
        raise EditRefused(f"{shop.domain} has no order {order_id}", 404)
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = rows.ts(max(now, order.updated_at + timedelta(seconds=1)))
    topics: list[str] = []
    with store.connect() as conn, conn:
        sets: dict[str, Any] = {"updated_at": stamp}
        if edit.financial_status is not None:
            sets["financial_status"] = edit.financial_status.value
            topics += ["orders/paid"] if edit.financial_status is FinancialStatus.PAID else []
        if edit.tags is not None:
            sets["tags"] = ", ".join(edit.tags)
        if edit.cancel_reason is not None and order.cancelled_at is None:
            sets.update(cancelled_at=stamp, cancel_reason=edit.cancel_reason)
            topics.append("orders/cancelled")
        fulfilled_now = (edit.fulfill or (edit.deliver and not order.fulfillments)) and ship_unshipped(
            conn, shop, order, stamp
        )
        if fulfilled_now:
            sets["fulfillment_status"] = FulfillmentStatus.FULFILLED.value
            topics += ["fulfillments/create", "orders/fulfilled"]
        if edit.deliver:
            conn.execute(
                "UPDATE fulfillments SET shipment_status = 'delivered', delivered_at = coalesce(delivered_at, ?)"
                " WHERE shop_id = ? AND order_id = ?",
                (stamp, shop.id, order.id),
            )
            topics.append("fulfillments/update")
        if edit.note is not None:
            conn.execute(
                "INSERT INTO shopify_order_notes (shop_id, order_id, note) VALUES (?, ?, ?)"
                " ON CONFLICT (shop_id, order_id) DO UPDATE SET note = excluded.note",
                (shop.id, order.id, edit.note),
            )
        names = ", ".join(f"{name} = ?" for name in sets)
        conn.execute(
            f"UPDATE orders SET {names} WHERE shop_id = ? AND id = ?", [*sets.values(), shop.id, order.id]
        )
    return _webhooks(store, shop, order.id, ["orders/updated", *topics], edit.note)


def _webhooks(
    store: DevStore, shop: Shop, order_id: int, topics: list[str], note: str | None
) -> list[tuple[str, dict[str, Any]]]:
    order = store.get_order(shop.domain, order_id)
    assert order is not None
    customer = None if order.customer_id is None else store.get_customer(shop.domain, order.customer_id)
    body = payloads.order_payload(order, customer)
    if note is not None:
        body["note"] = note
    sent: list[tuple[str, dict[str, Any]]] = []
    for topic in topics:
        if topic.startswith("fulfillments/"):
            sent.append((topic, payloads.fulfillment_payload(order, order.fulfillments[-1])))
        else:
            sent.append((topic, body))
    return sent
