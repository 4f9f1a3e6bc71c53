"""Data shapes shared by every connector (platform-neutral, plain frozen dataclasses)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

RecordT = TypeVar("RecordT")


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint granted. ``expires_at`` is None for a non-expiring token, and
    ``refresh_token`` is None when there is nothing to refresh with."""

    access_token: str = field(repr=False)
    scope: str
    expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_at: datetime | None = None


# --- throttling and paging --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """A platform's cost bucket as it last reported it (Shopify: ``extensions.cost.throttleStatus``)."""

    maximum_available: float
    currently_available: float
    restore_rate: float  # points per second


@dataclass(frozen=True, slots=True)
class Page(Generic[RecordT]):
    """One page of a cursor-paginated listing. ``next_cursor`` resumes after this page; store it as
    the checkpoint once every record here has been written."""

    records: tuple[RecordT, ...]
    next_cursor: str | None
    has_next: bool


@dataclass(frozen=True, slots=True)
class RecordCount:
    """A platform's count of what a listing will return, for progress bars. ``exact`` is False when
    the platform stopped counting at a limit (the real number is at least ``count``)."""

    count: int
    exact: bool


# --- orders and customers ---------------------------------------------------------------------
#
# Platform ids are strings holding the platform's own numeric id: for Shopify the tail of the
# GraphQL GID (``gid://shopify/Order/123`` -> ``"123"``), which is also the ``id`` that REST webhook
# payloads carry, so a row written by a sync and one written by a webhook share one natural key.
# Money is Decimal in the shop's currency; statuses and reasons are lower-case snake words
# (``"paid"``, ``"partially_refunded"``, ``"no_restock"``) as webhooks spell them, except return
# statuses, which stay as the platform's upper-case enum (``"REQUESTED"``) as our models store them.


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    platform_id: str
    email: str | None
    first_name: str
    last_name: str
    phone: str | None
    locale: str | None
    tags: tuple[str, ...]
    orders_count: int
    total_spent: Decimal
    currency: str | None
    accepts_marketing: bool
    state: str | None  # "enabled", "disabled", "invited", "declined"
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class LineItemRecord:
    platform_id: str
    title: str
    variant_title: str
    sku: str
    product_id: str | None  # None for custom items and deleted products
    variant_id: str | None
    # None when not fetched (the product was deleted, or the source does not carry tags).
    product_tags: tuple[str, ...] | None
    quantity: int  # as ordered
    current_quantity: int  # ordered minus refunded and removed
    refundable_quantity: int
    unfulfilled_quantity: int
    fulfilled_quantity: int
    price: Decimal  # unit price before discounts
    total_discount: Decimal


@dataclass(frozen=True, slots=True)
class FulfillmentLineRecord:
    line_item_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class FulfillmentRecord:
    platform_id: str
    status: str  # "success", "cancelled", "error", "failure"
    shipment_status: str | None  # the platform's display status: "in_transit", "delivered", ...
    tracking_company: str | None
    tracking_number: str | None
    tracking_url: str | None
    created_at: datetime | None
    updated_at: datetime | None
    in_transit_at: datetime | None
    delivered_at: datetime | None  # None when the platform has not recorded a delivery
    estimated_delivery_at: datetime | None
    lines: tuple[FulfillmentLineRecord, ...]


@dataclass(frozen=True, slots=True)
class RefundLineRecord:
    line_item_id: str
    quantity: int
    restock_type: str  # "no_restock", "cancel", "return", "legacy_restock"
    amount: Decimal  # the line's refunded subtotal


@dataclass(frozen=True, slots=True)
class RefundRecord:
    platform_id: str
    created_at: datetime | None
    amount: Decimal
    currency: str | None
    note: str
    lines: tuple[RefundLineRecord, ...]


@dataclass(frozen=True, slots=True)
class ReturnItemRecord:
    platform_id: str
    line_item_id: str | None  # None for a return line not tied to a fulfilled line item
    quantity: int
    reason: str  # "size_too_small", "defective", ..., "other"
    note: str


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    platform_id: str
    name: str
    status: str  # "REQUESTED", "OPEN", "CLOSED", "DECLINED", "CANCELED"
    items: tuple[ReturnItemRecord, ...]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    platform_id: str
    number: str  # what the shop shows: "#1001"
    email: str | None
    customer_id: str | None
    locale: str | None  # the shopper's locale when ordering
    created_at: datetime
    processed_at: datetime | None
    updated_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    closed_at: datetime | None
    financial_status: str | None
    fulfillment_status: str | None
    test: bool
    currency: str
    subtotal: Decimal
    total_tax: Decimal
    total_shipping: Decimal
    total_discounts: Decimal
    total_price: Decimal
    total_refunded: Decimal
    tags: tuple[str, ...]
    line_items: tuple[LineItemRecord, ...]
    fulfillments: tuple[FulfillmentRecord, ...]
    refunds: tuple[RefundRecord, ...]
    returns: tuple[ReturnRecord, ...]
    # Names of child collections that hold less than the platform has ("refunds", "refund_lines",
    # "fulfillments", "fulfillment_lines", "returns", "return_items"): a source that caps nested
    # lists says so here, and the sync fetches that order on its own (or leaves it to webhooks)
    # instead of treating a partial list as the whole truth.
    incomplete: frozenset[str] = field(default_factory=frozenset)


