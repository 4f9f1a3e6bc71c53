"""Admin page latency on a large shop: customer search, customer timeline, order page.

    python -m bench.admin [--quick]

Seeds one shop into a fresh, migrated SQLite database — 200k customers and 1M orders (quick:
10k / 50k), each order with a line item, every other one with a fulfillment, and a timeline entry
per order and per fulfillment — with plain ``executemany`` inserts (the ORM would take hours).
Then calls each page's service functions in-process, as the handlers do, and times them; the
baseline is one plain indexed SELECT of the same rows on the same database and connection.

The last line of output is one JSON object:
{"bench": "admin", "search_p95_ms": …, "timeline_p95_ms": …, "order_p95_ms": …, "baseline_p95_ms": …}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from app.db import close_database, connection_name, open_database
from app.migrations import apply_migrations
from app.models import Platform, Shop
from app.services.customers import search_customers
from app.services.orders import order_detail
from app.services.timeline_read import timeline_for

FIRST = ["ann", "ben", "cara", "dan", "eva", "finn", "gia", "hugo", "ida", "jon", "kim", "leo", "mia", "noah"]
LAST = ["smith", "jones", "brown", "garcia", "miller", "davis", "lopez", "wilson", "moore", "taylor", "lee"]
START = datetime(2024, 1, 1, tzinfo=UTC)
BATCH = 20_000


@dataclass(frozen=True)
class Size:
    customers: int
    orders: int
    samples: int  # timed calls per page


FULL = Size(customers=200_000, orders=1_000_000, samples=300)
QUICK = Size(customers=10_000, orders=50_000, samples=200)


def _stamp(at: datetime) -> str:
    # What Tortoise's SQLite adapter writes for a datetime, so comparisons match its queries.
    return at.isoformat(" ")


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(
    db: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    for batch in _batches(rows):
        db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)


def seed(path: Path, shop_id: int, size: Size) -> None:
    """Bulk-load one shop's customers, orders, items, fulfillments and timeline (ids from 1)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    now = _stamp(START)

    def customers() -> Iterator[tuple[Any, ...]]:
        for n in range(1, size.customers + 1):
            first, last = FIRST[n % len(FIRST)], f"{LAST[n % len(LAST)]}{n}"
            yield (
                now,
                now,
                f"c{n}",
                shop_id,
                f"{first}.{last}@example.com",
                first.title(),
                last.title(),
                f"{first} {last}",
                f"+1555{n:07d}",
                "",
                0,
                "0",
                "USD",
                0,
            )

    _insert(
        db,
        "customer",
        [
            "created_at",
            "updated_at",
            "platform_id",
            "shop_id",
            "email",
            "first_name",
            "last_name",
            "name_key",
            "phone",
            "tags",
            "orders_count",
            "total_spent",
            "currency",
            "accepts_marketing",
        ],
        customers(),
    )

    def placed(n: int) -> datetime:
        return START + timedelta(minutes=n)

    def orders() -> Iterator[tuple[Any, ...]]:
        for n in range(1, size.orders + 1):
            yield (
                now,
                now,
                f"o{n}",
                shop_id,
                1 + n % size.customers,
                f"#{1000 + n}",
                "paid" if n % 7 else "refunded",
                "fulfilled" if n % 2 == 0 else "unfulfilled",
                "USD",
                "40",
                "0",
                "5",
                "0",
                "45",
                "0",
                "",
                0,
                _stamp(placed(n)),
            )

    _insert(
        db,
        "order",
        [
            "created_at",
            "updated_at",
            "platform_id",
            "shop_id",
            "customer_id",
            "number",
            "financial_status",
            "fulfillment_status",
            "currency",
            "subtotal",
            "total_tax",
            "total_shipping",
            "total_discounts",
            "total_price",
            "total_refunded",
            "tags",
            "test",
            "placed_at",
        ],
        orders(),
    )
    _insert(
        db,
        "line_item",
        [
            "created_at",
            "updated_at",
            "platform_id",
            "shop_id",
            "order_id",
            "title",
            "variant_title",
            "sku",
            "product_tags",
            "quantity",
            "fulfilled_quantity",
            "refundable_quantity",
            "price",
            "total_discount",
        ],
        (
            (now, now, f"l{n}", shop_id, n, "Mug", "Blue", f"MUG-{n % 50}", "", 1, 1, 1, "40", "0")
            for n in range(1, size.orders + 1)
        ),
    )
    _insert(
        db,
        "fulfillment",
        [
            "created_at",
            "updated_at",
            "platform_id",
            "shop_id",
            "order_id",
            "status",
            "tracking_company",
            "tracking_number",
            "tracking_url",
            "fulfilled_at",
            "lines",
        ],
        (
            (
                now,
                now,
                f"f{n}",
                shop_id,
                n,
                "success",
                "UPS",
                f"1Z{n}",
                f"https://ups.test/1Z{n}",
                _stamp(placed(n) + timedelta(days=1)),
                "[]",
            )
            for n in range(2, size.orders + 1, 2)
        ),
    )

    def timeline() -> Iterator[tuple[Any, ...]]:
        for n in range(1, size.orders + 1):
            customer = 1 + n % size.customers
            yield (
                shop_id,
                customer,
                n,
                "order.placed",
                "order",
                str(n),
                f"Placed order #{1000 + n}",
                "{}",
                _stamp(placed(n)),
            )
            if n % 2 == 0:
                yield (
                    shop_id,
                    customer,
                    n,
                    "fulfillment.created",
                    "fulfillment",
                    str(n),
                    f"Shipped order #{1000 + n}",
                    "{}",
                    _stamp(placed(n) + timedelta(days=1)),
                )

    _insert(
        db,
        "timeline_entry",
        [
            "shop_id",
            "customer_id",
            "order_id",
            "kind",
            "subject_type",
            "subject_id",
            "summary",
            "data",
            "occurred_at",
        ],
        timeline(),
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


async def _time(calls: Sequence[Callable[[], Awaitable[Any]]]) -> list[float]:
    for call in calls[:10]:  # warm-up: statement caches, pages in memory
        await call()
    spent = []
    for call in calls:
        began = time.perf_counter()
        await call()
        spent.append(time.perf_counter() - began)
    return spent


async def measure(database_url: str, shop_id: int, size: Size) -> dict[str, list[float]]:
    rng = random.Random(7)
    connection = Tortoise.get_connection(connection_name(database_url))

    def raw(sql: str, *params: Any) -> Callable[[], Awaitable[Any]]:
        return lambda: connection.execute_query(sql, list(params))

    searches: list[Callable[[], Awaitable[Any]]] = []
    timelines: list[Callable[[], Awaitable[Any]]] = []
    orders: list[Callable[[], Awaitable[Any]]] = []
    baseline: list[Callable[[], Awaitable[Any]]] = []
    top = "\U0010ffff"
    for i in range(size.samples):
        n = rng.randint(1, size.customers)
        prefix = f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}{str(n)[:2]}"
        query = [prefix, f"{FIRST[n % len(FIRST)]}.{LAST[n % len(LAST)]}{n}@", f"#{1000 + n}"][i % 3]
        searches.append(partial(search_customers, shop_id, query))
        timelines.append(partial(timeline_for, shop_id, n))
        order = rng.randint(1, size.orders)
        orders.append(partial(order_detail, shop_id, order))
        baseline += [
            raw(
                'SELECT * FROM "customer" WHERE shop_id=? AND name_key>=? AND name_key<? '
                "ORDER BY name_key, id LIMIT 26",
                shop_id,
                prefix,
                prefix + top,
            ),
            raw(
                'SELECT * FROM "timeline_entry" WHERE customer_id=? ORDER BY occurred_at DESC, id DESC LIMIT 51',
                n,
            ),
            raw('SELECT * FROM "order" WHERE id=? AND shop_id=?', order, shop_id),
        ]
    return {
        "search": await _time(searches),
        "timeline": await _time(timelines),
        "order": await _time(orders),
        "baseline": await _time(baseline),
    }


