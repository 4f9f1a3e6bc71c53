"""BigCommerce hook deliveries through ``process_webhook``: the payload only names the resource, so
each handler reads it from the store (respx answering the real API) and writes it with the same
upserts as Shopify's topics; inactive stores, missing resources and refused tokens end cleanly."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis, Retry
from redis.asyncio import Redis

from app.models import Customer, LineItem, Order, Platform, Refund, Shop, WebhookEvent, WebhookStatus
from app.services.shops import token_cipher
from app.services.sync.platform import PlatformAccess
from app.settings import Settings
from connectors.bigcommerce.webhooks import SCOPES
from jobs import webhook_dispatch
from jobs.sync import install_parts
from jobs.webhooks import process_webhook
from tests.app.services.sync.support import platform_access
from tests.connectors.bigcommerce.fakes import fixture, ok, v3_list

STORE = "abc123"
API = f"https://api.bigcommerce.com/stores/{STORE}/"
CTX = {"job_try": 1}


@pytest.fixture
async def platform(db: Settings, redis_url: str, queue: ArqRedis) -> AsyncIterator[PlatformAccess]:
    """What the worker installs at start-up, with an HTTP client that talks to the real API URLs
    (answered by respx)."""
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis, httpx.AsyncClient())
    install_parts(access, queue)
    try:
        yield access
    finally:
        install_parts(None, None)
        await access.http.aclose()
        await redis.aclose()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


async def bc_store(settings: Settings, **fields: Any) -> Shop:
    return await Shop.create(
        platform=Platform.BIGCOMMERCE,
        domain=STORE,
        access_token_encrypted=token_cipher(settings).encrypt("bc-token"),
        installed_at=datetime(2024, 1, 1, tzinfo=UTC),
        **fields,
    )


async def deliver(shop: Shop, scope: str, resource_id: int | None, created_at: int = 1715680000) -> str:
    """Records the delivery as the intake would (thin payload, fact sheet 3.2) and processes it."""
    data: dict[str, Any] = {"type": "customer" if "customer" in scope else "order"}
    if resource_id is not None:
        data["id"] = resource_id
    event = await WebhookEvent.create(
        shop=shop,
        platform=Platform.BIGCOMMERCE,
        topic=scope,
        dedupe_key=uuid.uuid4().hex,
        webhook_id=uuid.uuid4().hex,
        triggered_at=datetime.fromtimestamp(created_at, UTC),
        payload={
            "scope": scope,
            "store_id": "1025646",
            "data": data,
            "hash": uuid.uuid4().hex,
            "created_at": created_at,
            "producer": f"stores/{STORE}",
        },
    )
    return await process_webhook(CTX, event.id)


async def last_note() -> str | None:
    event = await WebhookEvent.all().order_by("-id").first()
    assert event is not None
    return event.error


def order_100(**changes: Any) -> dict[str, Any]:
    return {**fixture("orders_page.json")[0], **changes}


def answer_order(api: respx.MockRouter, order: dict[str, Any], refunds: list[dict[str, Any]]) -> None:
    api.get(f"v2/orders/{order['id']}").mock(return_value=ok(order))
    api.get(f"v2/orders/{order['id']}/products").mock(return_value=ok(fixture("order_products.json")))
    api.get(f"v2/orders/{order['id']}/shipments").mock(return_value=ok(fixture("order_shipments.json")))
    api.get(f"v3/orders/{order['id']}/payment_actions/refunds").mock(return_value=ok(v3_list(refunds)))


# --- dispatch ---------------------------------------------------------------------------------


def test_every_scope_we_subscribe_to_has_a_handler() -> None:
    # A hook without a handler would be recorded and then ignored forever.
    missing = [scope for scope in SCOPES if scope not in webhook_dispatch.HANDLERS]
    assert missing == []


# --- orders -----------------------------------------------------------------------------------


async def test_an_order_delivery_reads_the_order_and_writes_it(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    answer_order(api, order_100(), [])

    assert await deliver(shop, "store/order/updated", 100) == "processed"

    order = await Order.get(shop_id=shop.id, platform_id="100")
    assert (order.number, order.total_price, order.currency) == ("100", Decimal("361.95"), "USD")
    assert await LineItem.filter(order_id=order.id).count() == len(fixture("order_products.json"))
    assert (await Customer.get(shop_id=shop.id, platform_id="20")).shop_id == shop.id  # type: ignore[attr-defined]
    assert api.calls.last.request.headers["X-Auth-Token"] == "bc-token"


async def test_a_later_delivery_brings_the_order_up_to_date(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    answer_order(api, order_100(), [])
    await deliver(shop, "store/order/created", 100)
    # Cancelled in the store since (status 5), and modified later.
    answer_order(api, order_100(status_id=5, date_modified="Thu, 06 Dec 2018 08:00:00 +0000"), [])

    assert await deliver(shop, "store/order/statusUpdated", 100) == "processed"

    order = await Order.get(shop_id=shop.id, platform_id="100")
    assert order.cancelled_at is not None
    assert await Order.filter(shop_id=shop.id).count() == 1


async def test_a_refund_delivery_reads_the_order_with_its_refunds(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    answer_order(
        api, order_100(refunded_amount="65.9900", status_id=14), [fixture("refund_created.json")["data"]]
    )

    # data.id of refund/created is the order's id (fact sheet 3.2).
    assert await deliver(shop, "store/order/refund/created", 100) == "processed"

    order = await Order.get(shop_id=shop.id, platform_id="100")
    refund = await Refund.get(order_id=order.id)
    assert (refund.platform_id, refund.amount) == ("1", Decimal("65.99"))


async def test_an_order_the_store_no_longer_has_is_ignored_as_missing(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v2/orders/404").mock(
        return_value=httpx.Response(
            404, json=[{"status": 404, "message": "The requested resource was not found."}]
        )
    )

    assert await deliver(shop, "store/order/updated", 404) == "ignored"

    assert "does not return this order" in (await last_note() or "")
    assert await Order.filter(shop_id=shop.id).count() == 0


async def test_a_delivery_that_names_no_resource_is_ignored(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    assert await deliver(shop, "store/order/updated", None) == "ignored"
    assert "no resource id" in (await last_note() or "")
    assert not api.calls


# --- customers --------------------------------------------------------------------------------


async def test_a_customer_delivery_upserts_the_customer(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    route = api.get("v3/customers").mock(return_value=ok(fixture("customers_page.json")))

    assert await deliver(shop, "store/customer/created", 32) == "processed"

    assert route.calls.last.request.url.params["id:in"] == "32"
    customer = await Customer.get(shop_id=shop.id, platform_id="32")
    assert (customer.email, customer.first_name, customer.last_name) == (
        "jane.smith@example.com",
        "Jane",
        "Smith",
    )

    changed = fixture("customers_page.json")
    changed["data"][0] |= {"email": "jane@acme.example", "date_modified": "2024-05-16T10:00:00Z"}
    route.mock(return_value=ok(changed))
    assert await deliver(shop, "store/customer/updated", 32) == "processed"
    assert (await Customer.get(id=customer.id)).email == "jane@acme.example"


async def test_a_customer_the_store_no_longer_has_is_ignored(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/customers").mock(return_value=ok(v3_list([])))

    assert await deliver(shop, "store/customer/updated", 33) == "ignored"

    assert "customer" in (await last_note() or "")
    assert await Customer.filter(shop_id=shop.id).count() == 0


async def test_a_customer_deleted_delivery_tombstones_the_customer(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/customers").mock(return_value=ok(fixture("customers_page.json")))
    await deliver(shop, "store/customer/created", 32)

    assert await deliver(shop, "store/customer/deleted", 32, created_at=1715900000) == "processed"

    customer = await Customer.get(shop_id=shop.id, platform_id="32")
    assert customer.deleted_at == datetime.fromtimestamp(1715900000, UTC)
    assert len(api.calls) == 1, "a delete is not read back from the store"
    # A late update delivery (the store still answered with the customer) does not revive it.
    assert await deliver(shop, "store/customer/updated", 32, created_at=1715800000) == "ignored"
    assert (await Customer.get(id=customer.id)).deleted_at is not None


# --- the store ----------------------------------------------------------------------------------


async def test_app_uninstalled_uninstalls_the_store(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)

    assert await deliver(shop, "store/app/uninstalled", None) == "processed"

    shop = await Shop.get(id=shop.id)
    assert not shop.is_active and shop.uninstalled_at is not None
    assert shop.access_token_encrypted is None
    assert not api.calls


@pytest.mark.parametrize("scope", ["store/order/updated", "store/customer/updated", "store/customer/deleted"])
async def test_nothing_is_done_for_an_uninstalled_store(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter, scope: str
) -> None:
    shop = await bc_store(db, is_active=False)

    assert await deliver(shop, scope, 100) == "ignored"

    assert await last_note() == "the shop is not installed"
    assert not api.calls
    assert await Customer.all().count() == 0


async def test_a_refused_token_marks_the_store_for_reauthorization(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v2/orders/100").mock(return_value=httpx.Response(401, json=[{"status": 401, "message": "No"}]))

    assert await deliver(shop, "store/order/updated", 100) == "failed"

    assert (await Shop.get(id=shop.id)).needs_reauth
    assert "re-authorized" in (await last_note() or "")


async def test_a_store_that_keeps_failing_is_retried_later(
    db: Settings, platform: PlatformAccess, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v2/orders/100").mock(return_value=httpx.Response(503))

    with pytest.raises(Retry):
        await deliver(shop, "store/order/updated", 100)

    assert (await WebhookEvent.get()).status == WebhookStatus.RECEIVED
