"""What the devstore holds: shops, their catalogue, customers and orders, and the mail it received.

Plain frozen dataclasses shared by the seed generator (which creates them), the store (which saves
and loads them) and, later, the platform API emulation (which renders them as Shopify or BigCommerce
payloads). Money is ``Decimal`` quantized to cents, always next to its currency; datetimes are
timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENTS = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded half-up to 2 places, the way the platforms round each money field."""
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


class Platform(StrEnum):
    SHOPIFY = "shopify"
    BIGCOMMERCE = "bigcommerce"


class FinancialStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class FulfillmentStatus(StrEnum):
    UNFULFILLED = "unfulfilled"
    PARTIAL = "partial"
    FULFILLED = "fulfilled"


@dataclass(frozen=True, slots=True)
class Shop:
    id: int
    platform: Platform
    domain: str
    name: str
    plan: str
    currency: str
    email: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Product:
    """One sellable variant with its product's fields (the catalogue is flat on purpose)."""

    product_id: int
    variant_id: int
    title: str
    variant_title: str
    sku: str
    price: Decimal  # in the shop's currency
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    locale: str  # "en", "de", "fr", "es"
    country: str  # ISO 3166 alpha-2
    currency: str  # the currency this customer usually pays in
    tags: tuple[str, ...]
    accepts_marketing: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LineItem:
    id: int
    product_id: int
    variant_id: int
    title: str
    variant_title: str
    sku: str
    quantity: int
    price: Decimal  # per unit, before discounts
    total_discount: Decimal  # the order discount allocated to this line
    total_tax: Decimal
    product_tags: tuple[str, ...] = ()

    @property
    def net_total(self) -> Decimal:
        """What the shopper paid for this line before tax."""
        return self.price * self.quantity - self.total_discount


@dataclass(frozen=True, slots=True)
class FulfillmentLine:
    line_item_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfillment:
    id: int
    status: str  # "success" (the platforms' word for a created fulfillment)
    shipment_status: str  # "in_transit" or "delivered"
    tracking_company: str
    tracking_number: str
    tracking_url: str
    created_at: datetime
    delivered_at: datetime | None
    lines: tuple[FulfillmentLine, ...]


@dataclass(frozen=True, slots=True)
class RefundLine:
    line_item_id: int
    quantity: int
    subtotal: Decimal
    total_tax: Decimal
    restock_type: str  # "return", "cancel" or "no_restock"


@dataclass(frozen=True, slots=True)
class Refund:
    id: int
    created_at: datetime
    note: str
    shipping: Decimal  # shipping refunded
    amount: Decimal  # the money that moved: lines + their tax + shipping
    lines: tuple[RefundLine, ...]


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    number: int  # 1001, 1002, ...
    name: str  # "#1001" on Shopify, "1001" on BigCommerce
    customer_id: int | None
    email: str
    phone: str | None
    locale: str
    country: str
    currency: str
    subtotal: Decimal  # line items after discounts, before tax and shipping
    total_discounts: Decimal
    total_tax: Decimal
    total_shipping: Decimal
    total_price: Decimal  # subtotal + tax + shipping: what the shopper pays
    total_refunded: Decimal
    financial_status: FinancialStatus
    fulfillment_status: FulfillmentStatus
    tags: tuple[str, ...]
    test: bool
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None
    closed_at: datetime | None
    line_items: tuple[LineItem, ...] = ()
    fulfillments: tuple[Fulfillment, ...] = ()
    refunds: tuple[Refund, ...] = ()

    @property
    def total_paid(self) -> Decimal:
        """Money received: nothing while payment is pending."""
        if self.financial_status is FinancialStatus.PENDING:
            return Decimal("0.00")
        return self.total_price


@dataclass(frozen=True, slots=True)
class MailMessage:
    id: int
    received_at: datetime
    mail_from: str
    to: tuple[str, ...]
    subject: str
    date: str  # the Date header as sent
    message_id: str
    text: str
    html: str
    raw: bytes = field(repr=False)
