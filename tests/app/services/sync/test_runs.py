"""SyncRun leases and checkpoints, the high-water mark, and the progress line."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app import clock
from app.models import Shop, SyncKind, SyncRun, SyncStatus
from app.services.sync.marks import CLOCK_SKEW, advance_mark, resource_mark
from app.services.sync.progress import Progress, ProgressPrinter, duration, render
from app.services.sync.runs import (
    STALE_AFTER,
    Checkpoint,
    LeaseLost,
    claim,
    release,
    request_backfill,
    save,
    unfinished_backfill,
)
from app.settings import Settings
from tests.app.services.sync.support import at, installed_shop


def test_a_checkpoint_survives_its_json() -> None:
    checkpoint = Checkpoint(
        after="eyJsYXN0X2lkIjo0fQ==",
        newest=at("2026-10-08T12:00:00Z"),
        phase="partial",
        since=at("2026-10-01T00:00:00Z"),
        resource="orders",
        newest_by={"orders": at("2026-10-09T00:00:00Z")},
    )
    assert Checkpoint.decode(checkpoint.encode()) == checkpoint
    assert Checkpoint.decode(None) == Checkpoint() == Checkpoint.decode("not json")
    assert checkpoint.seen([None, at("2026-10-07T00:00:00Z")]).newest == at("2026-10-08T12:00:00Z")
    assert checkpoint.seen([at("2026-10-10T00:00:00Z")]).newest == at("2026-10-10T00:00:00Z")


async def test_one_backfill_is_requested_however_often_it_is_asked_for(db: Settings) -> None:
    shop = await installed_shop(db)
    first = await request_backfill(shop.id)
    again = await request_backfill(shop.id)
    assert [run.resource for run in first] == ["customers", "orders"]
    assert [run.id for run in again] == [run.id for run in first]
    assert await SyncRun.filter(shop_id=shop.id, kind=SyncKind.BACKFILL).count() == 2


async def test_a_run_has_one_holder_until_its_checkpoints_go_stale(db: Settings) -> None:
    shop = await installed_shop(db)
    run = (await request_backfill(shop.id))[0]
    held = await claim(run.id)
    assert held is not None and held[1] == SyncStatus.PENDING
    lease = held[0]
    assert await claim(run.id) is None, "a live holder keeps it"

    lease = await save(lease, done=10)
    clock.advance(STALE_AFTER + timedelta(seconds=1))
    taken = await claim(run.id)
    assert taken is not None and taken[1] == SyncStatus.RUNNING, "a silent holder loses it"

    with pytest.raises(LeaseLost):
        await save(lease, done=20)
    assert (await SyncRun.get(id=run.id)).done == 10

    handed = await release(taken[0])
    assert (await SyncRun.get(id=run.id)).status == SyncStatus.PENDING
    assert await claim(run.id) is not None, "a released run is free at once"
    assert handed.stamp > lease.stamp


async def test_unfinished_runs_come_customers_first(db: Settings) -> None:
    shop = await installed_shop(db)
    await SyncRun.create(shop=shop, kind=SyncKind.BACKFILL, resource="orders")
    await SyncRun.create(shop=shop, kind=SyncKind.BACKFILL, resource="customers")
    await SyncRun.create(shop=shop, kind=SyncKind.BACKFILL, resource="orders", status=SyncStatus.SUCCEEDED)
    assert [run.resource for run in await unfinished_backfill(shop.id)] == ["customers", "orders"]


async def test_the_mark_only_moves_forward(db: Settings) -> None:
    shop = await installed_shop(db)
    assert await advance_mark(shop.id, [at("2026-10-09T00:00:00Z"), at("2026-10-08T00:00:00Z")]) == at(
        "2026-10-08T00:00:00Z"
    )
    await advance_mark(shop.id, [at("2026-10-01T00:00:00Z")])
    assert (await Shop.get(id=shop.id)).synced_through == at("2026-10-08T00:00:00Z")
    assert resource_mark(at("2026-10-08T00:00:00Z"), None) == at("2026-10-08T00:00:00Z") - CLOCK_SKEW
    assert resource_mark(at("2026-10-08T00:00:00Z"), at("2026-10-09T00:00:00Z")) == at("2026-10-09T00:00:00Z")


def test_progress_gives_rate_and_eta() -> None:
    progress = Progress("orders", "running", "bulk", done=2500, total=10_000, elapsed=50.0)
    assert (progress.rate, progress.eta, progress.fraction) == (50.0, 150.0, 0.25)
    line = render(progress)
    assert "orders" in line and "2,500/10,000" in line and "25.0%" in line
    assert "50.0/s" in line and "ETA 2m30s" in line and "(bulk, running)" in line
    assert Progress("customers", "pending", "paginated", 0, None, 0.0).eta is None
    assert (duration(5), duration(65), duration(3725)) == ("5s", "1m05s", "1h02m")


def test_the_printer_writes_a_line_per_interval_when_not_a_terminal() -> None:
    out = io.StringIO()
    now = [0.0]
    printer = ProgressPrinter(out, every=5.0, clock=lambda: now[0])
    for second in range(12):
        now[0] = float(second)
        printer(Progress("orders", "running", "paginated", second, 100, float(second) + 1))
    printer(Progress("customers", "running", "paginated", 1, 100, 1.0))
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["orders", "orders", "orders", "customers"]
