"""A return's steps: each legal one writes the change, an audit event and a timeline entry and
queues the mirror job (Shopify shops only); an illegal one is refused with 409 and changes
nothing; another shop's return is not found."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from arq import ArqRedis

from app.clock import utcnow
from app.models import (
    AuditEvent,
    ItemState,
    MirrorState,
    Platform,
    Refund,
    RefundStatus,
    Return,
    ReturnItem,
    ReturnStatus,
    Shop,
    StaffUser,
    TimelineEntry,
)
from app.services.returns.creation import create_return
from app.services.returns.form import parse_decline_form
from app.services.returns.lifecycle import (
    approve_return,
    cancel_return,
    close_after_refund,
    close_return,
    decline_return,
    receive_return,
)
from app.services.returns.records import ReturnActionRefused
from app.services.returns.review import awaiting_review_count, review_queue
from app.services.sync.returns import ReturnUpdate, apply_return_change
from app.services.sync.rows import Applied
from app.settings import Settings
from tests.app.services.returns.support import Store, queued_jobs, request, store

Step = Callable[[Shop, StaffUser, int, ArqRedis | None], Awaitable[Return]]


async def requested(s: Store, queue: ArqRedis | None = None) -> Return:
    created = await create_return(s.shop, s.staff, s.order.id, request(**{f"qty.{s.mug.id}": "1"}), queue)
    assert created.return_request is not None, created.eligibility.problems
    return created.return_request


async def timeline_kinds(row: Return) -> list[str]:
    entries = await TimelineEntry.filter(subject_type="return", subject_id=str(row.id)).order_by("id")
    return [e.kind for e in entries]


async def test_a_new_return_is_requested_audited_on_the_timeline_and_mirrored(
    db: Settings, queue: ArqRedis
) -> None:
    s = await store()

    row = await requested(s, queue)

    assert row.status == ReturnStatus.REQUESTED and row.item_state == ItemState.AWAITING
    assert row.mirror_state == MirrorState.PENDING and row.customer_id is not None  # type: ignore[attr-defined]
    [item] = await ReturnItem.filter(return_request_id=row.id)
    assert (item.line_item_id, item.quantity) == (s.mug.id, 1)  # type: ignore[attr-defined]
    event = await AuditEvent.get(action="return.requested")
    assert event.data["items"] == [{"line_item": s.mug.id, "quantity": 1}]
    [entry] = await TimelineEntry.filter(kind="return.requested")
    assert entry.summary == "Return on order #1001 requested" and entry.order_id == s.order.id  # type: ignore[attr-defined]
    assert await queued_jobs(queue) == [f"mirror_return:{row.id}:REQUESTED:awaiting"]


async def test_the_whole_way_approve_receive_close(db: Settings, queue: ArqRedis) -> None:
    s = await store()
    row = await requested(s, queue)

    opened = await approve_return(s.shop, s.staff, row.id, queue)
    received = await receive_return(s.shop, s.staff, row.id, queue)
    closed = await close_return(s.shop, s.staff, row.id, queue)

    assert opened.status == ReturnStatus.OPEN and opened.opened_at is not None
    assert received.item_state == ItemState.RECEIVED and received.received_at is not None
    assert closed.status == ReturnStatus.CLOSED and closed.closed_at is not None
    actions = await AuditEvent.filter(subject_id=str(row.id)).order_by("id").values_list("action", flat=True)
    assert actions == ["return.requested", "return.approved", "return.received", "return.closed"]
    assert await timeline_kinds(row) == [
        "return.requested",
        "return.opened",
        "return.received",
        "return.closed",
    ]
    assert sorted(await queued_jobs(queue)) == sorted(
        f"mirror_return:{row.id}:{state}"
        for state in ("REQUESTED:awaiting", "OPEN:awaiting", "OPEN:received", "CLOSED:received")
    )


async def test_decline_keeps_the_reason_and_the_note_to_the_customer(db: Settings) -> None:
    s = await store()
    row = await requested(s)
    form = parse_decline_form(
        {"decline_reason": "FINAL_SALE", "decline_note": "Sorry, sale items are final."}
    )

    declined = await decline_return(s.shop, s.staff, row.id, form, None)

    assert declined.status == ReturnStatus.DECLINED and declined.closed_at is not None
    assert (declined.decline_reason, declined.decline_note) == ("FINAL_SALE", "Sorry, sale items are final.")
    assert (await AuditEvent.get(action="return.declined")).data["decline_reason"] == "FINAL_SALE"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"decline_reason": "TOO_LATE"}, "decline_reason"),
        ({"decline_reason": "OTHER", "decline_note": "x" * 501}, "decline_note"),
    ],
)
def test_a_decline_needs_a_known_reason_and_a_short_note(fields: dict[str, str], field: str) -> None:
    assert field in parse_decline_form(fields).errors


ILLEGAL: list[tuple[str, list[str], str, str]] = [
    # (step, steps before it, refused step, message)
    ("approve twice", ["approve"], "approve", "A open return cannot be approved."),
    ("receive before approval", [], "receive", "Only an approved (open) return can have its items received."),
    ("receive twice", ["approve", "receive"], "receive", "The items of this return were already received."),
    ("close a requested return", [], "close", "A requested return cannot be closed."),
    ("decline an open return", ["approve"], "decline", "A open return cannot be declined."),
    (
        "cancel after receipt",
        ["approve", "receive"],
        "cancel",
        "The items were received: close the return instead of canceling it.",
    ),
    ("cancel a closed return", ["approve", "close"], "cancel", "A closed return cannot be canceled."),
    ("approve a canceled return", ["cancel"], "approve", "A canceled return cannot be approved."),
]


def steps() -> dict[str, Step]:
    async def decline(shop: Shop, staff: StaffUser, return_id: int, queue: ArqRedis | None) -> Return:
        return await decline_return(
            shop, staff, return_id, parse_decline_form({"decline_reason": "OTHER"}), queue
        )

    return {
        "approve": approve_return,
        "receive": receive_return,
        "close": close_return,
        "cancel": cancel_return,
        "decline": decline,
    }


@pytest.mark.parametrize(("name", "before", "step", "message"), ILLEGAL, ids=[case[0] for case in ILLEGAL])
async def test_a_step_not_allowed_from_the_state_is_refused_with_409_and_changes_nothing(
    db: Settings, name: str, before: list[str], step: str, message: str
) -> None:
    s = await store()
    row = await requested(s)
    for earlier in before:
        await steps()[earlier](s.shop, s.staff, row.id, None)
    state = await Return.get(id=row.id).values()
    events = await AuditEvent.all().count()

    with pytest.raises(ReturnActionRefused) as refused:
        await steps()[step](s.shop, s.staff, row.id, None)

    assert refused.value.status == 409 and str(refused.value) == message
    assert await Return.get(id=row.id).values() == state
    assert await AuditEvent.all().count() == events


async def test_a_return_with_a_refund_cannot_be_canceled(db: Settings) -> None:
    s = await store()
    row = await requested(s)
    await approve_return(s.shop, s.staff, row.id, None)
    await Refund.create(shop=s.shop, order=s.order, return_request=row, status=RefundStatus.QUEUED, amount=30)

    with pytest.raises(ReturnActionRefused, match="has a refund") as refused:
        await cancel_return(s.shop, s.staff, row.id, None)
    assert refused.value.status == 409


@pytest.mark.parametrize("step", ["approve", "receive", "close", "cancel", "decline"])
async def test_another_shops_return_is_not_found(db: Settings, step: str) -> None:
    s = await store()
    row = await requested(s)
    other = await store("other.myshopify.com")

    with pytest.raises(ReturnActionRefused) as refused:
        await steps()[step](other.shop, other.staff, row.id, None)

    assert refused.value.status == 404
    assert (await Return.get(id=row.id)).status == ReturnStatus.REQUESTED


async def test_a_bigcommerce_return_has_nothing_to_mirror(db: Settings, queue: ArqRedis) -> None:
    s = await store("abc123", platform=Platform.BIGCOMMERCE)
    row = await requested(s, queue)
    opened = await approve_return(s.shop, s.staff, row.id, queue)
    assert row.mirror_state == opened.mirror_state == MirrorState.NOT_APPLICABLE
    assert await queued_jobs(queue) == []


async def test_a_succeeded_refund_for_a_return_closes_it_once(db: Settings, queue: ArqRedis) -> None:
    s = await store()
    row = await requested(s)
    await approve_return(s.shop, s.staff, row.id, None)
    refund = await Refund.create(
        shop=s.shop, order=s.order, return_request=row, status=RefundStatus.EXECUTING, amount=Decimal("30")
    )

    assert await close_after_refund(refund.id, queue) is None, "not before the refund went through"
    await Refund.filter(id=refund.id).update(status=RefundStatus.SUCCEEDED)
    closed = await close_after_refund(refund.id, queue)
    again = await close_after_refund(refund.id, queue)

    assert closed is not None and closed.status == ReturnStatus.CLOSED and again is None
    [event] = await AuditEvent.filter(action="return.closed")
    assert event.actor == "system" and event.data["refund"] == refund.id
    assert f"mirror_return:{row.id}:CLOSED:awaiting" in await queued_jobs(queue)


async def test_the_review_queue_lists_requested_returns_oldest_first_page_by_page(db: Settings) -> None:
    s = await store()
    other = await store("other.myshopify.com")
    now = utcnow()
    rows = [
        await Return.create(shop=s.shop, order=s.order, requested_at=now - timedelta(hours=h))
        for h in (1, 5, 3)
    ]
    # Two at the same instant: the id breaks the tie, so a page boundary between them loses neither.
    twin = await Return.create(shop=s.shop, order=s.order, requested_at=rows[1].requested_at)
    await Return.create(
        shop=s.shop, order=s.order, requested_at=now - timedelta(days=9), status=ReturnStatus.OPEN
    )
    await Return.create(shop=other.shop, order=other.order, requested_at=now - timedelta(days=9))

    first = await review_queue(s.shop.id, limit=2)
    assert first.next is not None
    second = await review_queue(s.shop.id, first.next.encode(), limit=2)

    assert [r.id for r in first.items + second.items] == [rows[1].id, twin.id, rows[2].id, rows[0].id]
    assert second.next is None
    assert await awaiting_review_count(s.shop.id) == 4


async def test_platform_news_from_before_a_step_cannot_undo_it(db: Settings) -> None:
    s = await store()
    row = await requested(s)
    sent_at = utcnow()
    await Return.filter(id=row.id).update(platform_id="9000")  # mirrored: the platform has it REQUESTED
    await approve_return(s.shop, s.staff, row.id, None)

    # The returns/request webhook for the mirror's own request, delivered only now.
    late = await apply_return_change(s.shop.id, ReturnUpdate("9000", "REQUESTED"), triggered_at=sent_at)

    assert late is Applied.STALE
    assert (await Return.get(id=row.id)).status == ReturnStatus.OPEN
