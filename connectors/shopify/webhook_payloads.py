"""Shopify webhook payloads (REST-shaped) -> the same connector records a GraphQL read gives.

Webhook bodies are the REST resource of the topic (fact sheet 3.1): snake_case, numeric ``id``
beside ``admin_graphql_api_id``, money as decimal strings with ``*_set.shop_money`` twins. Ids
become strings of the numeric id, so a row written from a webhook and one written by a sync share
one natural key (``connectors.base``). Shapes follow the webhook reference's sample payloads
(shopify.dev/docs/api/webhooks, 2026-07 copy); where a payload leaves a record field out, the
parser says so instead of inventing a value:

- orders: REST orders carry no returns worth reading (the ``returns`` list is new and its shape
  [unverified]), so order records from webhooks name ``"returns"`` in ``incomplete``; returns
  arrive through the returns/* topics. ``total_refunded`` is the sum of the refunds' successful
  refund transactions (REST has no order total for it). ``fulfillment_status`` is spelled as
  GraphQL's display status (``null`` -> ``"unfulfilled"``, ``"partial"`` ->
  ``"partially_fulfilled"``) so that both sources store one vocabulary.
- fulfillments: REST has ``shipment_status`` but no delivery time. A fulfillment whose status is
  ``delivered`` gets its ``updated_at`` as ``delivered_at`` [estimate]: the update that carried
  the delivery is when Shopify learned of it, which is at or after the real delivery; the sync
  keeps the earliest value it sees, and a GraphQL read replaces it with ``deliveredAt``.
- customers: since 2025-01 customer payloads have no ``tags``, marketing consent, order count or
  amount spent (changelog "New customer's webhook and changes to existing customer's webhooks
  payload"). ``PartialCustomer.known`` names the record fields the payload really carried, and
  the upsert leaves the others as stored.
- returns/*: ``status`` (lower-case; upper-cased here, as the models keep it), the order, a name,
  and for decline a reason and note. ``return_line_items`` is empty in the samples even when
  ``total_return_line_items`` is 2, so items count as known only when the list is complete.
- customers/merge: ``admin_graphql_api_customer_kept_id``, ``admin_graphql_api_customer_deleted_id``,
  ``status`` and ``errors`` (sample payload; the success status value is [unverified]:
  ``"completed"`` is assumed, ``"failed"`` is the sample's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
)
from connectors.errors import Permanent
from connectors.shopify.ids import numeric_id
from connectors.values import (
    ZERO,
    decimal,
    integer,
    lower,
    mapping,
    mappings,
    moment,
    tags,
    text,
    text_or_none,
)

Payload = Mapping[str, Any]
# Fulfillments in these states shipped nothing (REST Fulfillment.status).
NOT_SHIPPED = frozenset({"cancelled", "error", "failure"})
FULFILLMENT_STATUS = {None: "unfulfilled", "partial": "partially_fulfilled"}
# customers/merge statuses that mean the merge happened [unverified beyond the sample's "failed"].
MERGE_DONE = frozenset({"completed", "complete", "succeeded", "success"})

# CustomerRecord fields a customers/* payload can carry (see the module docstring).
_CUSTOMER_PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "phone": ("phone",),
    "locale": ("locale",),
    "tags": ("tags",),
    "orders_count": ("orders_count",),
    "total_spent": ("total_spent",),
    "currency": ("currency",),
    "accepts_marketing": ("accepts_marketing", "email_marketing_consent"),
    "state": ("state",),
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
}


class PayloadError(Permanent):
    """The body lacks what its record needs: applying it cannot work, and retrying cannot help."""


@dataclass(frozen=True, slots=True)
class PartialCustomer:
    """A customer from a webhook, and which of its fields the payload carried (``known``)."""

    record: CustomerRecord
    known: frozenset[str]


@dataclass(frozen=True, slots=True)
class ReturnChange:
    """What a returns/* delivery says about one return. ``items`` is None when the payload does not
    list them all; ``order_id`` is None for returns/update, which names only the return."""

    platform_id: str
    order_id: str | None
    status: str | None  # upper-case ReturnStatus value
    name: str | None
    decline_reason: str | None  # upper-case: FINAL_SALE, RETURN_PERIOD_ENDED, OTHER
    decline_note: str | None
    items: tuple[ReturnItemRecord, ...] | None


@dataclass(frozen=True, slots=True)
class CustomerMerge:
    kept_id: str
    deleted_id: str
    status: str
    done: bool


@dataclass(frozen=True, slots=True)
class BulkFinish:
    operation_id: str  # a GID, as the bulk operation queries take it
    status: str  # upper-case, as GraphQL's BulkOperationStatus
    error_code: str | None


# --- orders -----------------------------------------------------------------------------------


def order_from_payload(payload: Payload) -> OrderRecord:
    """An orders/* body (create, updated, paid, cancelled, fulfilled, partially_fulfilled).

    Raises ``PayloadError`` when the body lacks what an order row needs (id, created_at)."""
    order_id = _required_id(payload, "order")
    created_at = moment(payload.get("created_at"))
    if created_at is None:
        raise PayloadError(f"the order {order_id} payload has no created_at")
    currency = text(payload.get("currency")) or _set_currency(payload.get("total_price_set")) or ""
    refunds = tuple(_refund(item, currency) for item in mappings(payload.get("refunds")))
    fulfillments = tuple(_fulfillment(item) for item in mappings(payload.get("fulfillments")))
    refunded_units = _refunded_units(refunds)
    shipped_units = _shipped_units(fulfillments)
    customer = mapping(payload.get("customer"))
    return OrderRecord(
        platform_id=order_id,
        number=text(payload.get("name")),
        email=text_or_none(payload.get("email")) or text_or_none(payload.get("contact_email")),
        customer_id=_id_or_none(customer),
        locale=text_or_none(payload.get("customer_locale")),
        created_at=created_at,
        processed_at=moment(payload.get("processed_at")),
        updated_at=moment(payload.get("updated_at")),
        cancelled_at=moment(payload.get("cancelled_at")),
        cancel_reason=lower(payload.get("cancel_reason")),
        closed_at=moment(payload.get("closed_at")),
        financial_status=lower(payload.get("financial_status")),
        fulfillment_status=_fulfillment_status(payload.get("fulfillment_status")),
        test=payload.get("test") is True,
        currency=currency,
        subtotal=_money(payload, "subtotal_price"),
        total_tax=_money(payload, "total_tax"),
        total_shipping=_set_amount(payload.get("total_shipping_price_set")),
        total_discounts=_money(payload, "total_discounts"),
        total_price=_money(payload, "total_price"),
        total_refunded=sum((refund.amount for refund in refunds), ZERO),
        tags=tags(payload.get("tags")),
        line_items=tuple(
            _line_item(item, refunded_units, shipped_units) for item in mappings(payload.get("line_items"))
        ),
        fulfillments=fulfillments,
        refunds=refunds,
        returns=(),
        incomplete=frozenset({"returns"}),
    )


def order_customer_from_payload(payload: Payload) -> CustomerRecord | None:
    """The customer summary an order body embeds, for naming a customer we have not read yet.

    Its ``updated_at`` is dropped on purpose: the summary is not a customer version (the samples
    send null), so it may only fill a placeholder row, never overwrite a read customer."""
    customer = mapping(payload.get("customer"))
    customer_id = _id_or_none(customer)
    if customer_id is None:
        return None
    return CustomerRecord(
        platform_id=customer_id,
        email=text_or_none(customer.get("email")),
        first_name=text(customer.get("first_name")),
        last_name=text(customer.get("last_name")),
        phone=text_or_none(customer.get("phone")),
        locale=None,
        tags=(),
        orders_count=0,
        total_spent=ZERO,
        currency=text_or_none(customer.get("currency")),
        accepts_marketing=False,
        state=lower(customer.get("state")),
        created_at=moment(customer.get("created_at")),
        updated_at=None,
    )


def order_id_of_edit(payload: Payload) -> str:
    """orders/edited carries the edit, not the order: the order must be read from the API."""
    edit = mapping(payload.get("order_edit"))
    order_id = _id_value(edit.get("order_id"))
    if order_id is None:
        raise PayloadError("the orders/edited payload has no order_edit.order_id")
    return order_id


def deleted_id(payload: Payload, what: str) -> str:
    """The id of an orders/delete or customers/delete body (which holds little else)."""
    return _required_id(payload, what)


def _line_item(
    item: Payload, refunded_units: Mapping[str, int], shipped_units: Mapping[str, int]
) -> LineItemRecord:
    item_id = _required_id(item, "line item")
    quantity = integer(item.get("quantity"))
    current = integer(item.get("current_quantity"), default=max(0, quantity - refunded_units.get(item_id, 0)))
    return LineItemRecord(
        platform_id=item_id,
        title=text(item.get("title")) or text(item.get("name")),
        variant_title=text(item.get("variant_title")),
        sku=text(item.get("sku")),
        product_id=_id_value(item.get("product_id")),
        variant_id=_id_value(item.get("variant_id")),
        product_tags=None,  # REST line items do not carry product tags
        quantity=quantity,
        current_quantity=current,
        # Units neither refunded nor removed by an edit: what GraphQL calls refundableQuantity.
        refundable_quantity=current,
        unfulfilled_quantity=integer(item.get("fulfillable_quantity")),
        fulfilled_quantity=shipped_units.get(item_id, 0),
        price=_money(item, "price"),
        total_discount=_money(item, "total_discount"),
    )


def _refunded_units(refunds: Sequence[RefundRecord]) -> dict[str, int]:
    units: dict[str, int] = {}
    for refund in refunds:
        for line in refund.lines:
            units[line.line_item_id] = units.get(line.line_item_id, 0) + line.quantity
    return units


def _shipped_units(fulfillments: Sequence[FulfillmentRecord]) -> dict[str, int]:
    units: dict[str, int] = {}
    for fulfillment in fulfillments:
        if fulfillment.status in NOT_SHIPPED:
            continue
        for line in fulfillment.lines:
            units[line.line_item_id] = units.get(line.line_item_id, 0) + line.quantity
    return units


def _fulfillment_status(value: object) -> str:
    status = lower(value)
    return FULFILLMENT_STATUS.get(status, status or "unfulfilled")


# --- fulfillments and refunds -------------------------------------------------------------------


def fulfillment_from_payload(payload: Payload) -> tuple[str, FulfillmentRecord]:
    """A fulfillments/create or fulfillments/update body: ``(order_id, fulfillment)``."""
    order_id = _id_value(payload.get("order_id"))
    if order_id is None:
        raise PayloadError("the fulfillment payload has no order_id")
    return order_id, _fulfillment(payload)


def refund_from_payload(payload: Payload) -> tuple[str, RefundRecord]:
    """A refunds/create body: ``(order_id, refund)``."""
    order_id = _id_value(payload.get("order_id"))
    if order_id is None:
        raise PayloadError("the refund payload has no order_id")
    return order_id, _refund(payload, None)


def _fulfillment(item: Payload) -> FulfillmentRecord:
    shipment_status = lower(item.get("shipment_status"))
    updated_at = moment(item.get("updated_at"))
    return FulfillmentRecord(
        platform_id=_required_id(item, "fulfillment"),
        status=lower(item.get("status")) or "success",
        shipment_status=shipment_status,
        tracking_company=text_or_none(item.get("tracking_company")),
        tracking_number=text_or_none(item.get("tracking_number"))
        or _first_text(item.get("tracking_numbers")),
        tracking_url=text_or_none(item.get("tracking_url")) or _first_text(item.get("tracking_urls")),
        created_at=moment(item.get("created_at")),
        updated_at=updated_at,
        in_transit_at=None,
        delivered_at=updated_at if shipment_status == "delivered" else None,  # [estimate], see above
        estimated_delivery_at=None,
        lines=tuple(
            FulfillmentLineRecord(line_item_id=line_id, quantity=integer(line.get("quantity")))
            for line in mappings(item.get("line_items"))
            if (line_id := _id_value(line.get("id"))) is not None
        ),
    )


def _refund(item: Payload, order_currency: str | None) -> RefundRecord:
    lines = tuple(
        RefundLineRecord(
            line_item_id=line_item_id,
            quantity=integer(line.get("quantity")),
            restock_type=lower(line.get("restock_type")) or "no_restock",
            amount=_money(line, "subtotal"),
        )
        for line in mappings(item.get("refund_line_items"))
        if (line_item_id := _id_value(line.get("line_item_id"))) is not None
    )
    line_currencies = (
        _set_currency(line.get("subtotal_set")) for line in mappings(item.get("refund_line_items"))
    )
    currency = next((code for code in line_currencies if code), order_currency)
    return RefundRecord(
        platform_id=_required_id(item, "refund"),
        created_at=moment(item.get("created_at")) or moment(item.get("processed_at")),
        amount=_refunded_amount(item, lines),
        currency=currency,
        note=text(item.get("note")),
        lines=lines,
    )


def _refunded_amount(item: Payload, lines: Sequence[RefundLineRecord]) -> Decimal:
    """Money that went back: the successful refund transactions; without transactions (a refund
    that only restocked, or a trimmed payload), the refunded lines' subtotals."""
    transactions = [
        t
        for t in mappings(item.get("transactions"))
        if lower(t.get("kind")) == "refund" and lower(t.get("status")) in (None, "success")
    ]
    if transactions:
        return sum((_money(t, "amount") for t in transactions), ZERO)
    return sum((line.amount for line in lines), ZERO)


# --- customers ----------------------------------------------------------------------------------


def customer_from_payload(payload: Payload) -> PartialCustomer:
    """A customers/create, customers/update (or enable/disable) body."""
    known = frozenset(
        name for name, keys in _CUSTOMER_PAYLOAD_FIELDS.items() if any(key in payload for key in keys)
    )
    consent = mapping(payload.get("email_marketing_consent"))
    accepts = payload.get("accepts_marketing") is True or lower(consent.get("state")) == "subscribed"
    record = CustomerRecord(
        platform_id=_required_id(payload, "customer"),
        email=text_or_none(payload.get("email")),
        first_name=text(payload.get("first_name")),
        last_name=text(payload.get("last_name")),
        phone=text_or_none(payload.get("phone")),
        locale=text_or_none(payload.get("locale")),
        tags=tags(payload.get("tags")),
        orders_count=integer(payload.get("orders_count")),
        total_spent=decimal(payload.get("total_spent")),
        currency=text_or_none(payload.get("currency")),
        accepts_marketing=accepts,
        state=lower(payload.get("state")),
        created_at=moment(payload.get("created_at")),
        updated_at=moment(payload.get("updated_at")),
    )
    return PartialCustomer(record=record, known=known)


def merge_from_payload(payload: Payload) -> CustomerMerge:
    kept = _gid_id(payload.get("admin_graphql_api_customer_kept_id"))
    deleted = _gid_id(payload.get("admin_graphql_api_customer_deleted_id"))
    if kept is None or deleted is None:
        raise PayloadError("the customers/merge payload does not name both customers")
    status = lower(payload.get("status")) or ""
    return CustomerMerge(kept_id=kept, deleted_id=deleted, status=status, done=status in MERGE_DONE)


# --- returns and bulk operations ----------------------------------------------------------------


def return_from_payload(payload: Payload) -> ReturnChange:
    return_id = _id_value(payload.get("id")) or _gid_id(payload.get("admin_graphql_api_id"))
    if return_id is None:
        raise PayloadError("the return payload has no id")
    order = mapping(payload.get("order"))
    decline = mapping(payload.get("decline"))
    status = text_or_none(payload.get("status"))
    return ReturnChange(
        platform_id=return_id,
        order_id=_id_value(payload.get("order_id")) or _id_or_none(order),
        status=status.upper() if status else None,
        name=text_or_none(payload.get("name")),
        decline_reason=(text_or_none(decline.get("reason")) or "").upper() or None,
        decline_note=text_or_none(decline.get("note")),
        items=_return_items(payload),
    )


def _return_items(payload: Payload) -> tuple[ReturnItemRecord, ...] | None:
    raw = payload.get("return_line_items")
    if not isinstance(raw, list):
        return None  # returns/update sends additions/removals, not the list
    items = tuple(
        ReturnItemRecord(
            platform_id=item_id,
            line_item_id=_id_value(mapping(item.get("fulfillment_line_item")).get("line_item_id"))
            or _id_value(item.get("line_item_id")),
            quantity=integer(item.get("quantity")),
            reason=lower(item.get("return_reason")) or "other",
            note=text(item.get("return_reason_note")) or text(item.get("customer_note")),
        )
        for item in mappings(raw)
        if (item_id := _id_value(item.get("id")) or _gid_id(item.get("admin_graphql_api_id"))) is not None
    )
    total = payload.get("total_return_line_items")
    if isinstance(total, int) and not isinstance(total, bool) and total != len(items):
        return None
    if not items and total is None:
        return None
    return items


def bulk_finish_from_payload(payload: Payload) -> BulkFinish:
    operation = text_or_none(payload.get("admin_graphql_api_id"))
    if operation is None:
        raise PayloadError("the bulk_operations/finish payload has no admin_graphql_api_id")
    return BulkFinish(
        operation_id=operation,
        status=(text(payload.get("status")) or "").upper(),
        error_code=text_or_none(payload.get("error_code")),
    )


# --- field readers ------------------------------------------------------------------------------


def _required_id(payload: Payload, what: str) -> str:
    value = _id_value(payload.get("id")) or _gid_id(payload.get("admin_graphql_api_id"))
    if value is None:
        raise PayloadError(f"the {what} payload has no id")
    return value


def _id_value(value: object) -> str | None:
    """REST ids are JSON integers; some payloads send them as strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value:
        return numeric_id(value)
    return None


def _id_or_none(obj: Payload) -> str | None:
    return _id_value(obj.get("id")) or _gid_id(obj.get("admin_graphql_api_id"))


def _gid_id(value: object) -> str | None:
    return numeric_id(value) if isinstance(value, str) and value else None


def _first_text(value: object) -> str | None:
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, str) and item), None)
    return None


def _set_amount(money_set: object) -> Decimal:
    return decimal(mapping(mapping(money_set).get("shop_money")).get("amount"))


def _set_currency(money_set: object) -> str | None:
    return text_or_none(mapping(mapping(money_set).get("shop_money")).get("currency_code"))


def _money(obj: Payload, key: str) -> Decimal:
    """The shop-currency amount (``{key}_set.shop_money``) when present, else the flat field,
    which REST gives in the shop currency for orders [the flat transaction amount may be in the
    presentment currency]."""
    money_set = obj.get(f"{key}_set")
    if isinstance(money_set, Mapping) and isinstance(money_set.get("shop_money"), Mapping):
        return _set_amount(money_set)
    return decimal(obj.get(key))
