"""Shopify's GraphQL rate limit, per shop: a leaky bucket of cost points (fact sheet 5.4).

A call is admitted when its requested cost fits in what is available; it is debited the
requested cost, then refunded down to its actual cost once it ran. The bucket refills at
``restore_rate`` points per second up to ``maximum``. The plan (rate and size) can be changed
per shop through a control endpoint; the default is Shopify's Standard plan with the
1000-point bucket. Counters (requests, THROTTLED answers) are kept for tests and benchmarks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_RESTORE_RATE = 100.0
DEFAULT_MAXIMUM = 1000.0


@dataclass
class Bucket:
    maximum: float
    restore_rate: float
    available: float
    updated: float
    requests: int = 0
    throttled: int = 0

    def refill(self, now: float) -> None:
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore_rate)
        self.updated = now

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": round(self.available, 3),
            "restoreRate": self.restore_rate,
        }


class Buckets:
    """Every shop's bucket in this devstore process. Thread-safe: resolvers run in threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, Bucket] = {}
        self._plans: dict[str, tuple[float, float]] = {}

    def _bucket(self, shop: str) -> Bucket:
        bucket = self._buckets.get(shop)
        now = self._clock()
        if bucket is None:
            maximum, rate = self._plans.get(shop, (DEFAULT_MAXIMUM, DEFAULT_RESTORE_RATE))
            bucket = self._buckets[shop] = Bucket(maximum, rate, maximum, now)
        bucket.refill(now)
        return bucket

    def admit(self, shop: str, requested: float) -> tuple[bool, dict[str, float]]:
        """Debit ``requested`` if it fits (True), else count a THROTTLED answer (False); with the
        status to report."""
        with self._lock:
            bucket = self._bucket(shop)
            bucket.requests += 1
            if requested > bucket.available:
                bucket.throttled += 1
                return False, bucket.status()
            bucket.available -= requested
            return True, bucket.status()

    def refund(self, shop: str, amount: float) -> dict[str, float]:
        """Give back what an admitted call did not use; the status after it."""
        with self._lock:
            bucket = self._bucket(shop)
            bucket.available = min(bucket.maximum, bucket.available + max(0.0, amount))
            return bucket.status()

    def maximum(self, shop: str) -> float:
        with self._lock:
            return self._bucket(shop).maximum

    def set_plan(
        self,
        shop: str,
        *,
        restore_rate: float | None = None,
        maximum: float | None = None,
        available: float | None = None,
    ) -> dict[str, Any]:
        """Change the shop's plan (and optionally what is available now); resets the counters."""
        with self._lock:
            bucket = self._bucket(shop)
            bucket.restore_rate = restore_rate if restore_rate is not None else bucket.restore_rate
            bucket.maximum = maximum if maximum is not None else bucket.maximum
            bucket.available = min(bucket.maximum, available if available is not None else bucket.maximum)
            bucket.requests = bucket.throttled = 0
            self._plans[shop] = (bucket.maximum, bucket.restore_rate)
            return self._describe(bucket)

    def describe(self, shop: str) -> dict[str, Any]:
        with self._lock:
            return self._describe(self._bucket(shop))

    @staticmethod
    def _describe(bucket: Bucket) -> dict[str, Any]:
        return {**bucket.status(), "requests": bucket.requests, "throttled": bucket.throttled}
