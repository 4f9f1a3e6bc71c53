"""The store's API quota: requests per fixed window, shared by every app on the store (fact sheet §4).

Each store has ``quota`` requests per ``window_ms``; the window starts with its first request and
the quota refreshes when it ends (``X-Rate-Limit-Time-Reset-Ms`` counts down to that). Other apps
on the store spend the same quota: a control endpoint spends part of it for them. Over quota, an
answer is 429 with ``X-Retry-After`` in whole seconds, rounded up so that waiting it is enough.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_QUOTA = 150  # Standard and Plus plans
DEFAULT_WINDOW_MS = 30_000


@dataclass
class Window:
    quota: int
    window_ms: int
    started: float | None = None  # monotonic seconds; None until the first request
    used: int = 0
    requests: int = 0  # counters for tests and benchmarks: our app's requests and 429s
    throttled: int = 0
    spent_by_others: int = 0

    def roll(self, now: float) -> None:
        if self.started is not None and now - self.started >= self.window_ms / 1000:
            self.started, self.used = None, 0

    def reset_ms(self, now: float) -> int:
        if self.started is None:
            return self.window_ms
        return max(0, math.ceil(self.window_ms - (now - self.started) * 1000))

    def headers(self, now: float) -> dict[str, str]:
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, self.quota - self.used)),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Time-Reset-Ms": str(self.reset_ms(now)),
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
        }


@dataclass(frozen=True, slots=True)
class Admission:
    admitted: bool
    headers: dict[str, str]


class RateLimits:
    """Every store's window in this devstore process. Thread-safe: handlers run in threads."""

    def __init__(
        self,
        quota: int = DEFAULT_QUOTA,
        window_ms: int = DEFAULT_WINDOW_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._default = (quota, window_ms)
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, Window] = {}

    def _window(self, store_hash: str, now: float) -> Window:
        window = self._windows.get(store_hash)
        if window is None:
            window = self._windows[store_hash] = Window(*self._default)
        window.roll(now)
        return window

    def _spend(self, window: Window, now: float) -> None:
        if window.started is None:
            window.started = now
        window.used += 1

    def admit(self, store_hash: str) -> Admission:
        """Spend one request of the store's quota, or refuse it (429) when none is left."""
        with self._lock:
            now = self._clock()
            window = self._window(store_hash, now)
            window.requests += 1
            if window.used >= window.quota:
                window.throttled += 1
                headers = window.headers(now)
                headers["X-Retry-After"] = str(max(1, math.ceil(window.reset_ms(now) / 1000)))
                return Admission(False, headers)
            self._spend(window, now)
            return Admission(True, window.headers(now))

    def peek(self, store_hash: str) -> dict[str, str]:
        """The headers as they stand, spending nothing (for answers that are not counted: a 401)."""
        with self._lock:
            now = self._clock()
            return self._window(store_hash, now).headers(now)

    def configure(
        self,
        store_hash: str,
        *,
        quota: int | None = None,
        window_ms: int | None = None,
        spend: int = 0,
    ) -> dict[str, Any]:
        """Set the store's plan (a new plan starts a fresh window and counters), then let other apps
        ``spend`` requests of the current window."""
        with self._lock:
            now = self._clock()
            window = self._window(store_hash, now)
            if quota is not None or window_ms is not None:
                window = self._windows[store_hash] = Window(
                    quota if quota is not None else window.quota,
                    window_ms if window_ms is not None else window.window_ms,
                )
            for _ in range(min(spend, window.quota - window.used)):
                self._spend(window, now)
                window.spent_by_others += 1
            return self._describe(window, now)

    def describe(self, store_hash: str) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            return self._describe(self._window(store_hash, now), now)

    @staticmethod
    def _describe(window: Window, now: float) -> dict[str, Any]:
        return {
            "quota": window.quota,
            "window_ms": window.window_ms,
            "left": max(0, window.quota - window.used),
            "reset_ms": window.reset_ms(now),
            "requests": window.requests,
            "throttled": window.throttled,
            "spent_by_others": window.spent_by_others,
        }
