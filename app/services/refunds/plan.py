"""Checking a refund form against the order it is for: the plan that a quote and an intent use.

Every line id must be a line of THIS order of THIS shop; quantities no more than refundable now;
shipping no more than what is left; the order must have money left to refund.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.models import LineItem, Order
from app.services.refunds.availability import Availability, availability_of
from app.services.refunds.form import RefundForm, parse_refund_form
from connectors.base import RefundLineRequest, ShippingRefund


@dataclass(frozen=True)
class PlanLine:
    line_item_id: int  # our row
    platform_id: str
    title: str
    quantity: int
    restock_type: str  # "no_restock", "return", "cancel"


@dataclass(frozen=True)
class RefundPlan:
    shop_id: int
    order_id: int
    order_platform_id: str
    currency: str
    lines: tuple[PlanLine, ...]
    shipping: ShippingRefund
    restock: bool
    notify: bool
    reason: str
    note: str

    def line_requests(self) -> list[RefundLineRequest]:
        return [RefundLineRequest(line.platform_id, line.quantity, line.restock_type) for line in self.lines]

    def as_request(self) -> dict[str, Any]:
        """The plan as stored with the intent (JSON): what the job sends, what others count."""
        return {
            "lines": [
                {
                    "line_item": line.line_item_id,
                    "platform_id": line.platform_id,
                    "quantity": line.quantity,
                    "restock_type": line.restock_type,
                }
                for line in self.lines
            ],
            "shipping": {"full": self.shipping.full, "amount": str(self.shipping.amount)},
        }


@dataclass(frozen=True)
class PlanResult:
    form: RefundForm
    plan: RefundPlan | None = None
    errors: dict[str, str] = field(default_factory=dict)


class OrderNotFound(LookupError):
    """No such order in this shop (a 404, whoever's order it may be elsewhere)."""


async def load_order(shop_id: int, order_id: int) -> Order:
    order = await Order.get_or_none(id=order_id, shop_id=shop_id, deleted_at=None)
    if order is None:
        raise OrderNotFound(order_id)
    return order


async def plan_refund(shop_id: int, order_id: int, form: Mapping[str, str]) -> PlanResult:
    """``OrderNotFound`` for an order not in the shop; otherwise a plan, or errors by field."""
    order = await load_order(shop_id, order_id)
    parsed = parse_refund_form(form)
    errors = dict(parsed.errors)
    lines = {line.id: line for line in await LineItem.filter(order_id=order.id, shop_id=shop_id)}
    available = await availability_of(order)
    plan_lines = _plan_lines(parsed, lines, available, errors)
    if not parsed.shipping_full and parsed.shipping_amount > available.shipping:
        errors["shipping_amount"] = f"At most {available.shipping:.2f} of shipping is left to refund."
    if parsed.shipping_full and available.shipping <= 0:
        errors["shipping_amount"] = "No shipping is left to refund."
    if available.money <= 0:
        errors["order"] = "Nothing is left to refund on this order."
    elif not plan_lines and not parsed.shipping_full and parsed.shipping_amount <= 0:
        errors.setdefault("order", "Choose items or shipping to refund.")
    if errors:
        return PlanResult(parsed, errors=errors)
    plan = RefundPlan(
        shop_id=shop_id,
        order_id=order.id,
        order_platform_id=order.platform_id,
        currency=order.currency,
        lines=tuple(plan_lines),
        shipping=ShippingRefund(full=parsed.shipping_full, amount=_shipping(parsed)),
        restock=parsed.restock,
        notify=parsed.notify,
        reason=parsed.reason,
        note=parsed.note,
    )
    return PlanResult(parsed, plan=plan)


def plan_fits(plan: RefundPlan, available: Availability, amount: Decimal, shipping: Decimal) -> str | None:
    """Re-checked under the order's lock when the intent is written: None when it still fits.

    ``amount`` and ``shipping`` are the quote's, the numbers the intent will record: a "full"
    shipping refund is checked by what it comes to, not waved through because it asked for "all"."""
    for line in plan.lines:
        if line.quantity > available.quantities.get(line.line_item_id, 0):
            return f"{line.title}: only {available.quantities.get(line.line_item_id, 0)} left to refund."
    if shipping > available.shipping:
        return "The shipping was refunded meanwhile."
    if amount > available.money:
        return f"Only {available.money:.2f} {plan.currency} is left to refund on this order."
    return None


def _plan_lines(
    parsed: RefundForm, lines: dict[int, LineItem], available: Availability, errors: dict[str, str]
) -> list[PlanLine]:
    plan: list[PlanLine] = []
    for row, quantity in sorted(parsed.quantities.items()):
        line = lines.get(row)
        name = f"qty.{row}"
        if line is None:
            errors[name] = "This is not an item of the order."
            continue
        left = available.quantities.get(row, 0)
        if quantity > left:
            errors[name] = f"Only {left} of this item can be refunded."
            continue
        plan.append(
            PlanLine(
                row, line.platform_id, line.title, quantity, _restock_type(parsed.restock, line, quantity)
            )
        )
    return plan


def _restock_type(restock: bool, line: LineItem, quantity: int) -> str:
    # Shipped units go back through a return; units never shipped are cancelled (fact sheet 6.1).
    if not restock:
        return "no_restock"
    return "return" if line.fulfilled_quantity >= quantity else "cancel"


def _shipping(parsed: RefundForm) -> Decimal:
    return Decimal("0") if parsed.shipping_full else parsed.shipping_amount
