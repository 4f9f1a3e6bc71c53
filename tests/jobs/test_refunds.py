"""execute_refund against a respx Shopify: money moves once through successes, refusals,
timeouts after the platform applied the refund, repeated runs and a racing refunds/create."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis, Retry
from redis.asyncio import Redis
from tortoise.exceptions import DoesNotExist, OperationalError

from app.clock import utcnow
from app.models import LineItem, Order, Refund, RefundLine, RefundStatus, TimelineEntry
from app.services.refunds.execution import adopt_platform_refund
from app.services.refunds.intents import confirm_refund
from app.services.refunds.plan import plan_refund
from app.services.shops import token_cipher
from app.services.sync.orders import apply_refund
from app.services.sync.platform import PlatformAccess
from app.settings import Settings
from connectors.base import RefundLineRecord, RefundRecord
from jobs import refunds as jobs_refunds
from jobs.refunds import execute_refund, requeue_stuck_refunds
from jobs.worker import WorkerSettings
from tests.app.services.refunds.support import Books, books, form, priced
from tests.app.services.sync.support import GRAPHQL, SHOP, GraphQLRouter, platform_access
from tests.connectors.shopify.payloads import REFUND_USER_ERRORS, money, ok, order_node, refund_node


@pytest.fixture
async def access(
    db: Settings, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PlatformAccess]:
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis)
    monkeypatch.setattr(PlatformAccess, "from_job_context", classmethod(lambda cls, ctx: access))
    try:
        yield access
    finally:
        await access.http.aclose()
        await redis.aclose()


class FakeShopify:
    """The order's refunds as Shopify holds them; refundCreate adds one (then maybe loses the answer)."""

    def __init__(
        self, *, lose_answer: int = 0, refuse: bool = False, apply_before_losing: bool = True
    ) -> None:
        self.refunds: list[dict[str, Any]] = []
        self.creates = 0
        self.lose_answer = lose_answer
        self.refuse = refuse
        self.apply_before_losing = apply_before_losing
        self.router = GraphQLRouter(OrderDetail=self.order_detail, RefundCreate=self.refund_create)

    def order_detail(self, variables: dict[str, Any]) -> dict[str, Any]:
        return ok({"order": order_node(1001, refunds=self.refunds)})

    def refund_create(self, variables: dict[str, Any]) -> dict[str, Any]:
        self.creates += 1
        if self.refuse:
            return REFUND_USER_ERRORS
        refund_input = variables["input"]
        node = refund_node(
            500 + self.creates,
            11,
            note=refund_input["note"],
            totalRefundedSet=money(refund_input["transactions"][0]["amount"]),
        )
        losing = self.lose_answer > 0
        if losing:
            self.lose_answer -= 1
        if not losing or self.apply_before_losing:
            self.refunds.append(node)
        if losing:
            raise httpx.ReadTimeout("the answer was lost")
        return ok(
            {"refundCreate": {"refund": node, "order": {"id": "gid://shopify/Order/1001"}, "userErrors": []}}
        )


async def intent(settings: Settings) -> tuple[Books, Refund]:
    b = await books(SHOP, access_token_encrypted=token_cipher(settings).encrypt("shpat_x"))
    result = await plan_refund(
        b.shop.id, b.order.id, form(**{f"qty.{b.mug.id}": "1", "restock": "on", "note": "Chipped"})
    )
    assert result.plan is not None
    refund = (await confirm_refund(b.shop, b.staff, result.plan, priced(result.plan), "n" * 32, None)).refund
    assert refund is not None
    return b, refund


def ctx(job_try: int = 1) -> dict[str, Any]:
    return {"job_try": job_try}


def test_the_worker_runs_the_refund_job_and_cron() -> None:
    names = {getattr(f, "name", getattr(f, "__name__", "")) for f in WorkerSettings.functions}
    assert {"execute_refund", "requeue_stuck_refunds"} <= names
    assert "cron:requeue_stuck_refunds" in {job.name for job in WorkerSettings.cron_jobs}


