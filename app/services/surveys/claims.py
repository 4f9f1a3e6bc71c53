"""Claims for the batch sender, one statement each: ``UPDATE ... WHERE <still free> RETURNING id``.

A conditional UPDATE is a claim: of all the jobs that try to move a row (a survey out of
SCHEDULED, a customer's throttle slot), exactly one changes it. RETURNING tells this job which rows
it won, in the same statement, so a batch of a hundred surveys makes one round trip to the
database instead of a hundred. Tortoise's ``update()`` only counts rows, so the UPDATE it builds
is extended with RETURNING (SQLite has it since 3.35, PostgreSQL always).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.models import Customer, Survey, SurveyStatus


async def updated_ids(rows: QuerySet[Any], **values: Any) -> set[int]:
    """``rows.update(**values)``; the ids of the rows this statement changed."""
    update = rows.update(**values)
    update.sql()  # builds ``update.query`` as awaiting it would
    query: Any = update.query  # the dialect's builder: SQLite's and PostgreSQL's have returning()
    sql, params = query.returning(rows.model._meta.basetable.field("id")).get_parameterized_sql()
    changed = await rows.model._meta.db.execute_query_dict(sql, params)
    return {int(row["id"]) for row in changed}


async def claim_surveys(survey_ids: Iterable[int], now: datetime) -> set[int]:
    """SCHEDULED and due → SENDING; the ids claimed here (the others are another job's, or done)."""
    ids = list(survey_ids)
    if not ids:
        return set()
    due = Survey.filter(id__in=ids, status=SurveyStatus.SCHEDULED, due_at__lte=now)
    return await updated_ids(due, status=SurveyStatus.SENDING, updated_at=now)


async def take_throttle_slots(customer_ids: Iterable[int], window_start: datetime, now: datetime) -> set[int]:
    """The customers not surveyed since ``window_start`` are marked surveyed ``now``; their ids.
    Two jobs sending to one customer at once cannot both get the slot."""
    ids = list(customer_ids)
    if not ids:
        return set()
    free = Customer.filter(
        Q(last_surveyed_at__isnull=True) | Q(last_surveyed_at__lte=window_start), id__in=ids
    )
    return await updated_ids(free, last_surveyed_at=now)
