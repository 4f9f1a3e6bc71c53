"""Row-level helpers every upsert shares: locking a row by its natural key, creating it once under
concurrency, trimming values to their columns, and how an upsert ended."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

ModelT = TypeVar("ModelT", bound=Model)


class Applied(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STALE = "stale"  # an older version than the stored one: nothing written
    DELETED = "deleted"  # the row is a tombstone this version cannot revive: nothing written
    MISSING = "missing"  # the parent row is unknown: the caller reads it from the platform


async def locked(model: type[ModelT], shop_id: int, platform_id: str) -> ModelT | None:
    """The row for (shop, platform_id), locked until the transaction ends (PostgreSQL; SQLite
    runs one write transaction at a time anyway). Call inside ``in_transaction()``."""
    return await model.select_for_update().get_or_none(shop_id=shop_id, platform_id=platform_id)


async def create_once(model: type[ModelT], fields: dict[str, Any]) -> tuple[ModelT, bool]:
    """Create the row, or lock the one a concurrent writer created first: ``(row, created)``.

    The insert runs in a savepoint, so that losing the race on the unique (shop, platform_id)
    key leaves the caller's transaction usable (PostgreSQL aborts a transaction on an error)."""
    try:
        async with in_transaction():
            return await model.create(**fields), True
    except IntegrityError:
        row = await locked(model, fields["shop_id"], fields["platform_id"])
        if row is None:  # the conflict was on another key: not ours to hide
            raise
        return row, False


def cut(value: str | None, length: int) -> str | None:
    """Trim text to its column: PostgreSQL refuses an over-long value, and one odd title must
    not stop a whole batch."""
    return value[:length] if value is not None else None


def changed(row: Model, fields: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``fields`` that differs from ``row``."""
    return {name: value for name, value in fields.items() if getattr(row, name) != value}