@respx.mock
async def test_a_refund_succeeds_once_and_updates_our_books(db: Settings, access: PlatformAccess) -> None:
    shopify = FakeShopify()
    respx.post(GRAPHQL).mock(side_effect=shopify.router)
    b, refund = await intent(db)

    assert await execute_refund(ctx(), refund.id) == "succeeded"
    assert await execute_refund(ctx(), refund.id) == "nothing to do", "a second run finds it done"

    assert shopify.creates == 1
    sent = shopify.router.variables_of("RefundCreate")[0]["input"]
    assert sent["note"] == f"Chipped [aftercare:{refund.idempotency_key}]"
    assert sent["refundLineItems"] == [
        {"lineItemId": "gid://shopify/LineItem/11", "quantity": 1, "restockType": "RETURN"}
    ]
    done = await Refund.get(id=refund.id)
    assert done.status == RefundStatus.SUCCEEDED and done.platform_id == "501" and done.attempts == 1
    assert await RefundLine.filter(refund_id=refund.id, line_item_id=b.mug.id, quantity=1).exists()
    assert (await Order.get(id=b.order.id)).total_refunded == Decimal("30")
    assert (await LineItem.get(id=b.mug.id)).refundable_quantity == 1
    assert await TimelineEntry.filter(kind="refund.created", subject_id=str(refund.id)).count() == 1


@respx.mock
async def test_a_refused_refund_fails_with_the_platforms_message(
    db: Settings, access: PlatformAccess
) -> None:
    respx.post(GRAPHQL).mock(side_effect=FakeShopify(refuse=True).router)
    _, refund = await intent(db)

    assert await execute_refund(ctx(), refund.id) == "failed"

    failed = await Refund.get(id=refund.id)
    assert failed.status == RefundStatus.FAILED
    assert failed.error == "Quantity cannot refund more items than were purchased"


