"""BigCommerce resources -> connector records (``connectors.base``).

An order is assembled from four reads: the v2 order, its v2 ``products`` (line items) and
``shipments`` (fulfillments with tracking), and its v3 refunds. Conventions:

- ids are the numeric ids as strings; a line item's id is the *order product* id, which is also
  the refund ``item_id`` for PRODUCT items (fact sheet 2.3), so refunds point at line items;
- the order number is the order id: BigCommerce shows no other number;
- money is Decimal: v2 sends decimal strings (``"361.9500"``), v3 JSON numbers;
- v2 dates are RFC 2822, v3 dates ISO 8601 (``dates.parse_moment`` reads both);
- returns: none. BigCommerce has no public Returns API (fact sheet 2.6), so returns live only in
  our records (``StoreConnector.keeps_returns`` is False).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.base import (
    CustomerRecord,
    FulfillmentLineRecord,
    FulfillmentRecord,
    LineItemRecord,
    OrderRecord,
    RefundLineRecord,
    RefundRecord,
)
from connectors.bigcommerce.dates import parse_moment
from connectors.bigcommerce.statuses import financial_status, fulfillment_status, is_cancelled
from connectors.errors import Permanent
from connectors.values import ZERO, decimal, integer, mapping, mappings, text, text_or_none

Resource = Mapping[str, Any]


def parse_order(
    order: Resource,
    products: Sequence[Resource],
    shipments: Sequence[Resource],
    refunds: Sequence[Resource],
    *,
    incomplete: Iterable[str] = (),
) -> OrderRecord:
    """``incomplete``: the child lists the caller could not read whole (or did not read)."""
    order_id = _required_id(order, "order")
    status_id = integer(order.get("status_id"), default=-1)
    created_at = parse_moment(order.get("date_created"))
    if created_at is None:
        raise Permanent(f"BigCommerce sent order {order_id} without a readable date_created")
    updated_at = parse_moment(order.get("date_modified"))
    billing = mapping(order.get("billing_address"))
    customer_id = integer(order.get("customer_id"))
    # [unverified] v2 totals are taken to be in ``currency_code`` (the order's transactional
    # currency); ``default_currency_code`` is only the fallback when it is missing.
    currency = text(order.get("currency_code")) or text(order.get("default_currency_code"))
    return OrderRecord(
        platform_id=order_id,
        number=order_id,
        email=text_or_none(billing.get("email")),
        customer_id=str(customer_id) if customer_id > 0 else None,  # 0 is a guest
        locale=text_or_none(order.get("customer_locale")),
        created_at=created_at,
        processed_at=created_at,
        updated_at=updated_at,
        # BigCommerce keeps no cancellation time; the last change of a cancelled order is the
        # closest it tells (a later edit of the cancelled order moves it).
        cancelled_at=updated_at if is_cancelled(status_id) else None,
        cancel_reason=None,
        closed_at=None,
        financial_status=financial_status(status_id),
        fulfillment_status=fulfillment_status(
            status_id, integer(order.get("items_total")), integer(order.get("items_shipped"))
        ),
        test=False,  # BigCommerce orders have no test flag
        currency=currency,
        subtotal=decimal(order.get("subtotal_ex_tax")),
        total_tax=decimal(order.get("total_tax")),
        total_shipping=decimal(order.get("shipping_cost_ex_tax")),
        total_discounts=decimal(order.get("discount_amount")) + decimal(order.get("coupon_discount")),
        total_price=decimal(order.get("total_inc_tax")),
        total_refunded=decimal(order.get("refunded_amount")),
        tags=(),  # BigCommerce orders have no tags
        line_items=tuple(parse_line_item(product) for product in products),
        fulfillments=tuple(parse_shipment(shipment) for shipment in shipments),
        refunds=refund_records(refunds, currency or None),
        returns=(),
        incomplete=frozenset(incomplete),
    )


def parse_line_item(product: Resource) -> LineItemRecord:
    """One entry of ``GET /v2/orders/{id}/products``."""
    quantity = integer(product.get("quantity"))
    refunded = min(quantity, integer(product.get("quantity_refunded")))
    shipped = min(quantity, integer(product.get("quantity_shipped")))
    return LineItemRecord(
        platform_id=_required_id(product, "order product"),
        title=text(product.get("name")),
        variant_title=" / ".join(
            value
            for option in mappings(product.get("product_options"))
            if (value := text(option.get("display_value")).strip())
        ),
        sku=text(product.get("sku")),
        product_id=_optional_id(product.get("product_id")),
        variant_id=_optional_id(product.get("variant_id")),
        product_tags=None,  # the catalog has no tags to read
        quantity=quantity,
        current_quantity=quantity - refunded,
        refundable_quantity=quantity - refunded,
        # Units refunded after shipping stay shipped; only units neither shipped nor refunded wait.
        unfulfilled_quantity=max(0, quantity - shipped - refunded),
        fulfilled_quantity=shipped,
        price=decimal(product.get("price_inc_tax")),
        total_discount=sum(
            (decimal(discount.get("amount")) for discount in mappings(product.get("applied_discounts"))),
            ZERO,
        ),
    )


def parse_shipment(shipment: Resource) -> FulfillmentRecord:
    """One entry of ``GET /v2/orders/{id}/shipments``. The fact sheet names the sub-resource only;
    the fields read here (``tracking_number``, ``tracking_carrier``, ``shipping_provider``,
    ``tracking_link``/``generated_tracking_link``, ``date_created``, ``items[{order_product_id,
    quantity}]``) follow the Orders v2 reference [unverified against the fact sheet]."""
    created_at = parse_moment(shipment.get("date_created"))
    return FulfillmentRecord(
        platform_id=_required_id(shipment, "shipment"),
        status="success",  # a shipment exists or is deleted; it has no failed state
        shipment_status=None,  # BigCommerce does not follow the parcel
        tracking_company=text_or_none(shipment.get("shipping_provider_display_name"))
        or text_or_none(shipment.get("tracking_carrier"))
        or text_or_none(shipment.get("shipping_provider")),
        tracking_number=text_or_none(shipment.get("tracking_number")),
        tracking_url=text_or_none(shipment.get("tracking_link"))
        or text_or_none(shipment.get("generated_tracking_link")),
        created_at=created_at,
        updated_at=created_at,
        in_transit_at=None,
        delivered_at=None,
        estimated_delivery_at=None,
        lines=tuple(
            FulfillmentLineRecord(line_item_id=line_item_id, quantity=integer(item.get("quantity")))
            for item in mappings(shipment.get("items"))
            if (line_item_id := _optional_id(item.get("order_product_id"))) is not None
        ),
    )


def refund_records(refunds: Sequence[Resource], currency: str | None) -> tuple[RefundRecord, ...]:
    """The refunds that moved (or are moving) money: one whose every payment was declined is left
    out, so it is neither shown as money returned nor mistaken for ours by a reconcile."""
    return tuple(parse_refund(refund, currency) for refund in refunds if not wholly_declined(refund))


def parse_refund(refund: Resource, currency: str | None = None) -> RefundRecord:
    """A v3 refund (``payment_actions/refunds``). The amount is what its payments carry, less
    declined ones; a refund listing no payments counts its ``total_amount``."""
    payments = mappings(refund.get("payments"))
    amount = (
        sum((decimal(p.get("amount")) for p in payments if p.get("is_declined") is not True), ZERO)
        if payments
        else decimal(refund.get("total_amount"))
    )
    items = mappings(refund.get("items"))
    return RefundRecord(
        platform_id=_required_id(refund, "refund"),
        created_at=parse_moment(refund.get("created")),
        amount=amount,
        currency=currency,
        note=refund_note(refund),
        lines=tuple(
            RefundLineRecord(
                line_item_id=line_item_id,
                quantity=integer(item.get("quantity")),
                # Refunds made through the API never restock inventory (fact sheet 2.5).
                restock_type="no_restock",
                amount=decimal(item.get("requested_amount")),  # null for some items
            )
            for item in items
            if text(item.get("item_type")) == "PRODUCT"
            and (line_item_id := _optional_id(item.get("item_id"))) is not None
        ),
    )


def refund_note(refund: Resource) -> str:
    """The refund's words: its own ``reason`` and its items' reasons, each once. A refund request
    has no top-level reason (only per item, up to 1000 characters), so what we write there comes
    back in the items; whether BigCommerce also fills the top-level ``reason`` is [unverified]."""
    said = [text(refund.get("reason")).strip()]
    said.extend(text(item.get("reason")).strip() for item in mappings(refund.get("items")))
    return "\n".join(dict.fromkeys(reason for reason in said if reason))


def wholly_declined(refund: Resource) -> bool:
    payments = mappings(refund.get("payments"))
    return bool(payments) and all(p.get("is_declined") is True for p in payments)


def declined_messages(refund: Resource) -> tuple[str, ...]:
    return tuple(
        text(p.get("declined_message")).strip()
        or f"{text(p.get('provider_id')) or 'the payment'} was declined"
        for p in mappings(refund.get("payments"))
        if p.get("is_declined") is True
    )


def parse_customer(customer: Resource) -> CustomerRecord:
    """One entry of ``GET /v3/customers``. v3 customers carry no order count or amount spent
    (those stay 0 here and the upsert keeps what orders tell), no tags and no locale."""
    return CustomerRecord(
        platform_id=_required_id(customer, "customer"),
        email=text_or_none(customer.get("email")),
        first_name=text(customer.get("first_name")),
        last_name=text(customer.get("last_name")),
        phone=text_or_none(customer.get("phone")),
        locale=None,
        tags=(),
        orders_count=0,
        total_spent=ZERO,
        currency=None,
        # The consent BigCommerce keeps on the customer is to "product review and abandoned cart"
        # emails; newsletter consent lives in the Subscribers API, which is not read [unverified
        # that this is the closest equivalent of Shopify's marketing consent].
        accepts_marketing=customer.get("accepts_product_review_abandoned_cart_emails") is True,
        state="enabled",  # v3 customers are registered accounts; guests exist only on orders
        created_at=parse_moment(customer.get("date_created")),
        updated_at=parse_moment(customer.get("date_modified")),
    )


def modified_at(order: Resource) -> datetime | None:
    return parse_moment(order.get("date_modified"))


def _required_id(resource: Resource, what: str) -> str:
    found = _optional_id(resource.get("id"))
    if found is None:
        raise Permanent(f"BigCommerce sent a {what} without an id")
    return found


def _optional_id(value: object) -> str | None:
    number = integer(value)
    return str(number) if number > 0 else None
