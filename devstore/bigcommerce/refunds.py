"""Refund quotes and refunds (Orders v3 payment actions, fact sheet §2.5), on the shared order rows.

What can be refunded is what the order was paid for and not refunded yet: per line, its units not
refunded (each unit worth its share of the line's net total and tax, the last units taking the
exact remainder, as the seed's refunds do); the shipping not refunded; and over everything, the
money paid and not refunded. Items the devstore does not emulate (HANDLING, GIFT_WRAPPING, FEE,
TAX) and ``merchant_calculated_override`` are refused with 422 rather than half-done.

A refund applies to the shared ``refunds`` rows (so the order's ``refunded_amount``, its lines'
``quantity_refunded`` and its status follow) and is kept with its items and payments in
``bigcommerce_refunds``. A declined payment (a fault switch) records the refund with
``is_declined: true`` and moves no money: the order is unchanged and no webhook is sent
(INFERENCE: the docs only say payments are asynchronous and to watch ``is_declined``).
Refunds, like BigCommerce's, have no idempotency key: the same request twice refunds twice,
as long as there is something left to refund.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from devstore import rows
from devstore.bigcommerce.payloads import derived_status_id, gateway_of, shipping_address_id
from devstore.bigcommerce.records import WRITES, changed_stamp
from devstore.models import FinancialStatus, LineItem, Order, Refund, Shop, cents
from devstore.store import DevStore

ZERO = Decimal("0.00")
ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
UNSUPPORTED_ITEMS = frozenset({"HANDLING", "GIFT_WRAPPING", "FEE", "TAX"})
GUEST_STORE_CREDIT = "Unable to provide store credit for a guest customer."


class Refused(Exception):
    """A refund request answered with ``status`` and BigCommerce's error body."""

    def __init__(self, status: int, title: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self._body = body

    def body(self) -> dict[str, Any]:
        return self._body or {"status": self.status, "title": self.title, "type": ERROR_TYPE, "errors": {}}


def invalid(title: str) -> Refused:
    return Refused(422, title)


@dataclass(frozen=True, slots=True)
class Item:
    item_type: str
    item_id: int
    quantity: int | None  # PRODUCT
    amount: Decimal  # PRODUCT: its units' subtotal; SHIPPING and ORDER: as asked
    tax: Decimal
    reason: str
    line: LineItem | None = None

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "item_type": self.item_type,
            "item_id": self.item_id,
            "requested_amount": float(self.amount + self.tax),
            "reason": self.reason,
        }
        if self.quantity is not None:
            data["quantity"] = self.quantity
        return data


@dataclass(frozen=True, slots=True)
class Quote:
    order: Order
    items: tuple[Item, ...]

    @property
    def tax(self) -> Decimal:
        return sum((item.tax for item in self.items), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((item.amount + item.tax for item in self.items), ZERO)

    @property
    def shipping(self) -> Decimal:
        return sum((item.amount for item in self.items if item.item_type == "SHIPPING"), ZERO)

    def refund_methods(self) -> list[list[dict[str, Any]]]:
        provider_id, description, _ = gateway_of(self.order)
        amount = float(self.total)
        methods = [[_method(provider_id, description, amount, offline=False)]]
        if self.order.customer_id is not None:
            methods.append([_method("storecredit", "Store Credit", amount, offline=False)])
        methods.append([_method("custom", "Custom", amount, offline=True)])
        return methods

    def json(self) -> dict[str, Any]:
        return {
            "order_id": self.order.id,
            "total_refund_amount": float(self.total),
            "total_refund_tax_amount": float(self.tax),
            "rounding": 0,
            "adjustment": 0,
            "tax_inclusive": False,
            "order_level_refund_amount": float(
                sum((i.amount for i in self.items if i.item_type == "ORDER"), ZERO)
            ),
            "refund_methods": self.refund_methods(),
        }


def _method(provider_id: str, description: str, amount: float, *, offline: bool) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "provider_description": description,
        "amount": amount,
        "offline": offline,
        "offline_provider": offline,
        "offline_reason": "Recorded only: no money is moved." if offline else "",
    }


