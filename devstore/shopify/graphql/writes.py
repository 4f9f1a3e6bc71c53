"""What every mutation of the emulated Admin API shares: one writer at a time, new ids, new stamps.

The devstore answers GraphQL in a thread pool, so two ``refundCreate`` calls for one order can run
at once, as they can on Shopify. Shopify validates and applies each atomically; here the check
(quantities, refundable amounts, statuses) and the write run under ``WRITES``, so the second call
sees the first one's refund. One lock for the process is enough: the devstore is one process.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from devstore import rows

WRITES = threading.Lock()


def next_id(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def now_stamp(after: datetime) -> str:
    """Now, and at least one second past ``after``: API times have whole seconds, and a sync's
    high-water mark must see the change."""
    now = datetime.now(UTC).replace(microsecond=0)
    return rows.ts(max(now, after + timedelta(seconds=1)))


def numeric_id(value: object, kind: str) -> int | None:
    """The numeric id of a GID of ``kind`` (or of a bare number), else None."""
    text = str(value or "")
    prefix = f"gid://shopify/{kind}/"
    tail = text[len(prefix) :] if text.startswith(prefix) else text
    return int(tail) if tail.isdigit() else None


def enum_text(value: object) -> str:
    """An enum argument as text: a variable sends a string, a literal parses to an ``Enum``."""
    name = getattr(value, "name", value)
    return name if isinstance(name, str) else ""
