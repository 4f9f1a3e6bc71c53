"""Refunds on the devstore's orders, computed and validated the way Shopify does (fact sheet 6.1).

``suggested_refund`` answers ``Order.suggestedRefund``: line amounts are the line's paid price and
tax pro rata, except that the last units of a line take whatever is left (so a line refunded in
parts sums to exactly what was paid); quantities above the refundable are capped, as the
suggestion is advice. ``create_refund`` answers ``refundCreate`` and refuses with userErrors what
Shopify refuses: an unknown order or line item, a quantity above the refundable, a restock type
the units cannot have (RETURN needs shipped units, CANCEL unshipped ones, LEGACY_RESTOCK is gone),
shipping above what is left of it, transactions that are not refunds of the order's sale or that
add up to more than its payment can still give back.

The devstore's orders have one payment each: a sale of ``total_paid`` through
``shopify_payments``, transaction id ``order.id * 10`` (the ``parent_id`` of ``refunds/create``
payloads). A refund's ``amount`` is the money its transactions moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from devstore.models import FinancialStatus, LineItem, Order, Refund, RefundLine, Shop, cents
from devstore.shopify import payloads
from devstore.shopify.graphql.writes import WRITES, enum_text, next_id, now_stamp, numeric_id
from devstore.store import DevStore

ZERO = Decimal("0.00")
GATEWAY = "shopify_payments"
RESTOCK_TYPES = frozenset({"NO_RESTOCK", "RETURN", "CANCEL"})

Events = list[tuple[str, dict[str, Any]]]
UserErrors = list[dict[str, Any]]


def sale_transaction_id(order: Order) -> int:
    return order.id * 10


@dataclass(frozen=True, slots=True)
class LineQuote:
    line: LineItem
    quantity: int
    restock_type: str  # upper case
    subtotal: Decimal
    tax: Decimal
    refundable: int  # units refundable before this refund


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[LineQuote, ...]
    subtotal: Decimal
    tax: Decimal
    shipping: Decimal
    shipping_refundable: Decimal
    money_refundable: Decimal  # what the order's payment can still give back

    @property
    def amount(self) -> Decimal:
        return self.subtotal + self.tax + self.shipping


def _refunded(order: Order, line_item_id: int) -> tuple[int, Decimal, Decimal]:
    refunded = [rl for r in order.refunds for rl in r.lines if rl.line_item_id == line_item_id]
    return (
        sum(rl.quantity for rl in refunded),
        sum((rl.subtotal for rl in refunded), ZERO),
        sum((rl.total_tax for rl in refunded), ZERO),
    )


def refundable_units(order: Order, line: LineItem) -> int:
    return max(0, line.quantity - _refunded(order, line.id)[0])


def line_quote(order: Order, line: LineItem, quantity: int, restock_type: str) -> LineQuote:
    done, done_subtotal, done_tax = _refunded(order, line.id)
    refundable = max(0, line.quantity - done)
    if quantity >= refundable:
        subtotal, tax = line.net_total - done_subtotal, line.total_tax - done_tax
    else:
        subtotal = cents(line.net_total * quantity / line.quantity)
        tax = cents(line.total_tax * quantity / line.quantity)
    return LineQuote(line, quantity, restock_type, subtotal, tax, refundable)


def shipping_refundable(order: Order) -> Decimal:
    return max(ZERO, order.total_shipping - sum((r.shipping for r in order.refunds), ZERO))


def money_refundable(order: Order) -> Decimal:
    return max(ZERO, order.total_paid - order.total_refunded)


# --- Order.suggestedRefund ---------------------------------------------------------------------


def suggested_refund(order: Order, args: Mapping[str, Any]) -> Quote:
    lines_by_id = {line.id: line for line in order.line_items}
    quotes: list[LineQuote] = []
    wanted: list[tuple[int | None, object, str]]
    if args.get("suggestFullRefund"):
        wanted = [(line.id, line.quantity, "NO_RESTOCK") for line in order.line_items]
    else:
        wanted = [
            (
                numeric_id(item.get("lineItemId"), "LineItem"),
                item.get("quantity"),
                enum_text(item.get("restockType")) or "NO_RESTOCK",
            )
            for item in args.get("refundLineItems") or []
            if isinstance(item, Mapping)
        ]
    for line_id, quantity, restock in wanted:
        line = lines_by_id.get(line_id or 0)
        if line is None or not isinstance(quantity, int) or isinstance(quantity, bool):
            continue
        quotes.append(line_quote(order, line, max(0, min(quantity, refundable_units(order, line))), restock))
    quotes = [q for q in quotes if q.quantity > 0]
    most_shipping = shipping_refundable(order)
    if args.get("refundShipping") or args.get("suggestFullRefund"):
        shipping = most_shipping
    else:
        shipping = min(most_shipping, max(ZERO, _decimal(args.get("shippingAmount")) or ZERO))
    return Quote(
        lines=tuple(quotes),
        subtotal=sum((q.subtotal for q in quotes), ZERO),
        tax=sum((q.tax for q in quotes), ZERO),
        shipping=shipping,
        shipping_refundable=most_shipping,
        money_refundable=money_refundable(order),
    )


# --- refundCreate ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Created:
    refund: Refund | None
    order: Order | None
    user_errors: UserErrors
    events: Events


def create_refund(store: DevStore, shop: Shop, refund_input: object) -> Created:
    """Validate and apply one ``refundCreate``; blocking. Nothing is written when anything is refused."""
    if not isinstance(refund_input, Mapping):
        return Created(None, None, [_error(["input"], "Input is required")], [])
    order_id = numeric_id(refund_input.get("orderId"), "Order")
    with WRITES:
        order = None if order_id is None else store.get_order(shop.domain, order_id)
        if order is None:
            return Created(None, None, [_error(["input", "orderId"], "Order does not exist")], [])
        errors: UserErrors = []
        lines = _lines(order, refund_input.get("refundLineItems"), errors)
        shipping = _shipping(order, refund_input.get("shipping"), errors)
        amount = _transactions(order, refund_input.get("transactions"), errors)
        currency = refund_input.get("currency")
        if currency is not None and currency != order.currency:
            errors.append(_error(["input", "currency"], f"Currency must be {order.currency}"))
        if not errors and not lines and shipping == 0 and amount == 0:
            errors.append(_error(["input"], "A refund needs line items, shipping or transactions"))
        if errors:
            return Created(None, order, errors, [])
        note = refund_input.get("note")
        refund = _write(store, shop, order, lines, shipping, amount, note if isinstance(note, str) else "")
    after = store.get_order(shop.domain, order.id)
    assert after is not None
    customer = None if after.customer_id is None else store.get_customer(shop.domain, after.customer_id)
    events: Events = [
        ("refunds/create", payloads.refund_payload(after, refund)),
        ("orders/updated", payloads.order_payload(after, customer)),
    ]
    return Created(refund, after, [], events)


def _error(field: list[str], message: str) -> dict[str, Any]:
    return {"field": field, "message": message, "code": None}


def _lines(order: Order, value: object, errors: UserErrors) -> list[LineQuote]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(_error(["input", "refundLineItems"], "Refund line items must be a list"))
        return []
    by_id = {line.id: line for line in order.line_items}
    shipped: dict[int, int] = {}
    for f in order.fulfillments:
        for fl in f.lines:
            shipped[fl.line_item_id] = shipped.get(fl.line_item_id, 0) + fl.quantity
    quotes: list[LineQuote] = []
    seen: set[int] = set()
    for index, item in enumerate(value):
        where = ["input", "refundLineItems", str(index)]
        item = item if isinstance(item, Mapping) else {}
        line = by_id.get(numeric_id(item.get("lineItemId"), "LineItem") or 0)
        quantity = item.get("quantity")
        restock = enum_text(item.get("restockType")) or "NO_RESTOCK"
        if line is None:
            errors.append(_error([*where, "lineItemId"], "Line item does not exist on this order"))
            continue
        if line.id in seen:
            errors.append(_error([*where, "lineItemId"], "Line item is refunded more than once"))
            continue
        seen.add(line.id)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors.append(_error([*where, "quantity"], "Quantity must be greater than 0"))
            continue
        if restock not in RESTOCK_TYPES:
            errors.append(
                _error([*where, "restockType"], f"Restock type {restock or 'blank'} is not supported")
            )
            continue
        quote = line_quote(order, line, quantity, restock)
        if quantity > quote.refundable:
            errors.append(
                _error([*where, "quantity"], "Quantity cannot refund more items than were purchased")
            )
            continue
        restocked = _restocked(order, line.id)
        if restock == "RETURN" and quantity > shipped.get(line.id, 0) - restocked["RETURN"]:
            errors.append(_error([*where, "restockType"], "Cannot return more items than were fulfilled"))
            continue
        unshipped = line.quantity - shipped.get(line.id, 0) - restocked["CANCEL"]
        if restock == "CANCEL" and quantity > unshipped:
            errors.append(_error([*where, "restockType"], "Cannot cancel items that were fulfilled"))
            continue
        quotes.append(quote)
    return quotes


def _restocked(order: Order, line_item_id: int) -> dict[str, int]:
    counts = {"RETURN": 0, "CANCEL": 0, "NO_RESTOCK": 0}
    for refund in order.refunds:
        for rl in refund.lines:
            if rl.line_item_id == line_item_id:
                counts[rl.restock_type.upper()] = counts.get(rl.restock_type.upper(), 0) + rl.quantity
    return counts


def _shipping(order: Order, value: object, errors: UserErrors) -> Decimal:
    if value is None:
        return ZERO
    if not isinstance(value, Mapping):
        errors.append(_error(["input", "shipping"], "Shipping must be an object"))
        return ZERO
    most = shipping_refundable(order)
    if value.get("fullRefund"):
        return most
    amount = _decimal(value.get("amount"))
    if amount is None or amount < 0:
        errors.append(_error(["input", "shipping", "amount"], "Shipping amount must be a positive amount"))
        return ZERO
    if amount > most:
        errors.append(
            _error(
                ["input", "shipping", "amount"],
                f"Shipping refund amount {amount:.2f} exceeds the refundable {most:.2f}",
            )
        )
        return ZERO
    return cents(amount)


def _transactions(order: Order, value: object, errors: UserErrors) -> Decimal:
    if value is None:
        return ZERO
    if not isinstance(value, list):
        errors.append(_error(["input", "transactions"], "Transactions must be a list"))
        return ZERO
    total = ZERO
    for index, item in enumerate(value):
        where = ["input", "transactions", str(index)]
        item = item if isinstance(item, Mapping) else {}
        amount = _decimal(item.get("amount"))
        if enum_text(item.get("kind")) != "REFUND":
            errors.append(_error([*where, "kind"], "Transaction kind must be REFUND"))
        elif numeric_id(item.get("parentId"), "OrderTransaction") != sale_transaction_id(order):
            errors.append(_error([*where, "parentId"], "Parent transaction does not exist on this order"))
        elif item.get("orderId") is not None and numeric_id(item.get("orderId"), "Order") != order.id:
            errors.append(_error([*where, "orderId"], "Transaction belongs to another order"))
        elif amount is None or amount <= 0:
            errors.append(_error([*where, "amount"], "Amount must be greater than 0"))
        else:
            total += cents(amount)
    most = money_refundable(order)
    if total > most:
        errors.append(
            _error(["input", "transactions"], f"Refund amount {total:.2f} exceeds the refundable {most:.2f}")
        )
    return total


def _write(
    store: DevStore,
    shop: Shop,
    order: Order,
    lines: Sequence[LineQuote],
    shipping: Decimal,
    amount: Decimal,
    note: str,
) -> Refund:
    stamp = now_stamp(order.updated_at)
    refunded = order.total_refunded + amount
    status = order.financial_status
    if amount > 0:
        status = (
            FinancialStatus.REFUNDED if refunded >= order.total_paid else FinancialStatus.PARTIALLY_REFUNDED
        )
    with store.connect() as conn, conn:
        refund_id = next_id(conn, "refunds")
        conn.execute(
            "INSERT INTO refunds (shop_id, id, order_id, created_at, note, shipping, amount)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (shop.id, refund_id, order.id, stamp, note, str(shipping), str(amount)),
        )
        conn.executemany(
            "INSERT INTO refund_lines (shop_id, refund_id, line_item_id, quantity, subtotal, total_tax,"
            " restock_type) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    shop.id,
                    refund_id,
                    q.line.id,
                    q.quantity,
                    str(q.subtotal),
                    str(q.tax),
                    q.restock_type.lower(),
                )
                for q in lines
            ],
        )
        conn.execute(
            "UPDATE orders SET total_refunded = ?, financial_status = ?, updated_at = ?"
            " WHERE shop_id = ? AND id = ?",
            (str(refunded), status.value, stamp, shop.id, order.id),
        )
    return Refund(
        id=refund_id,
        created_at=datetime.fromisoformat(stamp),
        note=note,
        shipping=shipping,
        amount=amount,
        lines=tuple(
            RefundLine(q.line.id, q.quantity, q.subtotal, q.tax, q.restock_type.lower()) for q in lines
        ),
    )


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
