"""Sync jobs and crons: slices that queue their continuation, the error mapping, the crons that
start first backfills and re-queue stalled runs, and the ``sync`` command."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis, Retry
from arq.constants import default_queue_name, job_key_prefix
from redis.asyncio import Redis

from app import clock
from app.clock import utcnow
from app.models import Order, Platform, Shop, SyncKind, SyncRun, SyncStatus
from app.services.shops import token_cipher
from app.services.sync.foreground import sync_shop
from app.services.sync.platform import PlatformAccess
from app.services.sync.runs import STALE_AFTER, request_backfill
from app.services.sync.schedule import reconcile_offset, reconcile_slot
from app.settings import Settings
from jobs import sync as sync_jobs
from jobs.errors import backoff
from jobs.sync import backfill_shop, reconcile_shop, reconcile_shops, resume_syncs
from jobs.worker import WorkerSettings
from tests.app.services.sync.support import (
    GRAPHQL,
    GraphQLRouter,
    at,
    count,
    installed_shop,
    pages,
    platform_access,
)
from tests.connectors.shopify.payloads import customer_node, order_node, throttled


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
async def access(
    db: Settings, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PlatformAccess]:
    """The jobs build their access from ctx; here it is the test's (fake sleep, fresh bucket)."""
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis)
    monkeypatch.setattr(PlatformAccess, "from_job_context", classmethod(lambda cls, ctx: access))
    try:
        yield access
    finally:
        await access.http.aclose()
        await redis.aclose()


def ctx_for(queue: ArqRedis, job_try: int = 1) -> dict[str, Any]:
    return {"redis": queue, "job_try": job_try}


async def queued_ids(queue: ArqRedis) -> set[str]:
    return {job_id.decode() for job_id in await queue.zrange(default_queue_name, 0, -1)}


def small_shop() -> GraphQLRouter:
    return GraphQLRouter(
        CustomersCount=count("customersCount", 1),
        CustomersPage=pages("customers", [[customer_node(501)]]),
        OrdersCount=count("ordersCount", 3),
        OrdersPage=pages("orders", [[order_node(1), order_node(2)], [order_node(3)]]),
    )


def test_the_worker_runs_the_sync_jobs_and_crons() -> None:
    names = {getattr(f, "name", getattr(f, "__name__", "")) for f in WorkerSettings.functions}
    assert {"backfill_shop", "reconcile_shop", "reconcile_shops", "resume_syncs"} <= names
    crons = {job.name for job in WorkerSettings.cron_jobs}
    assert {"cron:reconcile_shops", "cron:resume_syncs"} <= crons
    assert {"process_webhook", "requeue_stuck_webhooks", "prune_webhook_events"} <= names, "the others stay"


# --- slices -------------------------------------------------------------------------------------


@respx.mock
async def test_a_backfill_job_imports_the_shop(db: Settings, access: PlatformAccess, queue: ArqRedis) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).mock(side_effect=small_shop())
    await request_backfill(shop.id)

    assert await backfill_shop(ctx_for(queue), shop.id) == "done"

    assert await Order.filter(shop_id=shop.id).count() == 3
    assert (await Shop.get(id=shop.id)).synced_through is not None
    assert await queued_ids(queue) == set(), "nothing left to continue"


@respx.mock
async def test_a_slice_out_of_time_queues_its_continuation_once(
    db: Settings, access: PlatformAccess, queue: ArqRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).mock(side_effect=small_shop())
    runs = await request_backfill(shop.id)
    real = sync_jobs.backfill_slice
    monkeypatch.setattr(sync_jobs, "backfill_slice", lambda shop_id, access: real(shop_id, access, budget=0))

    assert await backfill_shop(ctx_for(queue), shop.id) == "more"

    assert (await SyncRun.get(id=runs[0].id)).status == SyncStatus.SUCCEEDED, "customers fit in one page"
    run = await SyncRun.get(id=runs[1].id)
    assert run.status == SyncStatus.PENDING
    [job_id] = await queued_ids(queue)
    assert job_id == f"backfill_shop:{shop.id}:{run.id}-{int(run.updated_at.timestamp() * 1_000_000)}"
    assert await resume_syncs(ctx_for(queue)) == 0, "a fresh hand-back is not stale"
    clock.advance(STALE_AFTER + timedelta(seconds=1))
    assert await resume_syncs(ctx_for(queue)) == 0, "the cron names the same state alike: queued once"


# --- the error mapping ----------------------------------------------------------------------------


