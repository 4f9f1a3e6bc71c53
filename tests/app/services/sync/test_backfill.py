"""The backfill: pages for small shops, bulk exports for large ones, checkpoints, and resuming
after a crash with exact counts (the platform is mocked with respx at the routed GraphQL URL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import respx

from app import clock
from app.models import Customer, LineItem, Order, Shop, SyncKind, SyncRun, SyncStatus
from app.services.sync import backfill as backfill_module
from app.services.sync.backfill import backfill_slice
from app.services.sync.foreground import backfill_in_foreground
from app.services.sync.marks import CLOCK_SKEW
from app.services.sync.platform import PlatformAccess
from app.services.sync.progress import Progress
from app.services.sync.runs import STALE_AFTER, Checkpoint, request_backfill
from app.services.sync.slices import SliceState
from app.settings import Settings
from tests.app.services.sync.support import GRAPHQL, GraphQLRouter, at, count, installed_shop, pages
from tests.connectors.shopify.payloads import (
    PARTIAL_URL,
    RESULT_URL,
    bulk_child,
    bulk_order_line,
    customer_node,
    jsonl,
    line_item_node,
    ok,
    order_node,
)

ORDERS_OP = "gid://shopify/BulkOperation/1001"
CUSTOMERS_OP = "gid://shopify/BulkOperation/1002"


def order_pages(per_page: int, total: int) -> list[list[dict[str, Any]]]:
    nodes = [order_node(n, updated_at=f"2026-10-{n:02d}T12:00:00Z") for n in range(1, total + 1)]
    return [nodes[i : i + per_page] for i in range(0, total, per_page)]


def small_shop_router(customers: int = 3, orders: int = 5) -> GraphQLRouter:
    customer_nodes = [customer_node(n, updatedAt="2026-10-03T00:00:00Z") for n in range(501, 501 + customers)]
    return GraphQLRouter(
        CustomersCount=count("customersCount", customers),
        OrdersCount=count("ordersCount", orders),
        CustomersPage=pages("customers", [customer_nodes[:2], customer_nodes[2:]]),
        OrdersPage=pages("orders", order_pages(2, orders)),
    )


async def run_to_the_end(shop_id: int, access: PlatformAccess, **options: Any) -> list[SliceState]:
    states = []
    for _ in range(50):
        result = await backfill_slice(shop_id, access, **options)
        states.append(result.state)
        if result.state in (SliceState.DONE, SliceState.STOPPED):
            return states
    raise AssertionError(f"no end after 50 slices: {states}")


async def runs_of(shop_id: int) -> dict[str, SyncRun]:
    return {run.resource: run for run in await SyncRun.filter(shop_id=shop_id, kind=SyncKind.BACKFILL)}


# --- pages --------------------------------------------------------------------------------------


@respx.mock
async def test_a_small_shop_is_imported_page_by_page(db: Settings, access: PlatformAccess) -> None:
    shop = await installed_shop(db)
    router = small_shop_router()
    respx.post(GRAPHQL).mock(side_effect=router)
    await request_backfill(shop.id)
    started = clock.utcnow()

    assert await run_to_the_end(shop.id, access) == [SliceState.DONE]

    assert await Order.filter(shop_id=shop.id).count() == 5
    assert await LineItem.filter(shop_id=shop.id).count() == 5
    assert await Customer.filter(shop_id=shop.id, platform_updated_at__isnull=False).count() == 3
    runs = await runs_of(shop.id)
    for resource, total in (("customers", 3), ("orders", 5)):
        run = runs[resource]
        assert (run.status, run.method, run.done, run.total) == (
            SyncStatus.SUCCEEDED,
            "paginated",
            total,
            total,
        )
        assert run.started_at is not None and run.finished_at is not None and run.error is None
    assert Checkpoint.decode(runs["orders"].cursor).after == "cursor-3"
    assert Checkpoint.decode(runs["orders"].cursor).newest == at("2026-10-05T12:00:00Z")
    assert [name for name, _ in router.calls] == [
        "CustomersCount",
        "CustomersPage",
        "CustomersPage",
        "OrdersCount",
        "OrdersPage",
        "OrdersPage",
        "OrdersPage",
    ]
    assert [v.get("after") for v in router.variables_of("OrdersPage")] == [None, "cursor-1", "cursor-2"]
    # Marks: customers read from `started` (newest stamp older), orders up to 2026-10-05.
    mark = (await Shop.get(id=shop.id)).synced_through
    assert mark is not None and started - CLOCK_SKEW - timedelta(seconds=5) <= mark <= started
    assert await run_to_the_end(shop.id, access) == [SliceState.DONE], "done stays done"


@respx.mock
async def test_each_slice_checkpoints_after_every_page(db: Settings, access: PlatformAccess) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).mock(side_effect=small_shop_router())
    await request_backfill(shop.id)
    seen: list[tuple[str, int, str | None]] = []
    for _ in range(3):
        result = await backfill_slice(shop.id, access, budget=0)
        run = (await runs_of(shop.id))["customers"]
        seen.append((str(result.state), run.done, Checkpoint.decode(run.cursor).after))
        if run.status == SyncStatus.SUCCEEDED:
            break

    assert seen[0] == ("more", 2, "cursor-1")
    assert seen[1][1:] == (3, "cursor-2")
    progress: list[Progress] = []
    assert SliceState.DONE in await run_to_the_end(shop.id, access, budget=0, on_progress=progress.append)
    orders = [p for p in progress if p.resource == "orders"]
    assert [p.done for p in orders] == [0, 2, 4, 5] and {p.total for p in orders} == {5}


@respx.mock
async def test_a_worker_killed_mid_backfill_resumes_without_duplicates(
    db: Settings, access: PlatformAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await installed_shop(db)
    router = small_shop_router(orders=7)
    respx.post(GRAPHQL).mock(side_effect=router)
    await request_backfill(shop.id)
    crash_on_batch(monkeypatch, 3)

    with pytest.raises(WorkerKilled):
        await backfill_slice(shop.id, access)

    run = (await runs_of(shop.id))["orders"]
    assert (run.status, run.done, Checkpoint.decode(run.cursor).after) == (SyncStatus.RUNNING, 4, "cursor-2")
    assert await Order.filter(shop_id=shop.id).count() == 4, "the crashed batch left nothing"
    assert (await backfill_slice(shop.id, access)).state is SliceState.BUSY, "its lease looks alive"

    monkeypatch.undo()
    clock.advance(STALE_AFTER + timedelta(seconds=1))
    assert await run_to_the_end(shop.id, access) == [SliceState.DONE]

    assert await Order.filter(shop_id=shop.id).count() == 7
    assert await LineItem.filter(shop_id=shop.id).count() == 7
    run = (await runs_of(shop.id))["orders"]
    assert (run.status, run.done, run.total) == (SyncStatus.SUCCEEDED, 7, 7)
    assert [v.get("after") for v in router.variables_of("OrdersPage")][-2:] == ["cursor-2", "cursor-3"], (
        "it resumed after the last page written"
    )


# --- bulk ---------------------------------------------------------------------------------------


class BulkPlatform:
    """bulkOperationRunQuery and node(id:) answers: each export runs for ``polls`` reads, then
    completes with ``url`` (or fails with ``partial``)."""

    def __init__(self, polls: int = 1, *, fail_orders: bool = False) -> None:
        self.polls = polls
        self.fail_orders = fail_orders
        self.reads: dict[str, int] = {}

    def start(self, variables: dict[str, Any]) -> dict[str, Any]:
        operation = ORDERS_OP if "orders" in variables["query"].split("(")[0] else CUSTOMERS_OP
        return ok(
            {
                "bulkOperationRunQuery": {
                    "bulkOperation": {"id": operation, "status": "CREATED"},
                    "userErrors": [],
                }
            }
        )

    def status(self, variables: dict[str, Any]) -> dict[str, Any]:
        operation = variables["id"]
        self.reads[operation] = self.reads.get(operation, 0) + 1
        node: dict[str, Any] = {"id": operation, "status": "RUNNING", "errorCode": None, "objectCount": "0"}
        if self.reads[operation] > self.polls:
            if operation == ORDERS_OP and self.fail_orders:
                node.update(status="FAILED", errorCode="TIMEOUT", partialDataUrl=PARTIAL_URL)
            else:
                url = RESULT_URL if operation == ORDERS_OP else RESULT_URL.replace("1.jsonl", "2.jsonl")
                node.update(status="COMPLETED", url=url, rootObjectCount="6")
        return ok({"node": node})


def order_export(numbers: range) -> bytes:
    lines: list[dict[str, Any]] = []
    for n in numbers:
        lines.append(bulk_order_line(n, updated_at=f"2026-10-{n:02d}T12:00:00Z"))
        lines += [bulk_child(line_item_node(n * 10 + k), f"gid://shopify/Order/{n}") for k in (1, 2)]
    return jsonl(lines)


@respx.mock
async def test_a_large_shop_is_imported_from_bulk_exports(db: Settings, access: PlatformAccess) -> None:
    shop = await installed_shop(db)
    bulk = BulkPlatform(polls=1)
    router = GraphQLRouter(
        CustomersCount=count("customersCount", 4),
        OrdersCount=count("ordersCount", 6),
        BulkRunQuery=bulk.start,
        BulkOperation=bulk.status,
    )
    respx.post(GRAPHQL).mock(side_effect=router)
    respx.get(RESULT_URL).respond(content=order_export(range(1, 7)))
    respx.get(RESULT_URL.replace("1.jsonl", "2.jsonl")).respond(
        content=jsonl([customer_node(n) for n in range(501, 505)])
    )
    await request_backfill(shop.id)

    states = await run_to_the_end(shop.id, access, bulk_threshold=3)

    assert states == [SliceState.WAITING, SliceState.WAITING, SliceState.DONE]
    assert await Order.filter(shop_id=shop.id).count() == 6
    assert await LineItem.filter(shop_id=shop.id).count() == 12
    assert await Customer.filter(shop_id=shop.id).count() == 6  # 4 read, 2 placeholders (505, 506)
    runs = await runs_of(shop.id)
    assert (runs["orders"].method, runs["orders"].done, runs["orders"].bulk_operation_id) == (
        "bulk",
        6,
        ORDERS_OP,
    )
    assert (runs["customers"].method, runs["customers"].done) == ("bulk", 4)
    assert [name for name, _ in router.calls].count("BulkRunQuery") == 2, "each export started once"
    assert (await Shop.get(id=shop.id)).synced_through is not None


@respx.mock
async def test_a_bulk_import_resumes_mid_file_without_duplicates(
    db: Settings, access: PlatformAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await installed_shop(db)
    bulk = BulkPlatform(polls=0)
    respx.post(GRAPHQL).mock(
        side_effect=GraphQLRouter(
            CustomersCount=count("customersCount", 0),
            CustomersPage=pages("customers", [[]]),
            OrdersCount=count("ordersCount", 6),
            BulkRunQuery=bulk.start,
            BulkOperation=bulk.status,
        )
    )
    download = respx.get(RESULT_URL).respond(content=order_export(range(1, 7)))
    await request_backfill(shop.id)
    monkeypatch.setattr(backfill_module, "BATCH_SIZE", 2)
    crash_on_batch(monkeypatch, 2)

    with pytest.raises(WorkerKilled):
        await backfill_slice(shop.id, access, bulk_threshold=3)
    assert (await runs_of(shop.id))["orders"].done == 2

    crash_on_batch(monkeypatch, None)
    clock.advance(STALE_AFTER + timedelta(seconds=1))
    assert await run_to_the_end(shop.id, access, bulk_threshold=3) == [SliceState.DONE]

    assert await Order.filter(shop_id=shop.id).count() == 6
    assert await LineItem.filter(shop_id=shop.id).count() == 12
    assert (await runs_of(shop.id))["orders"].done == 6
    assert download.call_count == 2, "the file was read again, skipping what was written"


@respx.mock
async def test_a_failed_export_imports_its_partial_data_then_reads_pages(
    db: Settings, access: PlatformAccess
) -> None:
    shop = await installed_shop(db)
    bulk = BulkPlatform(polls=0, fail_orders=True)
    router = GraphQLRouter(
        CustomersCount=count("customersCount", 0),
        CustomersPage=pages("customers", [[]]),
        OrdersCount=count("ordersCount", 5),
        BulkRunQuery=bulk.start,
        BulkOperation=bulk.status,
        OrdersPage=pages("orders", order_pages(2, 5)),
    )
    respx.post(GRAPHQL).mock(side_effect=router)
    partial = respx.get(PARTIAL_URL).respond(content=order_export(range(1, 3)))
    await request_backfill(shop.id)

    assert await run_to_the_end(shop.id, access, bulk_threshold=3) == [SliceState.DONE]

    assert partial.call_count == 1
    assert await Order.filter(shop_id=shop.id).count() == 5
    assert await LineItem.filter(shop_id=shop.id).count() == 5 + 2, "partial orders kept their second item"
    run = (await runs_of(shop.id))["orders"]
    assert (run.status, run.method, run.done, run.total) == (SyncStatus.SUCCEEDED, "paginated", 5, 5)


@respx.mock
async def test_an_export_that_cannot_start_falls_back_to_pages(db: Settings, access: PlatformAccess) -> None:
    shop = await installed_shop(db)
    busy = ok(
        {
            "bulkOperationRunQuery": {
                "bulkOperation": None,
                "userErrors": [
                    {"field": ["query"], "message": "already in progress", "code": "OPERATION_IN_PROGRESS"}
                ],
            }
        }
    )
    respx.post(GRAPHQL).mock(
        side_effect=GraphQLRouter(
            CustomersCount=count("customersCount", 0),
            CustomersPage=pages("customers", [[]]),
            OrdersCount=count("ordersCount", 4),
            BulkRunQuery=lambda _variables: busy,
            OrdersPage=pages("orders", order_pages(2, 4)),
        )
    )
    await request_backfill(shop.id)
    assert await run_to_the_end(shop.id, access, bulk_threshold=1) == [SliceState.DONE]
    assert await Order.filter(shop_id=shop.id).count() == 4


# --- the foreground runner (CLI) ------------------------------------------------------------------


@respx.mock
async def test_the_foreground_runner_waits_for_exports_and_reports_progress(
    db: Settings, access: PlatformAccess
) -> None:
    shop = await installed_shop(db)
    bulk = BulkPlatform(polls=2)
    respx.post(GRAPHQL).mock(
        side_effect=GraphQLRouter(
            CustomersCount=count("customersCount", 0),
            CustomersPage=pages("customers", [[]]),
            OrdersCount=count("ordersCount", 20_000),
            BulkRunQuery=bulk.start,
            BulkOperation=bulk.status,
        )
    )
    respx.get(RESULT_URL).respond(content=order_export(range(1, 7)))
    progress: list[Progress] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    assert (
        await backfill_in_foreground(shop.id, access, on_progress=progress.append, sleep=sleep)
        is SliceState.DONE
    )
    assert waits == [backfill_module.BULK_POLL_SECONDS] * 2
    assert progress[-1].resource == "orders" and progress[-1].done == 6 and progress[-1].total == 20_000


# --- helpers --------------------------------------------------------------------------------------


class WorkerKilled(Exception):
    pass


def crash_on_batch(monkeypatch: pytest.MonkeyPatch, batch: int | None) -> None:
    """Make the ``batch``-th orders batch (1-based) raise after writing, inside its transaction."""
    real = backfill_module.upsert_orders
    calls = {"n": 0}

    async def upsert(shop_id: int, records: Any) -> Any:
        calls["n"] += 1
        result = await real(shop_id, records)
        if batch is not None and calls["n"] == batch:
            raise WorkerKilled()
        return result

    monkeypatch.setattr(backfill_module, "upsert_orders", upsert)
