"""Webhook subscriptions (``/v3/hooks``) as BigCommerce keeps them: per store and per app client.

A client sees only its own hooks; one hook per store, client, scope and destination (fact sheet
§3.1). Hooks are deleted when the app is uninstalled, and set inactive after deliveries kept
failing (or by the control endpoint, for reconcile tests).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from devstore.store import DevStore

ORDER_SCOPES = (
    "created",
    "updated",
    "archived",
    "statusUpdated",
    "message/created",
    "refund/created",
    "transaction/created",
    "transaction/updated",
)
CUSTOMER_SCOPES = (
    "created",
    "updated",
    "deleted",
    "address/created",
    "address/updated",
    "address/deleted",
)
KNOWN_SCOPES = frozenset(
    [f"store/order/{s}" for s in (*ORDER_SCOPES, "*")]
    + [f"store/customer/{s}" for s in (*CUSTOMER_SCOPES, "*")]
    + ["store/app/uninstalled", "store/information/updated", "store/cart/*", "store/product/*"]
)
MAX_HEADERS = 64


@dataclass(frozen=True, slots=True)
class Hook:
    id: int
    client_id: str
    store_hash: str
    scope: str
    destination: str
    is_active: bool
    headers: dict[str, str]
    created_at: int
    updated_at: int

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "store_hash": self.store_hash,
            "scope": self.scope,
            "destination": self.destination,
            "is_active": self.is_active,
            "headers": self.headers,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def matches(self, scope: str) -> bool:
        return self.scope == scope or (self.scope.endswith("/*") and scope.startswith(self.scope[:-1]))


class HookConflict(ValueError):
    """A hook for this scope and destination exists already."""


def _hook_of(row: sqlite3.Row) -> Hook:
    return Hook(
        id=row["id"],
        client_id=row["client_id"],
        store_hash=row["domain"],
        scope=row["scope"],
        destination=row["destination"],
        is_active=bool(row["is_active"]),
        headers=json.loads(row["headers"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def check_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The hook fields of a POST/PUT body, checked; ValueError says what is wrong."""
    allowed = {"scope", "destination", "is_active", "headers", "events_history_enabled", "channel_id"}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    fields: dict[str, Any] = {}
    if creating or "scope" in data:
        scope = data.get("scope")
        if scope not in KNOWN_SCOPES:
            raise ValueError(f"scope is not a webhook scope: {scope!r}")
        fields["scope"] = scope
    if creating or "destination" in data:
        destination = data.get("destination")
        parts = urlsplit(destination) if isinstance(destination, str) else None
        # BigCommerce wants https on port 443; the devstore also takes http, for the app in dev.
        if parts is None or parts.scheme not in {"https", "http"} or not parts.netloc:
            raise ValueError("destination must be an absolute https URL")
        fields["destination"] = destination
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            raise ValueError("is_active must be a boolean")
        fields["is_active"] = data["is_active"]
    elif creating:
        fields["is_active"] = True
    if "headers" in data:
        headers = data["headers"]
        if headers is None:
            headers = {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 64 and len(v) <= 8192
            for k, v in headers.items()
        ):
            raise ValueError("headers must be an object of string header names and values")
        if len(headers) > MAX_HEADERS:
            raise ValueError(f"at most {MAX_HEADERS} headers")
        fields["headers"] = headers
    elif creating:
        fields["headers"] = {}
    return fields


_SELECT = "SELECT h.*, s.domain FROM bigcommerce_hooks h JOIN shops s ON s.id = h.shop_id"


class Hooks:
    def __init__(self, store: DevStore) -> None:
        self.store = store

    def list(
        self,
        shop_id: int,
        client_id: str | None,
        *,
        is_active: bool | None = None,
        scope: str | None = None,
        destination: str | None = None,
    ) -> list[Hook]:
        sql = f"{_SELECT} WHERE h.shop_id = ?"
        params: list[Any] = [shop_id]
        for column, value in (("client_id", client_id), ("scope", scope), ("destination", destination)):
            if value is not None:
                sql += f" AND h.{column} = ?"
                params.append(value)
        if is_active is not None:
            sql += " AND h.is_active = ?"
            params.append(int(is_active))
        with self.store.connect() as conn:
            return [_hook_of(row) for row in conn.execute(sql + " ORDER BY h.id", params).fetchall()]

    def get(self, shop_id: int, client_id: str | None, hook_id: int) -> Hook | None:
        return next((h for h in self.list(shop_id, client_id) if h.id == hook_id), None)

    def create(self, shop_id: int, client_id: str, fields: dict[str, Any], now: int) -> Hook:
        try:
            with self.store.connect() as conn, conn:
                cursor = conn.execute(
                    "INSERT INTO bigcommerce_hooks (shop_id, client_id, scope, destination, is_active, headers,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        shop_id,
                        client_id,
                        fields["scope"],
                        fields["destination"],
                        int(fields["is_active"]),
                        json.dumps(fields["headers"]),
                        now,
                        now,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise HookConflict("a hook for this scope and destination exists already") from exc
        assert cursor.lastrowid is not None
        hook = self.get(shop_id, client_id, cursor.lastrowid)
        assert hook is not None
        return hook

    def update(
        self, shop_id: int, client_id: str | None, hook_id: int, fields: dict[str, Any], now: int
    ) -> Hook | None:
        columns = {**fields, "updated_at": now}
        if "headers" in columns:
            columns["headers"] = json.dumps(columns["headers"])
        if "is_active" in columns:
            columns["is_active"] = int(columns["is_active"])
        assignments = ", ".join(f"{name} = ?" for name in columns)
        sql = f"UPDATE bigcommerce_hooks SET {assignments} WHERE shop_id = ? AND id = ?"
        params: list[Any] = [*columns.values(), shop_id, hook_id]
        if client_id is not None:
            sql += " AND client_id = ?"
            params.append(client_id)
        try:
            with self.store.connect() as conn, conn:
                conn.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            raise HookConflict("a hook for this scope and destination exists already") from exc
        return self.get(shop_id, client_id, hook_id)

    def delete(self, shop_id: int, client_id: str | None, hook_id: int) -> Hook | None:
        hook = self.get(shop_id, client_id, hook_id)
        if hook is not None:
            with self.store.connect() as conn, conn:
                conn.execute("DELETE FROM bigcommerce_hooks WHERE id = ?", (hook_id,))
        return hook

    def delete_all(self, shop_id: int, client_id: str) -> int:
        with self.store.connect() as conn, conn:
            return conn.execute(
                "DELETE FROM bigcommerce_hooks WHERE shop_id = ? AND client_id = ?", (shop_id, client_id)
            ).rowcount

    def deactivate(self, hook_id: int, now: int) -> bool:
        with self.store.connect() as conn, conn:
            return (
                conn.execute(
                    "UPDATE bigcommerce_hooks SET is_active = 0, updated_at = ? WHERE id = ?", (now, hook_id)
                ).rowcount
                > 0
            )
