"""Webhook deliveries: signed like Shopify's (checked with the app's own verifier), REST-shaped, retried
with back-off, and on demand duplicated, late or out of order; logged and listed."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.webhooks.verify import Delivery as AppDelivery
from app.webhooks.verify import check_shopify_delivery
from devstore.shopify.webhooks import RETRIES
from tests.devstore.shopify_support import (
    APP_URL,
    CLIENT_ID,
    DEMO,
    SECRET,
    Received,
    Receiver,
    devstore,
    install,
)

CONTROL = f"/_devstore/shopify/{DEMO}/webhooks"


def verified(delivery: Received) -> AppDelivery:
    """The delivery as the app's webhook endpoint sees it (app/webhooks/verify.py)."""
    checked = check_shopify_delivery(
        "POST",
        httpx.Headers(delivery.headers),
        delivery.body,
        {"client_id": CLIENT_ID, "client_secret": SECRET, "old_client_secret": None},
    )
    assert isinstance(checked, AppDelivery), checked
    return checked


async def send(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post(CONTROL, json={"wait": True, **body})


async def test_an_order_webhook_is_signed_and_shaped_like_shopifys(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        response = await send(client, topic="orders/create")
    assert response.status_code == 200
    [logged] = response.json()["deliveries"]
    assert logged["status"] == "delivered" and logged["attempts"] == 1 and logged["response_status"] == 200
    assert logged["uri"] == f"{APP_URL}/webhooks/shopify"
    [delivery] = receiver.received
    headers = delivery.headers
    assert headers["x-shopify-topic"] == "orders/create"
    assert headers["x-shopify-shop-domain"] == DEMO
    assert headers["x-shopify-api-version"] == "2026-10"
    assert headers["x-shopify-webhook-id"] == logged["webhook_id"]
    assert headers["x-shopify-event-id"] == logged["event_id"]
    assert headers["content-type"] == "application/json"
    assert datetime.fromisoformat(headers["x-shopify-triggered-at"]).tzinfo is not None
    app_view = verified(delivery)
    assert app_view.triggered_at is not None and app_view.event_id == logged["event_id"]

    order = delivery.payload
    assert (
        isinstance(order["id"], int) and order["admin_graphql_api_id"] == f"gid://shopify/Order/{order['id']}"
    )
    assert order["name"].startswith("#") and isinstance(order["total_price"], str)
    assert {"email", "created_at", "updated_at", "currency", "financial_status", "fulfillment_status"} <= set(
        order
    )
    assert order["line_items"] and all(isinstance(li["id"], int) for li in order["line_items"])
    assert {"id", "variant_id", "title", "quantity", "price", "sku"} <= set(order["line_items"][0])
    assert isinstance(order["refunds"], list)


async def test_a_tampered_body_fails_the_apps_check(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        await send(client, topic="customers/update")
    [delivery] = receiver.received
    assert {"id", "email", "first_name", "last_name", "admin_graphql_api_id"} <= set(delivery.payload)
    tampered = Received(delivery.path, delivery.headers, delivery.body.replace(b'"id":', b'"id": ', 1))
    rejected = check_shopify_delivery(
        "POST",
        httpx.Headers(tampered.headers),
        tampered.body,
        {"client_id": CLIENT_ID, "client_secret": SECRET, "old_client_secret": None},
    )
    assert getattr(rejected, "status", None) == 401


async def test_a_duplicate_has_the_same_event_id_and_a_new_webhook_id(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        await send(client, topic="orders/updated", duplicate=True)
        await send(client, topic="orders/updated", duplicate=True, same_webhook_id=True)
    first, second, third, fourth = (verified(d) for d in receiver.received)
    assert first.event_id == second.event_id and first.webhook_id != second.webhook_id
    assert third.event_id == fourth.event_id and third.webhook_id == fourth.webhook_id
    assert first.event_id != third.event_id
    assert first.body == second.body and first.triggered_at == second.triggered_at


async def test_a_batch_can_arrive_newest_first(tmp_path: Path) -> None:
    receiver = Receiver()
    payloads = [
        {"id": 1, "updated_at": "2026-10-05T12:00:00+00:00"},
        {"id": 1, "updated_at": "2026-10-05T12:05:00+00:00"},
    ]
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        response = await send(client, topic="orders/updated", payloads=payloads, order="reverse")
    assert response.status_code == 200
    arrived = [verified(d) for d in receiver.received]
    assert [d.payload["updated_at"] for d in arrived] == [p["updated_at"] for p in reversed(payloads)]
    assert arrived[0].triggered_at is not None and arrived[1].triggered_at is not None
    assert arrived[0].triggered_at > arrived[1].triggered_at  # the later event came first


async def test_a_late_delivery_waits_and_keeps_its_trigger_time(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        started = time.monotonic()
        await send(client, topic="app/uninstalled", delay_s=0.2)
    assert time.monotonic() - started >= 0.2
    app_view = verified(receiver.received[0])
    assert app_view.triggered_at is not None


async def test_failures_are_retried_with_the_same_delivery(tmp_path: Path) -> None:
    receiver = Receiver(statuses=[500, 0, 503])
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        response = await send(client, topic="orders/paid")
    [logged] = response.json()["deliveries"]
    assert logged["status"] == "delivered" and logged["attempts"] == 4
    assert len(receiver.received) == 4
    assert len({d.headers["x-shopify-webhook-id"] for d in receiver.received}) == 1
    assert len({d.body for d in receiver.received}) == 1


async def test_a_delivery_that_keeps_failing_is_given_up_after_8_retries(tmp_path: Path) -> None:
    receiver = Receiver(statuses=[500] * 20)
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        response = await send(client, topic="customers/create")
        page = await client.get("/webhooks")
    [logged] = response.json()["deliveries"]
    assert RETRIES == 8
    assert logged["status"] == "failed" and logged["attempts"] == 1 + RETRIES
    assert logged["response_status"] == 500 and logged["error"] == "HTTP 500"
    assert len(receiver.received) == 1 + RETRIES
    assert "customers/create" in page.text and "failed" in page.text


async def test_without_wait_the_deliveries_are_queued(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        response = await client.post(CONTROL, json={"topic": "orders/create", "delay_s": 30})
    # Closing the devstore cancels the pending delivery cleanly (no warning, no error).
    assert response.status_code == 202
    assert response.json()["deliveries"][0]["status"] == "pending"


async def test_deliveries_are_listed_newest_first(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        await send(client, topic="orders/create")
        await send(client, topic="refunds/create")
        await send(client, topic="fulfillments/create")
        listed = (await client.get(CONTROL)).json()
        page = await client.get(f"/webhooks?shop={DEMO}")
    assert [d["topic"] for d in listed] == ["fulfillments/create", "refunds/create", "orders/create"]
    refund = listed[1]["payload"]
    assert {"id", "order_id", "refund_line_items", "transactions"} <= set(refund)
    assert refund["transactions"][0]["kind"] == "refund"
    assert listed[0]["payload"]["tracking_number"]
    assert page.status_code == 200 and page.text.count("data-delivery=") == 3


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"topic": "products/create"}, 422),
        ({"topic": "orders/create", "payload": [1]}, 422),
        ({"topic": "orders/create", "payloads": []}, 422),
        ({"topic": "orders/create", "order": "random"}, 422),
        ({"topic": "orders/create", "delay_s": 600}, 422),
        ({"topic": "orders/create", "order_id": 1}, 422),
        ({"topic": "orders/create", "order_id": "x"}, 422),
        ({"topic": "returns/request"}, 422),
    ],
)
async def test_malformed_control_requests_are_refused(
    tmp_path: Path, body: dict[str, Any], status: int
) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        response = await client.post(CONTROL, json=body)
    assert response.status_code == status
    assert "error" in response.json()


async def test_an_app_that_is_not_installed_gets_no_order_webhooks(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        refused = await client.post(CONTROL, json={"topic": "orders/create"})
        redact = await send(client, topic="shop/redact")
        compliance = await send(client, topic="customers/redact")
    assert refused.status_code == 409
    assert redact.status_code == 200 and compliance.status_code == 200
    assert [d.path for d in receiver.received] == ["/webhooks/shopify/compliance"] * 2
    assert receiver.received[0].payload["shop_domain"] == DEMO
    assert {"customer", "orders_to_redact", "shop_id"} <= set(receiver.received[1].payload)
