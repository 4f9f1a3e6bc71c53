"""Reading and changing the shared order and customer rows the way BigCommerce's API filters,
sorts and pages them (the shared ``DevStore`` pages by id only).

Every change moves the record's modified time to now, and at least one second past its previous
value: API times have whole seconds, and an app's ``min_date_modified`` high-water mark must see it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from devstore import rows
from devstore.bigcommerce.payloads import derived_status_id
from devstore.models import Customer, FulfillmentStatus, Order, Shop
from devstore.shipments import ship_unshipped
from devstore.store import DevStore

# One writer at a time for the emulation's changes (refunds check then write under it).
WRITES = threading.Lock()
ORDER_SORTS = {"id": "id", "date_created": "created_at", "date_modified": "updated_at"}
CUSTOMER_SORTS = {"date_created": "created_at", "date_modified": "updated_at", "last_name": "last_name"}


def changed_stamp(previous: datetime) -> str:
    now = datetime.now(UTC).replace(microsecond=0)
    return rows.ts(max(now, previous.replace(microsecond=0) + timedelta(seconds=1)))


@dataclass
class Query:
    """A WHERE clause for one shop, grown condition by condition, with ORDER BY and a page."""

    shop_id: int
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def where(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def sql(self, table: str, columns: str = "*") -> tuple[str, list[Any]]:
        clause = " AND ".join(["shop_id = ?", *self.conditions])
        return f"SELECT {columns} FROM {table} WHERE {clause}", [self.shop_id, *self.params]


class Records:
    def __init__(self, store: DevStore) -> None:
        self.store = store

    # -- orders ----------------------------------------------------------------------------------

    def orders(self, query: Query, sort: tuple[str, bool], page: int, limit: int) -> tuple[Order, ...]:
        column, descending = sort
        sql, params = query.sql("orders")
        direction = "DESC" if descending else "ASC"
        sql += f" ORDER BY {column} {direction}, id {direction} LIMIT ? OFFSET ?"
        with self.store.connect() as conn:
            found = conn.execute(sql, [*params, limit, (page - 1) * limit]).fetchall()
        return self.store.orders_of_rows(found)

    def all_orders(self, shop: Shop) -> tuple[Order, ...]:
        with self.store.connect() as conn:
            found = conn.execute("SELECT * FROM orders WHERE shop_id = ? ORDER BY id", (shop.id,)).fetchall()
        return self.store.orders_of_rows(found)

    def order(self, shop: Shop, order_id: int) -> Order | None:
        return self.store.get_order(shop.domain, order_id)

    def status_ids(self, shop: Shop, orders: Sequence[Order]) -> dict[int, int]:
        """Each order's status: the one set through the API, else the one its state gives."""
        statuses = {order.id: derived_status_id(order) for order in orders}
        if orders:
            marks = ", ".join("?" * len(orders))
            with self.store.connect() as conn:
                found = conn.execute(
                    f"SELECT order_id, status_id FROM bigcommerce_order_statuses WHERE shop_id = ?"
                    f" AND order_id IN ({marks})",
                    [shop.id, *statuses],
                ).fetchall()
            statuses.update({row["order_id"]: row["status_id"] for row in found})
        return statuses

    def customers_of(self, shop: Shop, orders: Sequence[Order]) -> dict[int, Customer]:
        ids = sorted({o.customer_id for o in orders if o.customer_id is not None})
        if not ids:
            return {}
        with self.store.connect() as conn:
            found = conn.execute(
                f"SELECT * FROM customers WHERE shop_id = ? AND id IN ({', '.join('?' * len(ids))})",
                [shop.id, *ids],
            ).fetchall()
        return {row["id"]: rows.customer_of(row) for row in found}

    def set_status(self, shop: Shop, order: Order, status_id: int) -> list[tuple[str, dict[str, Any]]]:
        """Set the order's status as ``PUT /v2/orders/{id}`` does; the webhooks it causes."""
        with WRITES:
            previous = self.status_ids(shop, (order,))[order.id]
            with self.store.connect() as conn, conn:
                conn.execute(
                    "INSERT INTO bigcommerce_order_statuses VALUES (?, ?, ?)"
                    " ON CONFLICT (shop_id, order_id) DO UPDATE SET status_id = excluded.status_id",
                    (shop.id, order.id, status_id),
                )
                touch_order(conn, shop, order)
        return self._status_events(order, previous, status_id)

    @staticmethod
    def _status_events(order: Order, previous: int, status_id: int) -> list[tuple[str, dict[str, Any]]]:
        events: list[tuple[str, dict[str, Any]]] = [
            ("store/order/updated", {"type": "order", "id": order.id})
        ]
        if previous != status_id:
            status = {"previous_status_id": previous, "new_status_id": status_id}
            events.append(("store/order/statusUpdated", {"type": "order", "id": order.id, "status": status}))
        return events

    def ship(self, shop: Shop, order: Order) -> list[tuple[str, dict[str, Any]]]:
        """Ship every unit left in one shipment, as the control panel's Ship items does: the order
        becomes Shipped (unless nothing was left to ship); the webhooks it causes."""
        with WRITES:
            previous = self.status_ids(shop, (order,))[order.id]
            with self.store.connect() as conn, conn:
                if not ship_unshipped(conn, shop, order, changed_stamp(order.updated_at)):
                    return []
                conn.execute(
                    "UPDATE orders SET fulfillment_status = ? WHERE shop_id = ? AND id = ?",
                    (FulfillmentStatus.FULFILLED.value, shop.id, order.id),
                )
                # A status set earlier gives way to the one the shipment brings, as on BigCommerce.
                conn.execute(
                    "DELETE FROM bigcommerce_order_statuses WHERE shop_id = ? AND order_id = ?",
                    (shop.id, order.id),
                )
                touch_order(conn, shop, order)
            shipped = self.store.get_order(shop.domain, order.id)
            assert shipped is not None
            return self._status_events(order, previous, self.status_ids(shop, (shipped,))[order.id])

    # -- customers -------------------------------------------------------------------------------

    def customers(
        self, query: Query, sort: tuple[str, bool], page: int, limit: int
    ) -> tuple[int, list[Customer]]:
        """The total matching, and the page's customers."""
        column, descending = sort
        direction = "DESC" if descending else "ASC"
        sql, params = query.sql("customers")
        count_sql, _ = query.sql("customers", "count(*)")
        with self.store.connect() as conn:
            total = int(conn.execute(count_sql, params).fetchone()[0])
            found = conn.execute(
                f"{sql} ORDER BY {column} {direction}, id {direction} LIMIT ? OFFSET ?",
                [*params, limit, (page - 1) * limit],
            ).fetchall()
        return total, [rows.customer_of(row) for row in found]

    def update_customer(self, shop: Shop, customer: Customer, fields: dict[str, Any]) -> Customer:
        columns = {**fields, "updated_at": changed_stamp(customer.updated_at)}
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with WRITES, self.store.connect() as conn, conn:
            conn.execute(
                f"UPDATE customers SET {assignments} WHERE shop_id = ? AND id = ?",
                [*columns.values(), shop.id, customer.id],
            )
        updated = self.store.get_customer(shop.domain, customer.id)
        assert updated is not None
        return updated


def touch_order(conn: sqlite3.Connection, shop: Shop, order: Order) -> None:
    conn.execute(
        "UPDATE orders SET updated_at = ? WHERE shop_id = ? AND id = ?",
        (changed_stamp(order.updated_at), shop.id, order.id),
    )
