"""The devstore's data in BigCommerce's shapes (fact sheet §2.3-2.5): v2 orders and their
sub-resources, v3 customers.

v2 money is a decimal string with four places (``"361.9500"``) and v2 times are RFC 2822
(``Wed, 05 Dec 2018 20:16:55 +0000``); v3 times are ISO 8601 with ``Z``. Links point at the real
API host: the app's platform URL mapping sends them to the devstore. What the seed does not
hold (addresses, the payment gateway) is derived from the order, the same on every run; an
order has one shipping address, whose id is ``order.id * 10 + 1`` (so that it is never taken for
the order's id in a refund's ``SHIPPING`` item).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

from devstore.models import (
    Customer,
    FinancialStatus,
    Fulfillment,
    FulfillmentStatus,
    LineItem,
    Order,
)

API_BASE = "https://api.bigcommerce.com/stores"

STATUSES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
PAYMENT_STATUSES = {
    FinancialStatus.PENDING: "pending",
    FinancialStatus.PAID: "captured",
    FinancialStatus.PARTIALLY_REFUNDED: "partially refunded",
    FinancialStatus.REFUNDED: "refunded",
}
COUNTRIES = {
    "US": ("United States", "Texas", "San Antonio", "78251", "Sussex St"),
    "GB": ("United Kingdom", "Greater London", "London", "SE1 7PB", "Borough High St"),
    "CA": ("Canada", "Ontario", "Ottawa", "K1P 1J1", "Bank St"),
    "DE": ("Germany", "Berlin", "Berlin", "10115", "Invalidenstraße"),
    "AT": ("Austria", "Wien", "Wien", "1010", "Kärntner Straße"),
    "FR": ("France", "Île-de-France", "Paris", "75011", "Rue Oberkampf"),
    "ES": ("Spain", "Madrid", "Madrid", "28004", "Calle de Fuencarral"),
}


def money(amount: Decimal) -> str:
    return f"{amount:.4f}"


def rfc2822(moment: datetime | None) -> str:
    return "" if moment is None else format_datetime(moment.astimezone(UTC))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def derived_status_id(order: Order) -> int:
    """The status BigCommerce would show for the order's state (unless one was set with a PUT)."""
    if order.cancelled_at is not None:
        return 5
    if order.financial_status is FinancialStatus.REFUNDED:
        return 4
    if order.financial_status is FinancialStatus.PARTIALLY_REFUNDED:
        return 14
    if order.financial_status is FinancialStatus.PENDING:
        return 7
    if order.fulfillment_status is FulfillmentStatus.FULFILLED:
        delivered = all(f.delivered_at is not None for f in order.fulfillments)
        return 10 if delivered else 2
    if order.fulfillment_status is FulfillmentStatus.PARTIAL:
        return 3
    return 11


def gateway_of(order: Order) -> tuple[str, str, str]:
    """(provider id, provider description, payment method) of the order's payment."""
    if order.id % 5 == 0:
        return "checkout_paypalexpress", "PayPal Express", "PayPal"
    return "braintree", "Braintree", "Credit Card"


def shipping_address_id(order: Order) -> int:
    return order.id * 10 + 1


def _link(store_hash: str, resource: str) -> dict[str, str]:
    return {"url": f"{API_BASE}/{store_hash}/v2{resource}", "resource": resource}


def _names(order: Order, customer: Customer | None) -> tuple[str, str]:
    if customer is not None:
        return customer.first_name, customer.last_name
    # A guest's email is "first.last.number@...": the seed's only record of the name.
    parts = order.email.split("@")[0].split(".")
    return (parts[0].capitalize(), parts[1].capitalize() if len(parts) > 1 else "")


def address(order: Order, customer: Customer | None) -> dict[str, Any]:
    country, state, city, zip_code, street = COUNTRIES.get(order.country, COUNTRIES["US"])
    first, last = _names(order, customer)
    return {
        "first_name": first,
        "last_name": last,
        "company": "",
        "street_1": f"{order.id % 900 + 10} {street}",
        "street_2": "",
        "city": city,
        "state": state,
        "zip": zip_code,
        "country": country,
        "country_iso2": order.country,
        "phone": order.phone or "",
        "email": order.email,
    }


