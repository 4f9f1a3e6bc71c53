"""Checking a requested return against the order and the shop's return policy.

The check returns every problem at once, each with its message, and never raises for what a
person sent. Two kinds of problem:

- the request itself is wrong (an item not of this order, not fulfilled, more units than can be
  returned, a reason or resolution not offered): nobody can override these;
- the policy says no (the window ended, the item is final sale, the resolution is not offered to
  shoppers): staff may go ahead anyway with a reason, which is audited.

Notes are what could not be checked (an item whose product tags were never read): they do not
stop a return, and the page says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.models import Fulfillment, LineItem, Order
from app.services.returns.form import ReturnForm
from app.services.returns.returnable import returnable_quantities
from app.services.returns.window import window_start
from app.services.settings import ReturnPolicy


@dataclass(frozen=True)
class Problem:
    field: str  # the form field it is about ("qty.12", "reason", "order", ...)
    message: str
    overridable: bool = False  # a policy rule: staff may override it with a reason


@dataclass(frozen=True)
class Eligibility:
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.problems

    @property
    def blocking(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.overridable)

    @property
    def policy(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.overridable)

    def allows(self, override_reason: str) -> bool:
        """Whether a return may be written: eligible, or only policy problems and a reason given."""
        return not self.blocking and (not self.policy or bool(override_reason.strip()))

    def by_field(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        for problem in self.problems:
            fields[problem.field] = " ".join(filter(None, (fields.get(problem.field), problem.message)))
        return fields


@dataclass(frozen=True)
class OrderFacts:
    """What the check reads of an order (loaded under the order's lock when a return is written)."""

    order: Order
    lines: dict[int, LineItem]
    fulfillments: list[Fulfillment]
    returnable: dict[int, int]


async def order_facts(order: Order) -> OrderFacts:
    lines = {line.id: line for line in await LineItem.filter(order_id=order.id).order_by("id")}
    fulfillments = list(await Fulfillment.filter(order_id=order.id))
    return OrderFacts(order, lines, fulfillments, await returnable_quantities(order))


def check_return(
    form: ReturnForm, facts: OrderFacts, policy: ReturnPolicy, buffer_days: int, now: datetime
) -> Eligibility:
    problems = [Problem(name, message) for name, message in form.errors.items()]
    notes: list[str] = []
    if form.resolution and "resolution" not in form.errors and form.resolution not in policy.resolutions:
        label = form.resolution.replace("_", " ")
        problems.append(Problem("resolution", f"The return policy does not offer {label}.", True))
    for row, quantity in sorted(form.quantities.items()):
        line = facts.lines.get(row)
        name = f"qty.{row}"
        if line is None:
            problems.append(Problem(name, "This is not an item of the order."))
            continue
        problems += _quantity_problems(name, line, quantity, facts.returnable.get(row, 0))
        policy_problems, line_notes = policy_check(name, line, facts, policy, buffer_days, now)
        problems += policy_problems
        notes += line_notes
    return Eligibility(tuple(problems), tuple(notes))


def _quantity_problems(name: str, line: LineItem, quantity: int, returnable: int) -> list[Problem]:
    if line.fulfilled_quantity <= 0:
        return [Problem(name, f"{line.title} has not been fulfilled: only fulfilled items can be returned.")]
    if quantity > returnable:
        if returnable == 0:
            message = f"{line.title} cannot be returned: every fulfilled unit is in a return or refunded."
        else:
            message = f"Only {returnable} of {line.title} can be returned."
        return [Problem(name, message)]
    return []


def policy_check(
    name: str, line: LineItem, facts: OrderFacts, policy: ReturnPolicy, buffer_days: int, now: datetime
) -> tuple[list[Problem], list[str]]:
    """The policy's problems with returning ``line`` now, and what could not be checked (the
    form page shows both beside each item before anything is sent)."""
    problems: list[Problem] = []
    notes: list[str] = []
    start = window_start(facts.order, line, facts.fulfillments, buffer_days)
    if start is None:
        notes.append(
            f"No delivery or fulfillment date is known for {line.title}: the window was not checked."
        )
    else:
        ends = start.at + timedelta(days=policy.window_days)
        if now > ends:
            counted = (
                "delivery" if start.source == "delivery" else f"fulfillment + {buffer_days} days in transit"
            )
            problems.append(
                Problem(
                    name,
                    f"The return window for {line.title} ended on {ends:%b %-d, %Y} "
                    f"({policy.window_days} days from {counted}).",
                    True,
                )
            )
    tags = _final_sale_tags(line.product_tags, policy.final_sale_tags)
    if tags is None:
        notes.append(f"The product tags of {line.title} are not known: it was not checked for final sale.")
    elif tags:
        problems.append(Problem(name, f"{line.title} is final sale (tagged “{tags[0]}”).", True))
    return problems, notes


def _final_sale_tags(product_tags: str | None, final_sale: Sequence[str]) -> list[str] | None:
    """The final-sale tags the product carries; None when its tags were never read."""
    if product_tags is None:
        return None
    carried = {tag.strip().lower() for tag in product_tags.split(",")}
    return [tag for tag in final_sale if tag.strip().lower() in carried and tag.strip()]
