"""The devstore's data in Shopify's REST shapes: what webhooks carry (fact sheet §3.1, §9.4).

Snake_case, numeric ids next to their ``admin_graphql_api_id``, money as decimal strings, times as
ISO 8601 with an offset, ``fulfillment_status`` null while unfulfilled (as Shopify writes it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from devstore.models import Customer, Fulfillment, FulfillmentStatus, LineItem, Order, Refund, Shop
from devstore.shopify.staff import owner_of

if TYPE_CHECKING:
    from devstore.shopify.graphql.return_store import Return


def gid(kind: str, numeric_id: int) -> str:
    return f"gid://shopify/{kind}/{numeric_id}"


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def shop_payload(shop: Shop) -> dict[str, Any]:
    """The REST Shop object (``app/uninstalled``, ``shop/update``, ``GET /admin/api/…/shop.json``)."""
    owner = owner_of(shop)
    return {
        "id": shop.id,
        "admin_graphql_api_id": gid("Shop", shop.id),
        "name": shop.name,
        "email": shop.email,
        "customer_email": shop.email,
        "shop_owner": f"{owner.first_name} {owner.last_name}",
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "plan_name": shop.plan,
        "plan_display_name": shop.plan.capitalize(),
        "currency": shop.currency,
        "enabled_presentment_currencies": [shop.currency],
        "money_format": "${{amount}}",
        "money_with_currency_format": f"${{{{amount}}}} {shop.currency}",
        "primary_locale": "en",
        "country_code": "US",
        "country_name": "United States",
        "timezone": "(GMT+00:00) UTC",
        "iana_timezone": "UTC",
        "taxes_included": False,
        "has_storefront": True,
        "password_enabled": False,
        "setup_required": False,
        "created_at": _time(shop.created_at),
        "updated_at": _time(shop.created_at),
    }


def customer_payload(customer: Customer) -> dict[str, Any]:
    """The REST Customer (``customers/*``)."""
    return {
        "id": customer.id,
        "admin_graphql_api_id": gid("Customer", customer.id),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "state": "enabled",
        "verified_email": True,
        "tags": ", ".join(customer.tags),
        "currency": customer.currency,
        "locale": customer.locale,
        "created_at": _time(customer.created_at),
        "updated_at": _time(customer.updated_at),
        "email_marketing_consent": {
            "state": "subscribed" if customer.accepts_marketing else "not_subscribed",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": _time(customer.updated_at) if customer.accepts_marketing else None,
        },
        "default_address": {"country_code": customer.country},
    }


def _customer_summary(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "id": customer.id,
        "admin_graphql_api_id": gid("Customer", customer.id),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "state": "enabled",
        "currency": customer.currency,
        "created_at": _time(customer.created_at),
        "updated_at": _time(customer.updated_at),
    }


def _line_item(line: LineItem, fulfilled: int) -> dict[str, Any]:
    return {
        "id": line.id,
        "admin_graphql_api_id": gid("LineItem", line.id),
        "product_id": line.product_id,
        "variant_id": line.variant_id,
        "title": line.title,
        "variant_title": line.variant_title or None,
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "sku": line.sku,
        "quantity": line.quantity,
        "current_quantity": line.quantity,
        "fulfillable_quantity": max(0, line.quantity - fulfilled),
        "fulfillment_status": "fulfilled"
        if fulfilled >= line.quantity
        else ("partial" if fulfilled else None),
        "price": _money(line.price),
        "total_discount": _money(line.total_discount),
        "tax_lines": [{"title": "Tax", "price": _money(line.total_tax)}] if line.total_tax else [],
        "requires_shipping": "gift-card" not in line.product_tags,
        "gift_card": "gift-card" in line.product_tags,
        "taxable": True,
    }


def fulfillment_payload(order: Order, fulfillment: Fulfillment) -> dict[str, Any]:
    """The REST Fulfillment (``fulfillments/*``)."""
    return _fulfillment(order, fulfillment, {line.id: line for line in order.line_items})


def _fulfillment(order: Order, fulfillment: Fulfillment, lines: dict[int, LineItem]) -> dict[str, Any]:
    shipped = [
        {**_line_item(lines[fl.line_item_id], fl.quantity), "quantity": fl.quantity}
        for fl in fulfillment.lines
        if fl.line_item_id in lines
    ]
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": gid("Fulfillment", fulfillment.id),
        "order_id": order.id,
        "status": fulfillment.status,
        "shipment_status": fulfillment.shipment_status,
        "tracking_company": fulfillment.tracking_company,
        "tracking_number": fulfillment.tracking_number,
        "tracking_numbers": [fulfillment.tracking_number],
        "tracking_url": fulfillment.tracking_url,
        "tracking_urls": [fulfillment.tracking_url],
        "created_at": _time(fulfillment.created_at),
        "updated_at": _time(fulfillment.delivered_at or fulfillment.created_at),
        "line_items": shipped,
    }


def refund_payload(order: Order, refund: Refund) -> dict[str, Any]:
    """The REST Refund (``refunds/create``). Line and transaction ids are derived from the refund's,
    since the devstore keeps none of their own."""
    return {
        "id": refund.id,
        "admin_graphql_api_id": gid("Refund", refund.id),
        "order_id": order.id,
        "created_at": _time(refund.created_at),
        "processed_at": _time(refund.created_at),
        "note": refund.note,
        "restock": any(line.restock_type != "no_restock" for line in refund.lines),
        "refund_line_items": [
            {
                "id": refund.id * 10 + index,
                "line_item_id": line.line_item_id,
                "quantity": line.quantity,
                "restock_type": line.restock_type,
                "subtotal": _money(line.subtotal),
                "total_tax": _money(line.total_tax),
            }
            for index, line in enumerate(refund.lines, start=1)
        ],
        "transactions": [
            {
                "id": refund.id * 10,
                "admin_graphql_api_id": gid("OrderTransaction", refund.id * 10),
                "order_id": order.id,
                "kind": "refund",
                "status": "success",
                "amount": _money(refund.amount),
                "currency": order.currency,
                "gateway": "shopify_payments",
                "parent_id": order.id * 10,
                "created_at": _time(refund.created_at),
            }
        ],
    }


def order_payload(order: Order, customer: Customer | None) -> dict[str, Any]:
    """The REST Order (``orders/*``), with its line items, fulfillments and refunds."""
    fulfilled: dict[int, int] = {}
    for fulfillment in order.fulfillments:
        for fl in fulfillment.lines:
            fulfilled[fl.line_item_id] = fulfilled.get(fl.line_item_id, 0) + fl.quantity
    lines = {line.id: line for line in order.line_items}
    line_total = sum((line.price * line.quantity for line in order.line_items), Decimal("0"))
    status = (
        None if order.fulfillment_status is FulfillmentStatus.UNFULFILLED else order.fulfillment_status.value
    )
    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "order_number": order.number,
        "number": order.number - 1000,
        "email": order.email,
        "contact_email": order.email,
        "phone": order.phone,
        "customer_locale": order.locale,
        "created_at": _time(order.created_at),
        "updated_at": _time(order.updated_at),
        "processed_at": _time(order.created_at),
        "cancelled_at": _time(order.cancelled_at),
        "cancel_reason": order.cancel_reason,
        "closed_at": _time(order.closed_at),
        "currency": order.currency,
        "presentment_currency": order.currency,
        "total_price": _money(order.total_price),
        "subtotal_price": _money(order.subtotal),
        "total_line_items_price": _money(line_total),
        "total_discounts": _money(order.total_discounts),
        "total_tax": _money(order.total_tax),
        "total_shipping_price_set": {
            "shop_money": {"amount": _money(order.total_shipping), "currency_code": order.currency},
            "presentment_money": {"amount": _money(order.total_shipping), "currency_code": order.currency},
        },
        "financial_status": order.financial_status.value,
        "fulfillment_status": status,
        "tags": ", ".join(order.tags),
        "test": order.test,
        "confirmed": True,
        "customer": _customer_summary(customer),
        "shipping_address": {"country_code": order.country},
        "billing_address": {"country_code": order.country},
        "line_items": [_line_item(line, fulfilled.get(line.id, 0)) for line in order.line_items],
        "fulfillments": [_fulfillment(order, f, lines) for f in order.fulfillments],
        "refunds": [refund_payload(order, refund) for refund in order.refunds],
    }


def customer_privacy_payload(
    shop: Shop, customer: Customer, order_ids: list[int], *, orders_key: str
) -> dict[str, Any]:
    """``customers/redact`` (``orders_to_redact``) and ``customers/data_request``
    (``orders_requested``)."""
    return {
        "shop_id": shop.id,
        "shop_domain": shop.domain,
        "customer": {"id": customer.id, "email": customer.email, "phone": customer.phone},
        orders_key: order_ids,
    }


def shop_redact_payload(shop: Shop) -> dict[str, Any]:
    return {"shop_id": shop.id, "shop_domain": shop.domain}


def return_payload(order: Order, ret: Return, topic: str) -> dict[str, Any]:
    """The returns/* body. As in the webhook reference's samples, request, approve, decline and
    process name the ``order``, cancel and close only its ``order_id``; unlike the samples (whose
    ``return_line_items`` come empty) the lines are listed, with ``total_return_line_items``."""
    body: dict[str, Any] = {
        "id": ret.id,
        "admin_graphql_api_id": gid("Return", ret.id),
        "status": ret.status.lower(),
        "name": ret.name,
        "total_return_line_items": len(ret.lines),
        "return_line_items": [
            {
                "id": line.id,
                "admin_graphql_api_id": gid("ReturnLineItem", line.id),
                "fulfillment_line_item": {
                    "id": line.fulfillment_line_item_id,
                    "admin_graphql_api_id": gid("FulfillmentLineItem", line.fulfillment_line_item_id),
                    "line_item_id": line.line_item_id,
                    "line_item": {
                        "id": line.line_item_id,
                        "admin_graphql_api_id": gid("LineItem", line.line_item_id),
                    },
                },
                "quantity": line.quantity,
                "processed_quantity": line.processed_quantity,
                "return_reason": line.return_reason.lower(),
                "return_reason_note": "",
                "customer_note": line.customer_note or None,
            }
            for line in ret.lines
        ],
        "return_shipping_fees": [],
        "exchange_line_items": [],
        "total_exchange_line_items": 0,
    }
    if topic in {"returns/cancel", "returns/close", "returns/reopen"}:
        body["order_id"] = order.id
    else:
        body["order"] = {"id": order.id, "admin_graphql_api_id": gid("Order", order.id)}
    if ret.decline_reason is not None:
        body["decline"] = {"reason": ret.decline_reason.lower(), "note": ret.decline_note}
    return body
