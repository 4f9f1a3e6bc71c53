"""The webhook deliveries the devstore made: one row per delivery, updated after each attempt."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from devstore.rows import ts
from devstore.store import DevStore


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not sent yet, or failed and waiting for a retry
    DELIVERED = "delivered"
    FAILED = "failed"  # every retry failed


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    shop_domain: str
    topic: str
    uri: str
    webhook_id: str
    event_id: str
    triggered_at: str  # as sent in X-Shopify-Triggered-At
    body: str
    status: DeliveryStatus
    attempts: int
    response_status: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None


def _delivery_of(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        shop_domain=row["domain"],
        topic=row["topic"],
        uri=row["uri"],
        webhook_id=row["webhook_id"],
        event_id=row["event_id"],
        triggered_at=row["triggered_at"],
        body=row["body"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        response_status=row["response_status"],
        error=row["error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        finished_at=None if row["finished_at"] is None else datetime.fromisoformat(row["finished_at"]),
    )


_SELECT = "SELECT d.*, s.domain FROM shopify_webhook_deliveries d JOIN shops s ON s.id = d.shop_id"


class DeliveryLog:
    def __init__(self, store: DevStore) -> None:
        self.store = store

    def add(
        self,
        *,
        shop_id: int,
        topic: str,
        uri: str,
        webhook_id: str,
        event_id: str,
        triggered_at: str,
        body: str,
        now: datetime,
    ) -> int:
        with self.store.connect() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO shopify_webhook_deliveries (shop_id, topic, uri, webhook_id, event_id,"
                " triggered_at, body, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    shop_id,
                    topic,
                    uri,
                    webhook_id,
                    event_id,
                    triggered_at,
                    body,
                    DeliveryStatus.PENDING,
                    ts(now),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def record_attempt(
        self,
        delivery_id: int,
        *,
        status: DeliveryStatus,
        response_status: int | None,
        error: str | None,
        now: datetime,
    ) -> None:
        finished = None if status is DeliveryStatus.PENDING else ts(now)
        with self.store.connect() as conn, conn:
            conn.execute(
                "UPDATE shopify_webhook_deliveries SET attempts = attempts + 1, status = ?,"
                " response_status = ?, error = ?, finished_at = ? WHERE id = ?",
                (status, response_status, error, finished, delivery_id),
            )

    def get(self, delivery_id: int) -> Delivery | None:
        with self.store.connect() as conn:
            row = conn.execute(f"{_SELECT} WHERE d.id = ?", (delivery_id,)).fetchone()
        return None if row is None else _delivery_of(row)

    def recent(self, shop_domain: str | None = None, limit: int = 200) -> list[Delivery]:
        """The latest deliveries (of one shop, if given), newest first."""
        sql, params = _SELECT, []
        if shop_domain is not None:
            sql += " WHERE s.domain = ?"
            params.append(shop_domain)
        with self.store.connect() as conn:
            found = conn.execute(f"{sql} ORDER BY d.id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_delivery_of(row) for row in found]
