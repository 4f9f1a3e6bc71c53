"""What a reply template can see: plain dicts built from one shop's rows (never ORM objects).

Empty values are left out rather than set to "" or None, so that ``default("there")`` applies to
them as well as to names that do not exist; required variables are checked against the same dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.models import Customer, Fulfillment, LineItem, Order, Refund, Return, Shop, StaffUser

MAX_LINE_ITEMS = 50

# Every variable the editor offers (clickable), with what it means; required variables must be one.
VARIABLES: dict[str, str] = {
    "customer.first_name": "Customer's first name",
    "customer.last_name": "Customer's last name",
    "customer.email": "Customer's email",
    "customer.locale": "Customer's language",
    "customer.orders_count": "Number of orders",
    "customer.total_spent": "Total spent",
    "order.number": "Order number",
    "order.placed_at": "Order date",
    "order.total": "Order total",
    "order.currency": "Order currency",
    "order.financial_status": "Payment status",
    "order.fulfillment_status": "Fulfillment status",
    "order.line_items": "Line items (loop: item.title, item.quantity, item.sku)",
    "fulfillment.tracking_number": "Tracking number",
    "fulfillment.tracking_company": "Carrier",
    "fulfillment.tracking_url": "Tracking URL",
    "return.name": "Return name",
    "return.status": "Return status",
    "return.reason": "Return reason",
    "refund.amount": "Refund amount",
    "refund.currency": "Refund currency",
    "refund.processed_at": "Refund date",
    "shop.name": "Store name",
    "shop.email": "Store email",
    "staff.name": "Your name",
    "staff.email": "Your email",
}
# "order.tracking_url" reads naturally to merchants; it is the fulfillment's.
ALIASES = {
    "order.tracking_url": "fulfillment.tracking_url",
    "order.tracking_number": "fulfillment.tracking_number",
}


@dataclass(frozen=True)
class ReplySubject:
    """The customer (and order) a reply is rendered for, loaded for one shop."""

    customer: Customer | None
    order: Order | None


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _date(moment: datetime | None) -> str | None:
    return None if moment is None else moment.date().isoformat()


async def load_subject(shop_id: int, customer_id: int | None, order_id: int | None = None) -> ReplySubject:
    """The customer and the order in context, or the customer's last order; ids of another shop
    find nothing."""
    customer = None
    if customer_id is not None:
        customer = await Customer.get_or_none(id=customer_id, shop_id=shop_id, deleted_at=None)
    order = None
    if order_id is not None:
        order = await Order.get_or_none(id=order_id, shop_id=shop_id)
        if order is not None and customer is not None and order.customer_id != customer.id:  # type: ignore[attr-defined]
            order = None  # an order of someone else is not "this customer's order"
    if order is None and customer is not None:
        order = await Order.filter(shop_id=shop_id, customer_id=customer.id).order_by("-placed_at").first()
    return ReplySubject(customer, order)


async def build_context(shop: Shop, staff: StaffUser | None, subject: ReplySubject) -> dict[str, Any]:
    context: dict[str, Any] = {
        "shop": _compact({"name": shop.name, "email": shop.email}),
        "staff": _compact({"name": staff.name, "email": staff.email} if staff else {}),
    }
    customer = subject.customer
    if customer is not None:
        context["customer"] = _compact(
            {
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "email": customer.email,
                "locale": customer.locale,
                "orders_count": customer.orders_count,
                "total_spent": _money(customer.total_spent),
            }
        )
    if subject.order is not None:
        context.update(await _order_context(shop.id, subject.order))
    return context


async def _order_context(shop_id: int, order: Order) -> dict[str, Any]:
    lines = await LineItem.filter(shop_id=shop_id, order_id=order.id).order_by("id").limit(MAX_LINE_ITEMS)
    fulfillment = (
        await Fulfillment.filter(shop_id=shop_id, order_id=order.id).order_by("-fulfilled_at", "-id").first()
    )
    return_request = await Return.filter(shop_id=shop_id, order_id=order.id).order_by("-requested_at").first()
    refund = await Refund.filter(shop_id=shop_id, order_id=order.id).order_by("-created_at").first()
    context: dict[str, Any] = {
        "order": _compact(
            {
                "number": order.number,
                "placed_at": _date(order.placed_at),
                "total": _money(order.total_price),
                "currency": order.currency,
                "financial_status": order.financial_status,
                "fulfillment_status": order.fulfillment_status,
                "line_items": [
                    _compact(
                        {
                            "title": line.title,
                            "variant_title": line.variant_title,
                            "sku": line.sku,
                            "quantity": line.quantity,
                            "price": _money(line.price),
                        }
                    )
                    for line in lines
                ],
            }
        )
    }
    if fulfillment is not None:
        tracking = _compact(
            {
                "tracking_number": fulfillment.tracking_number,
                "tracking_company": fulfillment.tracking_company,
                "tracking_url": fulfillment.tracking_url,
            }
        )
        context["fulfillment"] = tracking
        context["order"].update(tracking)
    if return_request is not None:
        context["return"] = _compact(
            {
                "name": return_request.name,
                "status": return_request.status.value,
                "reason": return_request.reason,
                "requested_at": _date(return_request.requested_at),
            }
        )
    if refund is not None:
        context["refund"] = _compact(
            {
                "amount": _money(refund.amount),
                "currency": refund.currency,
                "status": refund.status.value,
                "processed_at": _date(refund.processed_at),
            }
        )
    return context


def sample_context(shop: Shop, staff: StaffUser | None) -> dict[str, Any]:
    """Made-up values for a preview when the shop has no customer to preview against."""
    tracking = {
        "tracking_number": "1Z999AA10123456784",
        "tracking_company": "UPS",
        "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    }
    return {
        "shop": _compact({"name": shop.name or "Your store", "email": shop.email}),
        "staff": _compact({"name": staff.name if staff else "", "email": staff.email if staff else ""}),
        "customer": {
            "first_name": "Ava",
            "last_name": "Smith",
            "email": "ava@example.com",
            "orders_count": 3,
        },
        "order": {
            "number": "#1001",
            "placed_at": "2026-01-15",
            "total": "49.00",
            "currency": "USD",
            "financial_status": "paid",
            "fulfillment_status": "fulfilled",
            "line_items": [{"title": "Linen shirt", "quantity": 1, "sku": "LS-1", "price": "49.00"}],
            **tracking,
        },
        "fulfillment": tracking,
    }


def lookup(context: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, or None."""
    value: Any = context
    for part in ALIASES.get(path, path).split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def missing_required(context: dict[str, Any], required: list[str]) -> list[str]:
    """Required variables that are empty for this customer, in the order given."""
    return [path for path in required if lookup(context, path) in (None, "", [], {})]


def is_known_variable(path: str) -> bool:
    return path in VARIABLES or path in ALIASES
