"""Sync jobs: backfill and reconcile slices, and the crons that keep them going.

- ``backfill_shop(shop_id)``: one slice of the shop's backfill; queues the next slice itself.
- ``reconcile_shop(shop_id)``: one slice of the shop's reconcile.
- ``reconcile_shops`` (cron, every 15 min): a reconcile per installed shop, each at its own
  offset in the 15 minutes.
- ``resume_syncs`` (cron, every minute): queues a job for every run left PENDING or RUNNING
  without a checkpoint for ``STALE_AFTER`` (Redis lost the job, or a worker died), and starts
  the backfill of any installed shop that has never had one (that is how an install starts it).

All take primitive ids and are idempotent: a run's lease admits one worker, and each slice
resumes from the checkpoint the last one wrote.

The worker's resources (``install_worker_resources``) are also kept here for the webhook handlers,
which arq calls without its ``ctx`` (``dispatch(event)``) and a few of which must read from the
platform (orders/edited, returns/*, a child of an order we do not hold) or queue a job
(bulk_operations/finish).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from arq import ArqRedis
from tortoise.expressions import Subquery

from app.clock import utcnow
from app.models import Shop, SyncKind, SyncRun
from app.services.sync.backfill import backfill_slice
from app.services.sync.platform import PlatformAccess
from app.services.sync.reconcile import reconcile_slice
from app.services.sync.runs import STALE_AFTER, UNFINISHED, resume_key, unfinished_backfill
from app.services.sync.schedule import (
    queue_backfill,
    queue_reconcile,
    reconcile_offset,
    reconcile_slot,
    start_backfill,
)
from app.services.sync.slices import SliceResult
from jobs.errors import Stopped, run_mapped

logger = logging.getLogger(__name__)

# Slices stop after SLICE_SECONDS; a page or batch in flight may take a while longer.
SLICE_JOB_TIMEOUT = 600

_access: PlatformAccess | None = None
_queue: ArqRedis | None = None


def install_worker_resources(ctx: Mapping[str, Any] | None) -> None:
    """From the worker's start-up (``ctx`` has ``settings``, ``http``, ``redis``); None uninstalls."""
    global _access, _queue
    _access = PlatformAccess.from_job_context(ctx) if ctx is not None else None
    _queue = ctx["redis"] if ctx is not None else None


def install_parts(access: PlatformAccess | None, queue: ArqRedis | None) -> None:
    """For tests: a platform access and a queue of their own."""
    global _access, _queue
    _access, _queue = access, queue


def worker_access() -> PlatformAccess:
    if _access is None:
        raise RuntimeError("the worker's platform access is not installed (install_worker_resources)")
    return _access


def worker_queue() -> ArqRedis:
    if _queue is None:
        raise RuntimeError("the worker's queue is not installed (install_worker_resources)")
    return _queue


async def backfill_shop(ctx: dict[str, Any], shop_id: int) -> str:
    access = PlatformAccess.from_job_context(ctx)
    result = await run_mapped(ctx, shop_id, SyncKind.BACKFILL, lambda: backfill_slice(shop_id, access))
    if isinstance(result, Stopped):
        # A resource that failed for good does not stop the next one.
        remaining = await unfinished_backfill(shop_id)
        if remaining and result.reason.startswith("failed"):
            await queue_backfill(ctx["redis"], shop_id, resume_key(remaining[0].id, remaining[0].updated_at))
        return result.reason
    await _continue(ctx, shop_id, SyncKind.BACKFILL, result)
    return str(result.state)


async def reconcile_shop(ctx: dict[str, Any], shop_id: int) -> str:
    access = PlatformAccess.from_job_context(ctx)
    result = await run_mapped(ctx, shop_id, SyncKind.RECONCILE, lambda: reconcile_slice(shop_id, access))
    if isinstance(result, Stopped):
        return result.reason
    await _continue(ctx, shop_id, SyncKind.RECONCILE, result)
    return str(result.state)


async def reconcile_shops(ctx: dict[str, Any]) -> int:
    """Cron: queue this slot's reconcile of every shop that has a high-water mark."""
    now = utcnow()
    slot = f"slot-{reconcile_slot(now)}"
    shops = await Shop.filter(is_active=True, needs_reauth=False, synced_through__isnull=False).values("id")
    queued = 0
    for shop_id in (shop["id"] for shop in shops):
        if await queue_reconcile(ctx["redis"], shop_id, slot, defer=reconcile_offset(shop_id)) is not None:
            queued += 1
    return queued


async def resume_syncs(ctx: dict[str, Any]) -> int:
    """Cron: re-queue runs nobody is working on, and start never-started backfills."""
    queued = 0
    stale = await SyncRun.filter(
        status__in=UNFINISHED,
        updated_at__lt=utcnow() - STALE_AFTER,
        shop__is_active=True,
        shop__needs_reauth=False,
    ).values("id", "shop_id", "kind", "updated_at")
    for row in stale:
        key = resume_key(row["id"], row["updated_at"])
        if row["kind"] == SyncKind.BACKFILL:
            job = await queue_backfill(ctx["redis"], row["shop_id"], key)
        else:
            job = await queue_reconcile(ctx["redis"], row["shop_id"], key)
        queued += job is not None
    never_synced = (
        await Shop.filter(is_active=True, needs_reauth=False)
        .exclude(id__in=Subquery(SyncRun.filter(kind=SyncKind.BACKFILL).values("shop_id")))
        .values("id")
    )
    for shop_id in (shop["id"] for shop in never_synced):
        logger.info("starting the first backfill", extra={"shop_id": shop_id})
        queued += await start_backfill(ctx["redis"], shop_id, first_only=True)
    if queued:
        logger.info("queued %d sync job(s)", queued)
    return queued


async def _continue(ctx: dict[str, Any], shop_id: int, kind: SyncKind, result: SliceResult) -> None:
    if not result.continues or result.resume_key is None:
        return
    if kind == SyncKind.BACKFILL:
        await queue_backfill(ctx["redis"], shop_id, result.resume_key, defer=result.wait)
    else:
        await queue_reconcile(ctx["redis"], shop_id, result.resume_key, defer=result.wait)