def _share(total: Decimal, units: int, of: int) -> Decimal:
    if units >= of:
        return total
    return (total * units / of).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _amount(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(f"{what} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise invalid(f"{what} must be a number") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise invalid(f"{what} must be a positive amount with at most 2 decimals")
    return cents(amount)


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{what} must be an integer")
    return value


def price(order: Order, body: dict[str, Any]) -> Quote:
    """The quote for ``body["items"]`` against what ``order`` has left to refund."""
    if "merchant_calculated_override" in body or "tax_adjustment_amount" in body:
        raise invalid(
            "merchant_calculated_override and tax_adjustment_amount are not emulated by the devstore"
        )
    requested = body.get("items")
    if not isinstance(requested, list) or not requested or not all(isinstance(i, dict) for i in requested):
        raise invalid("items must be a non-empty list of objects")
    if order.financial_status is FinancialStatus.PENDING:
        raise invalid("The order has not been paid: there is nothing to refund.")
    lines = {line.id: line for line in order.line_items}
    refunded = _refunded_units(order.refunds)
    seen: set[tuple[str, int]] = set()
    items: list[Item] = []
    for n, entry in enumerate(requested):
        item_type, item_id = entry.get("item_type"), _int(entry.get("item_id"), f"items[{n}].item_id")
        reason = entry.get("reason", "")
        if not isinstance(reason, str):
            raise invalid(f"items[{n}].reason must be a string")
        if (item_type, item_id) in seen:
            raise invalid(f"items[{n}] repeats {item_type} {item_id}")
        seen.add((item_type, item_id))
        if "adjustments" in entry:
            raise invalid("item adjustments are not emulated by the devstore")
        if item_type == "PRODUCT":
            line = lines.get(item_id)
            if line is None:
                raise invalid(f"items[{n}]: {item_id} is not an order product of order {order.id}")
            quantity = _int(entry.get("quantity"), f"items[{n}].quantity")
            before = refunded.get(line.id, 0)
            if not 1 <= quantity <= line.quantity - before:
                raise invalid(
                    f"items[{n}]: quantity {quantity} is more than the {line.quantity - before} refundable"
                    f" unit(s) of order product {line.id}"
                )
            subtotal = _share(line.net_total, before + quantity, line.quantity) - _share(
                line.net_total, before, line.quantity
            )
            tax = _share(line.total_tax, before + quantity, line.quantity) - _share(
                line.total_tax, before, line.quantity
            )
            items.append(Item("PRODUCT", item_id, quantity, subtotal, tax, reason, line))
        elif item_type == "SHIPPING":
            if item_id != shipping_address_id(order):
                raise invalid(f"items[{n}]: {item_id} is not a shipping address of order {order.id}")
            amount = _amount(entry.get("amount"), f"items[{n}].amount")
            left = order.total_shipping - sum((r.shipping for r in order.refunds), ZERO)
            if amount > left:
                raise invalid(f"items[{n}]: amount {amount} is more than the {left} shipping left to refund")
            items.append(Item("SHIPPING", item_id, None, amount, ZERO, reason))
        elif item_type == "ORDER":
            if item_id != order.id:
                raise invalid(f"items[{n}]: an ORDER item's item_id is the order's id, {order.id}")
            items.append(
                Item("ORDER", item_id, None, _amount(entry.get("amount"), f"items[{n}].amount"), ZERO, reason)
            )
        elif item_type in UNSUPPORTED_ITEMS:
            raise invalid(f"items[{n}]: {item_type} refunds are not emulated by the devstore")
        else:
            raise invalid(f"items[{n}].item_type is not a refund item type: {item_type!r}")
    quote = Quote(order, tuple(items))
    left = order.total_paid - order.total_refunded
    if quote.total > left:
        raise invalid(f"The refund total {quote.total} is more than the {left} left to refund on the order.")
    return quote


def _refunded_units(refunds: Sequence[Refund]) -> dict[int, int]:
    units: dict[int, int] = {}
    for refund in refunds:
        for line in refund.lines:
            units[line.line_item_id] = units.get(line.line_item_id, 0) + line.quantity
    return units


@dataclass(frozen=True, slots=True)
class Payment:
    provider_id: str
    amount: Decimal
    offline: bool


def check_payments(quote: Quote, body: dict[str, Any]) -> list[Payment]:
    requested = body.get("payments")
    if not isinstance(requested, list) or not requested or not all(isinstance(p, dict) for p in requested):
        raise invalid("payments must be a non-empty list of objects")
    offered = {option["provider_id"]: option for method in quote.refund_methods() for option in method}
    payments: list[Payment] = []
    for n, entry in enumerate(requested):
        provider_id, offline = entry.get("provider_id"), entry.get("offline", False)
        if provider_id == "storecredit" and quote.order.customer_id is None:
            raise Refused(
                422,
                GUEST_STORE_CREDIT,
                {"data": [{"status": 422, "title": GUEST_STORE_CREDIT, "type": ERROR_TYPE}]},
            )
        if provider_id not in offered:
            raise invalid(f"payments[{n}].provider_id must be one of the quote's: {', '.join(offered)}")
        if not isinstance(offline, bool):
            raise invalid(f"payments[{n}].offline must be a boolean")
        if offered[provider_id]["offline_provider"] and not offline:
            raise invalid(f"payments[{n}]: {provider_id} refunds are offline")
        payments.append(Payment(provider_id, _amount(entry.get("amount"), f"payments[{n}].amount"), offline))
    paid = sum((p.amount for p in payments), ZERO)
    if paid != quote.total:
        raise invalid(f"The payments add up to {paid}, not the refund total {quote.total}.")
    return payments


@dataclass(frozen=True, slots=True)
class Created:
    refund: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]]  # the webhooks it causes


