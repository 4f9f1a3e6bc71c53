"""Processing recorded deliveries: idempotent, honest about what is not handled yet, and never lost."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from arq import ArqRedis, Retry
from arq.constants import default_queue_name

from app.clock import utcnow
from app.models import AuditEvent, Shop, WebhookEvent, WebhookStatus
from app.settings import DEV_SHOPIFY_API_SECRET, Settings
from app.webhooks.intake import PROCESS_WEBHOOK
from app.webhooks.topics import SUBSCRIBED_TOPICS
from jobs.webhook_dispatch import HANDLERS
from jobs.webhook_handlers import Event, Outcome
from jobs.webhooks import HANDLER_TRIES, MAX_ATTEMPTS, process_webhook, requeue_stuck_webhooks
from jobs.worker import WorkerSettings
from tests.app.webhooks.conftest import make_shop
from tests.app.webhooks.deliveries import delivery, order_payload, shop_payload
from tests.jobs.events import recorded
from tests.support.worker import run_worker_until_idle

CTX = {"job_try": 1}


def test_the_enqueued_name_is_the_job_and_the_worker_runs_it_and_the_cron() -> None:
    assert process_webhook.__name__ == PROCESS_WEBHOOK
    assert process_webhook in WorkerSettings.functions
    assert requeue_stuck_webhooks in WorkerSettings.functions
    assert "cron:requeue_stuck_webhooks" in {job.name for job in WorkerSettings.cron_jobs}


def test_every_subscribed_topic_has_a_handler() -> None:
    assert set(SUBSCRIBED_TOPICS) <= set(HANDLERS)


async def test_processing_twice_is_a_no_op_the_second_time(db: Settings) -> None:
    shop = await make_shop()
    event_id = await recorded(shop, "app/uninstalled", shop_payload())
    assert await process_webhook(CTX, event_id) == "processed"
    first = await WebhookEvent.get(id=event_id)
    assert first.status == WebhookStatus.PROCESSED and first.processed_at is not None and first.attempts == 1

    assert await process_webhook(CTX, event_id) == "processed"

    again = await WebhookEvent.get(id=event_id)
    assert (again.attempts, again.processed_at) == (1, first.processed_at)
    assert await AuditEvent.filter(action="shop.uninstalled").count() == 1


async def test_a_topic_without_a_handler_is_recorded_and_ignored_with_the_reason(db: Settings) -> None:
    shop = await make_shop()
    event_id = await recorded(shop, "app_subscriptions/update", shop_payload())
    assert await process_webhook(CTX, event_id) == "ignored"
    event = await WebhookEvent.get(id=event_id)
    assert (event.status, event.error) == (WebhookStatus.IGNORED, "no handler for this topic")


async def test_a_failing_handler_is_retried_then_marked_failed_with_its_error(
    db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await make_shop()
    event_id = await recorded(shop, "app/uninstalled", shop_payload())

    async def broken(event: Event) -> Outcome:
        raise RuntimeError("the handler broke")

    monkeypatch.setitem(HANDLERS, "app/uninstalled", broken)
    with pytest.raises(Retry):
        await process_webhook({"job_try": 1}, event_id)
    assert (await WebhookEvent.get(id=event_id)).status == WebhookStatus.RECEIVED

    assert await process_webhook({"job_try": HANDLER_TRIES}, event_id) == "failed"
    event = await WebhookEvent.get(id=event_id)
    assert (event.status, event.error, event.attempts) == (
        WebhookStatus.FAILED,
        "RuntimeError: the handler broke",
        2,
    )


async def test_the_cron_gives_up_on_an_event_that_never_finishes(db: Settings, queue: ArqRedis) -> None:
    shop = await make_shop()
    event_id = await recorded(shop, "orders/create", order_payload())
    await WebhookEvent.filter(id=event_id).update(
        attempts=MAX_ATTEMPTS, received_at=utcnow() - timedelta(hours=3)
    )
    assert await requeue_stuck_webhooks({"redis": queue}) == 0
    event = await WebhookEvent.get(id=event_id)
    assert event.status == WebhookStatus.FAILED and "gave up" in (event.error or "")
    assert await queue.zcard(default_queue_name) == 0


async def test_the_cron_leaves_finished_and_fresh_events_alone(db: Settings, queue: ArqRedis) -> None:
    shop = await make_shop()
    done = await recorded(shop, "orders/create", order_payload())
    await WebhookEvent.filter(id=done).update(
        status=WebhookStatus.IGNORED, received_at=utcnow() - timedelta(hours=1)
    )
    await recorded(shop, "orders/create", order_payload())  # fresh: its job may be on its way
    assert await requeue_stuck_webhooks({"redis": queue}) == 0
    assert await queue.zcard(default_queue_name) == 0


async def test_a_real_worker_processes_what_the_endpoint_queued_once(
    client: httpx.AsyncClient, redis_url: str, queue: ArqRedis
) -> None:
    shop = await make_shop()
    for _ in range(2):  # the same event delivered twice
        body, headers = delivery(
            "app/uninstalled", shop_payload(), event_id="ev-worker", secret=DEV_SHOPIFY_API_SECRET
        )
        assert (await client.post("/webhooks/shopify", content=body, headers=headers)).status_code == 200
    body, headers = delivery("orders/create", order_payload(), secret=DEV_SHOPIFY_API_SECRET)
    assert (await client.post("/webhooks/shopify", content=body, headers=headers)).status_code == 200
    assert await queue.zcard(default_queue_name) == 2

    worker = await run_worker_until_idle([process_webhook], redis_url)

    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)
    assert await queue.zcard(default_queue_name) == 0
    statuses = dict(await WebhookEvent.all().values_list("topic", "status"))
    assert statuses == {"app/uninstalled": WebhookStatus.PROCESSED, "orders/create": WebhookStatus.IGNORED}
    assert not (await Shop.get(id=shop.id)).is_active
