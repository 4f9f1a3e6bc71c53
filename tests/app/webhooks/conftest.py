"""Webhook tests run with known client secrets (current and old) and a clean Redis queue."""

from __future__ import annotations

import pytest

from app.models import Platform, Shop
from tests.app.webhooks.deliveries import OLD_SECRET, SECRET, SHOP_DOMAIN


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"SHOPIFY_API_SECRET": SECRET, "SHOPIFY_API_SECRET_OLD": OLD_SECRET}


async def make_shop(domain: str = SHOP_DOMAIN, *, active: bool = True) -> Shop:
    return await Shop.create(
        platform=Platform.SHOPIFY,
        domain=domain,
        platform_id="548380009",
        is_active=active,
        access_token_encrypted="gAAAA-not-a-real-token",
        refresh_token_encrypted="gAAAA-not-a-real-refresh-token",
    )