def _next_refund_id(conn: sqlite3.Connection, shop_id: int) -> int:
    row = conn.execute(
        "SELECT max(m) FROM (SELECT max(id) AS m FROM refunds WHERE shop_id = ?"
        " UNION ALL SELECT max(id) FROM bigcommerce_refunds WHERE shop_id = ?)",
        (shop_id, shop_id),
    ).fetchone()
    return int(row[0] or 0) + 1


def _status_override(conn: sqlite3.Connection, shop: Shop, order: Order) -> int | None:
    row = conn.execute(
        "SELECT status_id FROM bigcommerce_order_statuses WHERE shop_id = ? AND order_id = ?",
        (shop.id, order.id),
    ).fetchone()
    return None if row is None else int(row["status_id"])


def create_refund(
    store: DevStore, shop: Shop, order_id: int, body: dict[str, Any], *, user_id: int, declined: str | None
) -> Created:
    """Check and make the refund (``declined``: the decline message, or None). Blocking."""
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise invalid("reason must be a string")
    with WRITES:
        order = store.get_order(shop.domain, order_id)
        if order is None:
            raise Refused(404, f"Order {order_id} not found.")
        quote = price(order, body)
        payments = check_payments(quote, body)
        now = datetime.now(UTC).replace(microsecond=0)
        with store.connect() as conn, conn:
            refund_id = _next_refund_id(conn, shop.id)
            previous_status = _status_override(conn, shop, order) or derived_status_id(order)
            payment_json = [
                {
                    "id": refund_id * 100 + n,
                    "provider_id": p.provider_id,
                    "amount": float(p.amount),
                    "offline": p.offline,
                    "is_declined": declined is not None,
                    "declined_message": declined or "",
                    "transaction_id": "" if p.offline else f"{p.provider_id}-rf-{order.id}-{refund_id}-{n}",
                }
                for n, p in enumerate(payments, start=1)
            ]
            refund = {
                "id": refund_id,
                "order_id": order.id,
                "user_id": user_id,
                "created": now.isoformat(),
                "reason": reason,
                "total_amount": float(quote.total),
                "total_tax": float(quote.tax),
                "uses_merchant_override_values": False,
                "items": [item.json() for item in quote.items],
                "payments": payment_json,
            }
            conn.execute(
                "INSERT INTO bigcommerce_refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    shop.id,
                    refund_id,
                    order.id,
                    user_id,
                    reason,
                    rows.ts(now),
                    str(quote.total),
                    str(quote.tax),
                    json.dumps(refund["items"]),
                    json.dumps(payment_json),
                    int(declined is not None),
                ),
            )
            if declined is not None:
                return Created(refund, [])
            _apply(conn, shop, order, quote, refund_id, reason, now)
        changed = store.get_order(shop.domain, order.id)
        assert changed is not None
    events: list[tuple[str, dict[str, Any]]] = [
        ("store/order/refund/created", {"type": "order", "id": order.id, "refund": {"refund_id": refund_id}}),
        ("store/order/updated", {"type": "order", "id": order.id}),
    ]
    new_status = derived_status_id(changed)
    if new_status != previous_status:
        events.append(
            (
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": order.id,
                    "status": {"previous_status_id": previous_status, "new_status_id": new_status},
                },
            )
        )
    return Created(refund, events)


