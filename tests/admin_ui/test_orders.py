"""Orders: the filtered list, the order page, and bad filters as 400s."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from app.clock import utcnow
from app.models import Customer, Fulfillment, LineItem, Order, Refund, RefundStatus, Return
from app.settings import Settings
from tests.admin_ui.test_customers import next_link
from tests.admin_ui.test_home import SHOP_A, as_staff_of, installed


async def test_order_list_filters_by_status_and_date(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await installed(settings, SHOP_A)
    await Order.create(
        shop=shop,
        platform_id="1",
        number="#1001",
        financial_status="paid",
        placed_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    await Order.create(
        shop=shop,
        platform_id="2",
        number="#1002",
        financial_status="refunded",
        placed_at=datetime(2026, 3, 2, 23, 59, tzinfo=UTC),
    )
    await Order.create(
        shop=shop,
        platform_id="3",
        number="#1003",
        financial_status="paid",
        placed_at=datetime(2026, 3, 3, tzinfo=UTC),
    )
    headers = as_staff_of(settings, SHOP_A)

    paid = (await client.get("/orders", params={"financial_status": "paid"}, headers=headers)).text
    days = (
        await client.get("/orders", params={"from": "2026-03-02", "to": "2026-03-02"}, headers=headers)
    ).text

    assert "#1001" in paid and "#1003" in paid and "#1002" not in paid
    assert paid.index("#1003") < paid.index("#1001"), "newest first"
    assert "#1002" in days and "#1001" not in days and "#1003" not in days


async def test_order_list_pages_by_keyset_and_keeps_the_filters(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    stamp = utcnow()
    for n in range(55):  # same placed_at for all: the id breaks the tie
        await Order.create(
            shop=shop, platform_id=str(n), number=f"#{2000 + n}", financial_status="paid", placed_at=stamp
        )
    headers = as_staff_of(settings, SHOP_A)

    first = (await client.get("/orders", params={"financial_status": "paid"}, headers=headers)).text
    link = next_link(first)
    second = (await client.get(link, headers=headers)).text

    assert "financial_status=paid" in link
    assert "#2054" in first and "#2005" in first and "#2004" not in first
    assert "#2004" in second and "#2000" in second and "#2005" not in second


async def test_order_page_shows_items_tracking_refunds_returns_and_the_customer(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    jane = await Customer.create(shop=shop, platform_id="c1", first_name="Jane", last_name="Doe")
    order = await Order.create(shop=shop, customer=jane, platform_id="1", number="#1001", placed_at=utcnow())
    await LineItem.create(
        shop=shop, order=order, platform_id="l1", title="Blue mug", sku="MUG-B", quantity=2, price=12
    )
    await Fulfillment.create(
        shop=shop,
        order=order,
        platform_id="f1",
        tracking_company="UPS",
        tracking_number="1Z9",
        tracking_url="https://ups.test/1Z9",
    )
    await Fulfillment.create(
        shop=shop, order=order, platform_id="f2", tracking_number="EVIL", tracking_url="javascript:alert(1)"
    )
    await Refund.create(shop=shop, order=order, amount=12, status=RefundStatus.FAILED, error="Card expired")
    await Return.create(shop=shop, order=order, reason="damaged", requested_at=utcnow())

    page = (await client.get(f"/orders/{order.id}", headers=as_staff_of(settings, SHOP_A))).text

    assert "Blue mug" in page and "MUG-B" in page
    assert '<a href="https://ups.test/1Z9" target="_blank" rel="noopener noreferrer">1Z9</a>' in page
    assert "javascript:" not in page and "EVIL" in page, "an unsafe tracking URL is shown as text only"
    assert "Card expired" in page and "damaged" in page
    assert f'href="/customers/{jane.id}"' in page
    assert f'href="/orders/{order.id}/refund"' in page
    assert f'href="/orders/{order.id}/return"' in page, "Create return starts from the order"


@pytest.mark.parametrize(
    "query",
    [
        "financial_status=bogus",
        "fulfillment_status=%3Cscript%3E",
        "from=2026-13-45",
        "to=yesterday",
        "from=2026-03-05&to=2026-03-01",
        "after=garbage",
        "after=WyJub3QtYS1kYXRlIiwxXQ",
    ],
)
async def test_bad_filters_are_400s(client: httpx.AsyncClient, settings: Settings, query: str) -> None:
    await installed(settings, SHOP_A)
    response = await client.get(f"/orders?{query}", headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 400
    assert "<script>" not in response.text


@pytest.mark.parametrize("path", ["/orders/abc", "/orders/-1", "/orders/1e3", "/orders/4294967296"])
async def test_bad_order_ids_are_400s(client: httpx.AsyncClient, settings: Settings, path: str) -> None:
    await installed(settings, SHOP_A)
    response = await client.get(path, headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 400
    assert "is not a valid id" in response.text
