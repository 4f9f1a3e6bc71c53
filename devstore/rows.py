"""How the models map to the devstore's SQLite rows and back, losslessly.

Money is written as the Decimal's exact text, datetimes as ISO 8601 UTC text to whole seconds (which
sorts in time order), tags as Shopify's comma-separated string. Tuples follow the column order of
``schema.SCHEMA``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from devstore.models import (
    Customer,
    FinancialStatus,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    LineItem,
    MailMessage,
    Order,
    Platform,
    Product,
    Refund,
    RefundLine,
    Shop,
)

Values = tuple[Any, ...]


def ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _ts_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else ts(moment)


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _dt_or_none(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _tags(tags: Sequence[str]) -> str:
    return ", ".join(tags)


def _untag(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


# -- models to rows ------------------------------------------------------------------------------


def shop_values(shop: Shop) -> Values:
    """The columns of ``shops`` up to ``created_at`` (tokens and seed arguments are set separately)."""
    return (
        shop.id,
        shop.platform.value,
        shop.domain,
        shop.name,
        shop.plan,
        shop.currency,
        shop.email,
        ts(shop.created_at),
    )


def product_values(shop_id: int, p: Product) -> Values:
    return (shop_id, p.variant_id, p.product_id, p.title, p.variant_title, p.sku, str(p.price), _tags(p.tags))


def customer_values(shop_id: int, c: Customer) -> Values:
    return (
        shop_id,
        c.id,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.locale,
        c.country,
        c.currency,
        _tags(c.tags),
        int(c.accepts_marketing),
        ts(c.created_at),
        ts(c.updated_at),
    )


def order_tables(shop_id: int, orders: Sequence[Order]) -> dict[str, list[Values]]:
    """Rows per table for ``orders`` and everything under them, parents before children."""
    tables: dict[str, list[Values]] = {
        "orders": [],
        "line_items": [],
        "fulfillments": [],
        "fulfillment_lines": [],
        "refunds": [],
        "refund_lines": [],
    }
    for o in orders:
        tables["orders"].append(
            (
                shop_id,
                o.id,
                o.number,
                o.name,
                o.customer_id,
                o.email,
                o.phone,
                o.locale,
                o.country,
                o.currency,
                str(o.subtotal),
                str(o.total_discounts),
                str(o.total_tax),
                str(o.total_shipping),
                str(o.total_price),
                str(o.total_refunded),
                o.financial_status.value,
                o.fulfillment_status.value,
                _tags(o.tags),
                int(o.test),
                ts(o.created_at),
                ts(o.updated_at),
                _ts_or_none(o.cancelled_at),
                o.cancel_reason,
                _ts_or_none(o.closed_at),
            )
        )
        for li in o.line_items:
            tables["line_items"].append(
                (
                    shop_id,
                    li.id,
                    o.id,
                    li.product_id,
                    li.variant_id,
                    li.title,
                    li.variant_title,
                    li.sku,
                    li.quantity,
                    str(li.price),
                    str(li.total_discount),
                    str(li.total_tax),
                    _tags(li.product_tags),
                )
            )
        for f in o.fulfillments:
            tables["fulfillments"].append(
                (
                    shop_id,
                    f.id,
                    o.id,
                    f.status,
                    f.shipment_status,
                    f.tracking_company,
                    f.tracking_number,
                    f.tracking_url,
                    ts(f.created_at),
                    _ts_or_none(f.delivered_at),
                )
            )
            tables["fulfillment_lines"] += [(shop_id, f.id, fl.line_item_id, fl.quantity) for fl in f.lines]
        for r in o.refunds:
            tables["refunds"].append(
                (shop_id, r.id, o.id, ts(r.created_at), r.note, str(r.shipping), str(r.amount))
            )
            tables["refund_lines"] += [
                (
                    shop_id,
                    r.id,
                    rl.line_item_id,
                    rl.quantity,
                    str(rl.subtotal),
                    str(rl.total_tax),
                    rl.restock_type,
                )
                for rl in r.lines
            ]
    return tables


# -- rows to models ------------------------------------------------------------------------------


def shop_of(row: sqlite3.Row) -> Shop:
    return Shop(
        id=row["id"],
        platform=Platform(row["platform"]),
        domain=row["domain"],
        name=row["name"],
        plan=row["plan"],
        currency=row["currency"],
        email=row["email"],
        created_at=_dt(row["created_at"]),
    )


def product_of(row: sqlite3.Row) -> Product:
    return Product(
        product_id=row["product_id"],
        variant_id=row["variant_id"],
        title=row["title"],
        variant_title=row["variant_title"],
        sku=row["sku"],
        price=Decimal(row["price"]),
        tags=_untag(row["tags"]),
    )


def customer_of(row: sqlite3.Row) -> Customer:
    return Customer(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        locale=row["locale"],
        country=row["country"],
        currency=row["currency"],
        tags=_untag(row["tags"]),
        accepts_marketing=bool(row["accepts_marketing"]),
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
    )


def mail_of(row: sqlite3.Row) -> MailMessage:
    return MailMessage(
        id=row["id"],
        received_at=_dt(row["received_at"]),
        mail_from=row["mail_from"],
        to=tuple(json.loads(row["rcpt_to"])),
        subject=row["subject"],
        date=row["date"],
        message_id=row["message_id"],
        text=row["text"],
        html=row["html"],
        raw=bytes(row["raw"]),
    )


@dataclass(frozen=True, slots=True)
class OrderChildren:
    """The rows under a set of orders, each list ordered as it should appear."""

    line_items: Sequence[sqlite3.Row]
    fulfillments: Sequence[sqlite3.Row]
    fulfillment_lines: Sequence[sqlite3.Row]
    refunds: Sequence[sqlite3.Row]
    refund_lines: Sequence[sqlite3.Row]


def _line_item_of(r: sqlite3.Row) -> LineItem:
    return LineItem(
        id=r["id"],
        product_id=r["product_id"],
        variant_id=r["variant_id"],
        title=r["title"],
        variant_title=r["variant_title"],
        sku=r["sku"],
        quantity=r["quantity"],
        price=Decimal(r["price"]),
        total_discount=Decimal(r["total_discount"]),
        total_tax=Decimal(r["total_tax"]),
        product_tags=_untag(r["product_tags"]),
    )


def _fulfillment_of(r: sqlite3.Row, lines: Sequence[FulfillmentLine]) -> Fulfillment:
    return Fulfillment(
        id=r["id"],
        status=r["status"],
        shipment_status=r["shipment_status"],
        tracking_company=r["tracking_company"],
        tracking_number=r["tracking_number"],
        tracking_url=r["tracking_url"],
        created_at=_dt(r["created_at"]),
        delivered_at=_dt_or_none(r["delivered_at"]),
        lines=tuple(lines),
    )


def _refund_line_of(r: sqlite3.Row) -> RefundLine:
    return RefundLine(
        line_item_id=r["line_item_id"],
        quantity=r["quantity"],
        subtotal=Decimal(r["subtotal"]),
        total_tax=Decimal(r["total_tax"]),
        restock_type=r["restock_type"],
    )


def _refund_of(r: sqlite3.Row, lines: Sequence[RefundLine]) -> Refund:
    return Refund(
        id=r["id"],
        created_at=_dt(r["created_at"]),
        note=r["note"],
        shipping=Decimal(r["shipping"]),
        amount=Decimal(r["amount"]),
        lines=tuple(lines),
    )


def orders_of(rows: Sequence[sqlite3.Row], children: OrderChildren) -> tuple[Order, ...]:
    """Orders for ``rows``, each with its own children picked out of ``children``."""
    shipped: dict[int, list[FulfillmentLine]] = {}
    for r in children.fulfillment_lines:
        shipped.setdefault(r["fulfillment_id"], []).append(FulfillmentLine(r["line_item_id"], r["quantity"]))
    refunded: dict[int, list[RefundLine]] = {}
    for r in children.refund_lines:
        refunded.setdefault(r["refund_id"], []).append(_refund_line_of(r))
    lines_of: dict[int, list[LineItem]] = {}
    for r in children.line_items:
        lines_of.setdefault(r["order_id"], []).append(_line_item_of(r))
    fulfillments_of: dict[int, list[Fulfillment]] = {}
    for r in children.fulfillments:
        fulfillments_of.setdefault(r["order_id"], []).append(_fulfillment_of(r, shipped.get(r["id"], [])))
    refunds_of: dict[int, list[Refund]] = {}
    for r in children.refunds:
        refunds_of.setdefault(r["order_id"], []).append(_refund_of(r, refunded.get(r["id"], [])))
    return tuple(
        Order(
            id=row["id"],
            number=row["number"],
            name=row["name"],
            customer_id=row["customer_id"],
            email=row["email"],
            phone=row["phone"],
            locale=row["locale"],
            country=row["country"],
            currency=row["currency"],
            subtotal=Decimal(row["subtotal"]),
            total_discounts=Decimal(row["total_discounts"]),
            total_tax=Decimal(row["total_tax"]),
            total_shipping=Decimal(row["total_shipping"]),
            total_price=Decimal(row["total_price"]),
            total_refunded=Decimal(row["total_refunded"]),
            financial_status=FinancialStatus(row["financial_status"]),
            fulfillment_status=FulfillmentStatus(row["fulfillment_status"]),
            tags=_untag(row["tags"]),
            test=bool(row["test"]),
            created_at=_dt(row["created_at"]),
            updated_at=_dt(row["updated_at"]),
            cancelled_at=_dt_or_none(row["cancelled_at"]),
            cancel_reason=row["cancel_reason"],
            closed_at=_dt_or_none(row["closed_at"]),
            line_items=tuple(lines_of.get(row["id"], ())),
            fulfillments=tuple(fulfillments_of.get(row["id"], ())),
            refunds=tuple(refunds_of.get(row["id"], ())),
        )
        for row in rows
    )
