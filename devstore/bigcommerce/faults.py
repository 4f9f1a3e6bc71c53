"""Fault switches: the next N calls of an operation on a store go wrong in a chosen way.

The refund tests need what a real platform does now and then (fact sheet §2.5: no idempotency key,
payments scheduled asynchronously): the refund is made but its answer arrives too late for the
client (``late``) or never (``drop``: the connection closes mid-answer), the call fails without a
refund (``error``, a 5xx), or the refund is recorded with its payment declined (``decline``).
Switches live in the devstore process; each use counts one of its ``times`` down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

REFUND_CREATE = "refund_create"
OPERATIONS = frozenset({REFUND_CREATE})
MAX_DELAY_S = 120.0


class FaultMode(StrEnum):
    LATE = "late"  # applied, then answered after delay_s
    DROP = "drop"  # applied, then the connection is closed before the answer is complete
    ERROR = "error"  # not applied; answered with status (a 5xx)
    DECLINE = "decline"  # recorded, but the payment is declined: no money moves


@dataclass(frozen=True, slots=True)
class Fault:
    mode: FaultMode
    times: int
    delay_s: float = 0.0
    status: int = 503
    message: str = ""

    def json(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "times": self.times,
            "delay_s": self.delay_s,
            "status": self.status,
            "message": self.message,
        }


def parse_fault(data: dict[str, Any]) -> tuple[str, Fault]:
    """The operation and fault a control body asks for; ValueError says what is wrong with it."""
    operation = data.get("operation", REFUND_CREATE)
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {sorted(OPERATIONS)}")
    try:
        mode = FaultMode(str(data.get("mode")))
    except ValueError:
        raise ValueError(f"mode must be one of {[m.value for m in FaultMode]}") from None
    times, delay_s, status = data.get("times", 1), data.get("delay_s", 0.0), data.get("status", 503)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError("times must be a positive integer")
    if isinstance(delay_s, bool) or not isinstance(delay_s, int | float) or not 0 <= delay_s <= MAX_DELAY_S:
        raise ValueError(f"delay_s must be a number of seconds from 0 to {MAX_DELAY_S:.0f}")
    if isinstance(status, bool) or not isinstance(status, int) or not 500 <= status <= 599:
        raise ValueError("status must be a 5xx status code")
    message = data.get("message", "")
    if not isinstance(message, str):
        raise ValueError("message must be a string")
    return operation, Fault(mode, times, float(delay_s), status, message)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[tuple[str, str], Fault] = {}

    def arm(self, store_hash: str, operation: str, fault: Fault) -> None:
        with self._lock:
            self._armed[(store_hash, operation)] = fault

    def take(self, store_hash: str, operation: str) -> Fault | None:
        """The fault for this call, if one is armed (counting it down)."""
        with self._lock:
            fault = self._armed.get((store_hash, operation))
            if fault is None:
                return None
            if fault.times <= 1:
                del self._armed[(store_hash, operation)]
            else:
                self._armed[(store_hash, operation)] = replace(fault, times=fault.times - 1)
            return fault

    def armed(self, store_hash: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {op: fault.json() for (store, op), fault in self._armed.items() if store == store_hash}

    def clear(self, store_hash: str) -> int:
        with self._lock:
            keys = [key for key in self._armed if key[0] == store_hash]
            for key in keys:
                del self._armed[key]
            return len(keys)
