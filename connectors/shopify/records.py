"""Shopify GraphQL nodes -> connector records (``connectors.base``).

One parser serves paginated pages, single-order reads and bulk exports: connections may come as
``nodes`` or ``edges``, and a child connection that is missing from a node was not asked for, so
the record names it in ``incomplete`` instead of claiming there are no such children.

Conventions (see ``connectors.base``): ids are the numeric tail of the GID; money is the
``shopMoney`` amount as Decimal (the shop's currency, which our reports use; presentment money is
not kept); enum values become lower-case words, as REST webhooks spell them, except return
statuses, which the models keep upper-case.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.base import (
    CustomerRecord,
    FulfillmentLineRecord,
    FulfillmentRecord,
    LineItemRecord,
    OrderRecord,
    RefundLineRecord,
    RefundRecord,
    ReturnItemRecord,
    ReturnRecord,
)
from connectors.errors import Permanent
from connectors.shopify.ids import numeric_id, optional_numeric_id
from connectors.shopify.queries import NestedSizes
from connectors.values import decimal, integer, lower, mapping, mappings, moment, tags, text, text_or_none

Node = Mapping[str, Any]


class Connection:
    """A connection as returned (``nodes`` or ``edges``), with whether it continues."""

    def __init__(self, value: object) -> None:
        self.present = isinstance(value, Mapping)
        mapping: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
        self.nodes = _connection_nodes(mapping)
        page_info = mapping.get("pageInfo")
        page_info = page_info if isinstance(page_info, Mapping) else {}
        self.has_next = page_info.get("hasNextPage") is True
        cursor = page_info.get("endCursor")
        self.end_cursor = cursor if isinstance(cursor, str) else None


def parse_customer(node: Node) -> CustomerRecord:
    email = mapping(node.get("defaultEmailAddress"))
    phone = mapping(node.get("defaultPhoneNumber"))
    spent = mapping(node.get("amountSpent"))
    return CustomerRecord(
        platform_id=_required_id(node, "customer"),
        email=text_or_none(email.get("emailAddress")),
        first_name=text(node.get("firstName")),
        last_name=text(node.get("lastName")),
        phone=text_or_none(phone.get("phoneNumber")),
        locale=text_or_none(node.get("locale")),
        tags=tags(node.get("tags")),
        # UnsignedInt64 is a JSON string.
        orders_count=integer(node.get("numberOfOrders")),
        total_spent=decimal(spent.get("amount")),
        currency=text_or_none(spent.get("currencyCode")),
        # [unverified on 2026-10] CustomerEmailAddress.marketingState; SUBSCRIBED means opted in.
        accepts_marketing=email.get("marketingState") == "SUBSCRIBED",
        state=lower(node.get("state")),
        created_at=moment(node.get("createdAt")),
        updated_at=moment(node.get("updatedAt")),
    )


def parse_order(node: Node, sizes: NestedSizes | None = None) -> OrderRecord:
    """``sizes``: what the query asked for, so that a list that came back full is flagged as
    possibly truncated. None for bulk exports, whose lists are asked for without ``first`` and so
    are not capped [unverified: the reference says ``first`` only truncates these lists]."""
    incomplete: set[str] = set()
    line_items = Connection(node.get("lineItems"))
    if line_items.has_next or not line_items.present:
        incomplete.add("line_items")
    fulfillments = mappings(node.get("fulfillments"))
    refunds = mappings(node.get("refunds"))
    returns = Connection(node.get("returns"))
    if sizes is not None:
        if len(fulfillments) >= sizes.fulfillments:
            incomplete.add("fulfillments")
        if len(refunds) >= sizes.refunds:
            incomplete.add("refunds")
    if returns.has_next or not returns.present:
        incomplete.add("returns")
    currency = text(node.get("currencyCode")) or _money_currency(node.get("totalPriceSet")) or ""
    return OrderRecord(
        platform_id=_required_id(node, "order"),
        number=text(node.get("name")),
        email=text_or_none(node.get("email")),
        customer_id=optional_numeric_id(mapping(node.get("customer")).get("id")),
        locale=text_or_none(node.get("customerLocale")),
        created_at=_required_datetime(node, "createdAt"),
        processed_at=moment(node.get("processedAt")),
        updated_at=moment(node.get("updatedAt")),
        cancelled_at=moment(node.get("cancelledAt")),
        cancel_reason=lower(node.get("cancelReason")),
        closed_at=moment(node.get("closedAt")),
        financial_status=lower(node.get("displayFinancialStatus")),
        fulfillment_status=lower(node.get("displayFulfillmentStatus")),
        test=node.get("test") is True,
        currency=currency,
        subtotal=_money(node.get("subtotalPriceSet")),
        total_tax=_money(node.get("totalTaxSet")),
        total_shipping=_money(node.get("totalShippingPriceSet")),
        total_discounts=_money(node.get("totalDiscountsSet")),
        total_price=_money(node.get("totalPriceSet")),
        total_refunded=_money(node.get("totalRefundedSet")),
        tags=tags(node.get("tags")),
        line_items=tuple(parse_line_item(item) for item in line_items.nodes),
        fulfillments=tuple(_parse_fulfillment(item, incomplete) for item in fulfillments),
        refunds=tuple(_parse_refund(item, incomplete) for item in refunds),
        returns=tuple(_parse_return(item, incomplete) for item in returns.nodes),
        incomplete=frozenset(incomplete),
    )


def parse_line_item(node: Node) -> LineItemRecord:
    quantity = integer(node.get("quantity"))
    unfulfilled = integer(node.get("unfulfilledQuantity"))
    product = node.get("product")
    variant = node.get("variant")
    return LineItemRecord(
        platform_id=_required_id(node, "line item"),
        title=text(node.get("title")),
        variant_title=text(node.get("variantTitle")),
        sku=text(node.get("sku")),
        product_id=optional_numeric_id(mapping(product).get("id")),
        variant_id=optional_numeric_id(mapping(variant).get("id")),
        product_tags=tags(product.get("tags")) if isinstance(product, Mapping) else None,
        quantity=quantity,
        current_quantity=integer(node.get("currentQuantity"), default=quantity),
        refundable_quantity=integer(node.get("refundableQuantity")),
        unfulfilled_quantity=unfulfilled,
        # Derived [unverified against Shopify's own counts]: units neither waiting to ship nor
        # unfulfillable (refunded or removed before shipping). Units refunded after shipping may
        # count as unfulfillable too, which is what return eligibility wants anyway.
        fulfilled_quantity=max(0, quantity - unfulfilled - integer(node.get("nonFulfillableQuantity"))),
        price=_money(node.get("originalUnitPriceSet")),
        total_discount=_money(node.get("totalDiscountSet")),
    )


def _parse_fulfillment(node: Node, incomplete: set[str]) -> FulfillmentRecord:
    lines = Connection(node.get("fulfillmentLineItems"))
    if lines.has_next or not lines.present:
        incomplete.add("fulfillment_lines")
    # Shopify keeps a list of tracking entries; our row has one, so the first wins.
    tracking = next(iter(mappings(node.get("trackingInfo"))), {})
    return FulfillmentRecord(
        platform_id=_required_id(node, "fulfillment"),
        status=lower(node.get("status")) or "success",
        shipment_status=lower(node.get("displayStatus")),
        tracking_company=text_or_none(tracking.get("company")),
        tracking_number=text_or_none(tracking.get("number")),
        tracking_url=text_or_none(tracking.get("url")),
        created_at=moment(node.get("createdAt")),
        updated_at=moment(node.get("updatedAt")),
        in_transit_at=moment(node.get("inTransitAt")),
        # deliveredAt is set when Shopify learns of the delivery (carrier tracking or a
        # fulfillment event); a DELIVERED display status without it is possible [unverified how
        # often], and then the delivery time is unknown rather than guessed here.
        delivered_at=moment(node.get("deliveredAt")),
        estimated_delivery_at=moment(node.get("estimatedDeliveryAt")),
        lines=tuple(
            FulfillmentLineRecord(line_item_id=line_item_id, quantity=integer(line.get("quantity")))
            for line in lines.nodes
            if (line_item_id := _child_id(line, "lineItem")) is not None
        ),
    )


def _parse_refund(node: Node, incomplete: set[str]) -> RefundRecord:
    lines = Connection(node.get("refundLineItems"))
    if lines.has_next or not lines.present:
        incomplete.add("refund_lines")
    return RefundRecord(
        platform_id=_required_id(node, "refund"),
        created_at=moment(node.get("createdAt")),
        amount=_money(node.get("totalRefundedSet")),
        currency=_money_currency(node.get("totalRefundedSet")),
        note=text(node.get("note")),
        lines=tuple(
            RefundLineRecord(
                line_item_id=line_item_id,
                quantity=integer(line.get("quantity")),
                restock_type=lower(line.get("restockType")) or "no_restock",
                amount=_money(line.get("subtotalSet")),
            )
            for line in lines.nodes
            if (line_item_id := _child_id(line, "lineItem")) is not None
        ),
    )


def _parse_return(node: Node, incomplete: set[str]) -> ReturnRecord:
    lines = Connection(node.get("returnLineItems"))
    if lines.has_next or not lines.present:
        incomplete.add("return_items")
    return ReturnRecord(
        platform_id=_required_id(node, "return"),
        name=text(node.get("name")),
        status=text(node.get("status")),
        items=tuple(_parse_return_item(line) for line in lines.nodes),
    )


def _parse_return_item(node: Node) -> ReturnItemRecord:
    fulfillment_line = mapping(node.get("fulfillmentLineItem"))
    # returnReason is deprecated in favour of returnReasonDefinition, but still served on 2026-10.
    return ReturnItemRecord(
        platform_id=_required_id(node, "return line item"),
        line_item_id=_child_id(fulfillment_line, "lineItem"),
        quantity=integer(node.get("quantity")),
        reason=lower(node.get("returnReason")) or "other",
        note=text(node.get("returnReasonNote")) or text(node.get("customerNote")),
    )


# --- field readers ----------------------------------------------------------------------------


def _connection_nodes(connection: Mapping[str, Any]) -> list[Node]:
    nodes = connection.get("nodes")
    if isinstance(nodes, list):
        return [node for node in nodes if isinstance(node, Mapping)]
    edges = connection.get("edges")
    if isinstance(edges, list):
        return [
            edge["node"]
            for edge in edges
            if isinstance(edge, Mapping) and isinstance(edge.get("node"), Mapping)
        ]
    return []


def _required_id(node: Node, what: str) -> str:
    value = node.get("id")
    if not isinstance(value, str) or not value:
        raise Permanent(f"Shopify sent a {what} without an id")
    return numeric_id(value)


def _child_id(node: Node, key: str) -> str | None:
    return optional_numeric_id(mapping(node.get(key)).get("id"))


def _money(bag: object) -> Decimal:
    return decimal(mapping(mapping(bag).get("shopMoney")).get("amount"))


def _money_currency(bag: object) -> str | None:
    return text_or_none(mapping(mapping(bag).get("shopMoney")).get("currencyCode"))


def _required_datetime(node: Node, key: str) -> datetime:
    value = moment(node.get(key))
    if value is None:
        raise Permanent(f"Shopify sent an order without {key}")
    return value
