"""Devstore models as GraphQL field sources (see ``render.py``), in Shopify's 2026-10 spelling.

Ids are GIDs, times ISO 8601 UTC with ``Z``, money a ``MoneyBag`` whose ``shopMoney`` and
``presentmentMoney`` are the same (the devstore has one currency per order), enums upper case,
``UnsignedInt64`` counts as strings. Line item quantities are derived from the order's
fulfillments and refunds the way Shopify reports them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from devstore.models import Customer, Fulfillment, FulfillmentStatus, LineItem, Order, Refund
from devstore.shopify.graphql import refunding
from devstore.shopify.graphql.parser import Field
from devstore.shopify.graphql.return_store import PRIMARY_LOCATION_ID, Return, fulfillment_line_item_id
from devstore.shopify.payloads import gid

FULFILLMENT_STATUSES = {
    FulfillmentStatus.UNFULFILLED: "UNFULFILLED",
    FulfillmentStatus.PARTIAL: "PARTIALLY_FULFILLED",
    FulfillmentStatus.FULFILLED: "FULFILLED",
}


def time_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    value = {"amount": f"{amount:.2f}", "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": value}


def _line_item(line: LineItem, currency: str, fulfilled: int, refunded: int) -> dict[str, Any]:
    unfulfilled = max(0, line.quantity - fulfilled - refunded)
    return {
        "id": gid("LineItem", line.id),
        "title": line.title,
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "variantTitle": line.variant_title or None,
        "sku": line.sku,
        "quantity": line.quantity,
        "currentQuantity": max(0, line.quantity - refunded),
        "refundableQuantity": max(0, line.quantity - refunded),
        "unfulfilledQuantity": unfulfilled,
        "nonFulfillableQuantity": max(0, line.quantity - fulfilled - unfulfilled),
        "originalUnitPriceSet": money(line.price, currency),
        "totalDiscountSet": money(line.total_discount, currency),
        "product": {
            "id": gid("Product", line.product_id),
            "title": line.title,
            "tags": list(line.product_tags),
        },
        "variant": {
            "id": gid("ProductVariant", line.variant_id),
            "title": line.variant_title,
            "sku": line.sku,
        },
    }


def location_source() -> dict[str, Any]:
    return {"id": gid("Location", PRIMARY_LOCATION_ID), "name": "Shop location"}


def _fulfillment(f: Fulfillment, index: int, lines: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": gid("Fulfillment", f.id),
        "name": f"F{index}",
        "status": f.status.upper(),
        "displayStatus": f.shipment_status.upper(),
        "createdAt": time_text(f.created_at),
        "updatedAt": time_text(f.delivered_at or f.created_at),
        "inTransitAt": time_text(f.created_at),
        "deliveredAt": time_text(f.delivered_at),
        "estimatedDeliveryAt": None,
        "trackingInfo": [{"company": f.tracking_company, "number": f.tracking_number, "url": f.tracking_url}],
        "location": location_source(),
        "fulfillmentLineItems": [
            {
                "id": gid("FulfillmentLineItem", fulfillment_line_item_id(f.id, n)),
                "quantity": line.quantity,
                "lineItem": lines.get(line.line_item_id) or {"id": gid("LineItem", line.line_item_id)},
            }
            for n, line in enumerate(f.lines, start=1)
        ],
    }


def refund_source(order: Order, r: Refund) -> dict[str, Any]:
    currency = order.currency
    return {
        "id": gid("Refund", r.id),
        "createdAt": time_text(r.created_at),
        "note": r.note or None,
        "totalRefundedSet": money(r.amount, currency),
        "transactions": [
            {
                **_transaction(order, r.id * 10, "REFUND", r.amount),
                "parentTransaction": _transaction(
                    order, refunding.sale_transaction_id(order), "SALE", order.total_paid
                ),
            }
        ]
        if r.amount > 0
        else [],
        "refundLineItems": [
            {
                "id": gid("RefundLineItem", r.id * 100 + n),
                "quantity": line.quantity,
                "restockType": line.restock_type.upper(),
                "restocked": line.restock_type != "no_restock",
                "lineItem": {"id": gid("LineItem", line.line_item_id)},
                "subtotalSet": money(line.subtotal, currency),
                "totalTaxSet": money(line.total_tax, currency),
            }
            for n, line in enumerate(r.lines, start=1)
        ],
    }


def _transaction(order: Order, transaction_id: int, kind: str, amount: Decimal) -> dict[str, Any]:
    return {
        "id": gid("OrderTransaction", transaction_id),
        "kind": kind,
        "status": "SUCCESS",
        "gateway": refunding.GATEWAY,
        "amountSet": money(amount, order.currency),
    }


def _suggested_refund(order: Order, lines: Mapping[int, dict[str, Any]], f: Field) -> dict[str, Any]:
    quote = refunding.suggested_refund(order, f.args)
    currency = order.currency
    to_refund = min(quote.amount, quote.money_refundable)
    sale = _transaction(order, refunding.sale_transaction_id(order), "SALE", order.total_paid)
    return {
        "amountSet": money(to_refund, currency),
        "subtotalSet": money(quote.subtotal, currency),
        "totalTaxSet": money(quote.tax, currency),
        "shipping": {
            "amountSet": money(quote.shipping, currency),
            "maximumRefundableSet": money(quote.shipping_refundable, currency),
        },
        "refundLineItems": [
            {
                "lineItem": lines[q.line.id],
                "quantity": q.quantity,
                "restockType": q.restock_type,
                "restocked": q.restock_type != "NO_RESTOCK",
                "subtotalSet": money(q.subtotal, currency),
                "totalTaxSet": money(q.tax, currency),
            }
            for q in quote.lines
        ],
        "suggestedTransactions": [
            {
                "parentTransaction": sale,
                "gateway": refunding.GATEWAY,
                "kind": "SUGGESTED_REFUND",
                "amountSet": money(to_refund, currency),
                "maximumRefundableSet": money(quote.money_refundable, currency),
            }
        ]
        if to_refund > 0
        else [],
    }


def return_source(ret: Return, order: dict[str, Any]) -> dict[str, Any]:
    """``order``: the return's order source (its fulfillment line items are the return's)."""
    shipped = {
        item["id"]: item
        for fulfillment in order["fulfillments"]
        for item in fulfillment["fulfillmentLineItems"]
    }

    def shipped_line(fli_id: int) -> dict[str, Any] | None:
        return shipped.get(gid("FulfillmentLineItem", fli_id))

    # Shopify opens the reverse fulfillment order when the return is approved (or created OPEN).
    reverse = []
    if ret.status in {"OPEN", "CLOSED"}:
        reverse.append(
            {
                "id": gid("ReverseFulfillmentOrder", ret.id),
                "status": ret.status,
                "lineItems": [
                    {
                        "id": gid("ReverseFulfillmentOrderLineItem", line.id),
                        "totalQuantity": line.quantity,
                        "fulfillmentLineItem": shipped_line(line.fulfillment_line_item_id),
                    }
                    for line in ret.lines
                ],
            }
        )
    return {
        "__type": "Return",
        "id": gid("Return", ret.id),
        "name": ret.name,
        "status": ret.status,
        "createdAt": time_text(ret.created_at),
        "totalQuantity": sum(line.quantity for line in ret.lines),
        "order": order,
        "decline": None
        if ret.decline_reason is None
        else {"reason": ret.decline_reason, "note": ret.decline_note},
        "returnLineItems": [
            {
                "id": gid("ReturnLineItem", line.id),
                "quantity": line.quantity,
                "processedQuantity": line.processed_quantity,
                "unprocessedQuantity": line.quantity - line.processed_quantity,
                "returnReason": line.return_reason,
                "returnReasonNote": "",
                "customerNote": line.customer_note or None,
                "fulfillmentLineItem": shipped_line(line.fulfillment_line_item_id),
            }
            for line in ret.lines
        ],
        "reverseFulfillmentOrders": reverse,
    }


def order_source(order: Order, note: str | None = None, returns: Sequence[Return] = ()) -> dict[str, Any]:
    currency = order.currency
    fulfilled: dict[int, int] = {}
    for f in order.fulfillments:
        for fl in f.lines:
            fulfilled[fl.line_item_id] = fulfilled.get(fl.line_item_id, 0) + fl.quantity
    refunded: dict[int, int] = {}
    for r in order.refunds:
        for rl in r.lines:
            refunded[rl.line_item_id] = refunded.get(rl.line_item_id, 0) + rl.quantity
    lines = {
        line.id: _line_item(line, currency, fulfilled.get(line.id, 0), refunded.get(line.id, 0))
        for line in order.line_items
    }
    source: dict[str, Any] = {
        "__type": "Order",
        "id": gid("Order", order.id),
        "legacyResourceId": str(order.id),
        "name": order.name,
        "email": order.email,
        "phone": order.phone,
        "note": note,
        "createdAt": time_text(order.created_at),
        "processedAt": time_text(order.created_at),
        "updatedAt": time_text(order.updated_at),
        "cancelledAt": time_text(order.cancelled_at),
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "closedAt": time_text(order.closed_at),
        "closed": order.closed_at is not None,
        "displayFinancialStatus": order.financial_status.value.upper(),
        "displayFulfillmentStatus": FULFILLMENT_STATUSES[order.fulfillment_status],
        "test": order.test,
        "currencyCode": currency,
        "presentmentCurrencyCode": currency,
        "customerLocale": order.locale,
        "tags": list(order.tags),
        "customer": None if order.customer_id is None else {"id": gid("Customer", order.customer_id)},
        "subtotalPriceSet": money(order.subtotal, currency),
        "totalTaxSet": money(order.total_tax, currency),
        "totalShippingPriceSet": money(order.total_shipping, currency),
        "totalDiscountsSet": money(order.total_discounts, currency),
        "totalPriceSet": money(order.total_price, currency),
        "totalRefundedSet": money(order.total_refunded, currency),
        "currentTotalPriceSet": money(order.total_price - order.total_refunded, currency),
        "lineItems": list(lines.values()),
        "fulfillments": [_fulfillment(f, n, lines) for n, f in enumerate(order.fulfillments, start=1)],
        "refunds": [refund_source(order, r) for r in order.refunds],
        "suggestedRefund": lambda f: _suggested_refund(order, lines, f),
    }
    source["returns"] = [return_source(ret, source) for ret in returns]
    return source


def customer_source(customer: Customer, orders: int, spent: Decimal, currency: str) -> dict[str, Any]:
    """``orders``/``spent``: the customer's order count and total, which Shopify keeps on the customer."""
    return {
        "__type": "Customer",
        "id": gid("Customer", customer.id),
        "legacyResourceId": str(customer.id),
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "displayName": f"{customer.first_name} {customer.last_name}".strip(),
        "email": customer.email,
        "phone": customer.phone,
        "locale": customer.locale,
        "state": "ENABLED",
        "verifiedEmail": True,
        "tags": list(customer.tags),
        "numberOfOrders": str(orders),
        "createdAt": time_text(customer.created_at),
        "updatedAt": time_text(customer.updated_at),
        "defaultEmailAddress": {
            "emailAddress": customer.email,
            "marketingState": "SUBSCRIBED" if customer.accepts_marketing else "NOT_SUBSCRIBED",
        },
        "defaultPhoneNumber": None if customer.phone is None else {"phoneNumber": customer.phone},
        "amountSpent": {"amount": f"{spent:.2f}", "currencyCode": currency},
    }
