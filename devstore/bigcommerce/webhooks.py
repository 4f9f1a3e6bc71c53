"""Webhook deliveries as BigCommerce makes them: thin, signed, retried, and deactivating (§3.2-3.4).

Each event is a POST of ``{scope, store_id, data, hash, created_at, producer}`` to every active hook
of the store whose scope matches, carrying the hook's own ``headers`` (the app's per-hook secret)
and the Standard Webhooks headers BigCommerce documents since 2025-01: ``webhook-id`` (one per
delivery, the same on its retries), ``webhook-timestamp`` (per attempt) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 over ``{id}.{timestamp}.{body}``, keyed with the client secret's
bytes: the docs give ``standardwebhooks`` base64(client secret)). ``hash`` is the SHA-1 of the
event, the same for every delivery of it. ``store_id`` is a string, as the current docs show it.

Only a 2xx counts. A failed delivery is retried on BigCommerce's schedule (60 s, 180 s, ... 86400 s)
scaled so that its first wait is ``retry_delay``; when the last retry fails the hook is set
inactive, as BigCommerce does after about 48 hours.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from devstore.bigcommerce.hooks import Hooks
from devstore.models import Shop
from devstore.rows import ts
from devstore.store import DevStore

logger = logging.getLogger(__name__)

RETRY_SCHEDULE_S = (60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400)
DEFAULT_RETRY_DELAY = 0.5
# BigCommerce documents no timeout; it asks for an answer at once.
TIMEOUT = httpx.Timeout(10.0, connect=2.0)


def standard_signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def event_body(shop: Shop, scope: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    event: dict[str, Any] = {
        "scope": scope,
        "store_id": str(shop.id),
        "data": data,
        "created_at": int(now.timestamp()),
        "producer": f"stores/{shop.domain}",
    }
    digest = hashlib.sha1(json.dumps(event, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
    return {**event, "hash": digest}


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    hook_id: int
    scope: str
    destination: str
    webhook_id: str
    body: bytes
    headers: dict[str, str]


class DeliveryLog:
    def __init__(self, store: DevStore) -> None:
        self.store = store

    def add(
        self, shop_id: int, hook_id: int, scope: str, destination: str, webhook_id: str, body: str
    ) -> int:
        with self.store.connect() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO bigcommerce_deliveries (shop_id, hook_id, scope, destination, webhook_id, body,"
                " status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                (shop_id, hook_id, scope, destination, webhook_id, body, ts(datetime.now(UTC))),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def record(self, delivery_id: int, status: str, response_status: int | None, error: str | None) -> None:
        finished = None if status == "pending" else ts(datetime.now(UTC))
        with self.store.connect() as conn, conn:
            conn.execute(
                "UPDATE bigcommerce_deliveries SET attempts = attempts + 1, status = ?, response_status = ?,"
                " error = ?, finished_at = ? WHERE id = ?",
                (status, response_status, error, finished, delivery_id),
            )

    def get(self, delivery_id: int) -> dict[str, Any] | None:
        with self.store.connect() as conn:
            row = conn.execute("SELECT * FROM bigcommerce_deliveries WHERE id = ?", (delivery_id,)).fetchone()
        return None if row is None else _delivery_json(row)

    def recent(self, shop_id: int, limit: int = 200) -> list[dict[str, Any]]:
        with self.store.connect() as conn:
            found = conn.execute(
                "SELECT * FROM bigcommerce_deliveries WHERE shop_id = ? ORDER BY id DESC LIMIT ?",
                (shop_id, limit),
            ).fetchall()
        return [_delivery_json(row) for row in found]


def _delivery_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "hook_id": row["hook_id"],
        "scope": row["scope"],
        "destination": row["destination"],
        "webhook_id": row["webhook_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "response_status": row["response_status"],
        "error": row["error"],
        "created_at": row["created_at"],
        "finished_at": row["finished_at"],
        "payload": json.loads(row["body"]),
    }


class WebhookSender:
    def __init__(
        self,
        hooks: Hooks,
        log: DeliveryLog,
        client_secret: str,
        client: httpx.AsyncClient,
        *,
        retry_delay: float = DEFAULT_RETRY_DELAY,
    ) -> None:
        self.hooks = hooks
        self.log = log
        self.client_secret = client_secret
        self.client = client
        self.retry_delay = retry_delay
        self._tasks: set[asyncio.Task[None]] = set()

    def prepare(
        self, shop: Shop, client_id: str, events: Sequence[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[Outgoing]:
        """One delivery per event and matching active hook of the app, logged (blocking: SQLite)."""
        hooks = self.hooks.list(shop.id, client_id, is_active=True)
        outgoing: list[Outgoing] = []
        for scope, data in events:
            body = json.dumps(event_body(shop, scope, data, now), separators=(",", ":")).encode()
            for hook in hooks:
                if not hook.matches(scope):
                    continue
                webhook_id = f"msg_{uuid.uuid4().hex}"
                delivery_id = self.log.add(
                    shop.id, hook.id, scope, hook.destination, webhook_id, body.decode()
                )
                headers = {**hook.headers, "Content-Type": "application/json"}
                outgoing.append(
                    Outgoing(delivery_id, hook.id, scope, hook.destination, webhook_id, body, headers)
                )
        return outgoing

    async def deliver(self, outgoing: Sequence[Outgoing]) -> None:
        """Send each delivery once, in order; then wait for the retries of those that failed."""
        retries = [
            asyncio.create_task(self._retry(item))
            for item in outgoing
            if not await self._attempt(item, final=False)
        ]
        await asyncio.gather(*retries)

    def deliver_in_background(self, outgoing: Sequence[Outgoing]) -> None:
        if not outgoing:
            return
        task = asyncio.create_task(self.deliver(outgoing))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _retry(self, item: Outgoing) -> None:
        scale = self.retry_delay / RETRY_SCHEDULE_S[0]
        for n, wait_s in enumerate(RETRY_SCHEDULE_S, start=1):
            await asyncio.sleep(wait_s * scale)
            if await self._attempt(item, final=n == len(RETRY_SCHEDULE_S)):
                return
        now = int(datetime.now(UTC).timestamp())
        await asyncio.to_thread(self.hooks.deactivate, item.hook_id, now)
        logger.info("bigcommerce hook %s deactivated after failed deliveries", item.hook_id)

    async def _attempt(self, item: Outgoing, *, final: bool) -> bool:
        timestamp = int(datetime.now(UTC).timestamp())
        headers = {
            **item.headers,
            "webhook-id": item.webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_signature(
                self.client_secret, item.webhook_id, timestamp, item.body
            ),
        }
        response_status: int | None = None
        error: str | None = None
        try:
            response = await self.client.post(
                item.destination, content=item.body, headers=headers, timeout=TIMEOUT
            )
            response_status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        delivered = response_status is not None and 200 <= response_status < 300
        status = "delivered" if delivered else ("failed" if final else "pending")
        if not delivered:
            error = error or f"HTTP {response_status}"
        await asyncio.to_thread(self.log.record, item.delivery_id, status, response_status, error)
        logger.info("bigcommerce webhook %s %s: %s", item.scope, item.webhook_id, status)
        return delivered