async def test_a_database_that_refuses_for_now_makes_the_job_retry_and_a_broken_query_does_not(
    db: Settings, access: PlatformAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, refund = await intent(db)

    async def locked(*args: Any) -> None:
        raise OperationalError("database is locked")

    async def missing(*args: Any) -> None:
        raise DoesNotExist(Refund)

    monkeypatch.setattr(jobs_refunds, "execute", locked)
    with pytest.raises(Retry):
        await execute_refund(ctx(), refund.id)
    monkeypatch.setattr(jobs_refunds, "execute", missing)
    with pytest.raises(DoesNotExist):
        await execute_refund(ctx(), refund.id)


@respx.mock
async def test_a_timeout_after_shopify_refunded_is_reconciled_not_repeated(
    db: Settings, access: PlatformAccess
) -> None:
    shopify = FakeShopify(lose_answer=1)
    respx.post(GRAPHQL).mock(side_effect=shopify.router)
    _, refund = await intent(db)

    with pytest.raises(Retry):
        await execute_refund(ctx(1), refund.id)
    waiting = await Refund.get(id=refund.id)
    assert waiting.status == RefundStatus.EXECUTING and "timed out" in (waiting.error or "")

    assert await execute_refund(ctx(2), refund.id) == "reconciled"

    assert shopify.creates == 1, "exactly one refundCreate"
    assert len(shopify.refunds) == 1
    done = await Refund.get(id=refund.id)
    assert done.status == RefundStatus.SUCCEEDED and done.platform_id == "501" and done.error is None


@respx.mock
async def test_a_timeout_before_shopify_refunded_sends_it_after_reconciling(
    db: Settings, access: PlatformAccess
) -> None:
    shopify = FakeShopify(lose_answer=1, apply_before_losing=False)
    respx.post(GRAPHQL).mock(side_effect=shopify.router)
    _, refund = await intent(db)

    with pytest.raises(Retry):
        await execute_refund(ctx(1), refund.id)
    assert await execute_refund(ctx(2), refund.id) == "succeeded"

    assert [name for name, _ in shopify.router.calls] == ["RefundCreate", "OrderDetail", "RefundCreate"]
    assert len(shopify.refunds) == 1, "money moved once"


@respx.mock
async def test_a_refunds_create_webhook_for_our_refund_adopts_the_intent(
    db: Settings, access: PlatformAccess
) -> None:
    shopify = FakeShopify()
    respx.post(GRAPHQL).mock(side_effect=shopify.router)
    b, refund = await intent(db)
    await Refund.filter(id=refund.id).update(status=RefundStatus.EXECUTING)  # the call is in flight
    record = RefundRecord(
        platform_id="777",
        created_at=None,
        amount=Decimal("30"),
        currency="EUR",
        note=f"Chipped [aftercare:{refund.idempotency_key}]",
        lines=(RefundLineRecord("11", 1, "return", Decimal("30")),),
    )

    assert await adopt_platform_refund(b.shop.id, record)
    await apply_refund(b.shop.id, b.order.platform_id, record)  # the sync's own write, later

    rows = await Refund.filter(order_id=b.order.id)
    assert [(r.id, r.platform_id, r.status) for r in rows] == [(refund.id, "777", RefundStatus.SUCCEEDED)]
    assert await execute_refund(ctx(), refund.id) == "nothing to do"
    assert shopify.creates == 0


async def test_the_sync_itself_adopts_our_refund_instead_of_writing_a_second_row(
    db: Settings, access: PlatformAccess
) -> None:
    b, refund = await intent(db)
    await Refund.filter(id=refund.id).update(status=RefundStatus.EXECUTING)  # the call is in flight
    record = RefundRecord(
        platform_id="778",
        created_at=None,
        amount=Decimal("30"),
        currency="EUR",
        note=f"Chipped [aftercare:{refund.idempotency_key}]",
        lines=(RefundLineRecord("11", 1, "return", Decimal("30")),),
    )

    await apply_refund(b.shop.id, b.order.platform_id, record)  # refunds/create, before our answer

    rows = await Refund.filter(order_id=b.order.id)
    assert [(r.id, r.platform_id, r.status) for r in rows] == [(refund.id, "778", RefundStatus.SUCCEEDED)]


@respx.mock
async def test_a_refund_the_sync_saw_first_is_ours_and_the_retry_has_nothing_to_do(
    db: Settings, access: PlatformAccess
) -> None:
    """The webhook arrived while our call's answer was lost: the sync adopts it into our intent."""
    shopify = FakeShopify(lose_answer=1)
    respx.post(GRAPHQL).mock(side_effect=shopify.router)
    b, refund = await intent(db)
    with pytest.raises(Retry):
        await execute_refund(ctx(1), refund.id)
    node = shopify.refunds[0]
    await apply_refund(
        b.shop.id,
        b.order.platform_id,
        RefundRecord(
            "501",
            None,
            Decimal("30"),
            "EUR",
            node["note"],
            (RefundLineRecord("11", 1, "return", Decimal("30")),),
        ),
    )

    assert await execute_refund(ctx(2), refund.id) == "nothing to do"

    rows = await Refund.filter(order_id=b.order.id)
    assert [(r.id, r.platform_id) for r in rows] == [(refund.id, "501")]
    assert len(shopify.refunds) == 1, "money moved once"
    assert await TimelineEntry.filter(kind="refund.created").count() == 1, "one line on the timeline"


async def test_stuck_intents_are_queued_again(db: Settings, queue: ArqRedis) -> None:
    _, refund = await intent(db)
    await Refund.filter(id=refund.id).update(updated_at=utcnow() - timedelta(hours=1))
    assert await requeue_stuck_refunds({"redis": queue}) == 1


@respx.mock
async def test_a_second_job_leaves_an_intent_alone_while_the_first_call_may_be_in_flight(
    db: Settings, access: PlatformAccess
) -> None:
    """Reading the platform before the first job's refundCreate lands finds nothing: a second job
    that reconciled then would send a second refund."""
    shopify = FakeShopify()
    respx.post(GRAPHQL).mock(side_effect=shopify.router)
    _, refund = await intent(db)
    claimed = await Refund.filter(id=refund.id, status=RefundStatus.QUEUED).update(
        status=RefundStatus.EXECUTING, attempts=1, updated_at=utcnow()
    )
    assert claimed  # as the first job's claim, whose call is now on its way

    assert await execute_refund(ctx(), refund.id) == "nothing to do"
    assert shopify.router.calls == [], "neither read nor sent while the first attempt may be live"

    # That attempt died without a word (a killed worker): after the lease, the next job takes over.
    await Refund.filter(id=refund.id).update(updated_at=utcnow() - timedelta(minutes=11))
    assert await execute_refund(ctx(), refund.id) == "succeeded"
    assert shopify.creates == 1
