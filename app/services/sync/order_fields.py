"""Connector records -> model column values for orders and their children (pure mapping, shared by
the one-order and the batch upserts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.models import ReturnStatus
from app.services.sync.rows import cut
from connectors.base import FulfillmentRecord, LineItemRecord, OrderRecord, ReturnRecord

RETURN_STATUSES = frozenset(status.value for status in ReturnStatus)


def order_values(record: OrderRecord, stamp: datetime | None) -> dict[str, Any]:
    """Everything but the customer link and ``delivered_at`` (derived from the fulfillments)."""
    values: dict[str, Any] = {
        "number": cut(record.number, 64) or "",
        "email": cut(record.email, 255),
        "financial_status": cut(record.financial_status, 32) or "pending",
        "fulfillment_status": cut(record.fulfillment_status, 32) or "unfulfilled",
        "subtotal": record.subtotal,
        "total_tax": record.total_tax,
        "total_shipping": record.total_shipping,
        "total_discounts": record.total_discounts,
        "total_price": record.total_price,
        "total_refunded": record.total_refunded,
        "locale": cut(record.locale, 16),
        "tags": ", ".join(record.tags),
        "test": record.test,
        # The order date Shopify shows is processedAt (earlier than createdAt for imported orders).
        "placed_at": record.processed_at or record.created_at,
        "cancelled_at": record.cancelled_at,
        "cancel_reason": cut(record.cancel_reason, 64),
        "closed_at": record.closed_at,
        "platform_updated_at": stamp,
    }
    if record.currency:
        values["currency"] = record.currency[:3]
    return values


def line_item_values(record: LineItemRecord, stamp: datetime | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": cut(record.title, 512) or "",
        "variant_title": cut(record.variant_title, 255) or "",
        "sku": cut(record.sku, 255) or "",
        "product_id": cut(record.product_id, 64),
        "variant_id": cut(record.variant_id, 64),
        "quantity": record.quantity,
        "fulfilled_quantity": record.fulfilled_quantity,
        "refundable_quantity": record.refundable_quantity,
        "price": record.price,
        "total_discount": record.total_discount,
        "platform_updated_at": stamp,
    }
    if record.product_tags is not None:  # None: not read, so keep what is stored
        values["product_tags"] = ", ".join(record.product_tags)
    return values


def fulfillment_values(record: FulfillmentRecord, stamp: datetime | None) -> dict[str, Any]:
    """All but ``lines`` and ``delivered_at``, which merge with what is stored."""
    return {
        "status": cut(record.status, 32) or "success",
        "shipment_status": cut(record.shipment_status, 32),
        "tracking_company": cut(record.tracking_company, 255),
        "tracking_number": cut(record.tracking_number, 255),
        "tracking_url": cut(record.tracking_url, 1024),
        "fulfilled_at": record.created_at,
        "platform_updated_at": record.updated_at or stamp,
    }


def fulfillment_lines(record: FulfillmentRecord) -> list[dict[str, Any]]:
    return [{"line_item_platform_id": line.line_item_id, "quantity": line.quantity} for line in record.lines]


def merged_delivery(stored: datetime | None, incoming: datetime | None) -> datetime | None:
    """A delivery time stays the earliest one seen (webhook estimates come at or after the real
    time); a fulfillment that is no longer delivered has none."""
    if incoming is None:
        return None
    return min(stored, incoming) if stored is not None else incoming


def return_status(record: ReturnRecord) -> ReturnStatus | None:
    return ReturnStatus(record.status) if record.status in RETURN_STATUSES else None


def status_times(status: ReturnStatus | None, at: datetime) -> dict[str, Any]:
    """``opened_at``/``closed_at`` to set when a return reaches ``status`` (if not already set)."""
    if status is ReturnStatus.OPEN:
        return {"opened_at": at}
    if status in (ReturnStatus.CLOSED, ReturnStatus.DECLINED, ReturnStatus.CANCELED):
        return {"closed_at": at}
    return {}
