"""Shipping an order's remaining units, as a merchant does in either platform's admin: one new
parcel (a Shopify fulfillment, a BigCommerce shipment: the devstore keeps both as fulfillments)."""

from __future__ import annotations

import sqlite3

from devstore.models import Order, Shop


def ship_unshipped(conn: sqlite3.Connection, shop: Shop, order: Order, stamp: str) -> bool:
    """One fulfillment of every unit not yet shipped; False when nothing was left to ship."""
    shipped: dict[int, int] = {}
    for f in order.fulfillments:
        for line in f.lines:
            shipped[line.line_item_id] = shipped.get(line.line_item_id, 0) + line.quantity
    left = [(li.id, li.quantity - shipped.get(li.id, 0)) for li in order.line_items]
    left = [(line_id, qty) for line_id, qty in left if qty > 0]
    if not left:
        return False
    fulfillment_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM fulfillments").fetchone()[0])
    number = f"DEV{fulfillment_id}"
    conn.execute(
        "INSERT INTO fulfillments VALUES (?, ?, ?, 'success', 'in_transit', 'UPS', ?, ?, ?, NULL)",
        (shop.id, fulfillment_id, order.id, number, f"https://www.ups.com/track?tracknum={number}", stamp),
    )
    conn.executemany(
        "INSERT INTO fulfillment_lines VALUES (?, ?, ?, ?)",
        [(shop.id, fulfillment_id, line_id, qty) for line_id, qty in left],
    )
    return True
