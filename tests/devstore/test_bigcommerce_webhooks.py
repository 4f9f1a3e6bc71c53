"""Webhooks: hooks managed through /v3/hooks (the app's own only), and deliveries that are thin,
carry the hook's headers, are signed the Standard Webhooks way with the client secret, are sent
when orders, customers and refunds change, and deactivate their hook when they keep failing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import httpx

from tests.devstore.test_bigcommerce_support import (
    API,
    APP_URL,
    CLIENT_ID,
    CONTROL,
    SECRET,
    STORE,
    Received,
    Receiver,
    auth,
    devstore,
    install,
)

DESTINATION = f"{APP_URL}/webhooks/bigcommerce"
SECRET_HEADER = {"X-Aftercare-Hook-Token": "per-hook-s3cret"}


def hook_body(scope: str, **extra: Any) -> dict[str, Any]:
    return {"scope": scope, "destination": DESTINATION, "is_active": True, "headers": SECRET_HEADER, **extra}


async def create_hook(client: httpx.AsyncClient, headers: dict[str, str], scope: str) -> dict[str, Any]:
    response = await client.post(f"{API}/v3/hooks", json=hook_body(scope), headers=headers)
    assert response.status_code == 200, response.text
    hook: dict[str, Any] = response.json()["data"]
    return hook


def signature_is_valid(delivery: Received, secret: str = SECRET) -> bool:
    """Standard Webhooks: v1,base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}"))."""
    headers = delivery.headers
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + delivery.body
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    offered = [s.removeprefix("v1,") for s in headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


async def test_hooks_are_created_listed_changed_and_deleted(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        created = await create_hook(client, headers, "store/order/created")
        duplicate = await client.post(
            f"{API}/v3/hooks", json=hook_body("store/order/created"), headers=headers
        )
        bad_scope = await client.post(
            f"{API}/v3/hooks", json=hook_body("store/teapot/brewed"), headers=headers
        )
        no_destination = await client.post(
            f"{API}/v3/hooks", json={"scope": "store/order/updated"}, headers=headers
        )
        listed = (await client.get(f"{API}/v3/hooks", headers=headers)).json()
        paused = await client.put(
            f"{API}/v3/hooks/{created['id']}", json={"is_active": False}, headers=headers
        )
        inactive = (
            await client.get(f"{API}/v3/hooks", params={"is_active": "false"}, headers=headers)
        ).json()
        deleted = await client.delete(f"{API}/v3/hooks/{created['id']}", headers=headers)
        gone = await client.get(f"{API}/v3/hooks/{created['id']}", headers=headers)

    assert created["client_id"] == CLIENT_ID and created["store_hash"] == STORE
    assert created["scope"] == "store/order/created" and created["destination"] == DESTINATION
    assert created["is_active"] is True and created["headers"] == SECRET_HEADER
    assert isinstance(created["created_at"], int) and created["created_at"] == created["updated_at"]
    assert duplicate.status_code == bad_scope.status_code == no_destination.status_code == 422
    assert [h["id"] for h in listed["data"]] == [created["id"]] and listed["meta"]["pagination"]["total"] == 1
    assert paused.json()["data"]["is_active"] is False
    assert [h["id"] for h in inactive["data"]] == [created["id"]]
    assert deleted.status_code == 200 and gone.status_code == 404


async def test_a_delivery_is_thin_signed_and_carries_the_hooks_headers(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        headers = auth(await install(client))
        await create_hook(client, headers, "store/order/*")
        sent = await client.post(
            f"{CONTROL}/webhooks", json={"scope": "store/order/created", "id": 1005, "wait": True}
        )
        shop = next(s for s in (await client.get("/_devstore/shops")).json() if s["domain"] == STORE)

    [logged] = sent.json()["deliveries"]
    assert logged["status"] == "delivered" and logged["response_status"] == 200
    [delivery] = receiver.posts()
    assert f"{APP_URL}{delivery.path}" == DESTINATION
    assert delivery.headers["x-aftercare-hook-token"] == "per-hook-s3cret"
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["webhook-id"] == logged["webhook_id"]
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 5
    assert signature_is_valid(delivery)
    assert not signature_is_valid(delivery, secret="another-secret")
    payload = delivery.payload
    assert set(payload) == {"scope", "store_id", "data", "hash", "created_at", "producer"}
    assert payload["scope"] == "store/order/created" and payload["data"] == {"type": "order", "id": 1005}
    assert payload["store_id"] == str(shop["id"]) and payload["producer"] == f"stores/{STORE}"
    assert len(payload["hash"]) == 40 and isinstance(payload["created_at"], int)


async def test_a_refund_and_a_status_change_are_announced(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        headers = auth(await install(client))
        for scope in ("store/order/refund/created", "store/order/statusUpdated"):
            await create_hook(client, headers, scope)
        items = [{"item_type": "ORDER", "item_id": 1010, "amount": 5}]
        quote = (
            await client.post(
                f"{API}/v3/orders/1010/payment_actions/refund_quotes", json={"items": items}, headers=headers
            )
        ).json()["data"]
        option = quote["refund_methods"][0][0]
        body = {
            "items": items,
            "payments": [{"provider_id": option["provider_id"], "amount": 5, "offline": False}],
        }
        refund = (
            await client.post(f"{API}/v3/orders/1010/payment_actions/refunds", json=body, headers=headers)
        ).json()["data"]
        await receiver.posted(2)

    by_scope = {d.payload["scope"]: d.payload["data"] for d in receiver.posts()}
    assert by_scope["store/order/refund/created"] == {
        "type": "order",
        "id": 1010,
        "refund": {"refund_id": refund["id"]},
    }
    assert by_scope["store/order/statusUpdated"]["status"]["new_status_id"] == 14


async def test_a_changed_customer_is_announced_to_customer_hooks_only(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        headers = auth(await install(client))
        await create_hook(client, headers, "store/customer/updated")
        await create_hook(client, headers, "store/order/updated")
        changed = await client.post(f"{CONTROL}/customers/2", json={"last_name": "Moved", "wait": True})
    assert [d["scope"] for d in changed.json()["deliveries"]] == ["store/customer/updated"]
    assert [d.payload["data"] for d in receiver.posts()] == [{"type": "customer", "id": 2}]


async def test_an_inactive_hook_gets_nothing(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        headers = auth(await install(client))
        hook = await create_hook(client, headers, "store/order/updated")
        deactivated = (await client.post(f"{CONTROL}/hooks/{hook['id']}/deactivate")).json()
        sent = await client.post(
            f"{CONTROL}/webhooks", json={"scope": "store/order/updated", "id": 1003, "wait": True}
        )
        seen_by_app = (await client.get(f"{API}/v3/hooks/{hook['id']}", headers=headers)).json()["data"]
    assert deactivated["is_active"] is False and seen_by_app["is_active"] is False
    assert sent.json()["deliveries"] == [] and receiver.posts() == []


async def test_deliveries_that_keep_failing_deactivate_the_hook(tmp_path: Path) -> None:
    receiver = Receiver(statuses=[500] * 12)  # the first try and all 11 retries
    async with devstore(tmp_path, receiver, retry_delay=0.0001) as client:
        headers = auth(await install(client))
        hook = await create_hook(client, headers, "store/order/updated")
        sent = await client.post(
            f"{CONTROL}/webhooks", json={"scope": "store/order/updated", "id": 1003, "wait": True}
        )
        after = (await client.get(f"{API}/v3/hooks/{hook['id']}", headers=headers)).json()["data"]
    [logged] = sent.json()["deliveries"]
    assert logged["status"] == "failed" and logged["attempts"] == 12
    assert len({d.headers["webhook-id"] for d in receiver.posts()}) == 1  # retries are the same message
    assert len({d.body for d in receiver.posts()}) == 1
    assert after["is_active"] is False


async def test_a_retry_that_succeeds_keeps_the_hook(tmp_path: Path) -> None:
    receiver = Receiver(statuses=[503])
    async with devstore(tmp_path, receiver) as client:
        headers = auth(await install(client))
        hook = await create_hook(client, headers, "store/order/updated")
        sent = await client.post(
            f"{CONTROL}/webhooks", json={"scope": "store/order/updated", "id": 1003, "wait": True}
        )
        after = (await client.get(f"{API}/v3/hooks/{hook['id']}", headers=headers)).json()["data"]
    [logged] = sent.json()["deliveries"]
    assert logged["status"] == "delivered" and logged["attempts"] == 2 and after["is_active"] is True
