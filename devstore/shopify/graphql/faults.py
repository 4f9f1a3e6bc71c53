"""Fault switches for tests: the next calls of one mutation fail the way networks and Shopify fail.

- ``timeout``: the mutation is applied (and its webhooks sent), then the answer is held for
  ``delay_seconds``. A client whose read timeout is shorter sees a timeout for a call that took
  effect: the case where retrying blindly refunds twice.
- ``error``: answered with ``status`` (a 5xx) without applying anything, as when Shopify fails
  before the mutation runs.

Armed per shop and mutation, for the next ``times`` calls; each call that fires uses one up.
In-process state: the devstore is one process, and a restart disarms everything.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from devstore.shopify.graphql.parser import GraphQLError, parse

MAX_DELAY_SECONDS = 120.0
MAX_TIMES = 100
DEFAULT_DELAY_SECONDS = 30.0

Mode = Literal["timeout", "error"]


class FaultRefused(ValueError):
    """The control body does not describe a fault."""


@dataclass(frozen=True, slots=True)
class Fault:
    mutation: str
    mode: Mode
    times: int
    delay_seconds: float = 0.0
    status: int = 503

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Fault:
        mutation = data.get("mutation")
        if not isinstance(mutation, str) or not mutation.isidentifier():
            raise FaultRefused("mutation must be a mutation's name, such as refundCreate")
        mode = data.get("mode")
        if mode not in ("timeout", "error"):
            raise FaultRefused(
                'mode must be "timeout" (apply, then answer late) or "error" (a 5xx, not applied)'
            )
        times = data.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_TIMES:
            raise FaultRefused(f"times must be a whole number from 1 to {MAX_TIMES}")
        delay = data.get("delay_seconds", DEFAULT_DELAY_SECONDS if mode == "timeout" else 0.0)
        if (
            isinstance(delay, bool)
            or not isinstance(delay, int | float)
            or not 0 <= delay <= MAX_DELAY_SECONDS
        ):
            raise FaultRefused(f"delay_seconds must be a number from 0 to {MAX_DELAY_SECONDS:.0f}")
        status = data.get("status", 503)
        if isinstance(status, bool) or not isinstance(status, int) or not 500 <= status <= 599:
            raise FaultRefused("status must be a 5xx status")
        return cls(mutation, mode, times, float(delay), status)

    def as_json(self) -> dict[str, Any]:
        return {
            "mutation": self.mutation,
            "mode": self.mode,
            "times": self.times,
            "delay_seconds": self.delay_seconds,
            "status": self.status,
        }


class Faults:
    def __init__(self) -> None:
        self._armed: dict[tuple[str, str], Fault] = {}
        self._lock = threading.Lock()

    def arm(self, shop: str, fault: Fault) -> None:
        with self._lock:
            self._armed[(shop, fault.mutation)] = fault

    def clear(self, shop: str) -> None:
        with self._lock:
            for key in [key for key in self._armed if key[0] == shop]:
                del self._armed[key]

    def armed(self, shop: str) -> list[Fault]:
        with self._lock:
            return [fault for (owner, _), fault in sorted(self._armed.items()) if owner == shop]

    def take(self, shop: str, body: Mapping[str, Any]) -> Fault | None:
        """The fault this request fires (using one of its calls up), if it is an armed mutation."""
        with self._lock:
            if not any(owner == shop for owner, _ in self._armed):
                return None
            for name in _mutations(body):
                fault = self._armed.get((shop, name))
                if fault is None:
                    continue
                if fault.times > 1:
                    self._armed[(shop, name)] = Fault(
                        fault.mutation, fault.mode, fault.times - 1, fault.delay_seconds, fault.status
                    )
                else:
                    del self._armed[(shop, name)]
                return fault
            return None


def _mutations(body: Mapping[str, Any]) -> list[str]:
    variables = body.get("variables")
    try:
        operation = parse(body.get("query"), variables if isinstance(variables, Mapping) else {})  # type: ignore[arg-type]
    except GraphQLError:
        return []
    return [f.name for f in operation.fields] if operation.kind == "mutation" else []
