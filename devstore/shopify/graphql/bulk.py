"""``bulkOperationRunQuery``: the export runs in a thread and writes a JSONL file, as Shopify's does.

The file is what the app's ``bulk_jsonl.py`` reads: one object per line, the nodes of nested
connections as lines of their own carrying ``__parentId``, each right after its parent (grouped
output), roots in id order. Lists (``fulfillments``, ``refunds``) stay inline. The operation goes
CREATED -> RUNNING -> COMPLETED (or FAILED); ``bulk_operations/finish`` is sent when it ends.

For tests, ``BulkOptions`` per shop (a control endpoint sets them): ``delay_s`` keeps the next
exports RUNNING a while; ``fail_after`` makes the next one fail after that many root objects,
with ``errorCode: INTERNAL_SERVER_ERROR`` and what it wrote as ``partialDataUrl``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstore import rows
from devstore.models import Shop
from devstore.shopify.graphql.listing import Listing
from devstore.shopify.graphql.objects import time_text
from devstore.shopify.graphql.parser import GraphQLError, parse
from devstore.shopify.graphql.render import Renderer, node_selection, requested_cost
from devstore.store import DevStore

logger = logging.getLogger(__name__)

EXPORTABLE = {"orders": "Order", "customers": "Customer"}
FINISH_TOPIC = "bulk_operations/finish"


@dataclass
class BulkOptions:
    delay_s: float = 0.0
    fail_after: int | None = None  # root objects written before the next export fails (once)


@dataclass(frozen=True, slots=True)
class BulkRow:
    id: int
    shop_id: int
    status: str
    error_code: str | None
    object_count: int
    root_object_count: int
    file_size: int | None
    file_key: str
    partial: bool
    created_at: str
    completed_at: str | None
    query: str

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.id}"


def _row(row: Any) -> BulkRow:
    return BulkRow(
        id=row["id"],
        shop_id=row["shop_id"],
        status=row["status"],
        error_code=row["error_code"],
        object_count=row["object_count"],
        root_object_count=row["root_object_count"],
        file_size=row["file_size"],
        file_key=row["file_key"],
        partial=bool(row["partial"]),
        created_at=row["created_at"],
        completed_at=row["completed_at"],
        query=row["query"],
    )


def bulk_source(op: BulkRow, base_url: str, shop: str) -> dict[str, Any]:
    """The operation as a field source; links point at the devstore's download route."""
    link = f"{base_url.rstrip('/')}/shopify/{shop}/bulk-operations/{op.file_key}.jsonl"
    has_file = op.file_size is not None and op.root_object_count > 0
    return {
        "__type": "BulkOperation",
        "id": op.gid,
        "status": op.status,
        "errorCode": op.error_code,
        "objectCount": str(op.object_count),
        "rootObjectCount": str(op.root_object_count),
        "fileSize": None if op.file_size is None else str(op.file_size),
        "url": link if op.status == "COMPLETED" and has_file else None,
        "partialDataUrl": link if op.partial and has_file else None,
        "createdAt": time_text(datetime.fromisoformat(op.created_at)),
        "completedAt": time_text(datetime.fromisoformat(op.completed_at)) if op.completed_at else None,
        "query": op.query,
        "type": "QUERY",
    }


def check_export_query(text: str) -> tuple[str, str, Any]:
    """The root connection, its node type and its search filter; ``GraphQLError`` if unusable."""
    operation = parse(text)
    if operation.kind != "query" or len(operation.fields) != 1:
        raise GraphQLError("Bulk queries must contain exactly one root connection")
    root = operation.fields[0]
    if root.name not in EXPORTABLE:
        raise GraphQLError(f"The devstore exports orders or customers, not {root.name}")
    requested_cost(EXPORTABLE[root.name], node_selection(root), bulk=True)  # every field exists
    return root.name, EXPORTABLE[root.name], root.args.get("query")


Notify = Callable[[Shop, dict[str, Any]], None]


