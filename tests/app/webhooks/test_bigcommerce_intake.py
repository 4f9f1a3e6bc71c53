"""``POST /webhooks/bigcommerce`` over HTTP: verify → record once → one job in Redis → 200."""

from __future__ import annotations

import time

import httpx
import pytest
from arq import ArqRedis
from arq.constants import default_queue_name
from arq.jobs import Job, JobStatus

from app.models import Platform, Shop, WebhookEvent, WebhookStatus
from app.settings import Settings
from app.webhooks.bigcommerce import PATH, hook_destination
from connectors.bigcommerce.webhook_deliveries import TOLERANCE
from tests.app.webhooks.bigcommerce_deliveries import BC_ENV, STORE, bc_delivery, hook_payload
from tests.app.webhooks.deliveries import OLD_SECRET, SECRET


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"SHOPIFY_API_SECRET": SECRET, "SHOPIFY_API_SECRET_OLD": OLD_SECRET, **BC_ENV}


async def make_store(store_hash: str = STORE, *, active: bool = True) -> Shop:
    return await Shop.create(
        platform=Platform.BIGCOMMERCE,
        domain=store_hash,
        platform_id="1025646",
        is_active=active,
        access_token_encrypted="gAAAA-not-a-real-token",
    )


async def post(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post(PATH, content=body, headers=headers)


async def nothing_recorded(queue: ArqRedis) -> bool:
    return await WebhookEvent.all().count() == 0 and await queue.zcard(default_queue_name) == 0


def test_the_hooks_we_create_point_at_this_endpoint(settings: Settings) -> None:
    assert hook_destination(settings).endswith(PATH)


async def test_a_verified_delivery_is_recorded_and_exactly_one_job_queued(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings
) -> None:
    shop = await make_store()
    payload = hook_payload("store/order/updated", 100, digest="dd70c0976e06b67aaf671e73f49dcb79230ebf9d")

    response = await post(client, *bc_delivery(settings, payload, webhook_id="msg_100"))

    assert response.status_code == 200
    event = await WebhookEvent.get(dedupe_key="dd70c0976e06b67aaf671e73f49dcb79230ebf9d")
    assert (event.shop_id, event.platform, event.topic, event.webhook_id, event.status) == (  # type: ignore[attr-defined]
        shop.id,
        Platform.BIGCOMMERCE,
        "store/order/updated",
        "msg_100",
        WebhookStatus.RECEIVED,
    )
    assert event.payload == payload
    assert event.triggered_at is not None and event.triggered_at.timestamp() == 1561479335
    assert await queue.zcard(default_queue_name) == 1
    job = Job(f"process_webhook:{event.id}", queue)
    assert await job.status() == JobStatus.queued
    info = await job.info()
    assert info is not None and (info.function, info.args) == ("process_webhook", (event.id,))


async def test_the_same_event_delivered_again_is_one_row_and_one_job(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings
) -> None:
    await make_store()
    payload = hook_payload(digest="same-hash")
    # BigCommerce's retry of one event: a new webhook-id, the same payload (and hash).
    first = bc_delivery(settings, payload, webhook_id="msg_a")
    second = bc_delivery(settings, payload, webhook_id="msg_b")

    assert (await post(client, *first)).status_code == 200
    assert (await post(client, *second)).status_code == 200

    assert await WebhookEvent.filter(dedupe_key="same-hash").count() == 1
    assert await queue.zcard(default_queue_name) == 1


async def test_the_same_hash_in_another_store_is_another_event(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings
) -> None:
    await make_store()
    await make_store("xyz789")
    for store in (STORE, "xyz789"):
        response = await post(client, *bc_delivery(settings, hook_payload(store=store, digest="h")))
        assert response.status_code == 200
    assert await WebhookEvent.filter(dedupe_key="h").count() == 2
    assert await queue.zcard(default_queue_name) == 2


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"secret": "not-the-hook-secret"}, id="bad secret"),
        pytest.param({"secret": ""}, id="no secret"),
        pytest.param({"client_secret": "not-the-client-secret"}, id="bad signature"),
        pytest.param({"sent_at": int(time.time() - TOLERANCE - 60)}, id="stale timestamp"),
    ],
)
async def test_an_unproven_delivery_is_401_and_changes_nothing(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings, change: dict[str, object]
) -> None:
    await make_store()
    response = await post(client, *bc_delivery(settings, **change))  # type: ignore[arg-type]
    assert response.status_code == 401
    assert await nothing_recorded(queue)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="not json"),
        pytest.param(b'{"scope": "store/order/updated", "data": {"id": 1}}', id="no producer"),
    ],
)
async def test_a_malformed_body_is_400_and_changes_nothing(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings, body: bytes
) -> None:
    await make_store()
    _, headers = bc_delivery(settings)
    response = await post(client, body, headers)
    assert response.status_code == 400
    assert await nothing_recorded(queue)


@pytest.mark.parametrize("active", [None, False], ids=["unknown store", "uninstalled store"])
async def test_a_delivery_for_a_store_we_do_not_serve_is_acknowledged_and_dropped(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings, active: bool | None
) -> None:
    if active is not None:
        await make_store(active=active)
    # Acknowledged: a refusal would only make BigCommerce retry, then deactivate the hook.
    response = await post(client, *bc_delivery(settings))
    assert response.status_code == 200
    assert await nothing_recorded(queue)


async def test_a_shopify_shop_with_the_same_domain_is_not_this_store(
    client: httpx.AsyncClient, queue: ArqRedis, settings: Settings
) -> None:
    await Shop.create(platform=Platform.SHOPIFY, domain=STORE, is_active=True)
    assert (await post(client, *bc_delivery(settings))).status_code == 200
    assert await nothing_recorded(queue)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_wrong_method_is_405(client: httpx.AsyncClient, settings: Settings, method: str) -> None:
    body, headers = bc_delivery(settings)
    response = await client.request(method, PATH, content=body, headers=headers)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
