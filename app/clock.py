"""The one source of "now", so that time-dependent rules can be tested by moving the clock.

Within a process, tests move it with ``advance``. Across processes, the worker starts at the
offset ``AFTERCARE_CLOCK_OFFSET`` gives (``start_at_offset``, at its start-up): an end-to-end test
or ``dev`` lets a week pass for scheduling, sending and expiry by restarting the worker with an
offset. The web app keeps real time: it checks times the platform signed (session tokens, access
token expiry) and the platform's clock has not moved. Production refuses the setting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def advance(by: timedelta) -> None:
    """Move this process's clock forward (tests, and the devstore's time travel in ``dev``)."""
    global _offset
    _offset += by


def start_at_offset(offset: timedelta) -> None:
    """This process's clock runs ``offset`` from real time. A zero offset changes nothing, so that
    an app built inside a test keeps the time that test has moved to."""
    global _offset
    if offset:
        _offset = offset


def reset() -> None:
    global _offset
    _offset = timedelta(0)
