"""Multi-row inserts from plain dicts, for the backfill's hot path.

``Model.bulk_create`` builds a model instance per row (its constructor and attribute hooks cost
several times the insert itself); a backfill writes millions of rows, so this goes straight from
dicts to one ``executemany`` with the statement Tortoise would build (the current dialect's
placeholders, ``ON CONFLICT DO NOTHING`` when asked). Values go to the driver as they are — the
callers trim text to its columns — except JSON, which its field encodes as Tortoise would.
Columns a row leaves out get the field's default; ``created_at``/``updated_at`` get now. It runs
on the connection of the current transaction, like any query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.fields import JSONField
from tortoise.models import Model

from app.clock import utcnow

_STATEMENTS: dict[tuple[str, str, bool], tuple[list[str], str]] = {}
AUTO_TIMESTAMPS = ("created_at", "updated_at")


async def insert_rows(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, ignore_conflicts: bool = True
) -> None:
    if not rows:
        return
    db = model._meta.db
    columns, sql = _statement(model, db, ignore_conflicts)
    fields = model._meta.fields_map
    now = utcnow()
    fills = [_fill(model, name, now) for name in columns]
    encoded = [
        (index, fields[name]) for index, name in enumerate(columns) if isinstance(fields[name], JSONField)
    ]
    values = []
    for row in rows:
        line = [
            row[name] if name in row else (fill() if callable(fill) else fill)
            for name, fill in zip(columns, fills, strict=True)
        ]
        for index, field in encoded:
            line[index] = field.to_db_value(line[index], model)
        values.append(line)
    await db.execute_many(sql, values)


def _fill(model: type[Model], name: str, now: Any) -> Any:
    """What a row that leaves ``name`` out gets: now for the timestamps, else the field default."""
    if name in AUTO_TIMESTAMPS:
        return now
    return model._meta.fields_map[name].default


def _statement(model: type[Model], db: Any, ignore_conflicts: bool) -> tuple[list[str], str]:
    key = (db.connection_name, model._meta.db_table, ignore_conflicts)
    cached = _STATEMENTS.get(key)
    if cached is None:
        executor = db.executor_class(model=model, db=db)
        columns = list(executor.regular_columns)
        db_columns = [model._meta.fields_db_projection[name] for name in columns]
        sql = str(
            executor._prepare_insert_statement(
                db_columns, has_generated=False, ignore_conflicts=ignore_conflicts
            )
        )
        cached = _STATEMENTS[key] = (columns, sql)
    return cached
