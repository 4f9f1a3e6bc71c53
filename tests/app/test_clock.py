"""The clock: one "now" for the app, moved in a test, or offset for the worker at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app import clock


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


def test_a_start_offset_moves_now_and_zero_keeps_a_tests_travel() -> None:
    clock.start_at_offset(timedelta(days=7))
    assert clock.utcnow() - datetime.now(UTC) > timedelta(days=7) - timedelta(seconds=5)
    clock.start_at_offset(timedelta(days=7))  # set, not added: a second start-up moves nothing
    assert clock.utcnow() - datetime.now(UTC) < timedelta(days=7, seconds=5)

    clock.reset()
    clock.advance(timedelta(hours=3))
    clock.start_at_offset(timedelta(0))
    assert clock.utcnow() - datetime.now(UTC) > timedelta(hours=3) - timedelta(seconds=5)
