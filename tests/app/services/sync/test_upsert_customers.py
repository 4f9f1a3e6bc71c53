"""Customer upserts: placeholders, partial webhook bodies, counts, tombstones and merges."""

from __future__ import annotations

from decimal import Decimal

from app.models import Customer, Order, TimelineEntry
from app.services.customers import search_customers
from app.services.sync.customers import name_key
from app.services.sync.upsert import (
    Applied,
    delete_customer,
    merge_customers,
    upsert_customer,
    upsert_customers,
    upsert_order,
)
from app.settings import Settings
from connectors.shopify.records import parse_customer, parse_order
from connectors.shopify.webhook_payloads import (
    customer_from_payload,
    order_customer_from_payload,
    order_from_payload,
)
from tests.app.services.sync.support import at, installed_shop
from tests.connectors.shopify.payloads import customer_node, order_node, rest_customer, rest_order


def test_the_name_key_is_lower_first_last() -> None:
    assert name_key(" Ada ", "Lovelace") == "ada lovelace"
    assert name_key("", "Lovelace") == "lovelace"
    assert name_key("", "") == ""


async def test_emails_are_stored_lower_cased_so_search_finds_them(db: Settings) -> None:
    shop = await installed_shop(db)
    parsed = customer_from_payload(rest_customer(8, email=" Ada.Lovelace@Example.COM "))
    await upsert_customer(shop.id, parsed.record, known=parsed.known)
    assert (await Customer.get(shop_id=shop.id, platform_id="8")).email == "ada.lovelace@example.com"
    hits = await search_customers(shop.id, "ADA.LOVELACE@example.com")
    assert [hit.customer.email for hit in hits.items] == ["ada.lovelace@example.com"]


async def test_a_read_customer_is_written_with_its_platform_numbers(db: Settings) -> None:
    shop = await installed_shop(db)
    assert await upsert_customer(shop.id, parse_customer(customer_node(7))) is Applied.CREATED
    customer = await Customer.get(shop_id=shop.id, platform_id="7")
    assert (customer.email, customer.name_key, customer.tags) == (
        "ada7@example.com",
        "ada lovelace 7",
        "newsletter",
    )
    assert (customer.orders_count, customer.total_spent, customer.currency) == (3, Decimal("123.45"), "GBP")
    assert customer.accepts_marketing and customer.platform_updated_at == at("2026-10-08T12:00:00Z")


async def test_a_webhook_body_only_changes_the_fields_it_carries_and_never_regresses(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_customer(shop.id, parse_customer(customer_node(7, updatedAt="2026-10-08T12:00:00Z")))
    partial = customer_from_payload(rest_customer(7, updated_at="2026-10-09T12:00:00Z", first_name="Augusta"))

    assert await upsert_customer(shop.id, partial.record, known=partial.known) is Applied.UPDATED
    older = customer_from_payload(rest_customer(7, updated_at="2026-10-08T18:00:00Z", first_name="Old"))
    assert await upsert_customer(shop.id, older.record, known=older.known) is Applied.STALE

    customer = await Customer.get(platform_id="7")
    assert (customer.first_name, customer.name_key) == ("Augusta", "augusta lovelace 7")
    assert (customer.tags, customer.orders_count, customer.total_spent) == (
        "newsletter",
        3,
        Decimal("123.45"),
    ), "fields the body does not carry stay as read"


async def test_an_order_names_its_placeholder_customer_until_the_customer_is_read(db: Settings) -> None:
    shop = await installed_shop(db)
    body = rest_order(1, customer=9)
    await upsert_order(shop.id, order_from_payload(body), customer_hint=order_customer_from_payload(body))
    placeholder = await Customer.get(platform_id="9")
    assert (placeholder.first_name, placeholder.name_key, placeholder.platform_updated_at) == (
        "Grace",
        "grace hopper",
        None,
    )
    assert (placeholder.orders_count, placeholder.total_spent) == (1, Decimal("31.68"))

    await upsert_customer(shop.id, parse_customer(customer_node(9, numberOfOrders="4")))

    customer = await Customer.get(platform_id="9")
    assert (customer.first_name, customer.orders_count) == ("Ada", 4), (
        "the read replaces the placeholder whole"
    )


async def test_orders_newer_than_the_customer_are_added_to_its_numbers(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_customer(shop.id, parse_customer(customer_node(9, updatedAt="2026-09-01T00:00:00Z")))
    await upsert_order(shop.id, parse_order(order_node(1, customer={"id": "gid://shopify/Customer/9"})))
    customer = await Customer.get(platform_id="9")
    assert (customer.orders_count, customer.total_spent) == (4, Decimal("155.13"))

    # A customer version stamped after the order already counts it.
    await upsert_customer(
        shop.id, parse_customer(customer_node(9, updatedAt="2026-10-09T00:00:00Z", numberOfOrders="4"))
    )
    await upsert_order(
        shop.id,
        parse_order(
            order_node(2, customer={"id": "gid://shopify/Customer/9"}, createdAt="2026-10-01T08:15:00Z")
        ),
    )
    assert (await Customer.get(platform_id="9")).orders_count == 4


async def test_a_deleted_customer_stays_deleted_for_older_versions(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_customer(shop.id, parse_customer(customer_node(9)))
    assert await delete_customer(shop.id, "9", at("2026-10-09T00:00:00Z")) is Applied.UPDATED
    late = customer_from_payload(rest_customer(9, updated_at="2026-10-08T20:00:00Z"))
    assert await upsert_customer(shop.id, late.record, known=late.known) is Applied.DELETED
    assert await delete_customer(shop.id, "10", at("2026-10-09T00:00:00Z")) is Applied.CREATED
    assert (
        await upsert_customers(shop.id, [parse_customer(customer_node(10, updatedAt="2026-10-08T00:00:00Z"))])
        == 0
    )
    assert await Customer.filter(deleted_at__isnull=False).count() == 2


async def test_a_page_of_customers_inserts_new_and_updates_only_newer(db: Settings) -> None:
    shop = await installed_shop(db)
    assert await upsert_customers(shop.id, [parse_customer(customer_node(n)) for n in range(1, 6)]) == 5
    assert await upsert_customers(shop.id, [parse_customer(customer_node(n)) for n in range(1, 6)]) == 0
    newer = parse_customer(customer_node(2, updatedAt="2026-10-09T00:00:00Z", firstName="Bea"))
    older = parse_customer(customer_node(3, updatedAt="2026-10-01T00:00:00Z", firstName="Old"))
    assert await upsert_customers(shop.id, [newer, older]) == 1
    names = dict(await Customer.all().values_list("platform_id", "name_key"))
    assert names["2"] == "bea lovelace 2" and names["3"] == "ada lovelace 3"


async def test_a_merge_moves_orders_and_timeline_to_the_kept_customer(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_customer(
        shop.id, parse_customer(customer_node(1, numberOfOrders="0", amountSpent={"amount": "0"}))
    )
    await upsert_order(shop.id, parse_order(order_node(5, customer={"id": "gid://shopify/Customer/2"})))

    assert await merge_customers(shop.id, "1", "2", at("2026-10-10T00:00:00Z")) == 1
    assert await merge_customers(shop.id, "1", "2", at("2026-10-10T00:00:00Z")) == 0, "nothing left to move"

    kept = await Customer.get(platform_id="1")
    assert await Order.filter(customer_id=kept.id).count() == 1
    assert await TimelineEntry.filter(customer_id=kept.id).count() == 1
    assert (kept.orders_count, kept.total_spent) == (1, Decimal("31.68"))
    assert (await Customer.get(platform_id="2")).deleted_at == at("2026-10-10T00:00:00Z")
