"""Fakes every connector's tests share."""

from __future__ import annotations


class FakeTime:
    """``monotonic`` for a rate budget or cost bucket and ``sleep`` for a client: sleeping
    advances the clock, and every sleep is kept for the test to read."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
