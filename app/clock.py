"""The one source of "now", so that time-dependent rules can be tested by moving the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def advance(by: timedelta) -> None:
    """Move this process's clock forward (tests, and the devstore's time travel in ``dev``)."""
    global _offset
    _offset += by


def reset() -> None:
    global _offset
    _offset = timedelta(0)
