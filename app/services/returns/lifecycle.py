"""Moving a return through its states, as staff do from its page (and the refund job on success).

    REQUESTED --approve--> OPEN --close--> CLOSED
    REQUESTED --decline--> DECLINED        (FINAL_SALE / RETURN_PERIOD_ENDED / OTHER + note)
    REQUESTED, OPEN --cancel--> CANCELED   (not once the items are received or a refund is made)
    OPEN (awaiting) --receive--> OPEN (received)

Each step runs under the order's lock, then the return's (the order first, as every writer of
an order's subtree takes them: no deadlock with a sync of the same order), checks that the step
is allowed from the state it finds, and writes the change, an audit event and a timeline entry in
one transaction; the mirror job is queued after the commit. A step not allowed is refused with
409 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from arq import ArqRedis
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import ItemState, Order, Refund, RefundStatus, Return, ReturnStatus, Shop, StaffUser
from app.services import audit
from app.services.refunds.availability import OPEN as OPEN_REFUNDS
from app.services.returns.form import DeclineForm
from app.services.returns.records import (
    ReturnActionRefused,
    actor_of,
    label_of,
    mirror_state_for,
    queue_mirror,
    write_timeline,
)

Check = Callable[[Return], Awaitable[str | None]]  # None: allowed; else why not


@dataclass(frozen=True)
class Step:
    action: str  # the audit action
    kind: str  # the timeline kind
    verb: str  # for the timeline's summary


APPROVE = Step("return.approved", "return.opened", "opened")
DECLINE = Step("return.declined", "return.declined", "declined")
CANCEL = Step("return.canceled", "return.canceled", "canceled")
RECEIVE = Step("return.received", "return.received", "received")
CLOSE = Step("return.closed", "return.closed", "closed")


async def approve_return(shop: Shop, staff: StaffUser, return_id: int, queue: ArqRedis | None) -> Return:
    async def check(row: Return) -> str | None:
        return None if row.status == ReturnStatus.REQUESTED else _not_from(row, "approved")

    return await _move(shop, staff, return_id, queue, APPROVE, check, status=ReturnStatus.OPEN, opened=True)


async def decline_return(
    shop: Shop, staff: StaffUser, return_id: int, form: DeclineForm, queue: ArqRedis | None
) -> Return:
    """``form`` must be checked (no errors) by the caller: its problems are a 422 of the page."""

    async def check(row: Return) -> str | None:
        return None if row.status == ReturnStatus.REQUESTED else _not_from(row, "declined")

    return await _move(
        shop,
        staff,
        return_id,
        queue,
        DECLINE,
        check,
        status=ReturnStatus.DECLINED,
        closed=True,
        values={"decline_reason": form.reason, "decline_note": form.note or None},
        data={"decline_reason": form.reason},
    )


async def cancel_return(shop: Shop, staff: StaffUser, return_id: int, queue: ArqRedis | None) -> Return:
    async def check(row: Return) -> str | None:
        if row.status not in (ReturnStatus.REQUESTED, ReturnStatus.OPEN):
            return _not_from(row, "canceled")
        # The platforms cancel a return only before any inspection or refund.
        if row.item_state == ItemState.RECEIVED:
            return "The items were received: close the return instead of canceling it."
        if await Refund.filter(
            return_request_id=row.id, status__in=(*OPEN_REFUNDS, RefundStatus.SUCCEEDED)
        ).exists():
            return "This return has a refund: close it instead of canceling it."
        return None

    return await _move(
        shop, staff, return_id, queue, CANCEL, check, status=ReturnStatus.CANCELED, closed=True
    )


async def receive_return(shop: Shop, staff: StaffUser, return_id: int, queue: ArqRedis | None) -> Return:
    async def check(row: Return) -> str | None:
        if row.status != ReturnStatus.OPEN:
            return "Only an approved (open) return can have its items received."
        if row.item_state == ItemState.RECEIVED:
            return "The items of this return were already received."
        return None

    return await _move(
        shop,
        staff,
        return_id,
        queue,
        RECEIVE,
        check,
        values={"item_state": ItemState.RECEIVED},
        received=True,
    )


async def close_return(
    shop: Shop,
    staff: StaffUser | None,
    return_id: int,
    queue: ArqRedis | None,
    *,
    refund_id: int | None = None,
) -> Return:
    """By staff (``staff``), or by the system after the return's refund succeeded (``refund_id``)."""

    async def check(row: Return) -> str | None:
        return None if row.status == ReturnStatus.OPEN else _not_from(row, "closed")

    data = {"refund": refund_id} if refund_id is not None else None
    return await _move(
        shop, staff, return_id, queue, CLOSE, check, status=ReturnStatus.CLOSED, closed=True, data=data
    )


