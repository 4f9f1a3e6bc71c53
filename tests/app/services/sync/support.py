"""Shared by the sync tests (services and jobs): an installed shop, platform access through the
app's routed HTTP client, and GraphQL answers by operation name (respx)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from redis.asyncio import Redis

from app.clock import utcnow
from app.models import Platform, Shop
from app.platform_http import build_http_client
from app.services.shops import token_cipher
from app.services.sync.platform import PlatformAccess
from app.settings import Settings
from connectors.shopify.throttle import CostBucket
from tests.conftest import PLATFORM_URL
from tests.connectors.shopify.fakes import GraphQLRouter
from tests.connectors.shopify.payloads import connection_page, ok

SHOP = "sync-test.myshopify.com"
GRAPHQL = f"{PLATFORM_URL}/shopify/{SHOP}/admin/api/2026-10/graphql.json"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def installed_shop(settings: Settings, domain: str = SHOP, **fields: Any) -> Shop:
    """An active shop with a non-expiring token the app can decrypt (no refresh involved)."""
    return await Shop.create(
        platform=Platform.SHOPIFY,
        domain=domain,
        access_token_encrypted=token_cipher(settings).encrypt("shpat_sync_test"),
        installed_at=utcnow(),
        **fields,
    )


class Sleeps:
    """``sleep`` for the client and the foreground runner: records, never waits."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def platform_access(
    settings: Settings, redis: Redis, http: httpx.AsyncClient | None = None
) -> PlatformAccess:
    buckets: dict[str, CostBucket] = {}
    return PlatformAccess(
        settings,
        http or build_http_client(PLATFORM_URL),
        redis,
        sleep=Sleeps(),
        bucket_for=lambda shop: buckets.setdefault(shop, CostBucket()),
    )


def pages(name: str, nodes: list[list[dict[str, Any]]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Answers page n (found by its ``after`` cursor, ``cursor-n``) with ``nodes[n]``."""

    def answer(variables: dict[str, Any]) -> dict[str, Any]:
        after = variables.get("after")
        index = 0 if after is None else int(after.removeprefix("cursor-"))
        has_next = index + 1 < len(nodes)
        return connection_page(name, nodes[index], f"cursor-{index + 1}", has_next)

    return answer


def count(name: str, value: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda _variables: ok({name: {"count": value, "precision": "EXACT"}})


__all__ = [
    "GRAPHQL",
    "SHOP",
    "GraphQLRouter",
    "Sleeps",
    "at",
    "count",
    "installed_shop",
    "pages",
    "platform_access",
]
