"""Test doubles for the BigCommerce connector: a clock that moves only when slept on, a token
provider, fixtures from ``tests/fixtures/bigcommerce``, and answers with rate-limit headers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from connectors.bigcommerce.budget import RateBudget
from connectors.bigcommerce.rest import BigCommerceREST, RetryPolicy
from tests.connectors.fakes import FakeTime

STORE = "abc123"
API = f"https://api.bigcommerce.com/stores/{STORE}/"
TOKEN = "tok_abc"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bigcommerce"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeTokens:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token

    async def access_token(self) -> str:
        return self.token


def make_rest(
    http: httpx.AsyncClient, time: FakeTime, *, max_attempts: int = 4, reserve_fraction: float = 0.25
) -> BigCommerceREST:
    # jitter 0.5: a back-off of ceiling c sleeps exactly 0.75 c.
    return BigCommerceREST(
        http,
        STORE,
        FakeTokens(),
        budget=RateBudget(reserve_fraction, clock=time.monotonic),
        retry=RetryPolicy(max_attempts=max_attempts),
        sleep=time.sleep,
        jitter=lambda: 0.5,
    )


def limits(left: int, quota: int = 150, reset_ms: int = 1500) -> dict[str, str]:
    """The rate-limit headers of an answer (fact sheet F11)."""
    return {
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Time-Window-Ms": "30000",
    }


def ok(body: Any, status: int = 200, *, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def v3_list(
    items: list[dict[str, Any]], *, page: int = 1, total_pages: int = 1, total: int | None = None
) -> dict[str, Any]:
    return {
        "data": items,
        "meta": {
            "pagination": {
                "total": total if total is not None else len(items),
                "count": len(items),
                "per_page": 250,
                "current_page": page,
                "total_pages": total_pages,
                "links": {"current": f"?page={page}&limit=250"},
            }
        },
    }


def sent(request: httpx.Request) -> Any:
    return json.loads(request.content)
