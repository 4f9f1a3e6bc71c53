"""Housekeeping: old processed deliveries are pruned; anything not yet processed is kept."""

from __future__ import annotations

from datetime import timedelta

from app.clock import utcnow
from app.models import Platform, Shop, WebhookEvent, WebhookStatus
from app.queue import enqueue, open_queue
from app.settings import Settings
from jobs.maintenance import prune_webhook_events
from tests.support.worker import run_worker_until_idle


async def make_event(shop: Shop, key: str, status: WebhookStatus, age: timedelta) -> WebhookEvent:
    event = await WebhookEvent.create(
        shop=shop, platform=Platform.SHOPIFY, topic="orders/create", dedupe_key=key, payload={}, status=status
    )
    await WebhookEvent.filter(id=event.id).update(received_at=utcnow() - age)
    return event


async def test_prunes_only_old_finished_deliveries(db: Settings) -> None:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="a.myshopify.com")
    await make_event(shop, "old-done", WebhookStatus.PROCESSED, timedelta(days=31))
    await make_event(shop, "old-ignored", WebhookStatus.IGNORED, timedelta(days=40))
    await make_event(shop, "old-failed", WebhookStatus.FAILED, timedelta(days=40))
    await make_event(shop, "old-pending", WebhookStatus.RECEIVED, timedelta(days=40))
    await make_event(shop, "recent-done", WebhookStatus.PROCESSED, timedelta(days=2))

    assert await prune_webhook_events({}) == 2
    remaining = set(await WebhookEvent.all().values_list("dedupe_key", flat=True))
    assert remaining == {"old-failed", "old-pending", "recent-done"}


async def test_a_real_worker_runs_an_enqueued_job_once(db: Settings, redis_url: str) -> None:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="b.myshopify.com")
    await make_event(shop, "old-done", WebhookStatus.PROCESSED, timedelta(days=31))
    queue = open_queue(redis_url)
    try:
        first = await enqueue(queue, "prune_webhook_events", key=("test",))
        second = await enqueue(queue, "prune_webhook_events", key=("test",))
        assert first is not None
        assert second is None, "the same job id is queued once"
        worker = await run_worker_until_idle([prune_webhook_events], redis_url)
        assert worker.jobs_complete == 1
        assert await first.result(timeout=5) == 1
        assert await WebhookEvent.all().count() == 0
    finally:
        await queue.flushdb()
        await queue.aclose()
