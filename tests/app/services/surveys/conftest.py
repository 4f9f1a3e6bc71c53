from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import clock


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    """Time-travel tests move the process clock; every test starts and ends at real time."""
    clock.reset()
    yield
    clock.reset()
