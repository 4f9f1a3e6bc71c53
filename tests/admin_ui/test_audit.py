"""The audit log page: the shop's events, newest first, keyset-paginated; home links to the rows."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.clock import utcnow
from app.models import AuditEvent, Order, Refund, RefundStatus, Return
from app.settings import Settings
from tests.admin_ui.test_customers import next_link
from tests.admin_ui.test_home import SHOP_A, as_staff_of, installed


async def test_audit_log_lists_events_newest_first_with_old_to_new(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    await AuditEvent.filter(shop_id=shop.id).delete()  # the install's own event
    start = utcnow() - timedelta(days=1)
    for n in range(55):
        event = await AuditEvent.create(
            shop=shop,
            actor="staff:ann@acme.example",
            action="settings.changed",
            subject_type="setting",
            subject_id=f"field{n:02d}",
            data={"old": n, "new": n + 1},
        )
        # created_at is auto_now_add: spread the events in time to check the order.
        await AuditEvent.filter(id=event.id).update(created_at=start + timedelta(minutes=n))
    headers = as_staff_of(settings, SHOP_A)

    page = (await client.get("/audit", headers=headers)).text
    older = (await client.get(next_link(page), headers=headers)).text

    assert page.index("field54") < page.index("field10")
    assert "staff:ann@acme.example" in page and "53 → 54" in page
    assert "field05" in page and "field04" not in page
    assert "field04" in older and "field00" in older and "field05" not in older


async def test_audit_log_rejects_a_bad_cursor(client: httpx.AsyncClient, settings: Settings) -> None:
    await installed(settings, SHOP_A)
    response = await client.get("/audit?before=%%%", headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 400


async def test_home_links_each_item_to_where_it_is_handled(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    order = await Order.create(shop=shop, platform_id="1", number="#1001", placed_at=utcnow())
    awaiting = await Return.create(shop=shop, order=order, reason="damaged", requested_at=utcnow())
    await Refund.create(shop=shop, order=order, status=RefundStatus.FAILED, amount=5)

    page = (await client.get("/", headers=as_staff_of(settings, SHOP_A))).text

    assert page.count(f'<a href="/returns/{awaiting.id}">Order #1001</a>') == 1, "a return, to its review"
    assert page.count(f'<a href="/orders/{order.id}">Order #1001</a>') == 1, "a failed refund, to its order"
