"""What a GraphQL Admin API answer means: done, or which kind of retry, or a permanent refusal.

``read_answer`` classifies one HTTP response; the client's loop (``graphql.py``) decides what to
do about each kind (refresh, wait, back off, give up). Fact sheet 5.4 lists the shapes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.errors import Permanent
from connectors.shopify.errors import UserError
from connectors.shopify.throttle import QueryCost, parse_cost

DEFAULT_RETRY_AFTER = 1.0
THROTTLED = "THROTTLED"
# Shopify's "something went wrong on our end", sent with HTTP 200 [code seen in community reports].
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
STATUS_MESSAGES = {
    400: "Shopify rejected the request as malformed",
    402: "the shop is frozen or has unpaid bills",  # [unverified] fact sheet 5.4
    403: "the app lacks a scope for this call, or the shop refuses the app",
    404: "the shop or API version does not exist",
    423: "the shop is locked",  # [unverified] fact sheet 5.4
}


class Outcome(enum.Enum):
    DONE = "done"
    UNAUTHORIZED = "unauthorized"  # 401: refresh the token once
    THROTTLED = "throttled"  # THROTTLED with HTTP 200, or HTTP 429: the call did not run
    FAILED = "failed"  # 5xx, unreadable body, INTERNAL_SERVER_ERROR: the call may have run


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    data: dict[str, Any]
    cost: QueryCost | None  # extensions.cost, whatever the outcome
    retry_after: float | None = None  # from a 429's Retry-After
    reason: str = ""


def read_answer(response: httpx.Response) -> Answer:
    """Classify ``response``; a refusal that retrying cannot change raises ``Permanent``."""
    status = response.status_code
    payload = _json_object(response)
    cost = parse_cost(payload.get("extensions")) if payload is not None else None
    if status == 401:
        return Answer(Outcome.UNAUTHORIZED, {}, cost, reason="HTTP 401")
    if status == 429:
        return Answer(
            Outcome.THROTTLED, {}, cost, retry_after=_retry_after(response.headers), reason="HTTP 429"
        )
    if status >= 500 or (status == 200 and payload is None):
        return Answer(Outcome.FAILED, {}, cost, reason=f"Shopify answered {status}")
    if status != 200 or payload is None:
        raise Permanent(STATUS_MESSAGES.get(status, f"Shopify answered {status}"), status=status)

    errors = payload.get("errors")
    if errors:
        codes = _error_codes(errors)
        if THROTTLED in codes:
            return Answer(Outcome.THROTTLED, {}, cost, reason="THROTTLED")
        if INTERNAL_SERVER_ERROR in codes:
            return Answer(Outcome.FAILED, {}, cost, reason="Shopify reported an internal error")
        raise Permanent(f"GraphQL errors: {_error_messages(errors)}", status=200)
    data = payload.get("data")
    if not isinstance(data, dict):
        raise Permanent("the GraphQL response has no data", status=200)
    return Answer(Outcome.DONE, data, cost)


def parse_user_errors(value: object) -> tuple[UserError, ...]:
    """``userErrors`` entries (``{field, message, code}``) as ``UserError``s; junk is skipped."""
    if not isinstance(value, list):
        return ()
    errors = []
    for entry in value:
        if not isinstance(entry, Mapping):
            continue
        field = entry.get("field")
        code = entry.get("code")
        errors.append(
            UserError(
                message=str(entry.get("message") or ""),
                field=tuple(str(part) for part in field) if isinstance(field, list) else (),
                code=code if isinstance(code, str) else None,
            )
        )
    return tuple(errors)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _error_codes(errors: object) -> set[str]:
    codes: set[str] = set()
    if isinstance(errors, list):
        for error in errors:
            extensions = error.get("extensions") if isinstance(error, Mapping) else None
            code = extensions.get("code") if isinstance(extensions, Mapping) else None
            if isinstance(code, str):
                codes.add(code)
    return codes


def _error_messages(errors: object) -> str:
    if not isinstance(errors, list):
        return str(errors)
    messages = [str(error.get("message")) for error in errors if isinstance(error, Mapping)]
    return "; ".join(message for message in messages if message) or "no message"


def _retry_after(headers: httpx.Headers) -> float:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
