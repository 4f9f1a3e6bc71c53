"""Writing a refund intent (money moves once, DESIGN invariant 3) and approving one.

``confirm_refund`` writes the intent, with its idempotency key and the quote the staff member
saw, before any platform call; ``execute_refund`` (a job) carries it out. Under the order's lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one write transaction at a time) the plan is
checked again against what is left, so two staff members confirming at once cannot promise more
than the order holds, and the same nonce twice (a double click) finds the first intent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from arq import ArqRedis
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Order, Refund, RefundStatus, Return, ReturnStatus, Shop, StaffUser
from app.queue import enqueue
from app.services import audit
from app.services.refunds.availability import availability_of
from app.services.refunds.marker import idempotency_key
from app.services.refunds.plan import RefundPlan, plan_fits
from app.services.refunds.quote import quote_document
from app.services.settings import settings_of
from connectors.base import SuggestedRefund

logger = logging.getLogger(__name__)

EXECUTE_REFUND = "execute_refund"  # the job's name (jobs.refunds); the web side never imports jobs
FREQUENT_REFUNDS = 3
FREQUENT_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class Confirmed:
    refund: Refund | None
    created: bool = False
    error: str | None = None  # the plan no longer fits (someone else refunded meanwhile)


class RefundActionRefused(Exception):
    """An action a person may not take: ``status`` is the HTTP answer (403, 404, 409)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def staff_limit(shop: Shop, staff: StaffUser) -> Decimal | None:
    return staff.refund_limit if staff.refund_limit is not None else settings_of(shop).staff_refund_limit


async def confirm_refund(
    shop: Shop,
    staff: StaffUser,
    plan: RefundPlan,
    quote: SuggestedRefund,
    nonce: str,
    queue: ArqRedis | None,
    *,
    return_id: int | None = None,
) -> Confirmed:
    """``return_id``: the refund is for that return (open, of this order), which it closes once it
    succeeds (``returns.lifecycle.close_after_refund``)."""
    key = idempotency_key(shop.id, plan.order_id, nonce)
    limit = staff_limit(shop, staff)
    waits = limit is not None and quote.amount > limit
    try:
        async with in_transaction():
            order = await Order.select_for_update().get_or_none(id=plan.order_id, shop_id=shop.id)
            if order is None:
                raise RefundActionRefused("No such order in this store.", 404)
            existing = await Refund.get_or_none(idempotency_key=key, shop_id=shop.id)
            if existing is not None:
                return await _queued(existing, queue, created=False)
            if (
                return_id is not None
                and not await Return.filter(
                    id=return_id, shop_id=shop.id, order_id=order.id, status=ReturnStatus.OPEN
                ).exists()
            ):
                raise RefundActionRefused(
                    "This return is not open on this order: it cannot be refunded.", 409
                )
            problem = plan_fits(plan, await availability_of(order), quote.amount, quote.shipping)
            if problem is not None:
                return Confirmed(None, error=problem)
            refund = await Refund.create(
                shop_id=shop.id,
                order_id=order.id,
                idempotency_key=key,
                status=RefundStatus.AWAITING_APPROVAL if waits else RefundStatus.QUEUED,
                amount=quote.amount,
                shipping_amount=quote.shipping,
                tax_amount=quote.tax,
                currency=(quote.currency or order.currency)[:3],
                reason=plan.reason,
                note=plan.note,
                notify_customer=plan.notify,
                restock=plan.restock,
                quote=quote_document(plan, quote),
                requested_by_id=staff.id,
                return_request_id=return_id,
            )
            await audit.record(
                "refund.requested",
                shop_id=shop.id,
                actor=_actor(staff),
                staff_id=staff.id,
                subject_type="refund",
                subject_id=str(refund.id),
                data={
                    "order": order.id,
                    "amount": str(quote.amount),
                    "tax": str(quote.tax),
                    "shipping": str(quote.shipping),
                    "currency": refund.currency,
                    "status": str(refund.status),
                    "limit": None if limit is None else str(limit),
                    "return": return_id,
                },
            )
    except IntegrityError:
        # The same key written by a concurrent confirm that committed first: that one is the intent.
        existing = await Refund.get_or_none(idempotency_key=key, shop_id=shop.id)
        if existing is None:
            raise
        return await _queued(existing, queue, created=False)
    return await _queued(refund, queue, created=True)


async def approve_refund(shop: Shop, staff: StaffUser, refund_id: int, queue: ArqRedis | None) -> Refund:
    refund = await Refund.get_or_none(id=refund_id, shop_id=shop.id)
    if refund is None:  # first: another shop's id is "not found", whoever asks
        raise RefundActionRefused("No such refund in this store.", 404)
    if not (staff.can_approve_refunds or staff.is_owner):
        raise RefundActionRefused("You cannot approve refunds in this store.", 403)
    async with in_transaction():
        moved = await Refund.filter(id=refund.id, status=RefundStatus.AWAITING_APPROVAL).update(
            status=RefundStatus.QUEUED, approved_by_id=staff.id
        )
        if not moved:
            raise RefundActionRefused("This refund is not waiting for approval.", 409)
        await audit.record(
            "refund.approved",
            shop_id=shop.id,
            actor=_actor(staff),
            staff_id=staff.id,
            subject_type="refund",
            subject_id=str(refund.id),
            data={"amount": str(refund.amount), "currency": refund.currency},
        )
    refund = await Refund.get(id=refund.id)
    await _queued(refund, queue, created=False)
    return refund


async def queue_execution(queue: ArqRedis, refund_id: int) -> None:
    await enqueue(queue, EXECUTE_REFUND, refund_id)


async def recent_refund_count(shop_id: int, customer_id: int | None) -> int:
    """Refunds of the customer in the last 60 days (the form warns at ``FREQUENT_REFUNDS``)."""
    if customer_id is None:
        return 0
    since = utcnow() - FREQUENT_WINDOW
    return (
        await Refund.filter(shop_id=shop_id, order__customer_id=customer_id)
        .exclude(status__in=(RefundStatus.FAILED, RefundStatus.CANCELED))
        .filter(Q(processed_at__gte=since) | Q(processed_at=None, created_at__gte=since))
        .count()
    )


async def _queued(refund: Refund, queue: ArqRedis | None, *, created: bool) -> Confirmed:
    # After the commit: a job that starts before the intent is visible would find nothing to do.
    if queue is not None and refund.status == RefundStatus.QUEUED:
        await queue_execution(queue, refund.id)
    return Confirmed(refund, created=created)


def _actor(staff: StaffUser) -> str:
    return f"staff:{staff.email or staff.platform_user_id}"