class BulkRunner:
    """Starts exports and runs them on threads; ``running()`` stops what is under way on exit."""

    def __init__(self, store: DevStore, notify: Notify | None = None) -> None:
        self.store = store
        self.folder = store.path.parent / "bulk"
        self.options: dict[str, BulkOptions] = {}
        self.notify = notify
        self._stop = threading.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._stop.clear()
        try:
            yield
        finally:
            self._stop.set()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._loop = None

    def start(self, shop: Shop, text: str) -> BulkRow:
        """Record a CREATED operation and schedule its export (blocking; call from a thread)."""
        check_export_query(text)
        if self._loop is None:
            raise RuntimeError("the devstore is not running")
        now = rows.ts(datetime.now(UTC))
        with self.store.connect() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO shopify_bulk_operations (shop_id, query, status, file_key, created_at)"
                " VALUES (?, ?, 'CREATED', ?, ?)",
                (shop.id, text, secrets.token_urlsafe(16), now),
            )
            op_id = cursor.lastrowid
        assert op_id is not None
        options = self.options.get(shop.domain, BulkOptions())
        if options.fail_after is not None:
            self.options[shop.domain] = BulkOptions(delay_s=options.delay_s)  # fails once
        self._loop.call_soon_threadsafe(self._spawn, shop, op_id, options)
        found = self.get(shop, op_id)
        assert found is not None
        return found

    def _spawn(self, shop: Shop, op_id: int, options: BulkOptions) -> None:
        task = asyncio.create_task(self._run(shop, op_id, options))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, shop: Shop, op_id: int, options: BulkOptions) -> None:
        if options.delay_s > 0:
            self._set(op_id, status="RUNNING")
            await asyncio.sleep(options.delay_s)
        try:
            await asyncio.to_thread(self._export, shop, op_id, options.fail_after)
        except Exception:
            logger.exception("bulk export %s failed", op_id)
            self._set(op_id, status="FAILED", error_code="INTERNAL_SERVER_ERROR", completed_at=_now())
        op = await asyncio.to_thread(self.get, shop, op_id)
        if op is not None and self.notify is not None and op.status in {"COMPLETED", "FAILED"}:
            self.notify(
                shop,
                {
                    "admin_graphql_api_id": op.gid,
                    "completed_at": op.completed_at,
                    "created_at": op.created_at,
                    "error_code": op.error_code.lower() if op.error_code else None,
                    "status": op.status.lower(),
                    "type": "query",
                },
            )

    def path_of(self, op: BulkRow) -> Path:
        return self.folder / f"{op.file_key}.jsonl"

    def _export(self, shop: Shop, op_id: int, fail_after: int | None) -> None:
        op = self.get(shop, op_id)
        assert op is not None
        table, type_name, search = check_export_query(op.query)
        root = parse(op.query).fields[0]
        self._set(op_id, status="RUNNING")
        self.folder.mkdir(parents=True, exist_ok=True)
        renderer = Renderer(bulk=True)
        objects = roots = 0
        path = self.path_of(op)
        with path.open("w", encoding="utf-8") as out:
            for source in Listing(self.store, shop).iter_all(table, search):
                if self._stop.is_set():
                    return
                if fail_after is not None and roots >= fail_after:
                    break
                lines = [renderer.render(type_name, source, node_selection(root)), *renderer.take_pending()]
                out.writelines(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
                roots += 1
                objects += len(lines)
        failed = fail_after is not None
        self._set(
            op_id,
            status="FAILED" if failed else "COMPLETED",
            error_code="INTERNAL_SERVER_ERROR" if failed else None,
            partial=int(failed),
            object_count=objects,
            root_object_count=roots,
            file_size=path.stat().st_size,
            completed_at=_now(),
        )

    def _set(self, op_id: int, **values: Any) -> None:
        names = ", ".join(f"{name} = ?" for name in values)
        with self.store.connect() as conn, conn:
            conn.execute(
                f"UPDATE shopify_bulk_operations SET {names} WHERE id = ?", [*values.values(), op_id]
            )

    def get(self, shop: Shop, op_id: int) -> BulkRow | None:
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT * FROM shopify_bulk_operations WHERE shop_id = ? AND id = ?", (shop.id, op_id)
            ).fetchone()
        return None if row is None else _row(row)

    def latest(self, shop: Shop) -> BulkRow | None:
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT * FROM shopify_bulk_operations WHERE shop_id = ? ORDER BY id DESC LIMIT 1", (shop.id,)
            ).fetchone()
        return None if row is None else _row(row)

    def by_key(self, shop: Shop, key: str) -> BulkRow | None:
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT * FROM shopify_bulk_operations WHERE shop_id = ? AND file_key = ?", (shop.id, key)
            ).fetchone()
        return None if row is None else _row(row)


def _now() -> str:
    return rows.ts(datetime.now(UTC))
