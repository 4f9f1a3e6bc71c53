"""A canned reply rendered for a real customer: their locale's version, the order's variables, and a
refusal (naming the variable) when a required one is empty."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.clock import utcnow
from app.models import Customer, Fulfillment, LineItem, Order, Refund, Shop, StaffUser
from app.services.replies.context import build_context, load_subject, missing_required
from app.services.replies.rendering import Version, pick_version, render_reply
from app.settings import Settings

DEFAULT = Version(None, "Your order", "Hello {{ customer.first_name }}")
GERMAN = Version("de", "Ihre Bestellung", "Hallo {{ customer.first_name }}")
SWISS = Version("de-ch", "Ihre Bestellung", "Grüezi {{ customer.first_name }}")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de-CH", SWISS),
        ("de_ch", SWISS),
        ("de-DE", GERMAN),
        ("DE", GERMAN),
        ("fr-FR", DEFAULT),
        (None, DEFAULT),
    ],
)
def test_the_version_is_picked_by_locale_then_language_then_default(
    locale: str | None, expected: Version
) -> None:
    assert pick_version(DEFAULT, [GERMAN, SWISS], locale) == expected


def test_a_required_variable_that_is_empty_refuses_the_reply_by_name() -> None:
    version = Version(None, "Tracking", "Track it: {{ order.tracking_url }}")
    refused = render_reply(version, {"order": {"number": "#1"}}, ["order.tracking_url"])
    assert not refused.ok
    assert "order.tracking_url" in refused.error and refused.body == ""
    context = {"order": {"number": "#1"}, "fulfillment": {"tracking_url": "https://t.example/1"}}
    assert missing_required(context, ["order.tracking_url"]) == []
    sent = render_reply(
        version, {**context, "order": {"tracking_url": "https://t.example/1"}}, ["order.tracking_url"]
    )
    assert sent.ok and sent.body == "Track it: https://t.example/1"


def test_a_subject_is_one_line() -> None:
    rendered = render_reply(Version(None, "Hi\r\nBcc: x@example.com {{ 'a' }}", "b"), {}, [])
    assert rendered.subject == "Hi Bcc: x@example.com a"


def test_template_errors_come_back_as_the_error() -> None:
    rendered = render_reply(Version(None, "ok", "one\n{{ ''.__class__ }}"), {}, [])
    assert not rendered.ok and rendered.error.startswith("Line 2: not allowed")


async def test_the_context_is_plain_data_of_this_customer_and_their_last_order(db: Settings) -> None:
    shop = await Shop.create(
        platform="shopify", domain="a.myshopify.com", name="Demo", email="hi@demo.example"
    )
    staff = await StaffUser.create(shop=shop, platform_user_id="1", name="Sam", email="sam@demo.example")
    ava = await Customer.create(
        shop=shop, platform_id="c1", first_name="Ava", last_name="", email="ava@example.com", locale="de-DE"
    )
    old = await Order.create(
        shop=shop, customer=ava, platform_id="o1", number="#1000", placed_at=utcnow() - timedelta(days=9)
    )
    last = await Order.create(
        shop=shop,
        customer=ava,
        platform_id="o2",
        number="#1001",
        placed_at=utcnow(),
        total_price=Decimal("49.5"),
    )
    await LineItem.create(
        shop=shop, order=last, platform_id="l1", title="Shirt", quantity=2, price=Decimal("24.75")
    )
    await Fulfillment.create(
        shop=shop, order=last, platform_id="f1", tracking_number="1Z", tracking_url="https://t.example/1Z"
    )
    await Refund.create(shop=shop, order=last, amount=Decimal("10"), processed_at=utcnow())

    context = await build_context(shop, staff, await load_subject(shop.id, ava.id))

    assert context["customer"] == {
        "first_name": "Ava",
        "email": "ava@example.com",
        "locale": "de-DE",
        "orders_count": 0,
        "total_spent": "0.00",
    }, "empty last_name is left out, so default() applies"
    assert context["order"]["number"] == "#1001" and context["order"]["total"] == "49.50"
    assert context["order"]["line_items"] == [{"title": "Shirt", "quantity": 2, "price": "24.75"}]
    assert (
        context["fulfillment"]["tracking_url"] == context["order"]["tracking_url"] == "https://t.example/1Z"
    )
    assert context["refund"]["amount"] == "10.00"
    assert context["shop"] == {"name": "Demo", "email": "hi@demo.example"}
    assert context["staff"] == {"name": "Sam", "email": "sam@demo.example"}
    chosen = await load_subject(shop.id, ava.id, old.id)
    assert chosen.order is not None and chosen.order.number == "#1000"


async def test_another_shops_customer_or_order_is_not_found(db: Settings) -> None:
    shop_a = await Shop.create(platform="shopify", domain="a.myshopify.com")
    shop_b = await Shop.create(platform="shopify", domain="b.myshopify.com")
    bob = await Customer.create(shop=shop_b, platform_id="c1", first_name="Bob")
    order = await Order.create(shop=shop_b, customer=bob, platform_id="o1", number="#B1", placed_at=utcnow())
    subject = await load_subject(shop_a.id, bob.id, order.id)
    assert subject.customer is None and subject.order is None
