"""Canned-reply pages and replying to a customer: forms that change nothing when wrong, a preview
that reports template errors with their line, and nothing of another shop reachable by id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from arq import ArqRedis
from arq.constants import default_queue_name

from app.clock import utcnow
from app.models import (
    CannedReply,
    CannedReplyTranslation,
    Customer,
    Fulfillment,
    MessageStatus,
    Order,
    OutboundMessage,
    Shop,
    TimelineEntry,
)
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed

LOCATION = "x-aftercare-location"
NONCE = "page-nonce-0123456789"


def reply_form(short_code: str = "where", **changes: str | list[str]) -> dict[str, str | list[str]]:
    return {
        "short_code": short_code,
        "title": "Where is my order",
        "folder": "Shipping",
        "subject": "Order {{ order.number }}",
        "body": "Hi {{ customer.first_name | default('there') }}, track it: {{ order.tracking_url }}",
        "required_variables": "order.tracking_url",
        "translation_locale": ["de", ""],
        "translation_subject": ["Bestellung {{ order.number }}", ""],
        "translation_body": ["Hallo {{ customer.first_name }}: {{ order.tracking_url }}", ""],
        **changes,
    }


async def a_reply(shop: Shop, short_code: str = "where", **fields: object) -> CannedReply:
    values: dict[str, Any] = {
        "title": "Where is my order",
        "body": "Hi {{ customer.first_name }}",
        **fields,
    }
    return await CannedReply.create(shop=shop, short_code=short_code, **values)


async def ava_with_order(
    shop: Shop, *, tracking: bool = True, locale: str | None = None
) -> tuple[Customer, Order]:
    ava = await Customer.create(
        shop=shop,
        platform_id="ava",
        first_name="Ava",
        last_name="Smith",
        email="ava@example.com",
        locale=locale,
    )
    order = await Order.create(shop=shop, customer=ava, platform_id="o1", number="#1001", placed_at=utcnow())
    if tracking:
        await Fulfillment.create(
            shop=shop, order=order, platform_id="f1", tracking_url="https://t.example/1Z"
        )
    return ava, order


async def test_creating_a_reply_saves_it_with_its_translations(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    staff = as_staff_of(settings, SHOP_A)
    page = await client.get("/replies/new", headers=staff)
    assert page.status_code == 200 and "{{ customer.first_name }}" in page.text, "clickable variables"

    response = await client.post("/replies/new", data=reply_form(), headers=staff)

    assert response.status_code == 200, response.text
    reply = await CannedReply.get(shop_id=shop.id, short_code="where")
    assert response.headers[LOCATION] == f"/replies/{reply.id}?saved=1"
    assert (reply.folder, reply.required_variables) == ("Shipping", ["order.tracking_url"])
    [german] = await CannedReplyTranslation.filter(reply_id=reply.id)
    assert german.locale == "de" and german.body.startswith("Hallo")
    listing = await client.get("/replies", headers=staff)
    assert "Where is my order" in listing.text and "Shipping" in listing.text


async def test_a_duplicate_short_code_is_a_form_error_and_nothing_is_written(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    await a_reply(shop, "where")

    response = await client.post(
        "/replies/new", data=reply_form("where", title="Copy"), headers=as_staff_of(settings, SHOP_A)
    )

    assert response.status_code == 422
    assert "Another reply already uses this short code." in response.text
    assert 'value="Copy"' in response.text, "the form comes back as typed"
    assert await CannedReply.filter(shop_id=shop.id).count() == 1
    assert await CannedReplyTranslation.all().count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the reply a title."),
        ({"body": "Hi\n{{ customer.first_name"}, "Line 2: "),
        ({"body": "{% include 'secrets' %}"}, "{% include %} is not allowed"),
        ({"required_variables": "customer.password"}, "Unknown variable: customer.password."),
        ({"translation_locale": ["not a locale", ""]}, "Give a language code"),
        ({"short_code": "two words"}, "lowercase letters"),
        # Escapes that compile but are refused when run are refused at save, not only at preview.
        ({"body": "Hi\n{{ ''.__class__.__mro__ }}"}, "Line 2: not allowed"),
        ({"body": "{{ ''|attr('__class__') }}"}, "not allowed"),
        ({"subject": "{{ range(10**9)|list }}"}, "range() may produce at most 1000 items"),
    ],
)
async def test_bad_input_comes_back_with_messages_and_writes_nothing(
    client: httpx.AsyncClient, settings: Settings, changes: dict[str, Any], message: str
) -> None:
    await installed(settings, SHOP_A)
    response = await client.post(
        "/replies/new", data=reply_form(**changes), headers=as_staff_of(settings, SHOP_A)
    )
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert await CannedReply.all().count() == 0


async def test_editing_and_deleting_a_reply(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await installed(settings, SHOP_A)
    staff = as_staff_of(settings, SHOP_A)
    reply = await a_reply(shop)
    page = await client.get(f"/replies/{reply.id}", headers=staff)
    assert page.status_code == 200 and 'value="where"' in page.text

    edited = await client.post(
        f"/replies/{reply.id}", data=reply_form("where-now", title="Tracking"), headers=staff
    )
    assert edited.status_code == 200 and edited.headers[LOCATION] == f"/replies/{reply.id}?saved=1"
    assert (await CannedReply.get(id=reply.id)).title == "Tracking"

    deleted = await client.post(f"/replies/{reply.id}/delete", headers=staff)
    assert deleted.headers[LOCATION] == "/replies?deleted=1"
    assert not await CannedReply.filter(id=reply.id).exists()
    assert (await client.get(f"/replies/{reply.id}", headers=staff)).status_code == 404
    assert (await client.get("/replies/abc", headers=staff)).status_code == 400


async def test_search_by_title_short_code_and_body_and_filter_by_folder(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    staff = as_staff_of(settings, SHOP_A)
    await a_reply(shop, "refund-late", title="Late refund", folder="Money")
    await a_reply(shop, "hello", title="Greeting", body="We sent your parcel")
    await a_reply(shop, "bye", title="Goodbye", folder="Money")

    def titles(page: str) -> list[str]:
        return [t for t in ("Late refund", "Greeting", "Goodbye") if t in page]

    assert titles((await client.get("/replies?q=refund", headers=staff)).text) == ["Late refund"]
    assert titles((await client.get("/replies?q=PARCEL", headers=staff)).text) == ["Greeting"]
    assert titles((await client.get("/replies?q=hel", headers=staff)).text) == ["Greeting"]
    assert titles((await client.get("/replies?folder=Money", headers=staff)).text) == [
        "Late refund",
        "Goodbye",
    ]
    assert "No reply matches." in (await client.get("/replies?q=nothing", headers=staff)).text


async def test_preview_renders_for_a_chosen_customer_in_their_language(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    ava, _ = await ava_with_order(shop, locale="de-DE")
    response = await client.post(
        "/replies/preview",
        data={**reply_form(), "customer_id": str(ava.id)},
        headers=as_staff_of(settings, SHOP_A),
    )
    assert response.status_code == 200, response.text
    assert "Hallo Ava: https://t.example/1Z" in response.text and "Bestellung #1001" in response.text

    as_json = await client.post(
        "/replies/preview",
        data={**reply_form(), "customer_id": "", "translation_locale": ["", ""]},
        headers={**as_staff_of(settings, SHOP_A), "Accept": "application/json"},
    )
    assert as_json.json()["body"].startswith("Hi Ava, track it: https://"), "sample data without a customer"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello\n\n{{ customer.first_name( }}", "Line 3: unexpected"),
        ("Hello\n{{ ''.__class__.__mro__ }}", "Line 2: not allowed"),
        ("{{ range(10**9)|list }}", "Line 1: range() may produce at most 1000 items"),
    ],
)
async def test_preview_reports_template_errors_with_their_line(
    client: httpx.AsyncClient, settings: Settings, body: str, message: str
) -> None:
    await installed(settings, SHOP_A)
    response = await client.post(
        "/replies/preview", data={"subject": "", "body": body}, headers=as_staff_of(settings, SHOP_A)
    )
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")


async def test_preview_refuses_an_empty_required_variable(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    ava, _ = await ava_with_order(shop, tracking=False)
    response = await client.post(
        "/replies/preview",
        data={**reply_form(), "customer_id": str(ava.id)},
        headers={**as_staff_of(settings, SHOP_A), "Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "ok": False,
        "subject": "",
        "body": "",
        "error": "Required variable order.tracking_url is empty for this customer",
    }


async def test_using_a_reply_counts_once_per_click_and_goes_on_the_timeline(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    reply = await a_reply(shop)
    ava, order = await ava_with_order(shop)
    form = {"reply_id": str(reply.id), "customer_id": str(ava.id), "order_id": str(order.id), "nonce": NONCE}

    first = await client.post("/replies/use", data=form, headers=as_staff_of(settings, SHOP_A))
    again = await client.post("/replies/use", data=form, headers=as_staff_of(settings, SHOP_A))
    copied = await client.post(
        "/replies/use",
        data={**form, "nonce": NONCE + "c", "action": "copy"},
        headers=as_staff_of(settings, SHOP_A),
    )

    assert first.headers[LOCATION] == f"/customers/{ava.id}/reply?reply_id={reply.id}&order_id={order.id}"
    assert again.headers[LOCATION] == first.headers[LOCATION]
    assert copied.status_code == 204
    assert (await CannedReply.get(id=reply.id)).usage_count == 2
    assert await TimelineEntry.filter(customer_id=ava.id, kind="reply.used").count() == 2


async def test_replying_to_a_customer_queues_one_message_and_one_job(
    client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    shop = await installed(settings, SHOP_A)
    reply = await a_reply(shop, body="Hi {{ customer.first_name }}, your order {{ order.number }} ships.")
    ava, order = await ava_with_order(shop)
    staff = as_staff_of(settings, SHOP_A)

    page = await client.get(
        f"/customers/{ava.id}/reply?reply_id={reply.id}&order_id={order.id}", headers=staff
    )
    assert page.status_code == 200
    assert "Hi Ava, your order #1001 ships.</textarea>" in page.text

    form = {"subject": "Your order", "body": "Hi Ava, edited.", "nonce": NONCE, "reply_id": str(reply.id)}
    first = await client.post(f"/customers/{ava.id}/reply", data=form, headers=staff)
    second = await client.post(f"/customers/{ava.id}/reply", data=form, headers=staff)

    assert first.headers[LOCATION] == second.headers[LOCATION] == f"/customers/{ava.id}/reply?sent=1"
    [message] = await OutboundMessage.filter(shop_id=shop.id)
    assert (message.status, message.to_email, message.body_text) == (
        MessageStatus.QUEUED,
        "ava@example.com",
        "Hi Ava, edited.",
    )
    assert message.canned_reply_id == reply.id  # type: ignore[attr-defined]
    assert await queue.zcard(default_queue_name) == 1
    listed = await client.get(f"/customers/{ava.id}/reply?sent=1", headers=staff)
    assert "The reply is on its way" in listed.text and "Your order" in listed.text


async def test_a_reply_with_an_empty_required_variable_is_not_filled_in(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    reply = await a_reply(
        shop, body="Track: {{ order.tracking_url }}", required_variables=["order.tracking_url"]
    )
    ava, _ = await ava_with_order(shop, tracking=False)
    page = await client.get(
        f"/customers/{ava.id}/reply?reply_id={reply.id}", headers=as_staff_of(settings, SHOP_A)
    )
    assert "Required variable order.tracking_url is empty for this customer" in page.text
    assert "Track:" not in page.text


async def test_a_reply_without_text_is_refused_and_nothing_is_queued(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    ava, _ = await ava_with_order(shop)
    response = await client.post(
        f"/customers/{ava.id}/reply",
        data={"subject": "Hi", "body": "  ", "nonce": NONCE},
        headers=as_staff_of(settings, SHOP_A),
    )
    assert response.status_code == 422 and "Write the reply." in response.text
    assert await OutboundMessage.all().count() == 0


async def test_another_shops_replies_and_customers_are_not_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await installed(settings, SHOP_A)
    shop_b = await installed(settings, SHOP_B)
    theirs = await a_reply(shop_b, "secret", title="B's reply")
    bob = await Customer.create(shop=shop_b, platform_id="bob", first_name="Bob", email="bob@b.example")
    staff_a = as_staff_of(settings, SHOP_A)

    assert (await client.get(f"/replies/{theirs.id}", headers=staff_a)).status_code == 404
    assert (
        await client.post(f"/replies/{theirs.id}", data=reply_form("x"), headers=staff_a)
    ).status_code == 404
    assert (await client.post(f"/replies/{theirs.id}/delete", headers=staff_a)).status_code == 404
    use = {"reply_id": str(theirs.id), "nonce": NONCE}
    assert (await client.post("/replies/use", data=use, headers=staff_a)).status_code == 404
    assert (await client.get(f"/customers/{bob.id}/reply", headers=staff_a)).status_code == 404
    send = {"subject": "x", "body": "y", "nonce": NONCE}
    assert (await client.post(f"/customers/{bob.id}/reply", data=send, headers=staff_a)).status_code == 404
    preview = await client.post(
        "/replies/preview", data={"body": "{{ customer.email }}", "customer_id": str(bob.id)}, headers=staff_a
    )
    assert "ava@example.com" in preview.text and "bob@b.example" not in preview.text, "sample data, not B's"
    listing = await client.get("/replies?q=secret", headers=staff_a)
    assert "B&#39;s reply" not in listing.text and "B's reply" not in listing.text

    stored = await CannedReply.get(id=theirs.id)
    assert (stored.title, stored.usage_count) == ("B's reply", 0)
    assert await OutboundMessage.all().count() == 0
