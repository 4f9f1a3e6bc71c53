"""Webhook tests run with known client secrets (current and old) and a clean Redis queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from arq import ArqRedis

from app.models import Platform, Shop
from app.queue import open_queue
from app.settings import Settings, load_settings
from tests.app.webhooks.deliveries import OLD_SECRET, SECRET, SHOP_DOMAIN
from tests.conftest import PLATFORM_URL


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "AFTERCARE_PLATFORM_URL": PLATFORM_URL,
            "AFTERCARE_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SHOPIFY_APP_URL": "https://aftercare.test",
            "SHOPIFY_API_SECRET": SECRET,
            "SHOPIFY_API_SECRET_OLD": OLD_SECRET,
        }
    )


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[ArqRedis]:
    """The session Redis, emptied before and after: job ids repeat across tests (row ids restart)."""
    pool = open_queue(redis_url)
    await pool.flushdb()
    try:
        yield pool
    finally:
        await pool.flushdb()
        await pool.aclose()


async def make_shop(domain: str = SHOP_DOMAIN, *, active: bool = True) -> Shop:
    return await Shop.create(
        platform=Platform.SHOPIFY,
        domain=domain,
        platform_id="548380009",
        is_active=active,
        access_token_encrypted="gAAAA-not-a-real-token",
        refresh_token_encrypted="gAAAA-not-a-real-refresh-token",
    )
