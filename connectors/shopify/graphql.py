"""The GraphQL Admin API client: cost-aware, retrying, refreshing the token once on a 401.

    client = ShopifyGraphQL(http, "shop.myshopify.com", "2026-10", tokens)
    data = await client.query(ORDERS_PAGE, {"first": 3})
    payload = await client.mutate(BULK_RUN_QUERY, {"query": q}, payload="bulkOperationRunQuery")

Every call POSTs to ``https://{shop}/admin/api/{version}/graphql.json`` through the caller's
client. It is a plain httpx call rather than ``shopifyapp.admin_graphql_request_async`` because
that helper retries with its own sleeps, returns THROTTLED-with-200 as a plain failure and hides
``extensions.cost`` on errors; pacing by the cost bucket needs all three in our hands.

How answers map (fact sheet 5.4):
- before each call, wait until the modelled bucket has the call's cost (``CostBucket``);
- THROTTLED (HTTP 200 with ``errors[].extensions.code``), HTTP 429: retried after the wait the
  bucket or ``Retry-After`` gives; out of attempts -> ``RateLimited``;
- 5xx, timeouts, connection errors, ``INTERNAL_SERVER_ERROR``: jittered exponential back-off;
  out of attempts -> ``Transient``. For mutations these are retried only when the caller says the
  mutation is safe to repeat: a timed-out ``refundCreate`` may have happened, and money moves once;
- 401: the token provider refreshes once and the call is repeated; a second 401 -> ``AuthError``;
- other GraphQL errors -> ``Permanent`` with their messages; ``userErrors`` -> ``UserErrors``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from connectors.base import ThrottleStatus
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from connectors.shopify.answers import DEFAULT_RETRY_AFTER, Answer, Outcome, parse_user_errors, read_answer
from connectors.shopify.errors import UserErrors
from connectors.shopify.shop_domain import is_shop_domain
from connectors.shopify.throttle import CostBucket, QueryCost, shared_bucket

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# What a query we have never seen is assumed to cost; Shopify's answer replaces it.
DEFAULT_COST_ESTIMATE = 50.0
# A bound on waits for the bucket before one call, in case the clock does not move with sleep.
MAX_ADMISSION_ROUNDS = 10


class TokenProvider(Protocol):
    """Where the client gets access tokens (the app adapts its per-shop token store to this)."""

    async def access_token(self) -> str: ...

    async def refresh_after_401(self, rejected: str) -> str:
        """A token to retry with after Shopify answered 401 to ``rejected``."""
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts every try of one call (401 refreshes aside)."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0


class ShopifyGraphQL:
    """One shop's GraphQL Admin API. ``bucket`` defaults to the process-wide model for the shop."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        shop: str,
        api_version: str,
        token_provider: TokenProvider,
        *,
        bucket: CostBucket | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        # The shop becomes the host of a request that carries the shop's access token.
        if not is_shop_domain(shop):
            raise ValueError("not a {name}.myshopify.com shop domain")
        self.http = http
        self.shop = shop
        self.url = f"https://{shop}/admin/api/{api_version}/graphql.json"
        self.tokens = token_provider
        self.bucket = bucket if bucket is not None else shared_bucket(shop)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self._jitter = jitter

    @property
    def throttle_status(self) -> ThrottleStatus | None:
        return self.bucket.status

    async def query(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        estimated_cost: float | None = None,
    ) -> dict[str, Any]:
        """Run a query and return its ``data``. Queries are always safe to repeat."""
        return await self._execute(document, variables, estimated_cost, retry_ambiguous=True)

    async def mutate(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        payload: str,
        estimated_cost: float | None = None,
        retry_ambiguous: bool = False,
    ) -> dict[str, Any]:
        """Run a mutation and return ``data[payload]``; its ``userErrors`` raise ``UserErrors``.

        ``retry_ambiguous``: repeat after a 5xx or a timeout, when the call may already have taken
        effect. Leave it False for anything that moves money or creates records; the caller then
        reconciles before trying again."""
        data = await self._execute(document, variables, estimated_cost, retry_ambiguous=retry_ambiguous)
        result = data.get(payload)
        if not isinstance(result, dict):
            raise Permanent(f"the response has no {payload} payload", status=200)
        errors = parse_user_errors(result.get("userErrors"))
        if errors:
            raise UserErrors(payload, errors)
        return result

    async def _execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None,
        estimated_cost: float | None,
        *,
        retry_ambiguous: bool,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"query": document}
        if variables:
            body["variables"] = dict(variables)
        key = _cost_key(document, variables)
        cost = estimated_cost if estimated_cost is not None else self._expected_cost(key)
        token = await self.tokens.access_token()
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            last_try = attempt >= self.retry.max_attempts
            await self._admit(cost)
            try:
                response = await self.http.post(self.url, json=body, headers=_headers(token))
            except httpx.TransportError as exc:
                failure = _transport_failure(exc)
                if last_try or (_maybe_sent(exc) and not retry_ambiguous):
                    raise failure from exc
                await self._back_off(attempt, failure.message)
                continue

            answer = read_answer(response)
            if answer.cost is not None:
                cost = self._learn(key, answer.cost, cost)
            if answer.outcome is Outcome.DONE:
                return answer.data
            if answer.outcome is Outcome.UNAUTHORIZED:
                if refreshed:
                    raise AuthError("Shopify refused the refreshed access token", status=401)
                logger.info("access token refused; refreshing once", extra={"shop": self.shop})
                token = await self.tokens.refresh_after_401(token)
                refreshed = True
                attempt -= 1  # a refresh is not a failed try
            elif answer.outcome is Outcome.THROTTLED:
                if last_try:
                    raise self._rate_limited(answer, cost, response.status_code)
                await self._wait_after_throttle(answer, attempt)
            else:
                failure = Transient(answer.reason, status=response.status_code)
                if last_try or not retry_ambiguous:
                    raise failure
                await self._back_off(attempt, answer.reason)

    async def _wait_after_throttle(self, answer: Answer, attempt: int) -> None:
        """A 429 waits its Retry-After; a THROTTLED answer carries Shopify's bucket, which the model
        now holds, so the next admission waits (requested - available) / restoreRate by itself."""
        logger.warning(
            "throttled by Shopify", extra={"shop": self.shop, "attempt": attempt, "reason": answer.reason}
        )
        if answer.retry_after is not None:
            await self.sleep(answer.retry_after)
        elif answer.cost is None or answer.cost.throttle_status is None:
            await self._back_off(attempt, "throttled without a throttle status")

    def _rate_limited(self, answer: Answer, cost: float, status: int) -> RateLimited:
        retry_after = max(answer.retry_after or 0.0, self.bucket.wait_for(cost)) or DEFAULT_RETRY_AFTER
        return RateLimited(
            f"Shopify is rate limiting this shop ({answer.reason})", retry_after=retry_after, status=status
        )

    def _expected_cost(self, key: Hashable) -> float:
        learned = self.bucket.learned_cost(key)
        return learned if learned is not None else DEFAULT_COST_ESTIMATE

    def _learn(self, key: Hashable, reported: QueryCost, cost: float) -> float:
        if reported.throttle_status is not None:
            self.bucket.observe(reported.throttle_status)
        if reported.requested is None:
            return cost
        self.bucket.remember_cost(key, reported.requested)
        return reported.requested

    async def _admit(self, cost: float) -> None:
        """Wait until the modelled bucket holds ``cost`` points, then debit them."""
        for _ in range(MAX_ADMISSION_ROUNDS):
            wait = self.bucket.wait_for(cost)
            if wait <= 0:
                break
            logger.info(
                "waiting for Shopify's cost bucket",
                extra={"shop": self.shop, "cost": cost, "wait": round(wait, 3)},
            )
            await self.sleep(wait)
        self.bucket.spend(cost)

    async def _back_off(self, attempt: int, reason: str) -> None:
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        # "Equal jitter": at least half the ceiling, so retries from many jobs spread out but
        # never collapse to an immediate retry.
        delay = ceiling / 2 + self._jitter() * ceiling / 2
        logger.warning(
            "retrying a Shopify call",
            extra={"shop": self.shop, "attempt": attempt, "wait": round(delay, 3), "reason": reason},
        )
        await self.sleep(delay)


def _headers(token: str) -> dict[str, str]:
    return {"X-Shopify-Access-Token": token, "Content-Type": "application/json", "Accept": "application/json"}


def _cost_key(document: str, variables: Mapping[str, Any] | None) -> Hashable:
    # A query's requested cost depends on its text and its sizes (first: N), not on cursors.
    sizes = tuple(
        sorted(
            (name, value)
            for name, value in (variables or {}).items()
            if isinstance(value, int) and not isinstance(value, bool)
        )
    )
    return (document, sizes)


def _maybe_sent(exc: httpx.TransportError) -> bool:
    """False only when the request certainly never reached Shopify (it could not connect)."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)


def _transport_failure(exc: httpx.TransportError) -> Transient:
    if isinstance(exc, httpx.TimeoutException):
        return Transient("the Shopify call timed out")
    return Transient(f"could not reach Shopify ({type(exc).__name__})")
