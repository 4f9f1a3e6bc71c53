"""Our share of a store's request quota: stop early, so other apps on the store keep theirs.

BigCommerce meters requests per store in windows (fact sheet 4: 150 per 30 s on Standard/Plus,
450 on Pro) and the quota is shared by *every* app installed on the store. Each answer says how
many requests are left in the window (``X-Rate-Limit-Requests-Left``), of how many
(``X-Rate-Limit-Requests-Quota``), and when the window resets (``X-Rate-Limit-Time-Reset-Ms``).

``RateBudget`` keeps the last such report and refuses to go below a reserve (a fraction of the
quota): when requests-left drops under it, every caller waits for the reset. It also debits each
call as it starts, so concurrent coroutines in this process see each other before their answers
arrive. A 429 pauses the whole store for the wait it names.

The state is per process and needs no sharing: the headers are the store's own count, read fresh
on every answer, so several processes working on one store each see the same "left" figure and
each stops at the reserve. A process that has not heard from the store yet lets one wave of calls
through to learn it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

LEFT = "x-rate-limit-requests-left"
QUOTA = "x-rate-limit-requests-quota"
RESET_MS = "x-rate-limit-time-reset-ms"
WINDOW_MS = "x-rate-limit-time-window-ms"
RETRY_AFTER = "x-retry-after"  # seconds, on a 429

# Leave a quarter of the store's window to the merchant's other apps and the control panel.
DEFAULT_RESERVE_FRACTION = 0.25
# When the quota header is missing, the smallest documented plan quota stands in for it.
ASSUMED_QUOTA = 150
# A window that never resets in the model (a lost header, a clock that does not move) is assumed
# to have reset after this long: BigCommerce's windows are 30 s.
LONGEST_WINDOW = 30.0


@dataclass(frozen=True, slots=True)
class RateReport:
    """The rate-limit headers of one answer; None where a header was missing or unreadable."""

    left: int | None
    quota: int | None
    reset_in: float | None  # seconds
    retry_after: float | None  # seconds, 429 only

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateReport:
        """``headers`` must look names up case-insensitively (httpx's do): the docs warn that
        ``x-rate-limit-requests-left`` may arrive in lower case."""
        reset_ms = _number(headers.get(RESET_MS))
        return cls(
            left=_whole(headers.get(LEFT)),
            quota=_whole(headers.get(QUOTA)),
            reset_in=reset_ms / 1000 if reset_ms is not None else None,
            retry_after=_number(headers.get(RETRY_AFTER)),
        )


class RateBudget:
    """One store's window as this process last heard it, on an injectable monotonic clock."""

    def __init__(
        self,
        reserve_fraction: float = DEFAULT_RESERVE_FRACTION,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 <= reserve_fraction < 1:
            raise ValueError("reserve_fraction must be in [0, 1)")
        self.reserve_fraction = reserve_fraction
        self._clock = clock
        self._left: int | None = None
        self._quota = ASSUMED_QUOTA
        self._resets_at = 0.0
        self._paused_until = 0.0

    @property
    def reserve(self) -> int:
        """Requests we leave in every window (at least one, so we never take the last)."""
        return max(1, math.ceil(self._quota * self.reserve_fraction))

    @property
    def left(self) -> int | None:
        """Requests left in the current window under the model; None when unknown or reset."""
        if self._left is not None and self._clock() >= self._resets_at:
            self._left = None
        return self._left

    def observe(self, report: RateReport) -> None:
        """The store's count is the truth: it replaces ours."""
        now = self._clock()
        if report.quota is not None and report.quota > 0:
            self._quota = report.quota
        if report.left is not None:
            self._left = report.left
            reset_in = report.reset_in if report.reset_in is not None else LONGEST_WINDOW
            self._resets_at = now + min(max(reset_in, 0.0), LONGEST_WINDOW)

    def pause(self, seconds: float) -> None:
        """Nobody calls the store for ``seconds`` (after a 429 told us to wait)."""
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))

    def wait_time(self) -> float:
        """Seconds to wait before the next call: 0 while we are above the reserve or know nothing."""
        now = self._clock()
        wait = max(0.0, self._paused_until - now)
        left = self.left
        if left is not None and left < self.reserve:
            wait = max(wait, self._resets_at - now)
        return wait

    def spend(self) -> None:
        """Debit a call that is about to go out; its answer's report replaces the estimate."""
        left = self.left
        if left is not None:
            self._left = max(0, left - 1)


_SHARED: dict[str, RateBudget] = {}


def shared_budget(store_hash: str) -> RateBudget:
    """The one budget per store in this process, shared by every client of that store."""
    budget = _SHARED.get(store_hash)
    if budget is None:
        budget = _SHARED[store_hash] = RateBudget()
    return budget


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _whole(value: str | None) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None