def _apply(
    conn: sqlite3.Connection,
    shop: Shop,
    order: Order,
    quote: Quote,
    refund_id: int,
    reason: str,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)",
        (shop.id, refund_id, order.id, rows.ts(now), reason, str(quote.shipping), str(quote.total)),
    )
    conn.executemany(
        "INSERT INTO refund_lines VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            # API refunds do not restock (refunds.mdx FAQ).
            (shop.id, refund_id, item.item_id, item.quantity, str(item.amount), str(item.tax), "no_restock")
            for item in quote.items
            if item.item_type == "PRODUCT"
        ],
    )
    refunded = order.total_refunded + quote.total
    financial = (
        FinancialStatus.REFUNDED if refunded >= order.total_price else FinancialStatus.PARTIALLY_REFUNDED
    )
    conn.execute(
        "UPDATE orders SET total_refunded = ?, financial_status = ?, updated_at = ? WHERE shop_id = ? AND id = ?",
        (str(refunded), financial.value, changed_stamp(order.updated_at), shop.id, order.id),
    )
    # The status becomes Refunded or Partially Refunded (refunds.mdx FAQ), whatever was set before.
    conn.execute(
        "DELETE FROM bigcommerce_order_statuses WHERE shop_id = ? AND order_id = ?", (shop.id, order.id)
    )


def list_refunds(store: DevStore, shop: Shop, order: Order) -> list[dict[str, Any]]:
    """The order's refunds as ``GET /v3/orders/{id}/payment_actions/refunds`` lists them, by id."""
    with store.connect() as conn:
        made = conn.execute(
            "SELECT * FROM bigcommerce_refunds WHERE shop_id = ? AND order_id = ?", (shop.id, order.id)
        ).fetchall()
    listed = {row["id"]: _made_json(row) for row in made}
    for refund in order.refunds:
        listed.setdefault(refund.id, _seeded_json(order, refund))
    return [listed[key] for key in sorted(listed)]


def _made_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "order_id": row["order_id"],
        "user_id": row["user_id"],
        "created": datetime.fromisoformat(row["created_at"]).isoformat(),
        "reason": row["reason"],
        "total_amount": float(Decimal(row["total_amount"])),
        "total_tax": float(Decimal(row["total_tax"])),
        "uses_merchant_override_values": False,
        "items": json.loads(row["items"]),
        "payments": json.loads(row["payments"]),
    }


def _seeded_json(order: Order, refund: Refund) -> dict[str, Any]:
    """A refund of the seed, as if it had been made through the API by the gateway."""
    items: list[dict[str, Any]] = [
        {
            "item_type": "PRODUCT",
            "item_id": line.line_item_id,
            "quantity": line.quantity,
            "requested_amount": float(line.subtotal + line.total_tax),
            "reason": "",
        }
        for line in refund.lines
    ]
    if refund.shipping:
        items.append(
            {
                "item_type": "SHIPPING",
                "item_id": shipping_address_id(order),
                "requested_amount": float(refund.shipping),
                "reason": "",
            }
        )
    provider_id, _, _ = gateway_of(order)
    return {
        "id": refund.id,
        "order_id": order.id,
        "user_id": 0,
        "created": refund.created_at.isoformat(),
        "reason": refund.note,
        "total_amount": float(refund.amount),
        "total_tax": float(sum((line.total_tax for line in refund.lines), ZERO)),
        "uses_merchant_override_values": False,
        "items": items,
        "payments": [
            {
                "id": refund.id * 100 + 1,
                "provider_id": provider_id,
                "amount": float(refund.amount),
                "offline": False,
                "is_declined": False,
                "declined_message": "",
                "transaction_id": f"{provider_id}-rf-{order.id}-{refund.id}-1",
            }
        ],
    }
