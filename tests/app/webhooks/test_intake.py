"""The webhook endpoints over HTTP: verify → record once → one job in Redis → 200."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from arq import ArqRedis
from arq.constants import default_queue_name
from arq.jobs import Job, JobStatus
from tortoise.exceptions import OperationalError

from app.clock import utcnow
from app.main import create_app
from app.models import Platform, Shop, WebhookEvent, WebhookStatus
from app.settings import Settings, load_settings
from app.webhooks.intake import ShopDirectory
from jobs.webhooks import process_webhook, requeue_stuck_webhooks
from tests.app.webhooks.conftest import make_shop
from tests.app.webhooks.deliveries import (
    OLD_SECRET,
    SECRET,
    SHOP_DOMAIN,
    delivery,
    order_payload,
    shop_redact_payload,
)
from tests.support.asgi import serve_in_process

WEBHOOKS = "/webhooks/shopify"
COMPLIANCE = "/webhooks/shopify/compliance"


async def post(client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post(path, content=body, headers=headers)


async def test_a_verified_delivery_is_recorded_and_exactly_one_job_queued(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    shop = await make_shop()
    body, headers = delivery("orders/create", order_payload(), event_id="ev-100", webhook_id="wh-100")

    response = await post(client, WEBHOOKS, body, headers)

    assert response.status_code == 200
    event = await WebhookEvent.get(dedupe_key="ev-100")
    assert (event.shop_id, event.topic, event.webhook_id, event.status) == (  # type: ignore[attr-defined]
        shop.id,
        "orders/create",
        "wh-100",
        WebhookStatus.RECEIVED,
    )
    assert event.payload == order_payload()
    assert event.triggered_at is not None and event.triggered_at.isoformat() == "2026-10-05T12:00:00+00:00"
    assert await queue.zcard(default_queue_name) == 1
    job = Job(f"process_webhook:{event.id}", queue)
    assert await job.status() == JobStatus.queued
    info = await job.info()
    assert info is not None and (info.function, info.args) == ("process_webhook", (event.id,))


async def test_the_same_event_twice_is_one_row_and_one_job(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    await make_shop()
    first = delivery("orders/updated", order_payload(), event_id="ev-dup")
    # A retry of the same event: a new webhook id, the same event id.
    second = delivery("orders/updated", order_payload(), event_id="ev-dup")

    assert (await post(client, WEBHOOKS, *first)).status_code == 200
    assert (await post(client, WEBHOOKS, *second)).status_code == 200

    assert await WebhookEvent.filter(dedupe_key="ev-dup").count() == 1
    assert await queue.zcard(default_queue_name) == 1


async def test_the_same_event_id_in_another_shop_is_another_event(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    await make_shop()
    await make_shop("other.myshopify.com")
    for shop in ("aftercare-test.myshopify.com", "other.myshopify.com"):
        assert (
            await post(client, WEBHOOKS, *delivery("orders/paid", shop=shop, event_id="ev-x"))
        ).status_code == 200
    assert await WebhookEvent.filter(dedupe_key="ev-x").count() == 2
    assert await queue.zcard(default_queue_name) == 2


async def test_the_old_secret_is_accepted(client: httpx.AsyncClient, queue: ArqRedis) -> None:
    await make_shop()
    response = await post(client, WEBHOOKS, *delivery("orders/create", secret=OLD_SECRET, event_id="ev-old"))
    assert response.status_code == 200
    assert await WebhookEvent.filter(dedupe_key="ev-old").exists()


@pytest.mark.parametrize("path", [WEBHOOKS, COMPLIANCE])
@pytest.mark.parametrize(
    "topic", ["orders/create", "customers/data_request", "customers/redact", "shop/redact"]
)
async def test_a_bad_hmac_is_401_and_changes_nothing(
    client: httpx.AsyncClient, queue: ArqRedis, path: str, topic: str
) -> None:
    await make_shop()
    response = await post(client, path, *delivery(topic, shop_redact_payload(), secret="not-the-secret"))
    assert response.status_code == 401
    assert await WebhookEvent.all().count() == 0
    assert await queue.zcard(default_queue_name) == 0


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_wrong_method_is_405(client: httpx.AsyncClient, method: str) -> None:
    body, headers = delivery("orders/create")
    response = await client.request(method, WEBHOOKS, content=body, headers=headers)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(
    "header", ["X-Shopify-Topic", "X-Shopify-Hmac-Sha256", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"]
)
async def test_a_missing_required_header_is_400(client: httpx.AsyncClient, header: str) -> None:
    await make_shop()
    body, headers = delivery("orders/create")
    del headers[header]
    assert (await post(client, WEBHOOKS, body, headers)).status_code == 400
    assert await WebhookEvent.all().count() == 0


async def test_malformed_json_after_a_valid_hmac_is_400(client: httpx.AsyncClient) -> None:
    await make_shop()
    body = b'{"id": 1,'
    _, headers = delivery("orders/create", body=body)
    assert (await post(client, WEBHOOKS, body, headers)).status_code == 400
    assert await WebhookEvent.all().count() == 0


async def test_an_unknown_shop_is_answered_200_and_dropped(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    response = await post(client, WEBHOOKS, *delivery("orders/create", shop="stranger.myshopify.com"))
    assert response.status_code == 200
    assert await WebhookEvent.all().count() == 0
    assert await queue.zcard(default_queue_name) == 0


async def test_an_uninstalled_shop_is_answered_200_and_dropped(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    await make_shop(active=False)
    response = await post(client, WEBHOOKS, *delivery("orders/create"))
    assert response.status_code == 200
    assert await WebhookEvent.all().count() == 0
    assert await queue.zcard(default_queue_name) == 0


async def test_an_uninstalled_shop_still_gets_its_privacy_requests_recorded(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    # shop/redact only ever arrives after app/uninstalled: dropping it would keep the data.
    await make_shop(active=False)
    response = await post(
        client, COMPLIANCE, *delivery("shop/redact", shop_redact_payload(), event_id="ev-r")
    )
    assert response.status_code == 200
    assert await WebhookEvent.filter(dedupe_key="ev-r", topic="shop/redact").exists()
    assert await queue.zcard(default_queue_name) == 1


async def test_the_shop_domain_header_is_matched_case_insensitively(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    await make_shop()
    response = await post(client, WEBHOOKS, *delivery("orders/create", shop="AfterCare-Test.myshopify.com"))
    assert response.status_code == 200
    assert await WebhookEvent.all().count() == 1


async def test_neither_body_nor_secret_reaches_the_logs(
    client: httpx.AsyncClient, queue: ArqRedis, caplog: pytest.LogCaptureFixture
) -> None:
    await make_shop()
    # Ours at every level; libraries at INFO (tortoise and aiosqlite echo SQL parameters at DEBUG,
    # so production must never run them at DEBUG).
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="app")
    payload = order_payload(email="very-private@example.com")
    for response_body, headers in (
        delivery("orders/create", payload),
        delivery("orders/create", payload, secret="wrong"),
        delivery("orders/create", payload, shop="stranger.myshopify.com"),
    ):
        await post(client, WEBHOOKS, response_body, headers)
    text = caplog.text + " ".join(repr(r.__dict__) for r in caplog.records)
    assert "very-private@example.com" not in text
    assert SECRET not in text


async def test_redis_down_at_intake_still_records_and_the_cron_queues_it_later(
    settings: Settings, tmp_path: Path, queue: ArqRedis
) -> None:
    env = {
        "AFTERCARE_PLATFORM_URL": settings.platform_url or "",
        "AFTERCARE_VAR_DIR": str(settings.var_dir),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": f"unix://{tmp_path}/no-redis-here.sock",
        "SHOPIFY_API_SECRET": SECRET,
    }
    async with serve_in_process(create_app(load_settings(env))) as client:
        shop = await make_shop()
        try:
            response = await post(client, WEBHOOKS, *delivery("app/uninstalled", event_id="ev-lost"))
            assert response.status_code == 200
            event = await WebhookEvent.get(dedupe_key="ev-lost")
            assert event.status == WebhookStatus.RECEIVED
            assert await queue.zcard(default_queue_name) == 0

            # Under a minute old: it may still be on its way through a live queue, so left alone.
            assert await requeue_stuck_webhooks({"redis": queue}) == 0
            await WebhookEvent.filter(id=event.id).update(received_at=utcnow() - timedelta(minutes=2))
            assert await requeue_stuck_webhooks({"redis": queue}) == 1
            assert await queue.zcard(default_queue_name) == 1
            assert await requeue_stuck_webhooks({"redis": queue}) == 0, "already queued: not doubled"

            assert await process_webhook({"job_try": 1}, event.id) == "processed"
            assert not (await Shop.get(id=shop.id)).is_active
        finally:
            await Shop.all().delete()


async def test_a_database_failure_is_503_so_the_platform_retries(
    client: httpx.AsyncClient, queue: ArqRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_shop()

    async def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(WebhookEvent, "create", refuse)
    response = await post(client, WEBHOOKS, *delivery("orders/create"))
    assert response.status_code == 503
    assert await queue.zcard(default_queue_name) == 0


async def test_an_oversized_body_is_413_before_anything_else(client: httpx.AsyncClient) -> None:
    body = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    _, headers = delivery("orders/create", body=b"{}")
    assert (await post(client, WEBHOOKS, body, headers)).status_code == 413


async def test_a_reinstalled_shop_is_seen_at_once(client: httpx.AsyncClient, queue: ArqRedis) -> None:
    shop = await make_shop(active=False)
    assert (await post(client, WEBHOOKS, *delivery("orders/create"))).status_code == 200
    assert await WebhookEvent.all().count() == 0
    await Shop.filter(id=shop.id).update(is_active=True)  # what the auth service does on reinstall
    assert (await post(client, WEBHOOKS, *delivery("orders/create"))).status_code == 200
    assert await WebhookEvent.all().count() == 1


async def test_the_shop_directory_remembers_installed_shops_only_for_its_ttl(db: Settings) -> None:
    shop = await make_shop()
    shops = ShopDirectory(ttl=60)
    assert await shops.find(Platform.SHOPIFY, SHOP_DOMAIN) == (shop.id, True)
    await Shop.filter(id=shop.id).update(is_active=False)
    assert await shops.find(Platform.SHOPIFY, SHOP_DOMAIN) == (shop.id, True), "remembered"
    shops.forget(Platform.SHOPIFY, SHOP_DOMAIN)
    assert await shops.find(Platform.SHOPIFY, SHOP_DOMAIN) == (shop.id, False)
    assert await ShopDirectory(ttl=0).find(Platform.SHOPIFY, SHOP_DOMAIN) == (shop.id, False)
    assert await shops.find(Platform.SHOPIFY, "stranger.myshopify.com") is None
