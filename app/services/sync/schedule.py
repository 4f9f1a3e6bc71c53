"""Queueing sync jobs by name, with the deterministic ids every producer shares.

The web side, the CLI and other jobs queue through these (never importing ``jobs``):

- ``backfill_shop:{shop}:{key}``: ``key`` is ``start-{first run id}`` for a new backfill, else
  the run's ``resume_key`` — the slice that stopped and the resume cron name the same state
  alike, so a continuation is queued once;
- ``reconcile_shop:{shop}:slot-{n}``: one per shop per 15-minute slot, spread over the slot by a
  per-shop offset so that shops do not all call the platform at the same moment (a continuation
  is ``reconcile_shop:{shop}:{resume_key}``).
"""

from __future__ import annotations

import logging
import zlib
from datetime import datetime, timedelta

from arq import ArqRedis
from arq.jobs import Job
from redis.exceptions import RedisError

from app.models import SyncKind, SyncRun
from app.queue import enqueue
from app.services.sync.runs import request_backfill

logger = logging.getLogger(__name__)

BACKFILL_SHOP = "backfill_shop"  # jobs.sync.backfill_shop
RECONCILE_SHOP = "reconcile_shop"  # jobs.sync.reconcile_shop
RECONCILE_EVERY = timedelta(minutes=15)


async def start_backfill(queue: ArqRedis, shop_id: int, *, first_only: bool = False) -> bool:
    """Request a backfill (or find the unfinished one) and queue its job; for the admin's "sync
    now" and the CLI. ``first_only``: only if the shop never had one (install, resume cron), so
    that a re-authorization does not import the whole shop again. True when a job was queued."""
    if first_only and await SyncRun.filter(shop_id=shop_id, kind=SyncKind.BACKFILL).exists():
        return False
    runs = await request_backfill(shop_id)
    return await queue_backfill(queue, shop_id, start_key(runs[0].id)) is not None


async def start_first_backfill(queue: ArqRedis, shop_id: int) -> None:
    """On install: import the shop now. Redis being down must not fail the install — the
    ``resume_syncs`` cron starts any first backfill that was never queued within a minute."""
    try:
        await start_backfill(queue, shop_id, first_only=True)
    except (RedisError, OSError):
        logger.warning("first backfill not queued; the resume cron will start it", extra={"shop": shop_id})


def start_key(first_run_id: int) -> str:
    return f"start-{first_run_id}"


async def queue_backfill(queue: ArqRedis, shop_id: int, key: str, *, defer: float = 0.0) -> Job | None:
    return await enqueue(
        queue,
        BACKFILL_SHOP,
        shop_id,
        key=(shop_id, key),
        _defer_by=timedelta(seconds=defer) if defer else None,
    )


async def queue_reconcile(queue: ArqRedis, shop_id: int, key: str, *, defer: float = 0.0) -> Job | None:
    """``key``: ``slot-{n}`` from the cron, or a run's ``resume_key`` for a continuation."""
    return await enqueue(
        queue,
        RECONCILE_SHOP,
        shop_id,
        key=(shop_id, key),
        _defer_by=timedelta(seconds=defer) if defer else None,
    )


def reconcile_slot(now: datetime) -> int:
    return int(now.timestamp() // RECONCILE_EVERY.total_seconds())


def reconcile_offset(shop_id: int) -> float:
    """Seconds into each slot at which the shop's reconcile runs: stable per shop, spread evenly."""
    return zlib.crc32(f"reconcile:{shop_id}".encode()) % int(RECONCILE_EVERY.total_seconds())
