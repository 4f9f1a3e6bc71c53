"""The devstore's database: shops and their data, seeded and read back, plus the mail the sink got.

Stdlib ``sqlite3``, one short-lived connection per call: cheap for SQLite, safe from any thread (the
web app runs these calls in its thread pool, the mail sink through ``asyncio.to_thread``), and never
tangled with the app's Tortoise connections when both run in one test process.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

from devstore import rows
from devstore.models import Customer, MailMessage, Order, Platform, Product, Shop
from devstore.schema import create_schema
from devstore.seed import DEFAULT_NOW, SeedGenerator

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PAGE = 250  # the largest page Shopify's Admin API hands out
_SEED_BATCH = 2000  # orders per transaction: bounded memory, and an interrupted seed resumes

_SHOP_ID = "(SELECT id FROM shops WHERE domain = ?)"
_COUNTS = (
    "(SELECT count(*) FROM orders o WHERE o.shop_id = s.id) AS n_orders,"
    " (SELECT count(*) FROM customers c WHERE c.shop_id = s.id) AS n_customers,"
    " (SELECT count(*) FROM products p WHERE p.shop_id = s.id) AS n_products"
)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    # Pass back as ``after_id`` for the next page; None on the last page.
    next_after_id: int | None


@dataclass(frozen=True, slots=True)
class ShopCounts:
    orders: int
    customers: int
    products: int


@dataclass(frozen=True, slots=True)
class ShopSummary:
    shop: Shop
    counts: ShopCounts


@dataclass(frozen=True, slots=True)
class SeedReport:
    shop: Shop
    created: bool  # False when the shop had already been seeded with these arguments
    orders: int
    customers: int


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _counts_of(row: sqlite3.Row) -> ShopCounts:
    return ShopCounts(orders=row["n_orders"], customers=row["n_customers"], products=row["n_products"])


class DevStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection whose ``with conn:`` blocks are transactions; closed on exit."""
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            yield conn

    def create_schema(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn, conn:
            create_schema(conn)

    # -- seeding ---------------------------------------------------------------------------------

    def seed(
        self,
        shop_domain: str,
        platform: str | Platform,
        orders: int,
        customers: int,
        seed: int,
        now: datetime = DEFAULT_NOW,
    ) -> SeedReport:
        """Fill ``shop_domain`` with generated data; the same arguments again change nothing.

        ``now`` anchors the dates but is not part of the identity: re-seeding an existing demo shop
        on a later day is still a no-op. Seeding a seeded shop with other counts or another seed is
        refused, since the two data sets would collide on order numbers and emails. A seed that was
        interrupted is completed with the ``now`` it started with, so it adds exactly what is missing.
        """
        identity = {
            "platform": Platform(platform).value,
            "orders": orders,
            "customers": customers,
            "seed": seed,
        }
        recorded = self._seeded_with(shop_domain)
        if recorded is not None:
            if {key: recorded.get(key) for key in identity} != identity:
                raise ValueError(
                    f"{shop_domain} was already seeded with {recorded}; not re-seeding with {identity}"
                )
            shop = self.get_shop(shop_domain)
            if recorded.get("complete") and shop is not None:
                return SeedReport(shop=shop, created=False, orders=orders, customers=customers)
            now = datetime.fromisoformat(recorded["now"])

        gen = SeedGenerator(seed, platform, shop_domain, now)
        shop = self.get_shop(shop_domain) or gen.shop()
        started = {**identity, "now": rows.ts(gen.now), "complete": False}
        customer_list = tuple(gen.iter_customers(customers))
        with self.connect() as conn:
            with conn:
                self._insert(
                    conn,
                    "shops (id, platform, domain, name, plan, currency, email, created_at)",
                    [rows.shop_values(shop)],
                )
                self._mark_seed(conn, shop.id, started)
                self._insert(conn, "products", [rows.product_values(shop.id, p) for p in gen.products()])
                self._insert(conn, "customers", [rows.customer_values(shop.id, c) for c in customer_list])
            for batch in _chunks(gen.iter_orders(orders, customer_list), _SEED_BATCH):
                with conn:
                    for table, values in rows.order_tables(shop.id, batch).items():
                        self._insert(conn, table, values)
            with conn:
                self._mark_seed(conn, shop.id, {**started, "complete": True})
            # Fresh statistics, or SQLite scans a whole shop instead of using the order_id indexes.
            conn.execute("ANALYZE")
        logger.info("seeded %s: %d orders, %d customers", shop_domain, orders, customers)
        return SeedReport(shop=shop, created=True, orders=orders, customers=customers)

    @staticmethod
    def _mark_seed(conn: sqlite3.Connection, shop_id: int, seeded_with: dict[str, Any]) -> None:
        conn.execute("UPDATE shops SET seeded_with = ? WHERE id = ?", (json.dumps(seeded_with), shop_id))

    def _seeded_with(self, shop_domain: str) -> dict[str, Any] | None:
        with self.connect() as conn:
            row = conn.execute("SELECT seeded_with FROM shops WHERE domain = ?", (shop_domain,)).fetchone()
        if row is None or row["seeded_with"] is None:
            return None
        value: dict[str, Any] = json.loads(row["seeded_with"])
        return value

    @staticmethod
    def _insert(conn: sqlite3.Connection, table: str, values: Sequence[rows.Values]) -> None:
        """Insert rows that are not there yet: what makes seeding idempotent and resumable."""
        if values:
            marks = ", ".join("?" * len(values[0]))
            conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", values)

    # -- shops -----------------------------------------------------------------------------------

    def get_shop(self, shop_domain: str) -> Shop | None:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM shops WHERE domain = ?", (shop_domain,)).fetchone()
        return None if row is None else rows.shop_of(row)

    def list_shops(self) -> list[ShopSummary]:
        """Every shop with its counts, by domain."""
        with self.connect() as conn:
            found = conn.execute(f"SELECT s.*, {_COUNTS} FROM shops s ORDER BY s.domain").fetchall()
        return [ShopSummary(rows.shop_of(row), _counts_of(row)) for row in found]

    def counts(self, shop_domain: str) -> ShopCounts:
        """How many orders, customers and products ``shop_domain`` has (zeros for an unknown shop)."""
        with self.connect() as conn:
            row = conn.execute(f"SELECT {_COUNTS} FROM shops s WHERE s.domain = ?", (shop_domain,)).fetchone()
        return ShopCounts(0, 0, 0) if row is None else _counts_of(row)

    # -- customers and products ------------------------------------------------------------------

    def list_customers(
        self,
        shop_domain: str,
        *,
        after_id: int | None = None,
        limit: int = 50,
        updated_at_min: datetime | None = None,
    ) -> Page[Customer]:
        """Customers by id, ``limit`` at a time after ``after_id``, changed at or after ``updated_at_min``."""
        found = self._page(shop_domain, "customers", after_id, limit, updated_at_min)
        items = tuple(rows.customer_of(row) for row in found[:limit])
        return Page(items, items[-1].id if len(found) > limit else None)

    def get_customer(self, shop_domain: str, customer_id: int) -> Customer | None:
        with self.connect() as conn:
            row = conn.execute(
                f"SELECT * FROM customers WHERE shop_id = {_SHOP_ID} AND id = ?", (shop_domain, customer_id)
            ).fetchone()
        return None if row is None else rows.customer_of(row)

    def list_products(self, shop_domain: str) -> tuple[Product, ...]:
        with self.connect() as conn:
            found = conn.execute(
                f"SELECT * FROM products WHERE shop_id = {_SHOP_ID} ORDER BY product_id, variant_id",
                (shop_domain,),
            ).fetchall()
        return tuple(rows.product_of(row) for row in found)

    def _page(
        self, shop_domain: str, table: str, after_id: int | None, limit: int, updated_at_min: datetime | None
    ) -> list[sqlite3.Row]:
        """Up to ``limit + 1`` rows: the extra one only tells whether another page follows."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
        sql = f"SELECT * FROM {table} WHERE shop_id = {_SHOP_ID}"
        params: list[Any] = [shop_domain]
        if after_id is not None:
            sql += " AND id > ?"
            params.append(after_id)
        if updated_at_min is not None:
            sql += " AND updated_at >= ?"
            params.append(rows.ts(updated_at_min))
        sql += " ORDER BY id LIMIT ?"
        params.append(limit + 1)
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    # -- orders ----------------------------------------------------------------------------------

    def list_orders(
        self,
        shop_domain: str,
        *,
        after_id: int | None = None,
        limit: int = 50,
        updated_at_min: datetime | None = None,
    ) -> Page[Order]:
        """Orders (with line items, fulfillments and refunds) by id, as ``list_customers``."""
        found = self._page(shop_domain, "orders", after_id, limit, updated_at_min)
        items = self._with_children(found[:limit])
        return Page(items, items[-1].id if len(found) > limit else None)

    def get_order(self, shop_domain: str, order_id: int) -> Order | None:
        with self.connect() as conn:
            row = conn.execute(
                f"SELECT * FROM orders WHERE shop_id = {_SHOP_ID} AND id = ?", (shop_domain, order_id)
            ).fetchone()
        return None if row is None else self._with_children([row])[0]

    def orders_of_rows(self, order_rows: Sequence[sqlite3.Row]) -> tuple[Order, ...]:
        """Orders for rows of ``orders`` selected elsewhere (a platform's own filters and sort)."""
        return self._with_children(order_rows)

    def _with_children(self, order_rows: Sequence[sqlite3.Row]) -> tuple[Order, ...]:
        """Orders for ``order_rows``, their children loaded with one query per child table."""
        if not order_rows:
            return ()
        ids = [row["id"] for row in order_rows]
        params = [order_rows[0]["shop_id"], *ids]
        within = f"shop_id = ? AND order_id IN ({', '.join('?' * len(ids))})"
        with self.connect() as conn:

            def select(sql: str) -> list[sqlite3.Row]:
                return conn.execute(sql, params).fetchall()

            children = rows.OrderChildren(
                line_items=select(f"SELECT * FROM line_items WHERE {within} ORDER BY id"),
                fulfillments=select(f"SELECT * FROM fulfillments WHERE {within} ORDER BY id"),
                fulfillment_lines=select(
                    "SELECT fl.* FROM fulfillment_lines fl"
                    f" JOIN (SELECT shop_id, id FROM fulfillments WHERE {within}) f"
                    " ON f.shop_id = fl.shop_id AND f.id = fl.fulfillment_id ORDER BY fl.line_item_id"
                ),
                refunds=select(f"SELECT * FROM refunds WHERE {within} ORDER BY id"),
                refund_lines=select(
                    "SELECT rl.* FROM refund_lines rl"
                    f" JOIN (SELECT shop_id, id FROM refunds WHERE {within}) r"
                    " ON r.shop_id = rl.shop_id AND r.id = rl.refund_id ORDER BY rl.line_item_id"
                ),
            )
        return rows.orders_of(order_rows, children)

    # -- mail ------------------------------------------------------------------------------------

    def add_mail(
        self,
        *,
        mail_from: str,
        to: Sequence[str],
        subject: str,
        date: str,
        message_id: str,
        text: str,
        html: str,
        raw: bytes,
        received_at: datetime | None = None,
    ) -> int:
        """Keep one received message; returns its id."""
        received = received_at or datetime.now(UTC)
        with self.connect() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO mail (received_at, mail_from, rcpt_to, subject, date, message_id, text, html, raw)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rows.ts(received),
                    mail_from,
                    json.dumps(list(to)),
                    subject,
                    date,
                    message_id,
                    text,
                    html,
                    raw,
                ),
            )
            mail_id = cursor.lastrowid
        assert mail_id is not None
        return mail_id

    def list_mail(self, limit: int = 200) -> list[MailMessage]:
        """The latest messages, newest first."""
        with self.connect() as conn:
            found = conn.execute("SELECT * FROM mail ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [rows.mail_of(row) for row in found]

    def count_mail(self) -> int:
        with self.connect() as conn:
            count: int = conn.execute("SELECT count(*) FROM mail").fetchone()[0]
        return count

    def get_mail(self, mail_id: int) -> MailMessage | None:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM mail WHERE id = ?", (mail_id,)).fetchone()
        return None if row is None else rows.mail_of(row)

    def clear_mail(self) -> int:
        """Empty the outbox; returns how many messages went."""
        with self.connect() as conn, conn:
            return conn.execute("DELETE FROM mail").rowcount
