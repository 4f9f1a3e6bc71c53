"""confirm_refund and approve_refund: one intent per nonce, never more than the order holds, the
staff limit, the audit trail, the job queued once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from arq import ArqRedis
from arq.constants import default_queue_name

from app.models import AuditEvent, Refund, RefundStatus
from app.services.refunds.intents import (
    RefundActionRefused,
    approve_refund,
    confirm_refund,
    recent_refund_count,
)
from app.services.refunds.plan import RefundPlan, plan_refund
from app.settings import Settings
from tests.app.services.refunds.support import Books, books, form, priced

NONCE = "a" * 32


async def planned(b: Books, **fields: str) -> RefundPlan:
    result = await plan_refund(b.shop.id, b.order.id, form(**fields))
    assert result.plan is not None, result.errors
    return result.plan


async def queued_jobs(queue: ArqRedis) -> list[str]:
    return [job.decode() for job in await queue.zrange(default_queue_name, 0, -1)]


async def test_confirm_writes_the_intent_audits_it_and_queues_the_job(db: Settings, queue: ArqRedis) -> None:
    b = await books()
    plan = await planned(b, **{f"qty.{b.mug.id}": "1", "note": "Chipped"})

    confirmed = await confirm_refund(b.shop, b.staff, plan, priced(plan), NONCE, queue)

    refund = confirmed.refund
    assert confirmed.created and refund is not None
    assert refund.status == RefundStatus.QUEUED and refund.amount == Decimal("30")
    assert refund.idempotency_key and refund.idempotency_key.startswith("rf_")
    assert refund.quote is not None and refund.quote["transactions"][0]["parent_id"] == "9001"
    event = await AuditEvent.get(action="refund.requested")
    assert event.staff_id == b.staff.id and event.data["amount"] == "30"  # type: ignore[attr-defined]
    assert await queued_jobs(queue) == [f"execute_refund:{refund.id}"]


async def test_the_same_nonce_twice_is_one_intent(db: Settings, queue: ArqRedis) -> None:
    b = await books()
    plan = await planned(b, **{f"qty.{b.mug.id}": "1"})

    first = await confirm_refund(b.shop, b.staff, plan, priced(plan), NONCE, queue)
    again = await asyncio.gather(
        *(confirm_refund(b.shop, b.staff, plan, priced(plan), NONCE, queue) for _ in range(3))
    )

    assert first.created and not any(c.created for c in again)
    assert {c.refund.id for c in again if c.refund} == {first.refund.id if first.refund else -1}
    assert await Refund.all().count() == 1 and await AuditEvent.all().count() == 1


async def test_a_double_click_at_the_same_instant_is_one_intent(db: Settings, queue: ArqRedis) -> None:
    b = await books()
    plan = await planned(b, **{f"qty.{b.mug.id}": "1"})
    both = await asyncio.gather(
        *(confirm_refund(b.shop, b.staff, plan, priced(plan), NONCE, queue) for _ in range(2))
    )
    assert sorted(c.created for c in both) == [False, True]
    assert await Refund.all().count() == 1


async def test_two_staff_at_once_cannot_refund_more_than_the_order_holds(db: Settings) -> None:
    b = await books()
    # Each asks for both mugs, the lamp and the shipping: 110, all of the order.
    plan = await planned(b, **{f"qty.{b.mug.id}": "2", f"qty.{b.lamp.id}": "1", "shipping_full": "on"})
    results = await asyncio.gather(
        *(confirm_refund(b.shop, b.staff, plan, priced(plan), f"{n:032d}", None) for n in range(4))
    )
    assert sum(1 for r in results if r.created) == 1
    assert all(r.error for r in results if not r.created)
    total = sum((r.amount for r in await Refund.filter(order_id=b.order.id)), Decimal("0"))
    assert total == Decimal("110")


async def test_above_the_staff_limit_a_refund_waits_for_approval(db: Settings, queue: ArqRedis) -> None:
    b = await books(settings={"staff_refund_limit": "25"})
    plan = await planned(b, **{f"qty.{b.mug.id}": "1"})

    refund = (await confirm_refund(b.shop, b.staff, plan, priced(plan), NONCE, queue)).refund

    assert refund is not None and refund.status == RefundStatus.AWAITING_APPROVAL
    assert await queued_jobs(queue) == [], "nothing runs before approval"
    with pytest.raises(RefundActionRefused) as refused:
        await approve_refund(b.shop, b.staff, refund.id, queue)
    assert refused.value.status == 403

    b.staff.can_approve_refunds = True
    await b.staff.save()
    approved = await approve_refund(b.shop, b.staff, refund.id, queue)
    assert approved.status == RefundStatus.QUEUED and approved.approved_by_id == b.staff.id  # type: ignore[attr-defined]
    assert await queued_jobs(queue) == [f"execute_refund:{refund.id}"]
    assert await AuditEvent.filter(action="refund.approved").count() == 1
    with pytest.raises(RefundActionRefused) as again:
        await approve_refund(b.shop, b.staff, refund.id, queue)
    assert again.value.status == 409


async def test_a_staff_members_own_limit_wins_over_the_shops(db: Settings) -> None:
    b = await books(settings={"staff_refund_limit": "25"})
    b.staff.refund_limit = Decimal("100")
    await b.staff.save()
    plan = await planned(b, **{f"qty.{b.mug.id}": "1"})
    refund = (await confirm_refund(b.shop, b.staff, plan, priced(plan), NONCE, None)).refund
    assert refund is not None and refund.status == RefundStatus.QUEUED


async def test_another_shops_refund_cannot_be_approved(db: Settings) -> None:
    mine, theirs = await books(), await books("other.myshopify.com", settings={"staff_refund_limit": "1"})
    plan = await planned(theirs, **{f"qty.{theirs.mug.id}": "1"})
    refund = (await confirm_refund(theirs.shop, theirs.staff, plan, priced(plan), NONCE, None)).refund
    assert refund is not None
    mine.staff.can_approve_refunds = True
    with pytest.raises(RefundActionRefused) as refused:
        await approve_refund(mine.shop, mine.staff, refund.id, None)
    assert refused.value.status == 404


async def test_three_refunds_in_60_days_is_a_frequent_refunder(db: Settings) -> None:
    b = await books()
    customer_id = b.order.customer_id  # type: ignore[attr-defined]
    for n in range(3):
        await Refund.create(shop=b.shop, order=b.order, platform_id=f"r{n}", amount=Decimal("1"))
    await Refund.create(shop=b.shop, order=b.order, status=RefundStatus.FAILED, amount=Decimal("1"))
    assert await recent_refund_count(b.shop.id, customer_id) == 3
