"""Test doubles for the GraphQL client: a clock that moves only when slept on, a token provider,
and a router that answers GraphQL calls by operation name."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from connectors.shopify.graphql import RetryPolicy, ShopifyGraphQL
from connectors.shopify.throttle import CostBucket
from tests.connectors.fakes import FakeTime
from tests.connectors.shopify.payloads import API_VERSION, SHOP


class FakeTokens:
    """Hands out ``shpat_first``; a refresh after a 401 hands out the next token."""

    def __init__(self, *tokens: str) -> None:
        self._tokens = list(tokens or ("shpat_first", "shpat_second", "shpat_third"))
        self.current = self._tokens.pop(0)
        self.refreshed_after: list[str] = []

    async def access_token(self) -> str:
        return self.current

    async def refresh_after_401(self, rejected: str) -> str:
        self.refreshed_after.append(rejected)
        self.current = self._tokens.pop(0)
        return self.current


def make_client(
    http: httpx.AsyncClient,
    time: FakeTime,
    tokens: FakeTokens | None = None,
    *,
    max_attempts: int = 5,
) -> ShopifyGraphQL:
    # jitter 0.5: a back-off of ceiling c sleeps exactly 0.75 c.
    return ShopifyGraphQL(
        http,
        SHOP,
        API_VERSION,
        tokens or FakeTokens(),
        bucket=CostBucket(time.monotonic),
        retry=RetryPolicy(max_attempts=max_attempts),
        sleep=time.sleep,
        jitter=lambda: 0.5,
    )


def sent(request: httpx.Request) -> dict[str, Any]:
    body = json.loads(request.content)
    assert isinstance(body, dict)
    return body


def operation(request: httpx.Request) -> str:
    """``"OrdersPage"`` for ``query OrdersPage(...)``: the first word after query/mutation."""
    words = sent(request)["query"].replace("(", " ").split()
    return words[1] if words[0] in {"query", "mutation"} else "bulk"


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class GraphQLRouter:
    """A respx side effect: answers each call with the handler for its operation, and keeps every
    call's operation and variables for assertions."""

    def __init__(self, **handlers: Handler) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = operation(request)
        variables = sent(request).get("variables", {})
        self.calls.append((name, variables))
        return httpx.Response(200, json=self.handlers[name](variables))

    def variables_of(self, name: str) -> list[dict[str, Any]]:
        return [variables for called, variables in self.calls if called == name]
