"""``PlatformAccess.connector_for``: the one place that picks a shop's connector by its platform."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from redis.asyncio import Redis

from app.models import Platform, Shop
from app.services.shops import token_cipher
from app.services.sync.platform import PlatformAccess, bulk_client
from app.settings import Settings
from connectors.bigcommerce.budget import shared_budget
from connectors.bigcommerce.connector import BigCommerceConnector
from connectors.errors import AuthError, Permanent
from connectors.shopify.connector import ShopifyConnector
from tests.app.services.sync.support import installed_shop, platform_access
from tests.connectors.bigcommerce.fakes import fixture, ok

STORE = "abc123"
API = f"https://api.bigcommerce.com/stores/{STORE}/"


@pytest.fixture
async def bc_access(db: Settings, redis_url: str) -> AsyncIterator[PlatformAccess]:
    """Platform access whose HTTP client calls the real API URLs (answered by respx)."""
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis, httpx.AsyncClient())
    try:
        yield access
    finally:
        await access.http.aclose()
        await redis.aclose()


async def bc_store(settings: Settings, **fields: Any) -> Shop:
    return await Shop.create(
        platform=Platform.BIGCOMMERCE,
        domain=STORE,
        access_token_encrypted=token_cipher(settings).encrypt("bc-token"),
        **fields,
    )


async def test_a_bigcommerce_store_gets_a_bigcommerce_connector_on_its_own_token(
    db: Settings, bc_access: PlatformAccess
) -> None:
    shop = await bc_store(db)

    connector = bc_access.connector_for(shop)

    assert isinstance(connector, BigCommerceConnector)
    assert connector.rest.base_url == API
    # Every client of one store spends from the store's one budget (its quota is shared).
    assert connector.rest.budget is shared_budget(STORE)
    with respx.mock(base_url=API) as api:
        route = api.get("v3/customers").mock(return_value=ok(fixture("customers_page.json")))
        customer = await connector.fetch_customer("32")
    assert customer is not None and customer.email == "jane.smith@example.com"
    assert route.calls.last.request.headers["X-Auth-Token"] == "bc-token"
    assert bulk_client(connector) is None, "BigCommerce is read page by page"


async def test_an_uninstalled_store_has_no_token_to_call_with(
    db: Settings, bc_access: PlatformAccess
) -> None:
    shop = await bc_store(db, is_active=False)
    with respx.mock(base_url=API) as api, pytest.raises(AuthError):
        await bc_access.connector_for(shop).fetch_customer("32")
    assert not api.calls


async def test_a_shopify_shop_gets_a_shopify_connector(db: Settings, bc_access: PlatformAccess) -> None:
    shop = await installed_shop(db)
    assert isinstance(bc_access.connector_for(shop), ShopifyConnector)


async def test_a_bigcommerce_store_has_no_graphql_client(db: Settings, bc_access: PlatformAccess) -> None:
    shop = await bc_store(db)
    with pytest.raises(Permanent):
        bc_access.client_for(shop)
