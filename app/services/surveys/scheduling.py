"""Planning surveys: one row per subject (an order, a closed return, a refund), decided once.

The scan is incremental, so its cost follows what changed, not how many orders a shop has: for
each source it keeps a keyset high-water mark ``(time, id)`` in ``Shop.settings["survey_scan"]``
and reads only rows past it, on indexed columns — orders by ``platform_updated_at`` (the platform
bumps it when a fulfillment or delivery changes), returns by ``closed_at``, refunds by
``processed_at``. Re-reading a row is harmless: ``(shop, subject_key)`` is unique, and a
SCHEDULED delivery survey only moves its due date (delivery reported after fulfillment).
Sending reads only due rows from the ``(status, due_at)`` index (see ``sending``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import (
    Customer,
    Fulfillment,
    Order,
    Refund,
    RefundStatus,
    Return,
    ReturnStatus,
    Shop,
    Survey,
    SurveyStatus,
    SurveyTrigger,
)
from app.services.settings import SurveySettings, settings_of
from app.services.surveys import rules
from app.services.surveys.kinds import kind_from_setting
from app.services.surveys.tokens import new_token

logger = logging.getLogger(__name__)

MARK_KEY = "survey_scan"
BATCH = 500
MAX_BATCHES = 20  # per source and run: a huge backfill is worked through over several runs


@dataclass
class ScanResult:
    seen: int = 0
    scheduled: int = 0
    suppressed: int = 0
    rescheduled: int = 0
    decisions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    subject_key: str
    trigger: SurveyTrigger
    order: Order
    customer: Customer | None
    due_at: datetime
    why: str
    resolution_type: str = "none"
    reason: str | None = None  # why it is suppressed, if it is


async def scan_shop(shop_id: int, *, batch: int = BATCH) -> ScanResult:
    """Plan surveys for what changed in one shop since the last scan."""
    shop = await Shop.get_or_none(id=shop_id, is_active=True)
    result = ScanResult()
    if shop is None:
        return result
    settings = settings_of(shop).surveys
    marks: dict[str, Any] = dict((shop.settings or {}).get(MARK_KEY) or {})
    sources: list[
        tuple[str, Callable[[Shop, SurveySettings, list[Any]], Awaitable[list[_Plan]]], Any, str]
    ] = [
        ("orders", _order_plans, Order.filter(shop_id=shop_id, deleted_at=None), "platform_updated_at"),
        (
            "returns",
            _return_plans,
            Return.filter(shop_id=shop_id, status=ReturnStatus.CLOSED),
            "closed_at",
        ),
        (
            "refunds",
            _refund_plans,
            # A refund that settles a return is covered by that return's survey.
            Refund.filter(shop_id=shop_id, status=RefundStatus.SUCCEEDED, return_request_id=None),
            "processed_at",
        ),
    ]
    for name, plan, query, column in sources:
        mark = marks.get(name)
        for _ in range(MAX_BATCHES):
            rows = await _after(query, column, mark).limit(batch)
            if not rows:
                break
            result.seen += len(rows)
            plans = await plan(shop, settings, rows)
            existing = {
                s.subject_key: s
                for s in await Survey.filter(
                    shop_id=shop_id, subject_key__in=[p.subject_key for p in plans] or [""]
                )
            }
            for one in plans:
                await _record(shop, settings, one, existing.get(one.subject_key), result)
            last = rows[-1]
            mark = [getattr(last, column).isoformat(), last.id]
            await _save_mark(shop_id, name, mark)
            if len(rows) < batch:
                break
    return result


def _after(query: Any, column: str, mark: Sequence[Any] | None) -> Any:
    """Rows strictly after the keyset mark ``(time, id)``, oldest first."""
    query = query.filter(**{f"{column}__isnull": False})
    if mark:
        at, last_id = datetime.fromisoformat(str(mark[0])), int(mark[1])
        after: dict[str, Any] = {f"{column}__gt": at}
        same: dict[str, Any] = {column: at, "id__gt": last_id}
        query = query.filter(Q(**after) | Q(**same))
    return query.order_by(column, "id")


async def _save_mark(shop_id: int, name: str, mark: list[Any]) -> None:
    # Under a row lock and merged, so a settings save at the same moment keeps both changes.
    async with in_transaction():
        shop = await Shop.select_for_update().get(id=shop_id)
        document = dict(shop.settings or {})
        document[MARK_KEY] = {**dict(document.get(MARK_KEY) or {}), name: mark}
        await Shop.filter(id=shop_id).update(settings=document)


async def _customers(ids: set[int]) -> dict[int, Customer]:
    return {c.id: c for c in await Customer.filter(id__in=list(ids) or [0])}


async def _customers_by_email(shop_id: int, emails: set[str]) -> dict[str, Customer]:
    """A guest checkout's customer row, if the shop has one with that email: so that an
    unsubscribe or the throttle recorded there also covers guest orders."""
    if not emails:
        return {}
    rows = await Customer.filter(shop_id=shop_id, email__in=sorted(emails))
    return {c.email: c for c in rows if c.email}


async def _order_plans(shop: Shop, settings: SurveySettings, orders: list[Order]) -> list[_Plan]:
    fulfilled: dict[int, datetime] = {}
    rows = await Fulfillment.filter(order_id__in=[o.id for o in orders], fulfilled_at__isnull=False).values(
        "order_id", "fulfilled_at"
    )
    for row in rows:
        previous = fulfilled.get(row["order_id"])
        if previous is None or row["fulfilled_at"] > previous:
            fulfilled[row["order_id"]] = row["fulfilled_at"]
    customers = await _customers({o.customer_id for o in orders if o.customer_id})  # type: ignore[attr-defined]
    guests = await _customers_by_email(shop.id, {o.email for o in orders if not o.customer_id and o.email})  # type: ignore[attr-defined]
    returning = set(
        await Return.filter(
            order_id__in=[o.id for o in orders], status__in=list(rules.OPEN_RETURN)
        ).values_list("order_id", flat=True)
    )
    plans = []
    for order in orders:
        due = rules.delivery_due(order, fulfilled.get(order.id), settings)
        if due is None:
            continue  # not shipped yet: seen again when the platform reports the fulfillment
        due_at, basis = due
        why = (
            f"scheduled: {settings.delay_days} days after delivery"
            if basis == "delivered"
            else f"scheduled: {settings.transit_buffer_days} days after fulfillment (no delivery reported)"
        )
        plans.append(
            _Plan(
                f"order:{order.id}",
                SurveyTrigger.DELIVERY,
                order,
                customers.get(order.customer_id) or guests.get(order.email or ""),  # type: ignore[attr-defined]
                due_at,
                why,
                reason=rules.order_reason(order, utcnow(), settings)
                or (rules.OPEN_RETURN_REASON if order.id in returning else None),
            )
        )
    return plans


async def _orders(ids: set[int]) -> dict[int, Order]:
    return {o.id: o for o in await Order.filter(id__in=list(ids) or [0])}


def _resolution_reason(order: Order, resolved_at: datetime, settings: SurveySettings) -> str | None:
    if resolved_at < utcnow() - timedelta(days=settings.max_order_age_days):
        return f"suppressed: resolved more than {settings.max_order_age_days} days ago"
    return rules.order_reason(order, utcnow(), settings, check_age=False)


async def _return_plans(shop: Shop, settings: SurveySettings, returns: list[Return]) -> list[_Plan]:
    orders = await _orders({r.order_id for r in returns})  # type: ignore[attr-defined]
    customers = await _customers({o.customer_id for o in orders.values() if o.customer_id})  # type: ignore[attr-defined]
    plans = []
    for item in returns:
        order = orders[item.order_id]  # type: ignore[attr-defined]
        assert item.closed_at is not None  # the query reads closed returns with a closed_at only
        plans.append(
            _Plan(
                f"return:{item.id}",
                SurveyTrigger.RESOLUTION,
                order,
                customers.get(order.customer_id),  # type: ignore[attr-defined]
                item.closed_at + timedelta(hours=settings.support_delay_hours),
                f"scheduled: {settings.support_delay_hours} h after the return was closed",
                resolution_type=str(item.resolution.value),
                reason=_resolution_reason(order, item.closed_at, settings),
            )
        )
    return plans


async def _refund_plans(shop: Shop, settings: SurveySettings, refunds: list[Refund]) -> list[_Plan]:
    orders = await _orders({r.order_id for r in refunds})  # type: ignore[attr-defined]
    customers = await _customers({o.customer_id for o in orders.values() if o.customer_id})  # type: ignore[attr-defined]
    plans = []
    for refund in refunds:
        order = orders[refund.order_id]  # type: ignore[attr-defined]
        assert refund.processed_at is not None
        plans.append(
            _Plan(
                f"refund:{refund.id}",
                SurveyTrigger.RESOLUTION,
                order,
                customers.get(order.customer_id),  # type: ignore[attr-defined]
                refund.processed_at + timedelta(hours=settings.support_delay_hours),
                f"scheduled: {settings.support_delay_hours} h after the refund",
                resolution_type="refund",
                reason=_resolution_reason(order, refund.processed_at, settings),
            )
        )
    return plans


async def _record(
    shop: Shop, settings: SurveySettings, plan: _Plan, existing: Survey | None, result: ScanResult
) -> None:
    if existing is not None:
        # Delivery reported after the fulfillment-based plan: the survey moves to the better date.
        if (
            existing.status == SurveyStatus.SCHEDULED
            and existing.due_at != plan.due_at
            and plan.reason is None
        ):
            await Survey.filter(id=existing.id, status=SurveyStatus.SCHEDULED).update(
                due_at=plan.due_at, decision=plan.why
            )
            result.rescheduled += 1
        return
    email = plan.customer.email if plan.customer and plan.customer.email else plan.order.email
    reason = (
        plan.reason
        or rules.customer_reason(plan.customer, plan.due_at, settings)
        or (None if email else "suppressed: no email address")
        or (
            None
            if rules.sampled(shop.id, plan.subject_key, settings.sampling_percent)
            else f"suppressed: not in the {settings.sampling_percent}% sample"
        )
    )
    customer_locale = plan.customer.locale if plan.customer else None
    try:
        await Survey.create(
            shop_id=shop.id,
            customer_id=plan.customer.id if plan.customer else None,
            order_id=plan.order.id,
            kind=kind_from_setting(settings.kind),
            trigger=plan.trigger,
            subject_key=plan.subject_key,
            resolution_type=plan.resolution_type,
            status=SurveyStatus.SUPPRESSED if reason else SurveyStatus.SCHEDULED,
            decision=(reason or plan.why)[:255],
            token=new_token(),
            email=email,
            locale=rules.locale_for(plan.order.locale, customer_locale, settings_of(shop).locales.default),
            due_at=plan.due_at,
        )
    except IntegrityError:
        return  # another scan planned the same subject first: its decision stands
    if reason:
        result.suppressed += 1
    else:
        result.scheduled += 1
    result.decisions.append(f"{plan.subject_key}: {reason or plan.why}")
