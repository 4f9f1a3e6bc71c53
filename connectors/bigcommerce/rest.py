"""The REST client of one store: v2 and v3 under ``https://api.bigcommerce.com/stores/{hash}/``.

    rest = BigCommerceREST(http, "abc123", tokens)
    orders = await rest.get("v2/orders", {"page": 1, "limit": 250})   # None on 204
    quote = await rest.post("v3/orders/100/payment_actions/refund_quotes", {"items": [...]})

Every call goes through the caller's ``httpx.AsyncClient`` with ``X-Auth-Token`` (fact sheet 2.1;
``X-Auth-Client`` is no longer needed) and waits for the store's ``RateBudget`` first.

How answers map:
- 2xx: the JSON body (v2 bare, v3 ``{data, meta}``: unwrapping is the caller's); 204 or an empty
  body -> None (v2 lists answer an empty page with 204, fact sheet 2.1);
- 429: wait ``X-Retry-After`` (else the window reset, else a back-off) and try again, a bounded
  number of times; out of attempts, or a wait longer than ``RetryPolicy.max_wait`` ->
  ``RateLimited`` so the job defers instead of holding a worker;
- 5xx, timeouts, connection errors: jittered exponential back-off, then ``Transient``. Only for
  calls that are safe to repeat: GET, PUT, DELETE, and POSTs the caller marks so. A POST that may
  have reached the store (creating a refund) is never sent twice: ``Transient`` at once, and the
  caller lists what exists before trying again (BigCommerce has no idempotency key, 2.5);
- 401 -> ``AuthError``; 403 -> ``AuthError`` too (a missing scope or a changed store owner: only
  a new install grant fixes either, 2.1); 404 -> ``NotFound``; other 4xx -> ``Permanent`` with
  the store's messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from connectors.bigcommerce.budget import RateBudget, RateReport, shared_budget
from connectors.bigcommerce.errors import NotFound, error_reasons
from connectors.errors import AuthError, Permanent, RateLimited, Transient

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int]

API_ROOT = "https://api.bigcommerce.com/stores/"
# Store hashes are short lower-case alphanumerics (``abc123``, ``g5cd38``); the hash becomes part
# of a URL that carries the store's token, so anything else is refused.
STORE_HASH = re.compile(r"^[a-z0-9]{1,32}$")
# A budget wait is recomputed after each sleep; this bounds the loop if the clock stands still.
MAX_ADMISSION_ROUNDS = 5


def is_store_hash(value: str) -> bool:
    return bool(STORE_HASH.fullmatch(value))


def path_id(value: str) -> str:
    """A record id about to go into a URL path: digits only, or ``Permanent``."""
    if not (value.isascii() and value.isdigit()):
        raise Permanent(f"not a BigCommerce id: {value!r}")
    return value


class AccessTokenProvider(Protocol):
    """Where the client gets the store's token. BigCommerce tokens do not expire and cannot be
    refreshed (fact sheet 1.2): a refused token means the merchant must open the app again."""

    async def access_token(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts every try of one call; ``max_wait`` is the longest rate-limit wait
    taken in-process (longer ones become ``RateLimited`` for the job to defer)."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_wait: float = 60.0


class BigCommerceREST:
    """One store's REST API. ``budget`` defaults to the process-wide budget of the store."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        store_hash: str,
        token_provider: AccessTokenProvider,
        *,
        budget: RateBudget | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not is_store_hash(store_hash):
            raise ValueError("not a BigCommerce store hash")
        self.http = http
        self.store_hash = store_hash
        self.base_url = f"{API_ROOT}{store_hash}/"
        self.tokens = token_provider
        self.budget = budget if budget is not None else shared_budget(store_hash)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self._jitter = jitter

    async def get(self, path: str, params: Params | None = None) -> Any:
        return await self._call("GET", path, params=params, body=None, repeatable=True)

    async def put(self, path: str, body: Mapping[str, Any]) -> Any:
        return await self._call("PUT", path, params=None, body=body, repeatable=True)

    async def delete(self, path: str) -> Any:
        return await self._call("DELETE", path, params=None, body=None, repeatable=True)

    async def post(self, path: str, body: Any, *, retry_ambiguous: bool = False) -> Any:
        """``retry_ambiguous``: repeat after a 5xx or a timeout, when the POST may already have
        taken effect. True only for POSTs without side effects (a refund quote)."""
        return await self._call("POST", path, params=None, body=body, repeatable=retry_ambiguous)

    async def _call(
        self, method: str, path: str, *, params: Params | None, body: Any, repeatable: bool
    ) -> Any:
        url = self.base_url + path.lstrip("/")
        headers = {"X-Auth-Token": await self.tokens.access_token(), "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            attempt += 1
            last_try = attempt >= self.retry.max_attempts
            await self._admit()
            try:
                response = await self.http.request(
                    method, url, params=dict(params) if params else None, json=body, headers=headers
                )
            except httpx.TransportError as exc:
                failure = _transport_failure(exc)
                if last_try or (_maybe_sent(exc) and not repeatable):
                    raise failure from exc
                await self._back_off(attempt, failure.message)
                continue

            report = RateReport.from_headers(response.headers)
            self.budget.observe(report)
            status = response.status_code
            if 200 <= status < 300:
                try:
                    return _json_or_none(response)
                except ValueError:
                    failure = Transient(
                        f"BigCommerce answered {status} with a body that is not JSON", status=status
                    )
                    if last_try or not repeatable:
                        raise failure from None
                    await self._back_off(attempt, failure.message)
                    continue
            if status == 429:
                await self._wait_after_429(report, attempt, last_try=last_try, repeatable=repeatable)
                continue
            if status >= 500:
                failure = Transient(_describe(status, response), status=status)
                if last_try or not repeatable:
                    raise failure
                await self._back_off(attempt, failure.message)
                continue
            raise _refusal(status, response)

    async def _wait_after_429(
        self, report: RateReport, attempt: int, *, last_try: bool, repeatable: bool
    ) -> None:
        """A 429 with the rate-limit headers was refused by the store's meter before it ran, so even
        a POST may go again. One without them is platform overload (fact sheet 4): the call may
        or may not have run, so a POST that cannot be repeated stops here."""
        told = report.retry_after if report.retry_after is not None else report.reset_in
        wait = told if told is not None else self._back_off_delay(attempt)
        logger.warning(
            "rate limited by BigCommerce",
            extra={"shop": self.store_hash, "attempt": attempt, "wait": round(wait, 3)},
        )
        if last_try or wait > self.retry.max_wait or (told is None and not repeatable):
            raise RateLimited("BigCommerce is rate limiting this store", retry_after=max(wait, 1.0))
        self.budget.pause(wait)

    async def _admit(self) -> None:
        for _ in range(MAX_ADMISSION_ROUNDS):
            wait = self.budget.wait_time()
            if wait <= 0:
                break
            logger.info(
                "waiting for the store's rate-limit window",
                extra={"shop": self.store_hash, "wait": round(wait, 3), "left": self.budget.left},
            )
            await self.sleep(wait)
        self.budget.spend()

    def _back_off_delay(self, attempt: int) -> float:
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        # "Equal jitter": at least half the ceiling, so many jobs spread out without ever
        # retrying at once.
        return ceiling / 2 + self._jitter() * ceiling / 2

    async def _back_off(self, attempt: int, reason: str) -> None:
        delay = self._back_off_delay(attempt)
        logger.warning(
            "retrying a BigCommerce call",
            extra={"shop": self.store_hash, "attempt": attempt, "wait": round(delay, 3), "reason": reason},
        )
        await self.sleep(delay)


def _json_or_none(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content.strip():
        return None
    return json.loads(response.content)


def _reasons(response: httpx.Response) -> tuple[str, ...]:
    try:
        return error_reasons(_json_or_none(response))
    except ValueError:
        return ()


def _describe(status: int, response: httpx.Response) -> str:
    reasons = _reasons(response)
    return f"BigCommerce answered {status}" + (f": {'; '.join(reasons)}" if reasons else "")


def _refusal(status: int, response: httpx.Response) -> Exception:
    message = _describe(status, response)
    if status == 401:
        return AuthError("BigCommerce refused the store's access token", status=status)
    if status == 403:
        return AuthError(f"{message} (a missing scope or a changed store owner)", status=status)
    if status == 404:
        return NotFound(message, status=status, reasons=_reasons(response))
    return Permanent(message, status=status, reasons=_reasons(response))


def _maybe_sent(exc: httpx.TransportError) -> bool:
    """False only when the request certainly never reached BigCommerce (it could not connect)."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)


def _transport_failure(exc: httpx.TransportError) -> Transient:
    if isinstance(exc, httpx.TimeoutException):
        return Transient("the BigCommerce call timed out")
    return Transient(f"could not reach BigCommerce ({type(exc).__name__})")