def _units_shipped(order: Order) -> dict[int, int]:
    shipped: dict[int, int] = {}
    for fulfillment in order.fulfillments:
        for line in fulfillment.lines:
            shipped[line.line_item_id] = shipped.get(line.line_item_id, 0) + line.quantity
    return shipped


def refunded_units(order: Order) -> dict[int, tuple[int, Decimal]]:
    """Per line item: units refunded and the money refunded for them (subtotal plus tax)."""
    refunded: dict[int, tuple[int, Decimal]] = {}
    for refund in order.refunds:
        for line in refund.lines:
            units, amount = refunded.get(line.line_item_id, (0, Decimal("0.00")))
            refunded[line.line_item_id] = (units + line.quantity, amount + line.subtotal + line.total_tax)
    return refunded


def order_json(store_hash: str, order: Order, customer: Customer | None, status_id: int) -> dict[str, Any]:
    """``GET /v2/orders/{id}``."""
    provider_id, _, payment_method = gateway_of(order)
    gross = order.subtotal + order.total_discounts
    date_shipped = min((f.created_at for f in order.fulfillments), default=None)
    return {
        "id": order.id,
        "customer_id": order.customer_id or 0,
        "date_created": rfc2822(order.created_at),
        "date_modified": rfc2822(order.updated_at),
        "date_shipped": rfc2822(date_shipped),
        "status_id": status_id,
        "status": STATUSES[status_id],
        "custom_status": STATUSES[status_id],
        "subtotal_ex_tax": money(gross),
        "subtotal_inc_tax": money(gross + order.total_tax),
        "subtotal_tax": money(order.total_tax),
        "base_shipping_cost": money(order.total_shipping),
        "shipping_cost_ex_tax": money(order.total_shipping),
        "shipping_cost_inc_tax": money(order.total_shipping),
        "shipping_cost_tax": money(Decimal(0)),
        "base_handling_cost": money(Decimal(0)),
        "handling_cost_ex_tax": money(Decimal(0)),
        "handling_cost_inc_tax": money(Decimal(0)),
        "total_ex_tax": money(order.total_price - order.total_tax),
        "total_inc_tax": money(order.total_price),
        "total_tax": money(order.total_tax),
        "items_total": sum(li.quantity for li in order.line_items),
        "items_shipped": sum(_units_shipped(order).values()),
        "payment_method": payment_method,
        "payment_provider_id": f"{provider_id}-{order.id}",
        "payment_status": PAYMENT_STATUSES[order.financial_status],
        "refunded_amount": money(order.total_refunded),
        "discount_amount": money(order.total_discounts),
        "coupon_discount": money(Decimal(0)),
        "currency_code": order.currency,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_code": order.currency,
        "billing_address": {**address(order, customer), "form_fields": []},
        "is_email_opt_in": bool(customer and customer.accepts_marketing),
        "customer_locale": order.locale,
        "customer_message": "",
        "staff_notes": "",
        "order_source": "www",
        "channel_id": 1,
        "external_source": None,
        "external_id": None,
        "cart_id": f"cart-{order.id}",
        "is_deleted": False,
        "products": _link(store_hash, f"/orders/{order.id}/products"),
        "shipping_addresses": _link(store_hash, f"/orders/{order.id}/shipping_addresses"),
        "coupons": _link(store_hash, f"/orders/{order.id}/coupons"),
    }


def _product_options(line: LineItem) -> list[dict[str, Any]]:
    if not line.variant_title or line.variant_title == "Default Title":
        return []
    return [
        {"display_name": f"Option {n}", "display_value": value.strip()}
        for n, value in enumerate(line.variant_title.split("/"), start=1)
    ]