async def _prepare(database_url: str) -> int:
    await apply_migrations(database_url)
    await open_database(database_url)
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="bench-admin.myshopify.com", name="Bench")
    return shop.id


def run(size: Size, folder: Path) -> dict[str, Any]:
    path = folder / "admin-bench.sqlite3"
    database_url = f"sqlite://{path}"
    loop = asyncio.new_event_loop()
    try:
        shop_id = loop.run_until_complete(_prepare(database_url))
        began = time.perf_counter()
        seed(path, shop_id, size)
        print(
            f"seeded {size.customers} customers, {size.orders} orders in {time.perf_counter() - began:.1f} s"
        )
        timings = loop.run_until_complete(measure(database_url, shop_id, size))
        loop.run_until_complete(close_database())
    finally:
        loop.close()
    for name, samples in timings.items():
        print(
            f"{name:>9}: p50 {_ms(samples, 0.5):8.3f} ms  p95 {_ms(samples, 0.95):8.3f} ms  (n={len(samples)})"
        )
    return {
        "bench": "admin",
        "search_p95_ms": _ms(timings["search"], 0.95),
        "timeline_p95_ms": _ms(timings["timeline"], 0.95),
        "order_p95_ms": _ms(timings["order"], 0.95),
        "baseline_p95_ms": _ms(timings["baseline"], 0.95),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.admin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k customers / 50k orders")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aftercare-bench-") as folder:
        figures = run(QUICK if args.quick else FULL, Path(folder))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
