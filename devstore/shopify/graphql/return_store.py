"""Shopify's returns as the devstore keeps them: tables, records, and what is still returnable.

The tables belong to the Shopify emulation (BigCommerce has no returns API) and are created here,
idempotently, the first time a store is used for returns, so the shared schema stays as it is.

Ids the devstore does not store are derived, as ``objects.py`` derives fulfillment line item ids:
a return's one reverse fulfillment order has the return's id, and its line items the ids of the
return line items they mirror. Every fulfillment ships from the shop's one location,
``PRIMARY_LOCATION_ID``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from devstore.models import Order
from devstore.store import DevStore

PRIMARY_LOCATION_ID = 1
# Returns in these states hold their units; DECLINED and CANCELED give them back.
HOLDING = frozenset({"REQUESTED", "OPEN", "CLOSED"})

TABLES = """
CREATE TABLE IF NOT EXISTS shopify_returns (
    shop_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,  -- REQUESTED | OPEN | CLOSED | DECLINED | CANCELED
    decline_reason TEXT,
    decline_note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS shopify_returns_order ON shopify_returns (shop_id, order_id);
CREATE TABLE IF NOT EXISTS shopify_return_lines (
    shop_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    return_id INTEGER NOT NULL,
    fulfillment_line_item_id INTEGER NOT NULL,
    line_item_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    processed_quantity INTEGER NOT NULL DEFAULT 0,
    return_reason TEXT NOT NULL,
    customer_note TEXT NOT NULL,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, return_id) REFERENCES shopify_returns (shop_id, id) ON DELETE CASCADE
);
"""

# Files (path and inode, so a file deleted and made again counts as new) known to have the tables.
_ready: set[tuple[Path, int]] = set()


@dataclass(frozen=True, slots=True)
class ReturnLine:
    id: int
    fulfillment_line_item_id: int
    line_item_id: int
    quantity: int
    processed_quantity: int
    return_reason: str  # Shopify's ReturnReason, upper case
    customer_note: str


@dataclass(frozen=True, slots=True)
class Return:
    id: int
    order_id: int
    name: str
    status: str
    decline_reason: str | None
    decline_note: str | None
    created_at: datetime
    updated_at: datetime
    lines: tuple[ReturnLine, ...]


@dataclass(frozen=True, slots=True)
class FulfillmentLineItem:
    id: int
    fulfillment_id: int
    line_item_id: int
    quantity: int


def ensure_tables(store: DevStore) -> None:
    with store.connect() as conn:
        key = (store.path, store.path.stat().st_ino)
        if key in _ready:
            return
        with conn:
            conn.executescript(TABLES)
    _ready.add(key)


def fulfillment_line_item_id(fulfillment_id: int, position: int) -> int:
    """The id of the ``position``-th (from 1) line of a fulfillment, its lines by line item id."""
    return fulfillment_id * 100 + position


def fulfillment_line_items(order: Order) -> list[FulfillmentLineItem]:
    return [
        FulfillmentLineItem(fulfillment_line_item_id(f.id, n), f.id, line.line_item_id, line.quantity)
        for f in order.fulfillments
        for n, line in enumerate(f.lines, start=1)
    ]


def load_returns(store: DevStore, shop_id: int, order_ids: Sequence[int]) -> dict[int, list[Return]]:
    """The returns of these orders, oldest first, by order id."""
    if not order_ids:
        return {}
    ensure_tables(store)
    marks = ", ".join("?" * len(order_ids))
    with store.connect() as conn:
        found = conn.execute(
            f"SELECT * FROM shopify_returns WHERE shop_id = ? AND order_id IN ({marks}) ORDER BY id",
            [shop_id, *order_ids],
        ).fetchall()
        lines = _lines(conn, shop_id, [row["id"] for row in found])
    by_order: dict[int, list[Return]] = {}
    for row in found:
        by_order.setdefault(row["order_id"], []).append(_return_of(row, lines.get(row["id"], [])))
    return by_order


def get_return(store: DevStore, shop_id: int, return_id: int) -> Return | None:
    ensure_tables(store)
    with store.connect() as conn:
        row = conn.execute(
            "SELECT * FROM shopify_returns WHERE shop_id = ? AND id = ?", (shop_id, return_id)
        ).fetchone()
        if row is None:
            return None
        lines = _lines(conn, shop_id, [return_id])
    return _return_of(row, lines.get(return_id, []))


def returnable_quantities(order: Order, returns: Iterable[Return]) -> dict[int, int]:
    """Fulfillment line item id -> units that can still go into a return.

    Units in a live return are taken. So are refunded units that no return explains (a refund of a
    returned unit must not count it twice); refunds are per line item, so that share is taken from
    the line's last fulfillment lines first."""
    in_returns_by_fli: dict[int, int] = {}
    in_returns_by_line: dict[int, int] = {}
    for ret in returns:
        if ret.status not in HOLDING:
            continue
        for line in ret.lines:
            in_returns_by_fli[line.fulfillment_line_item_id] = (
                in_returns_by_fli.get(line.fulfillment_line_item_id, 0) + line.quantity
            )
            in_returns_by_line[line.line_item_id] = (
                in_returns_by_line.get(line.line_item_id, 0) + line.quantity
            )
    refunded: dict[int, int] = {}
    for refund in order.refunds:
        for rl in refund.lines:
            if rl.restock_type != "cancel":  # a cancelled unit was never shipped
                refunded[rl.line_item_id] = refunded.get(rl.line_item_id, 0) + rl.quantity
    left = {
        fli.id: max(0, fli.quantity - in_returns_by_fli.get(fli.id, 0))
        for fli in fulfillment_line_items(order)
    }
    for line_item_id, units in refunded.items():
        unexplained = max(0, units - in_returns_by_line.get(line_item_id, 0))
        for fli in reversed([f for f in fulfillment_line_items(order) if f.line_item_id == line_item_id]):
            taken = min(unexplained, left[fli.id])
            left[fli.id] -= taken
            unexplained -= taken
    return left


def _lines(conn: sqlite3.Connection, shop_id: int, return_ids: Sequence[int]) -> dict[int, list[ReturnLine]]:
    if not return_ids:
        return {}
    marks = ", ".join("?" * len(return_ids))
    found: dict[int, list[ReturnLine]] = {}
    for row in conn.execute(
        f"SELECT * FROM shopify_return_lines WHERE shop_id = ? AND return_id IN ({marks}) ORDER BY id",
        [shop_id, *return_ids],
    ):
        found.setdefault(row["return_id"], []).append(
            ReturnLine(
                id=row["id"],
                fulfillment_line_item_id=row["fulfillment_line_item_id"],
                line_item_id=row["line_item_id"],
                quantity=row["quantity"],
                processed_quantity=row["processed_quantity"],
                return_reason=row["return_reason"],
                customer_note=row["customer_note"],
            )
        )
    return found


def _return_of(row: sqlite3.Row, lines: list[ReturnLine]) -> Return:
    return Return(
        id=row["id"],
        order_id=row["order_id"],
        name=row["name"],
        status=row["status"],
        decline_reason=row["decline_reason"],
        decline_note=row["decline_note"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        lines=tuple(lines),
    )
