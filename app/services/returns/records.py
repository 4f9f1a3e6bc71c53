"""What every step of a return writes besides the row: the timeline entry, and the mirror job.

Timeline kinds are the sync's (``return.requested``, ``return.opened``, ``return.declined``,
``return.canceled``, ``return.closed``) plus ``return.received``: one entry per (kind, return),
whoever writes it first, so a webhook echoing our own step updates our line instead of adding one.
"""

from __future__ import annotations

from arq import ArqRedis

from app.clock import utcnow
from app.models import MirrorState, Order, Return, Shop, StaffUser
from app.queue import enqueue
from app.services.sync.platform import keeps_returns
from app.services.timeline import record_entry

MIRROR_RETURN = "mirror_return"  # the job's name (jobs.returns); the web side never imports jobs


class ReturnActionRefused(Exception):
    """An action a person may not take: ``status`` is the HTTP answer (404, 409, 422)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def actor_of(staff: StaffUser | None) -> str:
    return "system" if staff is None else f"staff:{staff.email or staff.platform_user_id}"


def mirror_state_for(shop: Shop) -> MirrorState:
    return MirrorState.PENDING if keeps_returns(shop) else MirrorState.NOT_APPLICABLE


def label_of(row: Return, order: Order) -> str:
    return row.name or f"on order {order.number}"


async def write_timeline(row: Return, order: Order, kind: str, summary: str) -> None:
    customer_id = order.customer_id  # type: ignore[attr-defined]
    if customer_id is None:
        return  # the timeline is a customer's: an order without one has none
    await record_entry(
        row.shop_id,  # type: ignore[attr-defined]
        customer_id,
        kind,
        "return",
        str(row.id),
        summary=summary,
        occurred_at=utcnow(),
        order_id=order.id,
        data={"status": str(row.status), "item_state": str(row.item_state)},
    )


async def queue_mirror(queue: ArqRedis | None, row: Return) -> None:
    """Queue the job that brings the platform's return to this state (after the commit: a job
    that starts before the change is visible would mirror the old state and call it done).

    Keyed by the state to reach: the same state twice is one job; a new state is a new job."""
    if queue is None or row.mirror_state != MirrorState.PENDING:
        return
    await enqueue(queue, MIRROR_RETURN, row.id, key=(row.id, str(row.status), str(row.item_state)))
