"""Writing a customer's timeline: one row per (kind, subject), upserted, so writers can repeat.

    await record_entry(shop_id, customer_id, "refund.created", "refund", str(refund.id),
                       summary="Refund of 10.00 EUR on order #1001", occurred_at=when, order_id=order.id)

Every writer (sync, refunds, returns, surveys, replies) goes through here. The unique key
(shop, kind, subject_type, subject_id) makes a repeated write update the one entry — its summary,
time, data and customer follow the latest write — instead of adding a second line, which is what
lets at-least-once jobs and webhooks write timeline entries at all (DESIGN invariant 2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from app.models import TimelineEntry

SUMMARY_LIMIT = 512  # TimelineEntry.summary's column size
NATURAL_KEY = ("shop_id", "kind", "subject_type", "subject_id")
UPDATED_ON_REPEAT = ("customer_id", "order_id", "summary", "data", "occurred_at")


def entry_row(
    shop_id: int,
    customer_id: int,
    kind: str,
    subject_type: str,
    subject_id: str,
    *,
    summary: str,
    occurred_at: datetime,
    order_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An entry's column values, for ``record_entries``."""
    return {
        "shop_id": shop_id,
        "customer_id": customer_id,
        "order_id": order_id,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "summary": summary[:SUMMARY_LIMIT],
        "data": data or {},
        "occurred_at": occurred_at,
    }


async def record_entry(
    shop_id: int,
    customer_id: int,
    kind: str,
    subject_type: str,
    subject_id: str,
    *,
    summary: str,
    occurred_at: datetime,
    order_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Insert the entry, or update the one already there for (kind, subject)."""
    await record_entries(
        [
            entry_row(
                shop_id,
                customer_id,
                kind,
                subject_type,
                subject_id,
                summary=summary,
                occurred_at=occurred_at,
                order_id=order_id,
                data=data,
            )
        ]
    )


async def record_entries(rows: Sequence[Mapping[str, Any]]) -> None:
    """``record_entry`` for many (``entry_row`` values), in one INSERT ... ON CONFLICT DO UPDATE."""
    if not rows:
        return
    # Two entries for one key in one statement would make PostgreSQL refuse the whole insert
    # ("cannot affect row a second time"): the last one for each key wins, as it would one by one.
    unique = {tuple(row[key] for key in NATURAL_KEY): row for row in rows}
    await TimelineEntry.bulk_create(
        [TimelineEntry(**row) for row in unique.values()],
        on_conflict=NATURAL_KEY,
        update_fields=UPDATED_ON_REPEAT,
    )
