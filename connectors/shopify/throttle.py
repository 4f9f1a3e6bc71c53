"""Our model of Shopify's GraphQL cost bucket, so calls wait for points instead of being THROTTLED.

Shopify limits each app + shop pair with a leaky bucket of points (fact sheet 5.4): a call is
admitted when its *requested* cost fits in what is available, the bucket refills at
``restoreRate`` points per second up to ``maximumAvailable``, and every response reports the
bucket in ``extensions.cost.throttleStatus``. ``CostBucket`` keeps the last report and extrapolates
the refill, debits admitted calls at once (so concurrent coroutines in this process see each
other before their responses arrive), and says how long to wait before a call of a given cost.

The model is per process: other processes (web, other workers) spend from the same real bucket
without telling us, so the model can be optimistic; a THROTTLED answer then corrects it (the
client retries after reading the real status). Nothing here must be shared across processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from connectors.base import ThrottleStatus

# Extrapolated refills are floats; a wait computed to the exact point must count as enough.
EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class QueryCost:
    """``extensions.cost`` of one response. ``actual`` is None when the call was not executed."""

    requested: float | None
    actual: float | None
    throttle_status: ThrottleStatus | None


class CostBucket:
    """The modelled bucket of one shop (for this app), on an injectable monotonic clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._status: ThrottleStatus | None = None
        self._observed_at = 0.0
        self._learned_costs: dict[Hashable, float] = {}

    @property
    def status(self) -> ThrottleStatus | None:
        """The last status Shopify reported (with our debits since), or None before any response."""
        return self._status

    def observe(self, status: ThrottleStatus) -> None:
        """Shopify's report is the truth: replace the model with it."""
        self._status = status
        self._observed_at = self._clock()

    def available(self) -> float | None:
        """Points available now under the model, or None when nothing is known yet."""
        if self._status is None:
            return None
        elapsed = max(0.0, self._clock() - self._observed_at)
        refilled = self._status.currently_available + self._status.restore_rate * elapsed
        return min(self._status.maximum_available, refilled)

    def wait_for(self, cost: float) -> float:
        """Seconds to wait before a call requesting ``cost`` points would be admitted: 0 when it fits
        now or nothing is known. A cost above the bucket's size waits for a full bucket (Shopify
        then rejects it as too expensive, which no wait can fix)."""
        available = self.available()
        if self._status is None or available is None or self._status.restore_rate <= 0:
            return 0.0
        needed = min(cost, self._status.maximum_available)
        if available + EPSILON >= needed:
            return 0.0
        return (needed - available) / self._status.restore_rate

    def spend(self, cost: float) -> None:
        """Debit an admitted call now; the response's report replaces the estimate later."""
        available = self.available()
        if self._status is None or available is None:
            return
        needed = min(cost, self._status.maximum_available)
        self._status = replace(self._status, currently_available=max(0.0, available - needed))
        self._observed_at = self._clock()

    def learned_cost(self, key: Hashable) -> float | None:
        """The requested cost Shopify last reported for a query shape (see ``remember_cost``)."""
        return self._learned_costs.get(key)

    def remember_cost(self, key: Hashable, requested: float) -> None:
        # Query shapes are module constants times a few page sizes: this stays small.
        self._learned_costs[key] = requested


_SHARED: dict[str, CostBucket] = {}


def shared_bucket(shop: str) -> CostBucket:
    """The one modelled bucket per shop in this process, shared by every client for that shop."""
    bucket = _SHARED.get(shop)
    if bucket is None:
        bucket = _SHARED[shop] = CostBucket()
    return bucket


def parse_cost(extensions: object) -> QueryCost | None:
    """``extensions.cost`` of a GraphQL response, or None when it is missing or malformed."""
    if not isinstance(extensions, Mapping):
        return None
    cost = extensions.get("cost")
    if not isinstance(cost, Mapping):
        return None
    return QueryCost(
        requested=_number(cost.get("requestedQueryCost")),
        actual=_number(cost.get("actualQueryCost")),
        throttle_status=_throttle_status(cost.get("throttleStatus")),
    )


def _throttle_status(value: object) -> ThrottleStatus | None:
    if not isinstance(value, Mapping):
        return None
    maximum = _number(value.get("maximumAvailable"))
    current = _number(value.get("currentlyAvailable"))
    rate = _number(value.get("restoreRate"))
    if maximum is None or current is None or rate is None:
        return None
    return ThrottleStatus(maximum_available=maximum, currently_available=current, restore_rate=rate)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
