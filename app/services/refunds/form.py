"""A refund form as a person sent it: parsed into plain values, every problem named once.

Nothing here touches the database: ``plan.plan_refund`` checks the values against the order.
Field names: ``qty.<line item row id>`` (units to refund), ``shipping_full`` (checkbox),
``shipping_amount``, ``restock``, ``notify``, ``reason``, ``note``; ``nonce`` on confirm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.services.input import line_quantities

REASONS = ("damaged", "wrong_item", "changed_mind", "not_as_described", "other")
NOTE_LIMIT = 500
MAX_MONEY = Decimal("1000000000")
# A nonce is made by the form page (uuid4 hex); anything else was not made by us.
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class RefundForm:
    quantities: dict[int, int]  # line item row id -> units
    shipping_full: bool
    shipping_amount: Decimal
    restock: bool
    notify: bool
    reason: str
    note: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_refund_form(form: Mapping[str, str]) -> RefundForm:
    errors: dict[str, str] = {}
    quantities = line_quantities(form, errors)
    shipping_amount = _money(form.get("shipping_amount", ""), "shipping_amount", errors)
    reason = form.get("reason", "")
    if reason not in REASONS:
        errors["reason"] = "Choose a reason from the list."
    note = form.get("note", "")
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Keep the note under {NOTE_LIMIT} characters."
    return RefundForm(
        quantities=quantities,
        shipping_full=form.get("shipping_full") == "on",
        shipping_amount=shipping_amount,
        restock=form.get("restock") == "on",
        notify=form.get("notify") == "on",
        reason=reason if reason in REASONS else "other",
        note=note[:NOTE_LIMIT],
        errors=errors,
    )


def valid_nonce(text: str | None) -> bool:
    return text is not None and NONCE.fullmatch(text) is not None


def _money(text: str, name: str, errors: dict[str, str]) -> Decimal:
    text = text.strip()
    if not text:
        return Decimal("0")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors[name] = "Enter an amount such as 4.90."
        return Decimal("0")
    if not amount.is_finite() or amount.as_tuple().exponent < -4:  # type: ignore[operator]
        errors[name] = "Enter an amount such as 4.90."
    elif amount < 0:
        errors[name] = "An amount cannot be negative."
    elif amount > MAX_MONEY:
        errors[name] = "That amount is too large."
    else:
        return amount
    return Decimal("0")
