"""The initial import of a shop's customers and orders, resumable from its checkpoints.

    runs = await request_backfill(shop_id)            # on install, from the CLI or the admin
    result = await backfill_slice(shop_id, access)    # a job runs slices until DONE

Per resource (customers first, then orders), one ``SyncRun``:

1. plan: count what the platform holds (``count_*``); above ``BULK_THRESHOLD`` the run uses a
   bulk export, else pages. The count is the run's ``total``.
2. bulk: start the export (its id is checkpointed at once), then poll it slice by slice (or be
   woken by the ``bulk_operations/finish`` webhook); when it completes, stream the JSONL file in
   batches of ``BATCH_SIZE``, each batch written and checkpointed (``done`` = objects read, the
   ``skip`` for a resumed stream) in one transaction. A failed export has its partial data
   imported first, then the run falls back to pages; so does an export that cannot start.
3. pages: read in ``updated_at`` order; each page is written and its end cursor checkpointed in
   one transaction, so a worker killed anywhere resumes at the page after the last one written,
   and a page written twice (never, but if) changes nothing (upserts are idempotent).
4. when no run is left unfinished, ``Shop.synced_through`` is set (``marks.py``).

Orders from a bulk export lack their fulfillment lines, refund lines and return items (a bulk
query cannot nest that deep): the upserts keep whatever such lines are stored, webhooks and the
reconcile fill them in as orders change, and ``repair.refresh_order`` reads one order whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import Any

from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Shop, SyncKind, SyncRun, SyncStatus
from app.services.sync.customers import upsert_customers
from app.services.sync.marks import advance_mark, resource_mark
from app.services.sync.order_batch import upsert_orders
from app.services.sync.platform import PlatformAccess, bulk_client
from app.services.sync.progress import Progress
from app.services.sync.runs import (
    Checkpoint,
    Lease,
    claim,
    finish,
    release,
    resume_key,
    save,
    unfinished_backfill,
)
from app.services.sync.slices import SLICE_SECONDS, SliceResult, SliceState
from connectors.base import CustomerRecord, OrderRecord, Page, StoreConnector
from connectors.shopify.bulk import (
    BulkOperation,
    get_bulk_operation,
    require_completed,
    start_customers_export,
    start_orders_export,
)
from connectors.shopify.bulk_jsonl import BulkRecord, stream_bulk_jsonl
from connectors.shopify.errors import BulkOperationFailed, UserErrors

logger = logging.getLogger(__name__)

BULK_THRESHOLD = 10_000
BATCH_SIZE = 500
BULK_POLL_SECONDS = 30.0
PAGINATED, BULK = "paginated", "bulk"

ProgressCallback = Callable[[Progress], None]


async def backfill_slice(
    shop_id: int,
    access: PlatformAccess,
    *,
    budget: float = SLICE_SECONDS,
    bulk_threshold: int = BULK_THRESHOLD,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SliceResult:
    """Work on the shop's unfinished backfill runs for about ``budget`` seconds."""
    shop = await Shop.get_or_none(id=shop_id)
    if shop is None or not shop.is_active:
        return SliceResult(SliceState.STOPPED, note="the shop is not installed")
    deadline = clock() + budget
    worked = False
    while True:
        runs = await unfinished_backfill(shop_id)
        if not runs:
            await set_mark_after_backfill(shop_id)
            return SliceResult(SliceState.DONE)
        if worked and clock() >= deadline:  # a run finished at the end of the slice: the next waits
            return SliceResult(SliceState.MORE, resume_key(runs[0].id, runs[0].updated_at))
        claimed = await claim(runs[0].id)
        if claimed is None:
            return SliceResult(SliceState.BUSY, note="another worker is on this backfill")
        run = await SyncRun.get(id=runs[0].id)
        importer = _Importer(shop_id, run, claimed[0], access.connector_for(shop), access, on_progress)
        step = await importer.go(deadline, clock, bulk_threshold)
        worked = True
        if step is _Step.FINISHED:
            await finish(importer.lease, done=importer.done, cursor=importer.checkpoint)
            logger.info("backfill run finished", extra={"shop": shop.domain, "resource": run.resource})
            continue
        lease = await release(importer.lease)
        key = resume_key(run.id, lease.stamp)
        if step is _Step.WAITING:
            return SliceResult(SliceState.WAITING, key, wait=BULK_POLL_SECONDS, note="bulk export running")
        return SliceResult(SliceState.MORE, key)


async def set_mark_after_backfill(shop_id: int) -> None:
    """Set ``synced_through`` from the latest run of each resource, once orders have succeeded
    (a resource that failed for good — say customers, without protected-data access — does not
    hold the orders' mark back)."""
    latest: dict[str, SyncRun] = {}
    for run in await SyncRun.filter(shop_id=shop_id, kind=SyncKind.BACKFILL).order_by("-id"):
        latest.setdefault(run.resource, run)
    orders = latest.get("orders")
    if orders is None or orders.status != SyncStatus.SUCCEEDED:
        return
    await advance_mark(
        shop_id,
        [
            resource_mark(run.started_at or run.created_at, Checkpoint.decode(run.cursor).newest)
            for run in latest.values()
            if run.status == SyncStatus.SUCCEEDED
        ],
    )


class _Step:
    FINISHED = "finished"
    OUT_OF_TIME = "out_of_time"
    WAITING = "waiting"
    SWITCHED = "switched"  # bulk gave up: continue with pages