@respx.mock
async def test_a_transient_failure_retries_and_hands_the_run_back(
    db: Settings, access: PlatformAccess, queue: ArqRedis
) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).respond(503)
    runs = await request_backfill(shop.id)

    with pytest.raises(Retry) as retry:
        await backfill_shop(ctx_for(queue, job_try=3), shop.id)

    assert retry.value.defer_score is not None and 10_000 <= retry.value.defer_score <= 20_000
    run = await SyncRun.get(id=runs[0].id)
    assert run.status == SyncStatus.PENDING and (run.error or "").startswith("will retry")
    assert 10 <= backoff(3) <= 20 and backoff(20) <= 300


@respx.mock
async def test_rate_limiting_retries_after_the_platforms_wait(
    db: Settings, access: PlatformAccess, queue: ArqRedis
) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).respond(json=throttled())
    await request_backfill(shop.id)
    with pytest.raises(Retry) as retry:
        await backfill_shop(ctx_for(queue), shop.id)
    assert retry.value.defer_score is not None and retry.value.defer_score > 0


@respx.mock
async def test_an_auth_error_flags_the_shop_for_reauthorization_and_stops(
    db: Settings, access: PlatformAccess, queue: ArqRedis
) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).respond(401, json={"errors": "[API] Invalid API key or access token"})
    runs = await request_backfill(shop.id)

    result = await backfill_shop(ctx_for(queue), shop.id)

    assert result.startswith("needs re-authorization")
    assert (await Shop.get(id=shop.id)).needs_reauth
    run = await SyncRun.get(id=runs[0].id)
    assert run.status == SyncStatus.PENDING and "re-authorized" in (run.error or "")
    clock.advance(STALE_AFTER + timedelta(seconds=1))
    assert await resume_syncs(ctx_for(queue)) == 0, "the crons leave it until the merchant comes back"


@respx.mock
async def test_a_permanent_failure_fails_the_run_and_the_next_resource_goes_on(
    db: Settings, access: PlatformAccess, queue: ArqRedis
) -> None:
    shop = await installed_shop(db)
    denied = {
        "errors": [{"message": "Access denied for customers field.", "extensions": {"code": "ACCESS_DENIED"}}]
    }
    router = small_shop()
    router.handlers["CustomersCount"] = lambda _variables: denied
    respx.post(GRAPHQL).mock(side_effect=router)
    runs = await request_backfill(shop.id)

    result = await backfill_shop(ctx_for(queue), shop.id)

    assert result.startswith("failed")
    customers = await SyncRun.get(id=runs[0].id)
    assert customers.status == SyncStatus.FAILED and "Access denied" in (customers.error or "")
    [job_id] = await queued_ids(queue)
    assert job_id.startswith(f"backfill_shop:{shop.id}:{runs[1].id}-")
    assert await backfill_shop(ctx_for(queue), shop.id) == "done"
    assert await Order.filter(shop_id=shop.id).count() == 3
    assert (await Shop.get(id=shop.id)).synced_through is not None, "orders succeeded: the mark is set"


# --- crons --------------------------------------------------------------------------------------


async def test_the_resume_cron_starts_first_backfills_of_installed_shops_only(
    db: Settings, queue: ArqRedis
) -> None:
    new = await installed_shop(db)
    await installed_shop(db, domain="gone.myshopify.com", is_active=False)
    await installed_shop(db, domain="reauth.myshopify.com", needs_reauth=True)
    bigcommerce = await Shop.create(platform=Platform.BIGCOMMERCE, domain="abc123")

    assert await resume_syncs(ctx_for(queue)) == 2, "a Shopify shop and a BigCommerce store alike"
    assert await resume_syncs(ctx_for(queue)) == 0, "started once"

    runs = await SyncRun.filter(kind=SyncKind.BACKFILL).order_by("id")
    first_run = {run.shop_id: run.id for run in reversed(runs)}  # type: ignore[attr-defined]
    assert set(first_run) == {new.id, bigcommerce.id}
    assert await queued_ids(queue) == {
        f"backfill_shop:{shop_id}:start-{run_id}" for shop_id, run_id in first_run.items()
    }


