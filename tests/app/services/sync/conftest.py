"""Fixtures for the sync service tests: the database (both dialects), Redis, platform access."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from app import clock
from app.services.sync.platform import PlatformAccess
from app.settings import Settings
from tests.app.services.sync.support import platform_access


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
async def access(db: Settings, redis_url: str) -> AsyncIterator[PlatformAccess]:
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis)
    try:
        yield access
    finally:
        await access.http.aclose()
        await redis.aclose()