# --- refunds we make ----------------------------------------------------------------------------
#
# What a refund asks for (lines, shipping, transactions) and what the platform computes for it
# before anything moves (Shopify ``suggestedRefund``, BigCommerce's refund quote).


@dataclass(frozen=True, slots=True)
class RefundLineRequest:
    line_item_id: str
    quantity: int
    restock_type: str  # "no_restock", "return" (fulfilled units), "cancel" (unfulfilled units)


@dataclass(frozen=True, slots=True)
class ReturnLineRequest:
    """Units of one line item the shopper sends back. ``reason`` is ours ("damaged/defective",
    "changed mind", ...): each connector maps it to its platform's words."""

    line_item_id: str
    quantity: int
    reason: str
    note: str


@dataclass(frozen=True, slots=True)
class ShippingRefund:
    """``full``: all the shipping still refundable; otherwise ``amount`` (0: none)."""

    full: bool = False
    amount: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class RefundTransaction:
    """One money movement of a refund: back to the payment ``parent_id`` through ``gateway``."""

    parent_id: str
    gateway: str
    amount: Decimal
    kind: str = "refund"


@dataclass(frozen=True, slots=True)
class SuggestedRefundLine:
    line_item_id: str
    quantity: int
    refundable_quantity: int  # what the platform still lets us refund of this line


@dataclass(frozen=True, slots=True)
class SuggestedRefund:
    amount: Decimal  # what will leave the shop: subtotal + tax + shipping
    subtotal: Decimal
    tax: Decimal
    shipping: Decimal
    shipping_refundable: Decimal  # the most shipping that can still be refunded
    currency: str
    lines: tuple[SuggestedRefundLine, ...]
    transactions: tuple[RefundTransaction, ...]


# --- the connector interface ----------------------------------------------------------------------
#
# What the services ask of a shop's platform. One implementation per platform package
# (``connectors.shopify.connector.ShopifyConnector``, ``connectors.bigcommerce.connector``), built
# per shop with the app's shared ``httpx.AsyncClient`` and a token provider; the services never ask
# which platform they hold, except through the capability flags below.


class StoreConnector(Protocol):
    # Shopify keeps return records of its own that we mirror; BigCommerce has no public Returns API,
    # so its returns live only in our records.
    keeps_returns: bool

    async def count_orders(self, updated_since: datetime | None = None) -> RecordCount: ...

    async def count_customers(self, updated_since: datetime | None = None) -> RecordCount: ...

    def iter_orders(
        self, updated_since: datetime | None = None, *, after: str | None = None
    ) -> AsyncGenerator[Page[OrderRecord], None]:
        """Orders changed at or after ``updated_since`` (all when None), oldest change first,
        resuming after checkpoint ``after`` (a ``Page.next_cursor`` from an earlier run)."""
        ...

    def iter_customers(
        self, updated_since: datetime | None = None, *, after: str | None = None
    ) -> AsyncGenerator[Page[CustomerRecord], None]: ...

    async def fetch_order(self, order_id: str) -> OrderRecord | None:
        """One order with every child (refunds included), or None when the platform has none."""
        ...

    async def fetch_customer(self, customer_id: str) -> CustomerRecord | None:
        """One customer, or None when the platform has none (for thin webhooks that name only an id)."""
        ...

    async def suggest_refund(
        self, order_id: str, lines: Sequence[RefundLineRequest], shipping: ShippingRefund
    ) -> SuggestedRefund:
        """The platform's own computation of a refund (a read: safe to repeat)."""
        ...

    async def create_refund(
        self,
        order_id: str,
        lines: Sequence[RefundLineRequest],
        shipping: ShippingRefund,
        transactions: Sequence[RefundTransaction],
        *,
        note: str,
        notify: bool,
    ) -> RefundRecord:
        """Issue the refund once: ``Permanent`` when refused, ``Transient`` when the answer was
        lost (the refund may exist: list the order's refunds before any retry)."""
        ...
