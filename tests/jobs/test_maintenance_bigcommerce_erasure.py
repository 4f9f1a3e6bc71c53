"""A BigCommerce store's data is erased 48 h after its uninstall, as Shopify's shop/redact erases a
Shopify shop's: BigCommerce sends no such request, so ``erase_uninstalled_bigcommerce_stores``
(a cron) stands in for it. A store that came back is kept; running it again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from tortoise import Tortoise

from app import clock
from app.models import AuditEvent, Platform, Shop, WebhookEvent
from app.services.shops import install_shop
from app.services.uninstall import uninstall_shop
from app.settings import Settings
from connectors.base import TokenSet
from jobs.maintenance import (
    BIGCOMMERCE_ERASE_AFTER,
    erase_departed_store,
    erase_uninstalled_bigcommerce_stores,
)
from jobs.worker import WorkerSettings
from tests.jobs.customer_data import seed_customer

CTX: dict[str, object] = {}


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


async def install(settings: Settings, domain: str, platform: Platform = Platform.BIGCOMMERCE) -> Shop:
    return await install_shop(
        domain,
        TokenSet(access_token=f"token-{domain}", scope=""),
        settings=settings,
        via="test",
        platform=platform,
    )


async def owned_rows(shop_id: int) -> int:
    """Rows of every table with a shop foreign key, plus the shop's own."""
    total = await Shop.filter(id=shop_id).count()
    for model in Tortoise.apps["models"].values():
        if "shop" in model._meta.fk_fields:
            total += await model.filter(shop_id=shop_id).count()
    return total


async def test_a_store_uninstalled_48_hours_ago_is_erased_once(db: Settings) -> None:
    store = await install(db, "abc123")
    await seed_customer(store)
    await WebhookEvent.create(
        shop=store, platform=Platform.BIGCOMMERCE, topic="store/order/updated", dedupe_key="h1", payload={}
    )
    kept = await install(db, "xyz789")
    await seed_customer(kept)
    kept_rows = await owned_rows(kept.id)
    await uninstall_shop(store.id)

    clock.advance(timedelta(hours=47, minutes=59))
    assert await erase_uninstalled_bigcommerce_stores(CTX) == 0, "not before the 48 hours"
    assert await Shop.filter(id=store.id).exists()

    clock.advance(timedelta(minutes=2))
    assert await erase_uninstalled_bigcommerce_stores(CTX) == 1

    assert await owned_rows(store.id) == 0
    assert await owned_rows(kept.id) == kept_rows, "another store's data is untouched"
    audit = await AuditEvent.get(action="privacy.shop_erased")
    assert audit.data == {"platform": "bigcommerce", "domain": "abc123"}
    assert await erase_uninstalled_bigcommerce_stores(CTX) == 0, "running it again is a no-op"


async def test_a_store_installed_again_is_kept(db: Settings) -> None:
    store = await install(db, "abc123")
    await uninstall_shop(store.id)
    clock.advance(timedelta(hours=20))
    await install(db, "abc123")  # the merchant came back

    clock.advance(timedelta(hours=40))
    assert await erase_uninstalled_bigcommerce_stores(CTX) == 0

    assert (await Shop.get(id=store.id)).is_active


async def test_a_store_that_came_back_after_it_was_listed_is_kept(db: Settings) -> None:
    store = await install(db, "abc123")
    await uninstall_shop(store.id)
    clock.advance(timedelta(hours=49))
    listed_at = clock.utcnow() - BIGCOMMERCE_ERASE_AFTER
    await install(db, "abc123")  # between the cron's listing and this store's turn

    assert await erase_departed_store(store.id, listed_at) is False

    assert (await Shop.get(id=store.id)).is_active


async def test_shopify_shops_wait_for_their_own_shop_redact(db: Settings) -> None:
    shop = await install(db, "aftercare-test.myshopify.com", Platform.SHOPIFY)
    await uninstall_shop(shop.id)

    clock.advance(timedelta(days=3))
    assert await erase_uninstalled_bigcommerce_stores(CTX) == 0

    assert await Shop.filter(id=shop.id).exists()


async def test_an_installed_store_is_never_erased(db: Settings) -> None:
    store = await install(db, "abc123")
    clock.advance(timedelta(days=30))
    assert await erase_uninstalled_bigcommerce_stores(CTX) == 0
    assert await Shop.filter(id=store.id).exists()


def test_the_worker_runs_it_as_a_cron() -> None:
    assert erase_uninstalled_bigcommerce_stores in WorkerSettings.functions
    assert erase_uninstalled_bigcommerce_stores in {job.coroutine for job in WorkerSettings.cron_jobs}