async def test_the_resume_cron_requeues_runs_nobody_works_on(db: Settings, queue: ArqRedis) -> None:
    shop = await installed_shop(db)
    stalled, fresh = await request_backfill(shop.id)
    await SyncRun.filter(id=stalled.id).update(
        status=SyncStatus.RUNNING, updated_at=utcnow() - STALE_AFTER * 2
    )
    await SyncRun.filter(id=fresh.id).update(updated_at=utcnow())
    reconcile = await SyncRun.create(
        shop=shop, kind=SyncKind.RECONCILE, resource="changes", status=SyncStatus.RUNNING
    )
    await SyncRun.filter(id=reconcile.id).update(updated_at=utcnow() - STALE_AFTER * 2)

    assert await resume_syncs(ctx_for(queue)) == 2

    ids = await queued_ids(queue)
    assert {job_id.rsplit(":", 1)[0] for job_id in ids} == {
        f"backfill_shop:{shop.id}",
        f"reconcile_shop:{shop.id}",
    }
    assert all(f":{stalled.id}-" in job_id or f":{reconcile.id}-" in job_id for job_id in ids)


async def test_the_reconcile_cron_queues_each_synced_shop_once_per_slot_at_its_offset(
    db: Settings, queue: ArqRedis
) -> None:
    synced = await installed_shop(db, synced_through=at("2026-10-08T00:00:00Z"))
    await installed_shop(db, domain="new.myshopify.com")
    await installed_shop(
        db, domain="gone.myshopify.com", is_active=False, synced_through=at("2026-10-08T00:00:00Z")
    )

    assert await reconcile_shops(ctx_for(queue)) == 1
    assert await reconcile_shops(ctx_for(queue)) == 0

    job_id = f"reconcile_shop:{synced.id}:slot-{reconcile_slot(utcnow())}"
    assert await queued_ids(queue) == {job_id}
    run_at = await queue.zscore(default_queue_name, job_id)
    assert run_at is not None
    assert abs(run_at / 1000 - (utcnow().timestamp() + reconcile_offset(synced.id))) < 60
    assert await queue.exists(job_key_prefix + job_id)
    assert len({reconcile_offset(n) for n in range(100)}) > 50, "shops are spread over the slot"


@respx.mock
async def test_a_reconcile_job_reads_changes_since_the_mark(
    db: Settings, access: PlatformAccess, queue: ArqRedis
) -> None:
    shop = await installed_shop(db, synced_through=at("2026-10-08T00:00:00Z"))
    respx.post(GRAPHQL).mock(
        side_effect=GraphQLRouter(
            OrdersPage=pages("orders", [[order_node(1, updated_at="2026-10-09T00:00:00Z")]]),
            CustomersPage=pages("customers", [[]]),
        )
    )
    assert await reconcile_shop(ctx_for(queue), shop.id) == "done"
    assert await Order.filter(shop_id=shop.id).count() == 1


# --- the sync command -----------------------------------------------------------------------------


@respx.mock
async def test_the_sync_command_imports_the_shop_and_prints_progress(
    db: Settings, access: PlatformAccess
) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).mock(side_effect=small_shop())
    out = io.StringIO()

    assert await sync_shop(access, shop.domain.removesuffix(".myshopify.com"), out) == 0

    text = out.getvalue()
    assert text.startswith(f"syncing {shop.domain}")
    assert "orders" in text and "3/3" in text and "(paginated, succeeded)" in text
    assert await Order.filter(shop_id=shop.id).count() == 3
    assert await sync_shop(access, "not a shop!", io.StringIO()) == 2
    assert await sync_shop(access, "unknown-shop", io.StringIO()) == 1


@respx.mock
async def test_the_sync_command_finds_a_bigcommerce_store_by_its_hash(
    db: Settings, access: PlatformAccess
) -> None:
    store = await Shop.create(
        platform=Platform.BIGCOMMERCE,
        domain="abc123",
        access_token_encrypted=token_cipher(db).encrypt("bc-token"),
    )
    api = "http://platform.test/bigcommerce/api/stores/abc123/"  # the platform URL mapping in tests
    respx.get(api + "v2/orders/count").mock(return_value=httpx.Response(200, json={"count": 0}))
    respx.get(api + "v2/orders").mock(return_value=httpx.Response(204))
    respx.get(url__startswith=api + "v3/customers").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [],
                "meta": {
                    "pagination": {
                        "total": 0,
                        "count": 0,
                        "per_page": 250,
                        "current_page": 1,
                        "total_pages": 0,
                    }
                },
            },
        )
    )
    out = io.StringIO()

    assert await sync_shop(access, "abc123", out) == 0

    assert out.getvalue().startswith("syncing abc123")
    assert (
        await SyncRun.filter(shop_id=store.id, kind=SyncKind.BACKFILL, status=SyncStatus.SUCCEEDED).count()
        == 2
    )
