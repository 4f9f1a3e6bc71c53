"""Bulk operations: Shopify exports a whole resource to a JSONL file, for large backfills.

    operation = await start_orders_export(client)
    operation = await wait_for_bulk_operation(client, operation.id)  # or poll from a deferred job
    async with aclosing(stream_bulk_jsonl(http, operation.url)) as records: ...

Orders and customers are two operations: one query may hold at most five connections, and the
orders query needs three of them. Status is read with ``node(id:)`` rather than
``currentBulkOperation``, which only knows the app's most recent operation; from 2026-01 several
may run at once per shop (fact sheet 5.3), so asking by id is the one reading that stays right.
A ``bulk_operations/finish`` webhook can replace polling; its payload is handled by the app.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.errors import Permanent, Transient
from connectors.shopify.errors import BulkOperationFailed
from connectors.shopify.graphql import ShopifyGraphQL
from connectors.shopify.queries import (
    BULK_OPERATION,
    BULK_RUN_QUERY,
    customers_bulk_query,
    orders_bulk_query,
)
from connectors.values import moment, text_or_none

logger = logging.getLogger(__name__)

COMPLETED = "COMPLETED"
FAILED_STATUSES = frozenset({"FAILED", "CANCELED", "EXPIRED"})
# CREATED, RUNNING and CANCELING are still moving.


@dataclass(frozen=True, slots=True)
class BulkOperation:
    """A bulk operation as Shopify reports it. ``id`` stays a GID: it is only sent back to Shopify.

    ``url`` is None for a completed export that found nothing; ``url`` and ``partial_data_url``
    expire seven days after the operation ends."""

    id: str
    status: str
    error_code: str | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int | None = None
    url: str | None = None
    partial_data_url: str | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status == COMPLETED or self.status in FAILED_STATUSES


async def start_bulk_query(client: ShopifyGraphQL, query: str) -> BulkOperation:
    """Start a bulk export of ``query`` with grouped output (children right after their parent),
    which ``stream_bulk_jsonl`` needs to reassemble in constant memory. Grouping makes the export
    slower and more likely to time out (changelog 2025-10-29: the default became false in 2026-01).

    Not retried after an ambiguous failure: a second start could launch a second export."""
    payload = await client.mutate(BULK_RUN_QUERY, {"query": query}, payload="bulkOperationRunQuery")
    operation = payload.get("bulkOperation")
    if not isinstance(operation, Mapping):
        raise Permanent("bulkOperationRunQuery returned no operation", status=200)
    started = parse_bulk_operation(operation)
    logger.info("bulk operation started", extra={"shop": client.shop, "operation": started.id})
    return started


async def start_orders_export(
    client: ShopifyGraphQL, updated_since: datetime | None = None, *, include_products: bool = False
) -> BulkOperation:
    return await start_bulk_query(client, orders_bulk_query(updated_since, include_products=include_products))


async def start_customers_export(
    client: ShopifyGraphQL, updated_since: datetime | None = None
) -> BulkOperation:
    return await start_bulk_query(client, customers_bulk_query(updated_since))


async def get_bulk_operation(client: ShopifyGraphQL, operation_id: str) -> BulkOperation:
    data = await client.query(BULK_OPERATION, {"id": operation_id})
    node = data.get("node")
    if not isinstance(node, Mapping) or not node.get("id"):
        raise Permanent(f"no bulk operation {operation_id}", status=200)
    return parse_bulk_operation(node)


def require_completed(operation: BulkOperation) -> BulkOperation:
    """The operation if it completed; ``BulkOperationFailed`` (with any partial data URL) if it
    ended otherwise. Call it on a finished operation."""
    if operation.status in FAILED_STATUSES:
        raise BulkOperationFailed(
            operation.id,
            operation.status,
            error_code=operation.error_code,
            partial_data_url=operation.partial_data_url,
        )
    return operation


async def wait_for_bulk_operation(
    client: ShopifyGraphQL,
    operation_id: str,
    *,
    poll_interval: float = 5.0,
    max_interval: float = 60.0,
    max_wait: float | None = None,
) -> BulkOperation:
    """Poll until the operation finishes (intervals doubling up to ``max_interval``); returns it
    completed, raises ``BulkOperationFailed``, or ``Transient`` once ``max_wait`` seconds of
    waiting have passed (the job can come back later: the operation keeps running)."""
    waited = 0.0
    interval = poll_interval
    while True:
        operation = await get_bulk_operation(client, operation_id)
        if operation.finished:
            return require_completed(operation)
        if max_wait is not None and waited + interval > max_wait:
            raise Transient(f"bulk operation {operation_id} is still {operation.status}")
        await client.sleep(interval)
        waited += interval
        interval = min(max_interval, interval * 2)


def parse_bulk_operation(node: Mapping[str, Any]) -> BulkOperation:
    return BulkOperation(
        id=str(node.get("id") or ""),
        status=str(node.get("status") or ""),
        error_code=text_or_none(node.get("errorCode")),
        # UnsignedInt64 values arrive as JSON strings.
        object_count=_int(node.get("objectCount")) or 0,
        root_object_count=_int(node.get("rootObjectCount")) or 0,
        file_size=_int(node.get("fileSize")),
        url=text_or_none(node.get("url")),
        partial_data_url=text_or_none(node.get("partialDataUrl")),
        created_at=moment(node.get("createdAt")),
        completed_at=moment(node.get("completedAt")),
    )


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
