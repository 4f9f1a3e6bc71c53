"""Running a backfill in the calling process (``python -m app sync SHOP``), with progress.

The same slices a worker runs, back to back; a bulk export is waited for here. When a worker
holds the run, this watches its progress instead, and takes over if that worker stops
checkpointing (its lease goes stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TextIO

from redis.asyncio import Redis

from app.clock import utcnow
from app.db import close_database, open_database
from app.models import Platform, Shop, SyncKind, SyncRun, SyncStatus
from app.platform_http import build_http_client
from app.services.sync.backfill import ProgressCallback, backfill_slice
from app.services.sync.platform import PlatformAccess
from app.services.sync.progress import Progress, ProgressPrinter, render
from app.services.sync.runs import hand_back_held, request_backfill, unfinished_backfill
from app.services.sync.slices import SliceState
from app.settings import Settings
from connectors.bigcommerce.rest import is_store_hash
from connectors.errors import ConnectorError
from connectors.shopify.shop_domain import sanitize_shop_domain

FOREGROUND_SLICE = 3600.0
WATCH_INTERVAL = 2.0


async def backfill_in_foreground(
    shop_id: int,
    access: PlatformAccess,
    *,
    on_progress: ProgressCallback,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    watch_interval: float = WATCH_INTERVAL,
) -> SliceState:
    """Start (or resume) the shop's backfill and run it to the end; returns how it ended."""
    await request_backfill(shop_id)
    while True:
        result = await backfill_slice(shop_id, access, budget=FOREGROUND_SLICE, on_progress=on_progress)
        if result.state is SliceState.MORE:
            continue
        if result.state is SliceState.WAITING:
            await sleep(result.wait)
            continue
        if result.state is SliceState.BUSY:
            for run in await unfinished_backfill(shop_id):
                on_progress(Progress.of(run, utcnow()))
            await sleep(watch_interval)
            continue
        return result.state


async def sync_shop_command(settings: Settings, redis_url: str, shop_name: str, out: TextIO) -> int:
    """``python -m app sync SHOP``: the exit status (0 when every resource was imported)."""
    await open_database(settings.database_url)
    http = build_http_client(settings.platform_url, timeout=settings.platform_http_timeout)
    redis = Redis.from_url(redis_url)
    try:
        return await sync_shop(PlatformAccess(settings, http, redis), shop_name, out)
    finally:
        await redis.aclose()
        await http.aclose()
        await close_database()


async def sync_shop(access: PlatformAccess, shop_name: str, out: TextIO) -> int:
    """The command's work, on an open database: import the shop, print progress and the result."""
    domain = _shop_domain(shop_name)
    store_hash = shop_name.strip().lower()
    if domain is None and not is_store_hash(store_hash):
        print(
            f"aftercare: {shop_name!r} is not a shop name, myshopify.com domain or BigCommerce store hash",
            file=out,
        )
        return 2
    shop = await _find_shop(domain, store_hash)
    if shop is None or not shop.is_active:
        print(f"aftercare: {domain or store_hash} is not installed", file=out)
        return 1
    print(f"syncing {shop.domain}", file=out)
    printer = ProgressPrinter(out)
    try:
        state = await backfill_in_foreground(shop.id, access, on_progress=printer)
    except ConnectorError as exc:
        printer.close()
        # The run goes back to PENDING: a worker (or the next `sync`) resumes it.
        await hand_back_held(shop.id, SyncKind.BACKFILL, error=exc.message)
        print(f"aftercare: sync stopped: {exc.message}", file=out)
        return 1
    printer.close()
    latest: dict[str, SyncRun] = {}
    for run in await SyncRun.filter(shop_id=shop.id, kind=SyncKind.BACKFILL).order_by("-id"):
        latest.setdefault(run.resource, run)
    for run in sorted(latest.values(), key=lambda run: run.id):
        print(render(Progress.of(run, run.finished_at or utcnow())), file=out)
        if run.error:
            print(f"  {run.error}", file=out)
    ok = state is SliceState.DONE and all(run.status == SyncStatus.SUCCEEDED for run in latest.values())
    return 0 if ok else 1


async def _find_shop(domain: str | None, store_hash: str) -> Shop | None:
    """A bare name is a Shopify shop first, else a BigCommerce store hash."""
    shop = await Shop.get_or_none(platform=Platform.SHOPIFY, domain=domain) if domain else None
    if shop is None and is_store_hash(store_hash):
        shop = await Shop.get_or_none(platform=Platform.BIGCOMMERCE, domain=store_hash)
    return shop


def _shop_domain(value: str) -> str | None:
    candidate = value.strip().lower()
    if candidate and "." not in candidate:
        candidate += ".myshopify.com"
    return sanitize_shop_domain(candidate)
