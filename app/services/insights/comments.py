"""The comments list: answers with a comment, newest first, keyset-paginated, each linked to the
customer's timeline (the drill-down helpdesks are asked for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.services.input import InvalidInput
from app.services.insights.filters import SurveyFilter
from app.services.insights.stats import answers_in
from app.services.keyset import Cursor, Page, before

PAGE_SIZE = 25
FIELDS = (
    "id",
    "score",
    "comment",
    "answered_at",
    "survey_id",
    "survey__resolution_type",
    "survey__customer_id",
    "survey__customer__first_name",
    "survey__customer__last_name",
    "survey__email",
    "survey__order_id",
    "survey__order__number",
)


@dataclass(frozen=True)
class Comment:
    id: int
    score: int
    text: str
    answered_at: datetime
    resolution_type: str
    customer_id: int | None
    customer_name: str
    email: str
    order_id: int | None
    order_number: str


def cursor_time(cursor: Cursor | None) -> datetime | None:
    if cursor is None:
        return None
    try:
        return datetime.fromisoformat(cursor.key)
    except ValueError:
        raise InvalidInput("The page link is not valid; start from the first page.") from None


async def comments_page(f: SurveyFilter, cursor: Cursor | None, limit: int = PAGE_SIZE) -> Page[Comment]:
    query = (
        answers_in(f)
        .exclude(comment="")
        .filter(before("answered_at", cursor, cursor_time(cursor)))
        .order_by("-answered_at", "-id")
    )
    rows: list[dict[str, Any]] = await query.limit(limit + 1).values(*FIELDS)
    more = len(rows) > limit
    items = [_comment(row) for row in rows[:limit]]
    last = items[-1] if more else None
    return Page(items, Cursor(last.answered_at.isoformat(), last.id) if last else None)


def _comment(row: dict[str, Any]) -> Comment:
    name = f"{row['survey__customer__first_name'] or ''} {row['survey__customer__last_name'] or ''}".strip()
    return Comment(
        id=row["id"],
        score=row["score"],
        text=row["comment"],
        answered_at=row["answered_at"],
        resolution_type=row["survey__resolution_type"] or "none",
        customer_id=row["survey__customer_id"],
        customer_name=name,
        email=row["survey__email"] or "",
        order_id=row["survey__order_id"],
        order_number=row["survey__order__number"] or "",
    )
