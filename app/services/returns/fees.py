"""The restocking fee: the policy's percentage of what the returned units were paid for."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from app.models import LineItem

CENT = Decimal("0.01")


def unit_paid(line: LineItem) -> Decimal:
    """A unit's price less its share of the line's discount."""
    if line.quantity <= 0:
        return line.price
    return line.price - line.total_discount / line.quantity


def restocking_fee(units: Iterable[tuple[LineItem, int]], percent: Decimal) -> Decimal:
    if percent <= 0:
        return Decimal("0.00")
    paid = sum((unit_paid(line) * quantity for line, quantity in units), Decimal("0"))
    return (paid * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
