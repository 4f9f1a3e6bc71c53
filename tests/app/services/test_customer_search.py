"""Customer search and timeline paging: keyset cursors, prefix ranges, fallback to orders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.models import Customer, Order, Platform, Shop, TimelineEntry
from app.services.customers import SearchKind, search_customers, search_kind
from app.services.input import InvalidInput
from app.services.keyset import Cursor
from app.services.timeline_read import timeline_for
from app.settings import Settings


def test_the_query_picks_the_index() -> None:
    assert search_kind("jane@ex") is SearchKind.EMAIL
    assert search_kind("#10") is SearchKind.ORDER
    assert search_kind("1001") is SearchKind.ORDER
    assert search_kind("+44 20") is SearchKind.PHONE
    assert search_kind("555 123 4567") is SearchKind.PHONE
    assert search_kind("Jane D") is SearchKind.NAME


@pytest.mark.parametrize("text", ["", None])
def test_no_cursor_is_the_first_page(text: str | None) -> None:
    assert Cursor.decode(text) is None


@pytest.mark.parametrize("text", ["%%%", "bm90LWpzb24", "WzEsMl0", "WyJhIiwidHJ1ZSJd", "WyJhIix0cnVlXQ"])
def test_anything_but_our_cursor_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        Cursor.decode(text)


def test_a_cursor_round_trips() -> None:
    cursor = Cursor("jane doe", 42)
    assert Cursor.decode(cursor.encode()) == cursor


async def test_name_search_is_a_prefix_in_key_order_across_pages(db: Settings) -> None:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="a.myshopify.com")
    other = await Shop.create(platform=Platform.SHOPIFY, domain="b.myshopify.com")
    for n, name in enumerate(["ann lee", "ann lea", "anna b", "annie c", "bob ann"]):
        await Customer.create(shop=shop, platform_id=str(n), name_key=name)
    await Customer.create(shop=other, platform_id="x", name_key="ann other")

    first = await search_customers(shop.id, "  ANN  ", limit=2)
    second = await search_customers(shop.id, "ann", first.next, limit=2)

    keys = [h.customer.name_key for page in (first, second) for h in page.items]
    assert keys == ["ann lea", "ann lee", "anna b", "annie c"]
    assert second.next is None


async def test_a_customer_without_entries_gets_a_timeline_from_orders_paged(db: Settings) -> None:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="a.myshopify.com")
    jane = await Customer.create(shop=shop, platform_id="1")
    now = utcnow()
    for n in range(3):
        await Order.create(
            shop=shop, customer=jane, platform_id=str(n), number=f"#{n}", placed_at=now - timedelta(days=n)
        )

    first = await timeline_for(shop.id, jane.id, limit=2)
    rest = await timeline_for(shop.id, jane.id, first.older, limit=2)

    assert first.from_orders and [i.order_number for i in first.items] == ["#0", "#1"]
    assert [i.order_number for i in rest.items] == ["#2"] and rest.older is None

    await TimelineEntry.create(
        shop=shop,
        customer=jane,
        kind="order.placed",
        subject_type="order",
        subject_id="0",
        summary="s",
        occurred_at=now,
    )
    recorded = await timeline_for(shop.id, jane.id)
    assert not recorded.from_orders and [i.summary for i in recorded.items] == ["s"]
    assert (await timeline_for(shop.id + 1, jane.id)).items == [], "another shop sees nothing"
