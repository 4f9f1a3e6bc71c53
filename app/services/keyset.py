"""Keyset pagination for every admin list: the cursor carries the last row's (key, id), so page
1000 costs what page 1 costs (OFFSET would re-read every row before it)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.services.input import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page ends: the sort key and id of its last row, opaque in URLs."""

    key: str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.key, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for no cursor; ``InvalidInput`` for anything that is not one of ours."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            key, row_id = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise InvalidInput("The page link is not valid; start from the first page.") from exc
        if not isinstance(key, str) or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise InvalidInput("The page link is not valid; start from the first page.")
        return cls(key, row_id)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: Cursor | None  # None on the last page


def after(field: str, cursor: Cursor | None, value: Any = None) -> Q:
    """Rows after ``cursor`` in ascending (field, id) order."""
    if cursor is None:
        return Q()
    key = cursor.key if value is None else value
    past: dict[str, Any] = {f"{field}__gt": key}
    tie: dict[str, Any] = {field: key, "id__gt": cursor.id}
    return Q(**past) | Q(**tie)


def before(field: str, cursor: Cursor | None, value: Any = None) -> Q:
    """Rows before ``cursor`` in descending (field, id) order."""
    if cursor is None:
        return Q()
    key = cursor.key if value is None else value
    past: dict[str, Any] = {f"{field}__lt": key}
    tie: dict[str, Any] = {field: key, "id__lt": cursor.id}
    return Q(**past) | Q(**tie)


async def take(query: QuerySet[Any], limit: int, key_of: Any) -> Page[Any]:
    """One page: ask for one row more than shown to know whether there is a next page."""
    rows = await query.limit(limit + 1)
    if len(rows) <= limit:
        return Page(list(rows), None)
    rows = rows[:limit]
    return Page(list(rows), Cursor(str(key_of(rows[-1])), rows[-1].id))
