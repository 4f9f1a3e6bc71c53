"""The compliance webhooks' effects in the database (each test runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from app.models import (
    AuditEvent,
    Customer,
    DataRequest,
    DataRequestStatus,
    Order,
    OutboundMessage,
    Return,
    ReturnItem,
    Survey,
    SurveyResponse,
    SurveyStatus,
    TimelineEntry,
    WebhookEvent,
    WebhookStatus,
)
from app.settings import Settings
from jobs.webhooks import process_webhook
from tests.app.webhooks.conftest import make_shop
from tests.app.webhooks.deliveries import customer_redact_payload, data_request_payload, order_payload
from tests.jobs.customer_data import seed_customer
from tests.jobs.events import recorded

CTX = {"job_try": 1}
JON_ID = 115310627314723954


# --- customers/data_request -------------------------------------------------------------------


async def test_a_data_request_exports_everything_held_on_the_customer(db: Settings) -> None:
    shop = await make_shop()
    jon = await seed_customer(shop)
    await seed_customer(shop, platform_id="42", email="arya@example.com", n=2)
    event_id = await recorded(
        shop, "customers/data_request", data_request_payload(JON_ID, "jon@example.com", [], request_id=77)
    )

    assert await process_webhook(CTX, event_id) == "processed"

    request = await DataRequest.get(shop_id=shop.id, platform_request_id="77")
    assert request.status == DataRequestStatus.READY and request.completed_at is not None
    export = request.export
    assert export is not None
    assert [c["email"] for c in export["customers"]] == ["jon@example.com"]
    assert {o["number"] for o in export["orders"]} == {"#1001", "#2001"}, "linked and same-email orders"
    order = next(o for o in export["orders"] if o["number"] == "#1001")
    assert [li["title"] for li in order["line_items"]] == ["IPod Nano"]
    assert [f["tracking_number"] for f in order["fulfillments"]] == ["1Z999"]
    assert [len(r["lines"]) for r in order["refunds"]] == [1]
    assert [r["items"][0]["note"] for r in order["returns"]] == ["too small"]
    assert {s["id"] for s in export["surveys"]} == {jon.survey.id, jon.scheduled_survey.id}
    answered = next(s for s in export["surveys"] if s["id"] == jon.survey.id)
    assert answered["response"]["comment"] == "Jon here, it broke"
    assert [m["to_email"] for m in export["messages"]] == ["jon@example.com"]
    assert [t["summary"] for t in export["timeline"]] == ["Jon Snow (jon@example.com) placed #1001"]
    text = json.dumps(export)
    assert "arya@example.com" not in text, "another customer's data is not exported"
    assert jon.survey.token not in text, "survey links are credentials, not the customer's data"

    audit = await AuditEvent.get(action="privacy.data_request")
    assert audit.shop_id == shop.id  # type: ignore[attr-defined]
    assert audit.data["customer_platform_id"] == str(JON_ID)
    assert "jon@example.com" not in json.dumps(audit.data)


async def test_a_data_request_matches_by_email_alone_and_by_the_orders_requested(db: Settings) -> None:
    shop = await make_shop()
    await seed_customer(shop)
    other = await seed_customer(shop, platform_id="42", email="arya@example.com", n=2)
    event_id = await recorded(
        shop,
        "customers/data_request",
        data_request_payload(None, "JON@example.com", [int(other.guest_order.platform_id)], request_id=78),
    )
    await process_webhook(CTX, event_id)
    export = (await DataRequest.get(platform_request_id="78")).export
    assert export is not None
    assert len(export["customers"]) == 1
    assert {o["number"] for o in export["orders"]} == {"#1001", "#2001", "#2002"}


async def test_the_same_data_request_twice_is_one_export(db: Settings) -> None:
    shop = await make_shop()
    await seed_customer(shop)
    payload = data_request_payload(JON_ID, "jon@example.com", [], request_id=79)
    first, second = (
        await recorded(shop, "customers/data_request", payload),
        await recorded(shop, "customers/data_request", payload),
    )
    await process_webhook(CTX, first)
    exported = (await DataRequest.get(platform_request_id="79")).export
    await process_webhook(CTX, second)
    await process_webhook(CTX, first)
    assert await DataRequest.filter(shop_id=shop.id).count() == 1
    assert (await DataRequest.get(platform_request_id="79")).export == exported
    assert await AuditEvent.filter(action="privacy.data_request").count() == 1


# --- customers/redact -------------------------------------------------------------------------


async def test_a_redaction_anonymises_the_customer_and_keeps_orders_without_pii(db: Settings) -> None:
    shop = await make_shop()
    jon = await seed_customer(shop)
    arya = await seed_customer(shop, platform_id="42", email="arya@example.com", n=2)
    stored = await recorded(shop, "orders/create", order_payload(int(jon.order.platform_id)))
    event_id = await recorded(
        shop, "customers/redact", customer_redact_payload(JON_ID, "jon@example.com", [])
    )

    assert await process_webhook(CTX, event_id) == "processed"

    customer = await Customer.get(id=jon.customer.id)
    assert (customer.email, customer.first_name, customer.last_name, customer.phone, customer.name_key) == (
        None,
        "",
        "",
        None,
        "",
    )
    assert customer.redacted_at is not None
    assert await Order.filter(id__in=[jon.order.id, jon.guest_order.id]).count() == 2, "orders are kept"
    assert set(
        await Order.filter(id__in=[jon.order.id, jon.guest_order.id]).values_list("email", flat=True)
    ) == {None}
    assert (await Survey.get(id=jon.survey.id)).email is None
    assert (await SurveyResponse.get(survey_id=jon.survey.id)).comment == ""
    scheduled = await Survey.get(id=jon.scheduled_survey.id)
    assert (scheduled.status, scheduled.email) == (SurveyStatus.CANCELED, None)
    message = await OutboundMessage.get(id=jon.message.id)
    assert message.to_email == "" and "Jon" not in message.body_text and "Jon" not in message.subject
    entry = await TimelineEntry.get(id=jon.timeline.id)
    assert "jon@example.com" not in entry.summary and "Jon" not in entry.summary and entry.data == {}
    assert (await Return.get(order_id=jon.order.id)).note == ""
    assert await ReturnItem.filter(note="too small", return_request__order_id=jon.order.id).count() == 0
    stored_payload = (await WebhookEvent.get(id=stored)).payload
    assert "jon@example.com" not in json.dumps(stored_payload)
    assert stored_payload["id"] == int(jon.order.platform_id)
    own = await WebhookEvent.get(id=event_id)
    assert own.status == WebhookStatus.PROCESSED and "jon@example.com" not in json.dumps(own.payload)

    untouched = await Customer.get(id=arya.customer.id)
    assert (untouched.email, untouched.first_name, untouched.redacted_at) == ("arya@example.com", "Jon", None)
    assert (await Order.get(id=arya.order.id)).email == "arya@example.com"
    assert (await SurveyResponse.get(survey_id=arya.survey.id)).comment == "Jon here, it broke"

    audit = await AuditEvent.get(action="privacy.customer_redacted")
    assert audit.subject_id == str(JON_ID) and audit.data["customers"] == 1
    assert "jon@example.com" not in json.dumps(audit.data)


async def test_orders_to_redact_are_redacted_even_without_a_customer_match(db: Settings) -> None:
    shop = await make_shop()
    jon = await seed_customer(shop)
    event_id = await recorded(
        shop,
        "customers/redact",
        customer_redact_payload(None, "someone-else@example.com", [int(jon.order.platform_id)]),
    )
    await process_webhook(CTX, event_id)
    assert (await Order.get(id=jon.order.id)).email is None
    assert (await Order.get(id=jon.guest_order.id)).email == "JON@EXAMPLE.COM"
    assert (await Customer.get(id=jon.customer.id)).redacted_at is None


async def test_a_redaction_removes_an_earlier_export_of_the_customer(db: Settings) -> None:
    shop = await make_shop()
    await seed_customer(shop)
    await process_webhook(
        CTX,
        await recorded(shop, "customers/data_request", data_request_payload(JON_ID, "jon@example.com", [])),
    )
    await process_webhook(
        CTX, await recorded(shop, "customers/redact", customer_redact_payload(JON_ID, "jon@example.com", []))
    )
    request = await DataRequest.get(shop_id=shop.id)
    assert request.customer_email is None
    assert "jon@example.com" not in json.dumps(request.export)


async def test_a_pending_delivery_about_the_customer_is_not_processed_after_the_redaction(
    db: Settings,
) -> None:
    shop = await make_shop()
    jon = await seed_customer(shop)
    pending = await recorded(shop, "customers/update", {"id": JON_ID, "email": "jon@example.com"})
    await process_webhook(
        CTX, await recorded(shop, "customers/redact", customer_redact_payload(JON_ID, None, []))
    )
    event = await WebhookEvent.get(id=pending)
    assert event.status == WebhookStatus.IGNORED
    assert "jon@example.com" not in json.dumps(event.payload)
    assert (await Customer.get(id=jon.customer.id)).email is None
