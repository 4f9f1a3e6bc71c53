"""plan_refund: every bad input is named and nothing is written; a good form becomes a plan."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.models import AuditEvent, Refund
from app.services.refunds.plan import OrderNotFound, plan_refund
from app.settings import Settings
from tests.app.services.refunds.support import books, form


async def test_a_good_form_becomes_a_plan(db: Settings) -> None:
    b = await books()
    result = await plan_refund(
        b.shop.id,
        b.order.id,
        form(**{f"qty.{b.mug.id}": "1", f"qty.{b.lamp.id}": "1", "restock": "on", "shipping_amount": "2.50"}),
    )
    assert result.errors == {} and result.plan is not None
    assert [(line.platform_id, line.quantity, line.restock_type) for line in result.plan.lines] == [
        ("11", 1, "return"),
        ("12", 1, "cancel"),
    ], "shipped units are returned, unshipped ones cancelled"
    assert result.plan.shipping.amount == Decimal("2.50") and not result.plan.shipping.full


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"qty.MUG": "-1"}, "qty.MUG"),
        ({"qty.MUG": "3"}, "qty.MUG"),
        ({"qty.MUG": "1.5"}, "qty.MUG"),
        ({"qty.MUG": "lots"}, "qty.MUG"),
        ({"qty.999999": "1"}, "qty.999999"),
        ({"qty.abc": "1"}, "qty.abc"),
        ({"qty.MUG": "1", "shipping_amount": "-1"}, "shipping_amount"),
        ({"qty.MUG": "1", "shipping_amount": "10.01"}, "shipping_amount"),
        ({"qty.MUG": "1", "shipping_amount": "NaN"}, "shipping_amount"),
        ({"qty.MUG": "1", "reason": "because"}, "reason"),
        ({"qty.MUG": "1", "note": "x" * 501}, "note"),
        ({}, "order"),
    ],
)
async def test_bad_input_is_named_and_nothing_is_written(
    db: Settings, fields: dict[str, str], field: str
) -> None:
    b = await books()
    sent = {key.replace("MUG", str(b.mug.id)): value for key, value in fields.items()}
    result = await plan_refund(b.shop.id, b.order.id, form(**sent))
    assert result.plan is None
    assert field.replace("MUG", str(b.mug.id)) in result.errors, result.errors
    assert await Refund.all().count() == 0 and await AuditEvent.all().count() == 0


async def test_line_items_of_another_order_or_shop_are_not_items_of_this_order(db: Settings) -> None:
    mine, theirs = await books(), await books("other.myshopify.com")
    result = await plan_refund(mine.shop.id, mine.order.id, form(**{f"qty.{theirs.mug.id}": "1"}))
    assert f"qty.{theirs.mug.id}" in result.errors
    with pytest.raises(OrderNotFound):
        await plan_refund(mine.shop.id, theirs.order.id, form(**{f"qty.{theirs.mug.id}": "1"}))
