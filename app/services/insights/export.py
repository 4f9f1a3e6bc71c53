"""The CSV export: every answer in the filter, streamed in keyset batches (memory stays flat
however many rows), quoted by ``csv`` and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

from app.services.insights.comments import cursor_time
from app.services.insights.filters import SurveyFilter
from app.services.insights.stats import answers_in
from app.services.keyset import Cursor, after

BATCH = 1000
HEADER = (
    "answered_at",
    "survey_id",
    "kind",
    "score",
    "comment",
    "follow_up_reason",
    "resolution_type",
    "customer_id",
    "customer_email",
    "order_number",
)
FIELDS = (
    "id",
    "answered_at",
    "survey_id",
    "score",
    "comment",
    "follow_up_reason",
    "survey__resolution_type",
    "survey__customer_id",
    "survey__email",
    "survey__order__number",
)
# A cell starting with one of these is run as a formula by Excel, Sheets and LibreOffice
# (OWASP "CSV injection"); a leading quote makes it text. Tab and CR are on OWASP's list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_line(cells: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(c) for c in cells])
    return buffer.getvalue()


def filename(f: SurveyFilter) -> str:
    return f"surveys-{f.kind.value}-{f.first_day.isoformat()}-{f.last_day.isoformat()}.csv"


async def csv_lines(f: SurveyFilter, batch: int = BATCH) -> AsyncIterator[str]:
    """The header, then one line per answer, oldest first; one query per ``batch`` rows."""
    yield csv_line(HEADER)
    cursor: Cursor | None = None
    while True:
        rows: list[dict[str, Any]] = (
            await answers_in(f)
            .filter(after("answered_at", cursor, cursor_time(cursor)))
            .order_by("answered_at", "id")
            .limit(batch)
            .values(*FIELDS)
        )
        for row in rows:
            yield csv_line(
                [
                    row["answered_at"].isoformat(),
                    row["survey_id"],
                    f.kind.value,
                    row["score"],
                    row["comment"],
                    row["follow_up_reason"] or "",
                    row["survey__resolution_type"],
                    row["survey__customer_id"] or "",
                    row["survey__email"] or "",
                    row["survey__order__number"] or "",
                ]
            )
        if len(rows) < batch:
            return
        last = rows[-1]
        cursor = Cursor(last["answered_at"].isoformat(), last["id"])