async def close_after_refund(refund_id: int, queue: ArqRedis | None) -> Return | None:
    """A refund made from a return closes it once it succeeded (the refund job calls this after
    every run: a refund the platform reported first is found SUCCEEDED by the job, too)."""
    refund = await Refund.get_or_none(id=refund_id).prefetch_related("shop")
    if refund is None or refund.status != RefundStatus.SUCCEEDED:
        return None
    return_id: int | None = refund.return_request_id  # type: ignore[attr-defined]
    if return_id is None:
        return None
    if not await Return.filter(id=return_id, shop_id=refund.shop.id, status=ReturnStatus.OPEN).exists():
        return None
    try:
        return await close_return(refund.shop, None, return_id, queue, refund_id=refund.id)
    except ReturnActionRefused:
        return None  # closed meanwhile by someone else: nothing left to do


def _not_from(row: Return, done: str) -> str:
    return f"A {row.status.lower()} return cannot be {done}."


async def _move(
    shop: Shop,
    staff: StaffUser | None,
    return_id: int,
    queue: ArqRedis | None,
    step: Step,
    check: Check,
    *,
    status: ReturnStatus | None = None,
    values: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    opened: bool = False,
    received: bool = False,
    closed: bool = False,
) -> Return:
    found = await Return.filter(id=return_id, shop_id=shop.id).first().values("order_id")
    if found is None:  # first: another shop's id is "not found", whatever the step
        raise ReturnActionRefused("No such return in this store.", 404)
    now = utcnow()
    async with in_transaction():
        order = await Order.select_for_update().get(id=found["order_id"], shop_id=shop.id)
        row = await Return.select_for_update().get(id=return_id, shop_id=shop.id)
        problem = await check(row)
        if problem is not None:
            raise ReturnActionRefused(problem, 409)
        before = str(row.status), str(row.item_state)
        changes: dict[str, Any] = {
            **(values or {}),
            "mirror_state": mirror_state_for(shop),
            "mirror_error": None,
            # Newer than anything the platform said before this step: a returns/* delivery or
            # an order read from before it (REQUESTED, say) is stale and cannot undo it.
            "platform_updated_at": now,
        }
        if status is not None:
            changes["status"] = status
        for flag, column in ((opened, "opened_at"), (received, "received_at"), (closed, "closed_at")):
            if flag:
                changes[column] = now
        await Return.filter(id=row.id).update(**changes, updated_at=now)
        row = await Return.get(id=row.id)
        await audit.record(
            step.action,
            shop_id=shop.id,
            actor=actor_of(staff),
            staff_id=staff.id if staff is not None else None,
            subject_type="return",
            subject_id=str(row.id),
            data={"order": order.id, "from": before[0], "to": str(row.status), **(data or {})},
        )
        await write_timeline(row, order, step.kind, _summary(row, order, step))
    await queue_mirror(queue, row)
    return row


def _summary(row: Return, order: Order, step: Step) -> str:
    label = label_of(row, order)
    if step is RECEIVE:
        return f"Items of return {label} received"
    return f"Return {label} {step.verb}"
