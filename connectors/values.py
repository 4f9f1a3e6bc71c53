"""Lenient readers for platform JSON: a missing or mistyped field becomes an empty value, never an
exception in the middle of an import (the record builders decide what is required)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ZERO = Decimal("0")


def mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def mappings(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


def text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def lower(value: object) -> str | None:
    return value.lower() if isinstance(value, str) and value else None


def tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):  # REST spells tags "a, b"; GraphQL sends a list
        value = value.split(",")
    if not isinstance(value, Sequence):
        return ()
    return tuple(tag.strip() for tag in value if isinstance(tag, str) and tag.strip())


def integer(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ZERO
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ZERO
    return amount if amount.is_finite() else ZERO


def moment(value: object) -> datetime | None:
    """An ISO 8601 timestamp with its offset; one without an offset is not a moment we can compare."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
