"""The devstore database: seeding is fast and idempotent, shops are isolated, reads page by id."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devstore.models import Order, Platform
from devstore.schema import SCHEMA_VERSION, TABLES
from devstore.seed import generate
from devstore.store import DevStore, ShopCounts

DEMO = "demo.myshopify.com"
OTHER = "other.myshopify.com"


def row_counts(store: DevStore) -> dict[str, int]:
    with closing(sqlite3.connect(store.path)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_creating_the_schema_twice_is_harmless(store: DevStore) -> None:
    store.seed(DEMO, "shopify", 5, 3, seed=1)
    store.create_schema()
    assert store.counts(DEMO) == ShopCounts(orders=5, customers=3, products=80)


def test_a_file_from_another_schema_version_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE shops (id INTEGER PRIMARY KEY, legacy TEXT)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 100}")
    store = DevStore(path)
    store.create_schema()
    store.seed(DEMO, "shopify", 3, 2, seed=1)
    assert store.counts(DEMO).orders == 3


def test_seeding_fills_every_table(store: DevStore) -> None:
    report = store.seed(DEMO, "shopify", orders=300, customers=80, seed=3)
    assert report.created
    counts = row_counts(store)
    assert counts["shops"] == 1 and counts["orders"] == 300 and counts["customers"] == 80
    for table in ("line_items", "fulfillments", "fulfillment_lines", "refunds", "refund_lines", "products"):
        assert counts[table] > 0, table
    assert counts["line_items"] > 600


def test_seeding_the_same_shop_twice_does_not_duplicate(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=200, customers=50, seed=3)
    before = row_counts(store)
    report = store.seed(DEMO, "shopify", orders=200, customers=50, seed=3)
    assert not report.created
    # Another day's "now" is still the same shop: nothing changes.
    store.seed(DEMO, "shopify", orders=200, customers=50, seed=3, now=datetime.now(UTC))
    assert row_counts(store) == before


def test_reseeding_a_shop_with_other_arguments_is_refused(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=20, customers=5, seed=3)
    before = row_counts(store)
    with pytest.raises(ValueError, match="already seeded"):
        store.seed(DEMO, "shopify", orders=20, customers=5, seed=4)
    assert row_counts(store) == before


def test_an_interrupted_seed_is_completed_by_the_next_one(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=50, customers=10, seed=3)
    complete = row_counts(store)
    orders = store.list_orders(DEMO, limit=250).items
    with closing(sqlite3.connect(store.path)) as conn, conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM orders WHERE number > 1020")
        conn.execute("UPDATE shops SET seeded_with = json_set(seeded_with, '$.complete', json('false'))")
    # Resumed on another day: the missing orders are the ones the first run would have written.
    store.seed(DEMO, "shopify", orders=50, customers=10, seed=3, now=datetime.now(UTC))
    assert row_counts(store) == complete
    assert store.list_orders(DEMO, limit=250).items == orders


def test_seeding_10k_orders_takes_a_couple_of_seconds_at_most(store: DevStore) -> None:
    started = time.perf_counter()
    store.seed(DEMO, "shopify", orders=10_000, customers=2_000, seed=5)
    elapsed = time.perf_counter() - started
    assert store.counts(DEMO).orders == 10_000
    assert elapsed < 5, f"seeding 10k orders took {elapsed:.1f} s"


def test_list_shops_shows_each_shop_with_its_own_counts(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=30, customers=10, seed=1)
    store.seed("acme.mybigcommerce.com", Platform.BIGCOMMERCE, orders=12, customers=4, seed=1)
    shops = {s.shop.domain: s for s in store.list_shops()}
    assert set(shops) == {DEMO, "acme.mybigcommerce.com"}
    assert shops[DEMO].shop.platform is Platform.SHOPIFY
    assert shops[DEMO].counts == ShopCounts(orders=30, customers=10, products=80)
    bc = shops["acme.mybigcommerce.com"]
    assert bc.shop.platform is Platform.BIGCOMMERCE and bc.counts.orders == 12 and bc.counts.customers == 4
    assert bc.shop.name and bc.shop.plan and bc.shop.currency == "USD" and "@" in bc.shop.email
    assert store.counts("unknown.myshopify.com") == ShopCounts(0, 0, 0)


def test_orders_read_back_exactly_as_generated(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=120, customers=40, seed=9)
    expected = generate(120, 40, 9)
    orders: list[Order] = []
    after: int | None = None
    while True:
        page = store.list_orders(DEMO, after_id=after, limit=50)
        orders += page.items
        if page.next_after_id is None:
            break
        after = page.next_after_id
    assert tuple(orders) == expected.orders
    assert store.get_order(DEMO, expected.orders[7].id) == expected.orders[7]
    assert store.get_customer(DEMO, expected.customers[3].id) == expected.customers[3]
    assert store.get_shop(DEMO) == expected.shop
    assert set(store.list_products(DEMO)) == set(expected.products)


def test_pages_follow_the_id_cursor(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=25, customers=30, seed=9)
    first = store.list_customers(DEMO, limit=10)
    second = store.list_customers(DEMO, after_id=first.next_after_id, limit=10)
    last = store.list_customers(DEMO, after_id=second.next_after_id, limit=10)
    assert [len(p.items) for p in (first, second, last)] == [10, 10, 10]
    assert first.next_after_id == first.items[-1].id
    assert last.next_after_id is None
    ids = [c.id for p in (first, second, last) for c in p.items]
    assert ids == sorted(ids) and len(set(ids)) == 30
    with pytest.raises(ValueError):
        store.list_orders(DEMO, limit=0)
    with pytest.raises(ValueError):
        store.list_orders(DEMO, limit=251)


def test_updated_at_min_keeps_only_recent_changes(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=200, customers=30, seed=9)
    everything = store.list_orders(DEMO, limit=250).items
    since = sorted(o.updated_at for o in everything)[150]
    recent: list[Order] = []
    after: int | None = None
    while True:
        page = store.list_orders(DEMO, after_id=after, limit=20, updated_at_min=since)
        recent += page.items
        if page.next_after_id is None:
            break
        after = page.next_after_id
    assert recent == [o for o in everything if o.updated_at >= since]
    assert 40 <= len(recent) <= 60
    customers = store.list_customers(DEMO, limit=250, updated_at_min=since - timedelta(days=400)).items
    assert 0 < len(customers) <= 30


def test_a_shop_never_sees_another_shops_rows(store: DevStore) -> None:
    store.seed(DEMO, "shopify", orders=40, customers=10, seed=1)
    store.seed(OTHER, "shopify", orders=15, customers=5, seed=1)
    demo_orders = store.list_orders(DEMO, limit=250).items
    other_orders = store.list_orders(OTHER, limit=250).items
    assert len(demo_orders) == 40 and len(other_orders) == 15
    assert {o.id for o in demo_orders}.isdisjoint({o.id for o in other_orders})
    assert store.get_order(OTHER, demo_orders[0].id) is None
    other_customer = store.list_customers(OTHER, limit=1).items[0]
    assert store.get_customer(DEMO, other_customer.id) is None
    assert store.list_orders("nobody.myshopify.com").items == ()


def test_mail_is_kept_and_listed_newest_first(store: DevStore) -> None:
    first = store.add_mail(
        mail_from="shop@example.com",
        to=["a@example.com"],
        subject="One",
        date="",
        message_id="<1@x>",
        text="hello",
        html="",
        raw=b"Subject: One\r\n\r\nhello",
    )
    second = store.add_mail(
        mail_from="shop@example.com",
        to=["b@example.com", "c@example.com"],
        subject="Two",
        date="",
        message_id="<2@x>",
        text="",
        html="<p>hi</p>",
        raw=b"Subject: Two\r\n\r\n<p>hi</p>",
    )
    assert [m.subject for m in store.list_mail()] == ["Two", "One"]
    assert store.count_mail() == 2
    message = store.get_mail(second)
    assert (
        message is not None
        and message.to == ("b@example.com", "c@example.com")
        and message.html == "<p>hi</p>"
    )
    assert store.get_mail(first + 100) is None
    assert store.clear_mail() == 2
    assert store.list_mail() == []