@dataclass
class _Importer:
    """One run of one slice: its lease, progress and checkpoint as last written."""

    shop_id: int
    run: SyncRun
    lease: Lease
    connector: StoreConnector
    access: PlatformAccess
    on_progress: ProgressCallback | None

    def __post_init__(self) -> None:
        self.done = self.run.done
        self.checkpoint = Checkpoint.decode(self.run.cursor)
        self.deadline = 0.0
        self.clock: Callable[[], float] = time.monotonic

    @property
    def orders(self) -> bool:
        return self.run.resource == "orders"

    async def go(self, deadline: float, clock: Callable[[], float], bulk_threshold: int) -> str:
        self.deadline, self.clock = deadline, clock
        if self.run.total is None or self.run.started_at is None:
            await self._plan(bulk_threshold)
        if self.run.method == BULK:
            step = await self._bulk()
            if step != _Step.SWITCHED:
                return step
        return await self._pages()

    async def _plan(self, bulk_threshold: int) -> None:
        count = await (self.connector.count_orders if self.orders else self.connector.count_customers)()
        bulk = bulk_client(self.connector) is not None
        method = BULK if bulk and count.count > bulk_threshold else PAGINATED
        started = utcnow()
        self.done, self.checkpoint = 0, Checkpoint()
        self.lease = await save(
            self.lease,
            total=count.count,
            method=method,
            started_at=started,
            done=0,
            cursor=None,
            bulk_operation_id=None,
            error=None,
        )
        self.run.total, self.run.method, self.run.started_at = count.count, method, started
        self._report()

    # --- pages --------------------------------------------------------------------------------

    async def _pages(self) -> str:
        after = self.checkpoint.after
        listing: AsyncGenerator[Page[Any], None] = (
            self.connector.iter_orders(after=after)
            if self.orders
            else self.connector.iter_customers(after=after)
        )
        async with aclosing(listing) as pages:
            async for page in pages:
                await self._commit(page.records, after=page.next_cursor)
                if page.has_next and self.clock() >= self.deadline:
                    return _Step.OUT_OF_TIME
        return _Step.FINISHED

    # --- bulk ---------------------------------------------------------------------------------

    async def _bulk(self) -> str:
        client = bulk_client(self.connector)
        if client is None:  # a run planned as bulk on a platform without it: read pages instead
            return await self._switch_to_pages("this platform has no bulk export")
        operation_id = self.run.bulk_operation_id
        if operation_id is None:
            start = start_orders_export if self.orders else start_customers_export
            try:
                started = await start(client)
            except UserErrors as exc:  # e.g. another bulk query still runs for this app and shop
                return await self._switch_to_pages(str(exc))
            self.lease = await save(self.lease, bulk_operation_id=started.id)
            self.run.bulk_operation_id = operation_id = started.id
        operation = await get_bulk_operation(client, operation_id)
        if not operation.finished:
            return _Step.WAITING
        try:
            completed = require_completed(operation)
        except BulkOperationFailed as failed:
            if failed.partial_data_url:
                if self.checkpoint.phase != "partial":
                    self.checkpoint = replace(self.checkpoint, phase="partial")
                step = await self._stream(failed.partial_data_url)
                if step != _Step.FINISHED:
                    return step
            return await self._switch_to_pages(str(failed))
        return await self._stream_completed(completed)

    async def _stream_completed(self, operation: BulkOperation) -> str:
        if operation.url is None:  # the export found nothing
            return _Step.FINISHED
        return await self._stream(operation.url)

    async def _stream(self, url: str) -> str:
        """Read the export from object ``done`` on, committing every ``BATCH_SIZE`` objects."""
        batch: list[BulkRecord] = []
        async with aclosing(stream_bulk_jsonl(self.access.http, url, skip=self.done)) as records:
            async for record in records:
                batch.append(record)
                if len(batch) >= BATCH_SIZE:
                    await self._commit(batch)
                    batch = []
                    if self.clock() >= self.deadline:
                        return _Step.OUT_OF_TIME
        if batch:
            await self._commit(batch)
        return _Step.FINISHED

    async def _switch_to_pages(self, reason: str) -> str:
        logger.warning(
            "bulk export unusable; reading page by page",
            extra={"shop_id": self.shop_id, "resource": self.run.resource, "reason": reason[:200]},
        )
        # Pages start from the beginning: progress restarts with them (rows already imported
        # are found equal and skipped).
        self.done, self.checkpoint = 0, Checkpoint(newest=self.checkpoint.newest)
        self.lease = await save(self.lease, method=PAGINATED, done=0, cursor=self.checkpoint)
        self.run.method = PAGINATED
        return _Step.SWITCHED

    # --- writing ------------------------------------------------------------------------------

    async def _commit(self, records: Sequence[BulkRecord], *, after: str | None = None) -> None:
        """Write a batch and its checkpoint in one transaction: after a crash, the checkpoint
        says exactly what is in the database."""
        checkpoint = self.checkpoint.seen([record.updated_at for record in records])
        if after is not None or self.run.method == PAGINATED:
            checkpoint = replace(checkpoint, after=after)
        async with in_transaction():
            if self.orders:
                await upsert_orders(self.shop_id, [r for r in records if isinstance(r, OrderRecord)])
            else:
                await upsert_customers(self.shop_id, [r for r in records if isinstance(r, CustomerRecord)])
            self.lease = await save(self.lease, done=self.done + len(records), cursor=checkpoint)
        self.done += len(records)
        self.checkpoint = checkpoint
        self._report()

    def _report(self) -> None:
        if self.on_progress is None:
            return
        started = self.run.started_at
        self.on_progress(
            Progress(
                resource=self.run.resource,
                status=str(SyncStatus.RUNNING),
                method=self.run.method,
                done=self.done,
                total=self.run.total,
                elapsed=(utcnow() - started).total_seconds() if started else 0.0,
            )
        )