def product_json(order: Order, line: LineItem) -> dict[str, Any]:
    """One of ``GET /v2/orders/{id}/products``: ``id`` is the refund ``item_id`` of a PRODUCT."""
    shipped = _units_shipped(order).get(line.id, 0)
    units_refunded, amount_refunded = refunded_units(order).get(line.id, (0, Decimal("0.00")))
    unit_tax = line.total_tax / line.quantity
    gross = line.price * line.quantity
    return {
        "id": line.id,
        "order_id": order.id,
        "product_id": line.product_id,
        "variant_id": line.variant_id,
        "order_address_id": shipping_address_id(order),
        "name": line.title,
        "name_customer": line.title,
        "name_merchant": line.title,
        "sku": line.sku,
        "type": "physical",
        "base_price": money(line.price),
        "price_ex_tax": money(line.price),
        "price_inc_tax": money(line.price + unit_tax),
        "price_tax": money(unit_tax),
        "base_total": money(gross),
        "total_ex_tax": money(gross),
        "total_inc_tax": money(gross + line.total_tax),
        "total_tax": money(line.total_tax),
        "quantity": line.quantity,
        "quantity_shipped": shipped,
        "quantity_refunded": units_refunded,
        "refund_amount": money(amount_refunded),
        "is_refunded": units_refunded >= line.quantity,
        "return_id": 0,
        "is_bundled_product": False,
        "product_options": _product_options(line),
        "applied_discounts": (
            [
                {
                    "id": "total-discount",
                    "amount": money(line.total_discount),
                    "name": "Discount",
                    "code": None,
                    "target": "order",
                }
            ]
            if line.total_discount
            else []
        ),
    }


def shipping_address_json(store_hash: str, order: Order, customer: Customer | None) -> dict[str, Any]:
    """The one of ``GET /v2/orders/{id}/shipping_addresses``: ``id`` is the SHIPPING refund ``item_id``."""
    address_id = shipping_address_id(order)
    return {
        "id": address_id,
        "order_id": order.id,
        **address(order, customer),
        "items_total": sum(li.quantity for li in order.line_items),
        "items_shipped": sum(_units_shipped(order).values()),
        "shipping_method": "Flat Rate" if order.total_shipping else "Free Shipping",
        "base_cost": money(order.total_shipping),
        "cost_ex_tax": money(order.total_shipping),
        "cost_inc_tax": money(order.total_shipping),
        "cost_tax": money(Decimal(0)),
        "cost_tax_class_id": 2,
        "base_handling_cost": money(Decimal(0)),
        "handling_cost_ex_tax": money(Decimal(0)),
        "handling_cost_inc_tax": money(Decimal(0)),
        "handling_cost_tax": money(Decimal(0)),
        "shipping_zone_id": 1,
        "shipping_zone_name": COUNTRIES.get(order.country, COUNTRIES["US"])[0],
        "shipping_quotes": _link(
            store_hash, f"/orders/{order.id}/shipping_addresses/{address_id}/shipping_quotes"
        ),
        "form_fields": [],
    }


def shipment_json(order: Order, fulfillment: Fulfillment, customer: Customer | None) -> dict[str, Any]:
    """One of ``GET /v2/orders/{id}/shipments``: a parcel with its tracking."""
    product_ids = {li.id: li.product_id for li in order.line_items}
    carrier = fulfillment.tracking_company
    return {
        "id": fulfillment.id,
        "order_id": order.id,
        "customer_id": order.customer_id or 0,
        "order_address_id": shipping_address_id(order),
        "date_created": rfc2822(fulfillment.created_at),
        "tracking_number": fulfillment.tracking_number,
        "merchant_shipping_cost": money(Decimal(0)),
        "shipping_method": "Flat Rate" if order.total_shipping else "Free Shipping",
        "shipping_provider": "",
        "shipping_provider_display_name": carrier,
        "tracking_carrier": carrier.lower().replace(" ", "-"),
        "tracking_link": fulfillment.tracking_url,
        "generated_tracking_link": fulfillment.tracking_url,
        "comments": "",
        "billing_address": address(order, customer),
        "shipping_address": address(order, customer),
        "items": [
            {
                "order_product_id": line.line_item_id,
                "product_id": product_ids.get(line.line_item_id, 0),
                "quantity": line.quantity,
            }
            for line in fulfillment.lines
        ],
    }


def customer_json(customer: Customer) -> dict[str, Any]:
    """One of ``GET /v3/customers``'s ``data``."""
    return {
        "id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": "",
        "phone": customer.phone or "",
        "notes": "",
        "customer_group_id": 0,
        "date_created": iso(customer.created_at),
        "date_modified": iso(customer.updated_at),
        "registration_ip_address": "",
        "tax_exempt_category": "",
        "authentication": {"force_password_reset": False},
        "address_count": 0,
        "attribute_count": 0,
        "accepts_product_review_abandoned_cart_emails": customer.accepts_marketing,
        "channel_ids": [1],
        "origin_channel_id": 1,
    }
