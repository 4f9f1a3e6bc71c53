"""Every 15 minutes per shop: read what changed since the high-water mark and upsert it.

A webhook that never arrived (or arrived broken) leaves a row behind the platform; the next
reconcile reads every order and customer stamped at or after ``synced_through - OVERLAP`` and
writes what is newer, so the gap closes without anyone noticing (PRODUCT 1). Orders are read
before customers: they matter more if the shop's customer data is out of reach.

The shop's one RECONCILE ``SyncRun`` is reused: its lease keeps two reconciles of a shop from
running at once, and its checkpoint lets a long catch-up (after an outage) go on in slices.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import replace
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Shop, SyncRun, SyncStatus
from app.services.sync.customers import upsert_customers
from app.services.sync.marks import advance_mark, resource_mark
from app.services.sync.order_batch import upsert_orders
from app.services.sync.platform import PlatformAccess
from app.services.sync.runs import (
    Checkpoint,
    claim,
    finish,
    reconcile_run,
    release,
    resume_key,
    save,
    unfinished_backfill,
)
from app.services.sync.slices import SLICE_SECONDS, SliceResult, SliceState
from connectors.base import CustomerRecord, OrderRecord, Page

# Re-read a margin before the mark: stamps in the mark's second, and clock differences.
OVERLAP = timedelta(minutes=10)
LISTINGS = ("orders", "customers")


async def reconcile_slice(
    shop_id: int,
    access: PlatformAccess,
    *,
    budget: float = SLICE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> SliceResult:
    shop = await Shop.get_or_none(id=shop_id)
    if shop is None or not shop.is_active or shop.needs_reauth:
        return SliceResult(SliceState.STOPPED, note="the shop is not installed or needs re-authorization")
    if shop.synced_through is None or await unfinished_backfill(shop_id):
        return SliceResult(SliceState.STOPPED, note="the backfill has not finished")
    run = await reconcile_run(shop_id)
    claimed = await claim(run.id, reopen_finished=True)
    if claimed is None:
        return SliceResult(SliceState.BUSY, note="a reconcile of this shop is running")
    lease, before = claimed
    run = await SyncRun.get(id=run.id)
    checkpoint = Checkpoint.decode(run.cursor)
    started = run.started_at
    if before in (SyncStatus.SUCCEEDED, SyncStatus.FAILED) or checkpoint.since is None or started is None:
        started = utcnow()
        checkpoint = Checkpoint(since=shop.synced_through - OVERLAP, resource=LISTINGS[0])
        lease = await save(
            lease,
            cursor=checkpoint,
            done=0,
            total=None,
            method="paginated",
            started_at=started,
            finished_at=None,
            error=None,
        )
    connector = access.connector_for(shop)
    deadline = clock() + budget
    done = 0 if before in (SyncStatus.SUCCEEDED, SyncStatus.FAILED) else run.done
    while checkpoint.resource is not None:
        listing = checkpoint.resource
        pages: AsyncGenerator[Page[Any], None] = (
            connector.iter_orders(updated_since=checkpoint.since, after=checkpoint.after)
            if listing == "orders"
            else connector.iter_customers(updated_since=checkpoint.since, after=checkpoint.after)
        )
        async with aclosing(pages) as listing_pages:
            async for page in listing_pages:
                newest = Checkpoint(newest=checkpoint.newest_by.get(listing)).seen(
                    [record.updated_at for record in page.records]
                )
                checkpoint = replace(
                    checkpoint,
                    after=page.next_cursor,
                    newest_by={**checkpoint.newest_by, **({listing: newest.newest} if newest.newest else {})},
                )
                async with in_transaction():
                    if listing == "orders":
                        await upsert_orders(shop_id, [r for r in page.records if isinstance(r, OrderRecord)])
                    else:
                        await upsert_customers(
                            shop_id, [r for r in page.records if isinstance(r, CustomerRecord)]
                        )
                    done += len(page.records)
                    lease = await save(lease, cursor=checkpoint, done=done)
                if page.has_next and clock() >= deadline:
                    lease = await release(lease)
                    return SliceResult(SliceState.MORE, resume_key(run.id, lease.stamp))
        following = LISTINGS.index(listing) + 1
        checkpoint = replace(
            checkpoint, resource=LISTINGS[following] if following < len(LISTINGS) else None, after=None
        )
        lease = await save(lease, cursor=checkpoint)
    await advance_mark(shop_id, [resource_mark(started, checkpoint.newest_by.get(name)) for name in LISTINGS])
    await finish(lease, cursor=checkpoint, done=done)
    return SliceResult(SliceState.DONE)
