"""Reading one order or customer whole from the platform and writing it (``repair``), here for a
BigCommerce store, whose webhooks carry nothing but ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from redis.asyncio import Redis

from app.models import Customer, Order, Platform, Shop
from app.services.shops import token_cipher
from app.services.sync.platform import PlatformAccess
from app.services.sync.repair import refresh_customer, refresh_order
from app.services.sync.rows import Applied
from app.settings import Settings
from tests.app.services.sync.support import platform_access
from tests.connectors.bigcommerce.fakes import fixture, ok, v3_list

STORE = "abc123"
API = f"https://api.bigcommerce.com/stores/{STORE}/"


@pytest.fixture
async def bc_access(db: Settings, redis_url: str) -> AsyncIterator[PlatformAccess]:
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis, httpx.AsyncClient())
    try:
        yield access
    finally:
        await access.http.aclose()
        await redis.aclose()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


async def bc_store(settings: Settings) -> Shop:
    return await Shop.create(
        platform=Platform.BIGCOMMERCE,
        domain=STORE,
        access_token_encrypted=token_cipher(settings).encrypt("bc-token"),
    )


def customers(**changes: Any) -> dict[str, Any]:
    page = fixture("customers_page.json")
    page["data"][0] |= changes
    return page


async def test_refresh_customer_writes_what_the_store_holds(
    db: Settings, bc_access: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    route = api.get("v3/customers").mock(return_value=ok(customers()))

    assert await refresh_customer(shop.id, "32", bc_access) is Applied.CREATED

    assert route.calls.last.request.url.params["id:in"] == "32"
    customer = await Customer.get(shop_id=shop.id, platform_id="32")
    assert (customer.email, customer.phone) == ("jane.smith@example.com", "555-123-4567")
    assert customer.platform_updated_at == datetime(2024, 5, 15, 10, tzinfo=UTC)


async def test_refresh_customer_never_goes_back_in_time(
    db: Settings, bc_access: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/customers").mock(
        side_effect=[
            ok(customers(email="new@example.com", date_modified="2024-05-16T10:00:00Z")),
            # A slower replica answering with the version before.
            ok(customers(email="old@example.com", date_modified="2024-05-15T10:00:00Z")),
        ]
    )

    await refresh_customer(shop.id, "32", bc_access)
    assert await refresh_customer(shop.id, "32", bc_access) is Applied.STALE

    assert (await Customer.get(shop_id=shop.id, platform_id="32")).email == "new@example.com"


async def test_a_customer_the_store_does_not_have_is_missing_and_not_written(
    db: Settings, bc_access: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/customers").mock(return_value=ok(v3_list([])))

    assert await refresh_customer(shop.id, "33", bc_access) is Applied.MISSING

    assert await Customer.filter(shop_id=shop.id).count() == 0


async def test_refresh_order_reads_a_bigcommerce_order_whole(
    db: Settings, bc_access: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v2/orders/100").mock(return_value=ok(fixture("orders_page.json")[0]))
    api.get("v2/orders/100/products").mock(return_value=ok(fixture("order_products.json")))
    api.get("v3/orders/100/payment_actions/refunds").mock(return_value=ok(v3_list([])))

    assert await refresh_order(shop.id, "100", bc_access) is Applied.CREATED

    assert await Order.filter(shop_id=shop.id, platform_id="100").exists()


async def test_an_order_the_store_does_not_have_is_missing(
    db: Settings, bc_access: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v2/orders/404").mock(
        return_value=httpx.Response(404, json=[{"status": 404, "message": "Not found"}])
    )

    assert await refresh_order(shop.id, "404", bc_access) is Applied.MISSING
