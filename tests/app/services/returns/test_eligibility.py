"""Eligibility of a requested return: the order's facts (only fulfilled units, never more than
can still be returned, only this order's items) cannot be overridden; the policy's rules (window,
final sale, resolutions offered) can, by staff with a reason, and the override is audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.clock import utcnow
from app.models import (
    AuditEvent,
    Refund,
    RefundLine,
    RefundStatus,
    Return,
    ReturnItem,
    ReturnStatus,
)
from app.services.returns.creation import create_return
from app.services.returns.eligibility import Eligibility, check_return, order_facts
from app.services.returns.form import parse_return_form
from app.services.settings import ReturnPolicy
from app.settings import Settings
from tests.app.services.returns.support import Store, order_in, request, store

POLICY = ReturnPolicy()
BUFFER = 5


async def checked(s: Store, fields: dict[str, str], policy: ReturnPolicy = POLICY) -> Eligibility:
    form = parse_return_form(request(**fields), policy.reasons)
    return check_return(form, await order_facts(s.order), policy, BUFFER, utcnow())


def messages(eligibility: Eligibility) -> list[str]:
    return [p.message for p in eligibility.problems]


async def test_a_delivered_item_within_the_window_is_eligible(db: Settings) -> None:
    s = await store()
    result = await checked(s, {f"qty.{s.mug.id}": "2", f"qty.{s.scarf.id}": "1"})
    assert result.eligible and result.notes == ()


async def test_the_window_counts_from_delivery_up_to_its_last_instant(db: Settings) -> None:
    s = await store()
    delivered = s.fulfillment.delivered_at
    assert delivered is not None
    form = parse_return_form(request(**{f"qty.{s.mug.id}": "1"}), POLICY.reasons)
    facts = await order_facts(s.order)
    last_instant = delivered + timedelta(days=30)

    assert check_return(form, facts, POLICY, BUFFER, last_instant).eligible
    late = check_return(form, facts, POLICY, BUFFER, last_instant + timedelta(seconds=1))

    [problem] = late.problems
    assert problem.overridable and problem.field == f"qty.{s.mug.id}"
    assert problem.message.startswith("The return window for Mug ended on ")
    assert "(30 days from delivery)" in problem.message


async def test_without_a_delivery_the_window_counts_from_fulfillment_plus_the_transit_buffer(
    db: Settings,
) -> None:
    s = await store()
    fulfilled = utcnow() - timedelta(days=40)
    undelivered = await order_in(s.shop, s.staff, delivered_at=None, fulfilled_at=fulfilled, number="#1002")
    form = parse_return_form(request(**{f"qty.{undelivered.mug.id}": "1"}), POLICY.reasons)
    facts = await order_facts(undelivered.order)

    # 30 days from fulfillment + 5 days in transit: 35 days after it shipped.
    assert check_return(form, facts, POLICY, BUFFER, fulfilled + timedelta(days=35)).eligible
    late = check_return(form, facts, POLICY, BUFFER, fulfilled + timedelta(days=35, seconds=1))
    assert "(30 days from fulfillment + 5 days in transit)" in messages(late)[0]


async def test_a_final_sale_item_is_a_policy_problem(db: Settings) -> None:
    s = await store()
    s.scarf.product_tags = "summer, Final-Sale"
    await s.scarf.save()

    result = await checked(s, {f"qty.{s.scarf.id}": "1"})

    assert messages(result) == ["Scarf is final sale (tagged “final-sale”)."]
    assert result.problems[0].overridable


async def test_product_tags_never_read_are_not_known_so_the_item_is_not_excluded_and_the_check_says_so(
    db: Settings,
) -> None:
    s = await store()
    form = parse_return_form(request(**{f"qty.{s.scarf.id}": "1"}), POLICY.reasons)
    facts = await order_facts(s.order)
    facts.lines[s.scarf.id].product_tags = None  # type: ignore[assignment]  # a source without tags
    result = check_return(form, facts, POLICY, BUFFER, utcnow())

    assert result.eligible
    assert result.notes == ("The product tags of Scarf are not known: it was not checked for final sale.",)


async def test_a_resolution_the_policy_does_not_offer_is_a_policy_problem(db: Settings) -> None:
    s = await store()
    policy = ReturnPolicy(resolutions=("refund",))
    result = await checked(s, {"resolution": "exchange", f"qty.{s.mug.id}": "1"}, policy)
    assert messages(result) == ["The return policy does not offer exchange."]
    assert result.problems[0].overridable


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("3", "Only 2 of Mug can be returned."),
        ("-1", "A quantity cannot be negative."),
        ("1.5", "Enter a whole number of units."),
        ("two", "Enter a whole number of units."),
    ],
)
async def test_quantities_must_be_whole_positive_and_no_more_than_fulfilled(
    db: Settings, quantity: str, message: str
) -> None:
    s = await store()
    result = await checked(s, {f"qty.{s.mug.id}": quantity})
    assert messages(result) == [message]
    assert not result.problems[0].overridable


async def test_nothing_chosen_is_a_problem(db: Settings) -> None:
    s = await store()
    result = await checked(s, {f"qty.{s.mug.id}": "0"})
    assert messages(result) == ["Choose at least one item to return."]


async def test_an_unfulfilled_item_cannot_be_returned(db: Settings) -> None:
    s = await store()
    result = await checked(s, {f"qty.{s.lamp.id}": "1"})
    assert messages(result) == ["Lamp has not been fulfilled: only fulfilled items can be returned."]


async def test_a_line_item_of_another_order_is_not_an_item_of_this_one(db: Settings) -> None:
    s = await store()
    other = await order_in(s.shop, s.staff, delivered_at=utcnow(), number="#1002")
    result = await checked(s, {f"qty.{other.mug.id}": "1", "qty.abc": "1"})
    assert sorted(messages(result)) == ["This is not an item of the order."] * 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "because", "Choose a reason from the list."),
        ("resolution", "cash", "Choose a resolution from the list."),
        ("note", "x" * 501, "Keep the note under 500 characters."),
    ],
)
async def test_tampered_fields_are_problems_nobody_can_override(
    db: Settings, field: str, value: str, message: str
) -> None:
    s = await store()
    result = await checked(s, {f"qty.{s.mug.id}": "1", field: value})
    assert messages(result) == [message]
    assert not result.allows("I say so")


async def test_units_in_other_returns_and_refunded_units_are_not_returnable(db: Settings) -> None:
    s = await store()
    earlier = await Return.create(shop=s.shop, order=s.order, requested_at=utcnow(), status=ReturnStatus.OPEN)
    await ReturnItem.create(shop=s.shop, return_request=earlier, line_item=s.mug, quantity=1)
    # A declined return gives its units back.
    declined = await Return.create(
        shop=s.shop, order=s.order, requested_at=utcnow(), status=ReturnStatus.DECLINED
    )
    await ReturnItem.create(shop=s.shop, return_request=declined, line_item=s.mug, quantity=1)
    # The scarf was refunded without a return (the platform's count says none is left).
    s.scarf.refundable_quantity = 0
    await s.scarf.save()

    result = await checked(s, {f"qty.{s.mug.id}": "2", f"qty.{s.scarf.id}": "1"})

    assert messages(result) == [
        "Only 1 of Mug can be returned.",
        "Scarf cannot be returned: every fulfilled unit is in a return or refunded.",
    ]


async def test_a_unit_refunded_through_its_return_is_counted_once(db: Settings) -> None:
    s = await store()
    returned = await Return.create(
        shop=s.shop, order=s.order, requested_at=utcnow(), status=ReturnStatus.CLOSED
    )
    await ReturnItem.create(shop=s.shop, return_request=returned, line_item=s.mug, quantity=1)
    refund = await Refund.create(
        shop=s.shop, order=s.order, return_request=returned, status=RefundStatus.SUCCEEDED, amount=30
    )
    await RefundLine.create(shop=s.shop, refund=refund, line_item=s.mug, quantity=1, amount=30)
    s.mug.refundable_quantity = 1
    await s.mug.save()

    assert (await checked(s, {f"qty.{s.mug.id}": "1"})).eligible
    assert messages(await checked(s, {f"qty.{s.mug.id}": "2"})) == ["Only 1 of Mug can be returned."]


async def test_an_override_with_a_reason_writes_the_return_and_audits_what_it_set_aside(db: Settings) -> None:
    s = await store()
    s.scarf.product_tags = "final-sale"
    await s.scarf.save()
    fields = request(**{f"qty.{s.scarf.id}": "1"})

    refused = await create_return(s.shop, s.staff, s.order.id, fields, None)
    assert refused.return_request is None and not refused.eligibility.eligible
    assert await Return.all().count() == 0 and await AuditEvent.all().count() == 0

    created = await create_return(
        s.shop, s.staff, s.order.id, {**fields, "override_reason": "Loyal customer, gift"}, None
    )

    row = created.return_request
    assert row is not None and row.eligibility_override == "Loyal customer, gift"
    event = await AuditEvent.get(action="return.eligibility_overridden")
    assert event.staff_id == s.staff.id  # type: ignore[attr-defined]
    assert event.subject_id == str(row.id)
    assert event.data == {
        "problems": ["Scarf is final sale (tagged “final-sale”)."],
        "reason": "Loyal customer, gift",
    }


async def test_an_override_cannot_return_more_than_was_fulfilled(db: Settings) -> None:
    s = await store()
    created = await create_return(
        s.shop, s.staff, s.order.id, request(**{f"qty.{s.lamp.id}": "1", "override_reason": "Please"}), None
    )
    assert created.return_request is None
    assert await Return.all().count() == 0 and await ReturnItem.all().count() == 0


async def test_the_restocking_fee_is_the_policys_share_of_what_the_units_were_paid(db: Settings) -> None:
    s = await store()
    s.shop.settings = {"return_policy": {"restocking_fee_percent": "12.5"}}
    await s.shop.save()
    s.mug.total_discount = Decimal("10")  # 5.00 off each of the two mugs
    await s.mug.save()

    created = await create_return(s.shop, s.staff, s.order.id, request(**{f"qty.{s.mug.id}": "2"}), None)

    assert created.return_request is not None
    assert created.return_request.restocking_fee == Decimal("6.25")  # 12.5 % of 2 x 25.00
    assert created.return_request.restocking_fee_percent == Decimal("12.5")
