"""Customers: search on the shop's indexes, the customer page with its timeline, and isolation."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from app.clock import utcnow
from app.models import AuditEvent, Customer, DataRequest, DataRequestStatus, Order, Shop, TimelineEntry
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed


async def customer(shop: Shop, first: str, last: str, **fields: object) -> Customer:
    return await Customer.create(
        shop=shop,
        platform_id=f"{first}-{last}",
        first_name=first,
        last_name=last,
        name_key=f"{first} {last}".lower(),
        **fields,
    )


def next_link(page: str) -> str:
    found = re.search(r'href="([^"]+)" rel="next"', page)
    assert found, "the page has a next link"
    return found.group(1).replace("&amp;", "&")


async def test_a_customer_who_bought_in_two_currencies_sees_each_total_not_their_sum(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    ana = await customer(shop, "Ana", "Lima", currency="USD")
    now = utcnow()
    for number, (price, currency) in enumerate([(100, "USD"), (50, "USD"), (30, "EUR")], start=1):
        await Order.create(
            shop=shop,
            customer=ana,
            platform_id=str(number),
            number=f"#{number}",
            placed_at=now,
            total_price=price,
            currency=currency,
        )

    page = (await client.get(f"/customers/{ana.id}", headers=as_staff_of(settings, SHOP_A))).text

    assert "3 orders" in page and "150.00 USD + 30.00 EUR spent" in page


async def test_search_finds_customers_by_name_email_phone_and_order_number(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    jane = await customer(shop, "Jane", "Doe", email="jane@example.com", phone="+15550001111")
    await customer(shop, "John", "Smith", email="john@example.com")
    await Order.create(shop=shop, customer=jane, platform_id="1", number="#1042", placed_at=utcnow())
    headers = as_staff_of(settings, SHOP_A)

    for query in ("jane d", "JANE@example", "+1555000", "#1042", "104"):
        page = (await client.get("/customers", params={"q": query}, headers=headers)).text
        assert f'href="/customers/{jane.id}"' in page, query
        assert "John" not in page, query


async def test_search_pages_by_keyset(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await installed(settings, SHOP_A)
    for n in range(30):
        await customer(shop, "Ann", f"Lee{n:02d}")
    headers = as_staff_of(settings, SHOP_A)

    first = (await client.get("/customers", params={"q": "ann"}, headers=headers)).text
    second = (await client.get(next_link(first), headers=headers)).text

    assert "Lee00" in first and "Lee24" in first and "Lee25" not in first
    assert "Lee25" in second and "Lee29" in second and "Lee24" not in second
    assert 'rel="next"' not in second


async def test_customer_page_shows_spend_tags_and_the_timeline_newest_first(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    jane = await customer(shop, "Jane", "Doe", tags="vip, wholesale")
    now = utcnow()
    placed = await Order.create(
        shop=shop,
        customer=jane,
        platform_id="1",
        number="#1001",
        placed_at=now,
        total_price=120,
        total_refunded=20,
    )
    await Order.create(shop=shop, customer=jane, platform_id="2", number="#1002", placed_at=now, test=True)
    for n in range(55):
        await TimelineEntry.create(
            shop=shop,
            customer=jane,
            order=placed,
            kind="order.placed" if n == 0 else "survey.sent",
            subject_type="x",
            subject_id=str(n),
            summary=f"event {n:02d}",
            occurred_at=now - timedelta(days=60 - n),
        )
    headers = as_staff_of(settings, SHOP_A)

    page = (await client.get(f"/customers/{jane.id}", headers=headers)).text

    assert "1 order" in page and "100.00 USD spent" in page, "test orders do not count; refunds are net"
    assert "vip" in page and "wholesale" in page
    assert page.index("event 54") < page.index("event 10"), "newest first"
    assert "event 04" not in page, "50 per page"
    assert f'href="/orders/{placed.id}"' in page
    older = (await client.get(next_link(page), headers=headers)).text
    assert "event 04" in older and "event 00" in older and "event 05" not in older


async def test_customer_without_timeline_entries_sees_their_orders(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    jane = await customer(shop, "Jane", "Doe")
    order = await Order.create(shop=shop, customer=jane, platform_id="1", number="#1001", placed_at=utcnow())

    page = (await client.get(f"/customers/{jane.id}", headers=as_staff_of(settings, SHOP_A))).text

    assert "Built from this customer's orders" in page
    assert "Placed order #1001" in page and f'href="/orders/{order.id}"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/customers/abc",
        "/customers/99999999999999999999",
        "/customers/0",
        "/customers?q=a&after=not-a-cursor",
        "/customers/{id}?before=bm90LWpzb24",
        "/customers/{id}?before=WyJ4IiwxXQ",  # a well-formed cursor with a bad timestamp
    ],
)
async def test_bad_input_is_a_400_with_a_message(
    client: httpx.AsyncClient, settings: Settings, path: str
) -> None:
    shop = await installed(settings, SHOP_A)
    jane = await customer(shop, "Jane", "Doe")
    response = await client.get(path.format(id=jane.id), headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 400
    assert "valid" in response.text


async def test_every_new_route_hides_other_shops_rows(client: httpx.AsyncClient, settings: Settings) -> None:
    """Invariant 1: shop B's ids under shop A's session are 404s, on every page this change adds."""
    await installed(settings, SHOP_A)
    shop_b = await installed(settings, SHOP_B)
    theirs = await customer(shop_b, "Bea", "Other", email="bea@b.example")
    order = await Order.create(
        shop=shop_b, customer=theirs, platform_id="9", number="#B-9", placed_at=utcnow()
    )
    request = await DataRequest.create(shop=shop_b, status=DataRequestStatus.READY, export={"secret": "B"})
    await AuditEvent.create(shop=shop_b, actor="staff:b", action="settings.changed", subject_id="b-only")
    headers = as_staff_of(settings, SHOP_A)

    for path in (f"/customers/{theirs.id}", f"/orders/{order.id}", f"/data-requests/{request.id}.json"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert "Bea" not in response.text and "secret" not in response.text
    for path in (
        "/customers?q=bea",
        "/customers?q=%23B-9",
        "/orders",
        "/audit",
        "/data-requests",
        "/settings",
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert "bea@b.example" not in response.text and "b-only" not in response.text
        assert f"/customers/{theirs.id}" not in response.text and f"/orders/{order.id}" not in response.text
