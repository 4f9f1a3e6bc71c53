"""mirror_return against a stand-in for Shopify's returns (the module-level seam
``jobs.returns.PLATFORM``): each state of ours reaches the platform with one call per step, a
repeated or retried run makes no call twice, and what the platform refuses is shown as FAILED."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from arq import ArqRedis, Retry
from arq.constants import default_queue_name
from redis.asyncio import Redis

from app.clock import utcnow
from app.models import MirrorState, Refund, RefundStatus, Return, ReturnItem, ReturnStatus, TimelineEntry
from app.services.returns.creation import create_return
from app.services.returns.form import parse_decline_form
from app.services.returns.lifecycle import approve_return, close_return, decline_return, receive_return
from app.services.returns.mirror import PlatformReturns
from app.services.sync.platform import PlatformAccess
from app.settings import Settings
from connectors.base import OrderRecord, ReturnItemRecord, ReturnLineRequest, ReturnRecord
from connectors.errors import Transient
from connectors.shopify.errors import UserError, UserErrors
from jobs import returns as jobs_returns
from jobs.returns import STUCK_AFTER, mirror_return, requeue_pending_mirrors
from jobs.worker import WorkerSettings
from tests.app.services.returns.support import Store, request, store
from tests.app.services.sync.support import platform_access


class FakeShopifyReturns:
    """The order's returns as Shopify holds them. ``lose`` makes the next call of that name apply
    and then time out; ``refuse`` makes it answer with userErrors."""

    def __init__(self) -> None:
        self.returns: dict[str, ReturnRecord] = {}
        self.calls: list[tuple[Any, ...]] = []
        self.lose: set[str] = set()
        self.refuse: set[str] = set()

    def api(self) -> PlatformReturns:
        return PlatformReturns(
            fetch_order=self.fetch_order,
            request=self.request,
            approve=lambda client, rid: self._move("approve", rid, "OPEN"),
            decline=lambda client, rid, reason, note: self._move("decline", rid, "DECLINED", reason, note),
            cancel=lambda client, rid: self._move("cancel", rid, "CANCELED"),
            close=lambda client, rid: self._move("close", rid, "CLOSED"),
            process=self.process,
        )

    async def fetch_order(self, client: object, order_id: str) -> OrderRecord | None:
        return order_record(order_id, tuple(self.returns.values()))

    async def request(
        self, client: object, order_id: str, items: Sequence[ReturnLineRequest]
    ) -> ReturnRecord:
        platform_id = str(9000 + len(self.returns))
        record = ReturnRecord(
            platform_id,
            f"#{order_id}-R{len(self.returns) + 1}",
            "REQUESTED",
            tuple(
                ReturnItemRecord(
                    f"{platform_id}{n}", item.line_item_id, item.quantity, item.reason, item.note
                )
                for n, item in enumerate(items)
            ),
        )
        return self._apply("request", record, items)

    async def process(
        self, client: object, return_id: str, items: Sequence[tuple[str, int]], *, restock: bool
    ) -> ReturnRecord:
        # Shopify closes a return whose every item is processed.
        return self._apply("process", replace(self.returns[return_id], status="CLOSED"), list(items), restock)

    async def _move(self, name: str, return_id: str, status: str, *args: Any) -> ReturnRecord:
        return self._apply(name, replace(self.returns[return_id], status=status), *args)

    def _apply(self, name: str, record: ReturnRecord, *args: Any) -> ReturnRecord:
        self.calls.append((name, *args))
        if name in self.refuse:
            raise UserErrors(f"return {name}", (UserError("Return is not in a state that allows this."),))
        self.returns[record.platform_id] = record
        if name in self.lose:
            self.lose.discard(name)
            raise Transient("read timed out")
        return record


def order_record(order_id: str, returns: tuple[ReturnRecord, ...]) -> OrderRecord:
    placed = datetime(2026, 1, 5, tzinfo=UTC)
    zero = Decimal("0")
    return OrderRecord(
        order_id, f"#{order_id}", None, None, None, placed, placed, placed, None, None, None, "paid",
        "fulfilled", False, "EUR", zero, zero, zero, zero, zero, zero, (), (), (), (), returns,
    )  # fmt: skip


@pytest.fixture
async def shopify(
    db: Settings, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FakeShopifyReturns]:
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis)
    monkeypatch.setattr(PlatformAccess, "from_job_context", classmethod(lambda cls, ctx: access))
    fake = FakeShopifyReturns()
    monkeypatch.setattr(jobs_returns, "PLATFORM", fake.api())
    try:
        yield fake
    finally:
        await access.http.aclose()
        await redis.aclose()


@pytest.fixture
async def ctx(redis_url: str) -> AsyncIterator[dict[str, Any]]:
    redis = Redis.from_url(redis_url)
    try:
        yield {"redis": redis, "job_try": 1}
    finally:
        await redis.aclose()


async def requested(s: Store, **quantities: int) -> Return:
    fields = request(
        **{f"qty.{getattr(s, name).id}": str(n) for name, n in (quantities or {"mug": 2}).items()}
    )
    created = await create_return(s.shop, s.staff, s.order.id, fields, None)
    assert created.return_request is not None
    return created.return_request


async def test_each_state_reaches_the_platform_once(shopify: FakeShopifyReturns, ctx: dict[str, Any]) -> None:
    s = await store()
    row = await requested(s)

    assert await mirror_return(ctx, row.id) == "synced"
    mirrored = await Return.get(id=row.id)
    assert (mirrored.platform_id, mirrored.name, mirrored.mirror_state) == (
        "9000",
        "#1001-R1",
        MirrorState.SYNCED,
    )
    assert await ReturnItem.filter(return_request_id=row.id).values_list("platform_id", flat=True) == [
        "90000"
    ]
    assert shopify.calls == [("request", [ReturnLineRequest(s.mug.platform_id, 2, "damaged/defective", "")])]

    await approve_return(s.shop, s.staff, row.id, None)
    await mirror_return(ctx, row.id)
    await receive_return(s.shop, s.staff, row.id, None)
    await mirror_return(ctx, row.id)  # Shopify has no "received": nothing to call
    assert [call[0] for call in shopify.calls] == ["request", "approve"]
    assert (await Return.get(id=row.id)).mirror_state == MirrorState.SYNCED

    # Refunded with restock through refundCreate: processing must not put the units back again.
    await Refund.create(
        shop=s.shop, order=s.order, return_request=row, status=RefundStatus.SUCCEEDED, amount=60
    )
    await close_return(s.shop, None, row.id, None)
    assert await mirror_return(ctx, row.id) == "synced"
    assert shopify.calls[-1] == ("process", [("90000", 2)], False)
    assert shopify.returns["9000"].status == "CLOSED"

    assert await mirror_return(ctx, row.id) == "nothing to do", "a repeated run"
    assert len(shopify.calls) == 3


async def test_received_items_closed_without_a_refund_are_restocked_then_the_return_closed(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    await approve_return(s.shop, s.staff, row.id, None)
    await receive_return(s.shop, s.staff, row.id, None)
    await close_return(s.shop, s.staff, row.id, None)

    assert await mirror_return(ctx, row.id) == "synced"

    assert [call[0] for call in shopify.calls] == ["request", "approve", "process"]
    assert shopify.calls[-1] == ("process", [("90000", 2)], True)


async def test_a_request_that_timed_out_after_the_platform_applied_it_is_found_not_sent_again(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    shopify.lose.add("request")

    with pytest.raises(Retry):
        await mirror_return(ctx, row.id)
    waiting = await Return.get(id=row.id)
    assert (
        waiting.mirror_state == MirrorState.PENDING and waiting.mirror_error == "will retry: read timed out"
    )

    assert await mirror_return(ctx, row.id) == "synced"
    assert [call[0] for call in shopify.calls] == ["request"]
    assert len(shopify.returns) == 1 and (await Return.get(id=row.id)).platform_id == "9000"


async def test_a_twin_the_sync_wrote_for_our_return_is_folded_into_ours(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    shopify.lose.add("request")
    with pytest.raises(Retry):
        await mirror_return(ctx, row.id)
    # The returns/request webhook came first: the sync wrote the platform's return as a new row.
    twin = await Return.create(
        shop=s.shop, order=s.order, customer_id=s.order.customer_id, platform_id="9000",  # type: ignore[attr-defined]
        requested_at=row.requested_at, mirror_state=MirrorState.SYNCED,
    )  # fmt: skip
    await TimelineEntry.create(
        shop=s.shop, customer_id=s.order.customer_id, kind="return.requested", subject_type="return",  # type: ignore[attr-defined]
        subject_id=str(twin.id), summary="Return #1001-R1 requested", occurred_at=row.requested_at,
    )  # fmt: skip

    assert await mirror_return(ctx, row.id) == "synced"

    assert [r.id for r in await Return.all()] == [row.id]
    assert (await Return.get(id=row.id)).platform_id == "9000"
    assert await TimelineEntry.filter(subject_id=str(twin.id)).count() == 0
    assert [call[0] for call in shopify.calls] == ["request"]


async def test_what_the_platform_refuses_is_failed_with_its_message(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    await mirror_return(ctx, row.id)
    await approve_return(s.shop, s.staff, row.id, None)
    shopify.refuse.add("approve")

    assert await mirror_return(ctx, row.id) == "failed"

    failed = await Return.get(id=row.id)
    assert failed.mirror_state == MirrorState.FAILED
    assert failed.mirror_error == "return approve was refused: Return is not in a state that allows this."


async def test_a_return_declined_before_the_platform_heard_of_it_needs_no_call(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    await decline_return(s.shop, s.staff, row.id, parse_decline_form({"decline_reason": "FINAL_SALE"}), None)

    assert await mirror_return(ctx, row.id) == "synced"
    assert shopify.calls == []


async def test_a_decline_carries_its_reason_and_note(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    await mirror_return(ctx, row.id)
    form = parse_decline_form({"decline_reason": "RETURN_PERIOD_ENDED", "decline_note": "Past 30 days"})
    await decline_return(s.shop, s.staff, row.id, form, None)

    assert await mirror_return(ctx, row.id) == "synced"
    assert shopify.calls[-1] == ("decline", "RETURN_PERIOD_ENDED", "Past 30 days")
    assert shopify.returns["9000"].status == ReturnStatus.DECLINED


async def test_a_return_the_platform_approved_first_is_not_an_error(
    shopify: FakeShopifyReturns, ctx: dict[str, Any]
) -> None:
    s = await store()
    row = await requested(s)
    await mirror_return(ctx, row.id)
    shopify.returns["9000"] = replace(shopify.returns["9000"], status="OPEN")  # in the store's own admin
    await Return.filter(id=row.id).update(mirror_state=MirrorState.PENDING)

    assert await mirror_return(ctx, row.id) == "synced"
    assert [call[0] for call in shopify.calls] == ["request"]


def test_the_worker_runs_the_mirror_job() -> None:
    assert mirror_return in WorkerSettings.functions
    assert requeue_pending_mirrors in WorkerSettings.functions
    assert any(job.coroutine is requeue_pending_mirrors for job in WorkerSettings.cron_jobs)


async def test_a_mirror_redis_lost_is_queued_again_once_it_has_waited_a_while(
    db: Settings, queue: ArqRedis
) -> None:
    s = await store()
    lost = await requested(s)  # queue None: as if Redis lost the job
    ctx = {"redis": queue}
    assert await requeue_pending_mirrors(ctx) == 0, "its own job may still be on its way"

    await Return.filter(id=lost.id).update(updated_at=utcnow() - STUCK_AFTER * 2)
    assert await requeue_pending_mirrors(ctx) == 1
    assert await requeue_pending_mirrors(ctx) == 0, "once per slot, not once per cron tick"
    [job_id] = await queue.zrange(default_queue_name, 0, -1)
    assert job_id.decode().startswith(f"mirror_return:{lost.id}:requeue-")

    await queue.flushdb()
    await Return.filter(id=lost.id).update(mirror_state=MirrorState.SYNCED)
    assert await requeue_pending_mirrors(ctx) == 0, "a mirrored return is left alone"
