"""A return form as a person sent it: parsed into plain values, every problem named once.

Nothing here touches the database: ``eligibility`` checks the values against the order.
Field names: ``qty.<line item row id>`` (units to return; 0 or empty: not this item),
``reason`` (one of the policy's reasons), ``note``, ``resolution``, ``override_reason``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.models import Resolution
from app.services.input import line_quantities

NOTE_LIMIT = 500
OVERRIDE_LIMIT = 500
DECLINE_REASONS = ("FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER")
DECLINE_NOTE_LIMIT = 500  # Shopify's limit for the note to the customer


@dataclass(frozen=True)
class ReturnForm:
    quantities: dict[int, int]  # line item row id -> units
    reason: str
    note: str
    resolution: str
    override_reason: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class DeclineForm:
    reason: str
    note: str
    errors: dict[str, str] = field(default_factory=dict)


def parse_return_form(form: Mapping[str, str], reasons: Sequence[str]) -> ReturnForm:
    errors: dict[str, str] = {}
    quantities = _quantities(form, errors)
    reason = form.get("reason", "")
    if reason not in reasons:
        errors["reason"] = "Choose a reason from the list."
    resolution = form.get("resolution", "")
    if resolution not in {r.value for r in Resolution}:
        errors["resolution"] = "Choose a resolution from the list."
    note = form.get("note", "")
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Keep the note under {NOTE_LIMIT} characters."
    override = form.get("override_reason", "").strip()
    if len(override) > OVERRIDE_LIMIT:
        errors["override_reason"] = f"Keep the reason under {OVERRIDE_LIMIT} characters."
    return ReturnForm(
        quantities=quantities,
        reason=reason,
        note=note[:NOTE_LIMIT],
        resolution=resolution,
        override_reason=override[:OVERRIDE_LIMIT],
        errors=errors,
    )


def parse_decline_form(form: Mapping[str, str]) -> DeclineForm:
    errors: dict[str, str] = {}
    reason = form.get("decline_reason", "")
    if reason not in DECLINE_REASONS:
        errors["decline_reason"] = "Choose why the return is declined."
    note = form.get("decline_note", "").strip()
    if len(note) > DECLINE_NOTE_LIMIT:
        errors["decline_note"] = f"Keep the note to the customer under {DECLINE_NOTE_LIMIT} characters."
    return DeclineForm(reason, note, errors)


def _quantities(form: Mapping[str, str], errors: dict[str, str]) -> dict[int, int]:
    quantities = line_quantities(form, errors)
    if not quantities and not errors:
        errors["order"] = "Choose at least one item to return."
    return quantities
