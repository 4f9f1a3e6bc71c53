"""Order, customer, refund, fulfillment and return webhooks through ``process_webhook``: dispatch,
inactive shops, reads from the platform, and any interleaving of deliveries ends at the newest."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import respx
from arq import ArqRedis
from arq.constants import default_queue_name
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from app.models import (
    Customer,
    Fulfillment,
    Order,
    Refund,
    Return,
    ReturnItem,
    ReturnStatus,
    Shop,
    SyncKind,
    SyncRun,
    SyncStatus,
    WebhookEvent,
    WebhookStatus,
)
from app.services.sync.platform import PlatformAccess
from app.settings import Settings
from app.webhooks.topics import (
    CUSTOMER_TOPICS,
    FULFILLMENT_TOPICS,
    ORDER_TOPICS,
    REFUND_TOPICS,
    RETURN_TOPICS,
)
from jobs import webhook_handlers
from jobs.sync import install_parts
from jobs.webhooks import process_webhook
from tests.app.services.sync.support import GRAPHQL, GraphQLRouter, at, installed_shop, platform_access
from tests.connectors.shopify.payloads import (
    BULK_ID,
    bulk_finished,
    ok,
    order_node,
    rest_customer,
    rest_fulfillment,
    rest_line_item,
    rest_merge,
    rest_order,
    rest_refund,
    rest_return,
    return_node,
)
from tests.jobs.events import recorded

CTX = {"job_try": 1}
_domains = itertools.count(1)


@pytest.fixture
async def platform(db: Settings, redis_url: str, queue: ArqRedis) -> AsyncIterator[PlatformAccess]:
    """What the worker installs at start-up for the handlers that read from the platform."""
    redis = Redis.from_url(redis_url)
    access = platform_access(db, redis)
    install_parts(access, queue)
    try:
        yield access
    finally:
        install_parts(None, None)
        await access.http.aclose()
        await redis.aclose()


async def deliver(shop: Shop, topic: str, payload: dict[str, Any], triggered_at: str | None = None) -> str:
    event_id = await recorded(shop, topic, payload, triggered_at=at(triggered_at) if triggered_at else None)
    return await process_webhook(CTX, event_id)


async def event_note(topic: str) -> str | None:
    return (await WebhookEvent.filter(topic=topic).order_by("-id").first().values("error") or {}).get("error")


def order_detail(node: dict[str, Any]) -> Any:
    return lambda _variables: ok({"order": node})


# --- dispatch ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topics", "handler"),
    [
        (
            ("orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled"),
            "order_changed",
        ),
        (("orders/partially_fulfilled",), "order_changed"),
        (("orders/edited",), "order_edited"),
        (("orders/delete",), "order_deleted"),
        (("customers/create", "customers/update"), "customer_changed"),
        (("customers/delete",), "customer_deleted"),
        (("customers/merge",), "customers_merged"),
        (REFUND_TOPICS, "refund_created"),
        (FULFILLMENT_TOPICS, "fulfillment_changed"),
        (RETURN_TOPICS, "return_changed"),
        (("bulk_operations/finish",), "bulk_operation_finished"),
    ],
)
def test_each_sync_topic_has_its_handler(topics: tuple[str, ...], handler: str) -> None:
    for topic in topics:
        assert webhook_handlers.HANDLERS[topic].__name__ == handler, topic
    assert set(ORDER_TOPICS) | set(CUSTOMER_TOPICS) <= set(webhook_handlers.HANDLERS)


async def test_an_order_webhook_writes_the_order(db: Settings) -> None:
    shop = await installed_shop(db)
    assert (
        await deliver(shop, "orders/create", rest_order(1, customer=77), "2026-10-08T12:00:01Z")
        == "processed"
    )
    order = await Order.get(shop_id=shop.id, platform_id="1")
    assert (order.number, order.total_price) == ("#1001", Decimal("31.68"))
    assert (await Customer.get(platform_id="77")).name_key == "grace hopper"


async def test_a_stale_delivery_is_ignored_with_its_reason(db: Settings) -> None:
    shop = await installed_shop(db)
    await deliver(
        shop, "orders/updated", rest_order(1, updated_at="2026-10-09T12:00:00Z"), "2026-10-09T12:00:01Z"
    )
    assert await deliver(shop, "orders/paid", rest_order(1), "2026-10-08T12:00:01Z") == "ignored"
    assert await event_note("orders/paid") == "stale: a newer version is stored"


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("orders/create", rest_order(1)),
        ("customers/update", rest_customer(2)),
        ("refunds/create", rest_refund(3, 1, 11)),
        ("returns/request", rest_return(4, 1)),
    ],
)
async def test_nothing_is_done_for_a_shop_that_is_not_installed(
    db: Settings, topic: str, payload: dict[str, Any]
) -> None:
    shop = await installed_shop(db, is_active=False)
    with respx.mock:  # no platform call may happen
        assert await deliver(shop, topic, payload) == "ignored"
    assert await event_note(topic) == "the shop is not installed"
    assert (await Order.all().count(), await Customer.all().count(), await Return.all().count()) == (0, 0, 0)


async def test_an_unreadable_body_is_ignored_for_the_reconcile_to_repair(db: Settings) -> None:
    shop = await installed_shop(db)
    body = rest_order(1)
    del body["created_at"]
    assert await deliver(shop, "orders/create", body) == "ignored"
    note = await event_note("orders/create")
    assert note is not None and note.startswith("unreadable payload") and "reconcile" in note


async def test_deletes_are_tombstones_stamped_by_the_trigger_time(db: Settings) -> None:
    shop = await installed_shop(db)
    await deliver(shop, "orders/create", rest_order(1), "2026-10-08T12:00:01Z")
    assert await deliver(shop, "orders/delete", {"id": 1}, "2026-10-10T00:00:00Z") == "processed"
    assert (
        await deliver(shop, "orders/updated", rest_order(1, updated_at="2026-10-09T00:00:00Z")) == "ignored"
    )
    assert (await Order.get(platform_id="1")).deleted_at == at("2026-10-10T00:00:00Z")
    await deliver(shop, "customers/delete", {"id": 501, "admin_graphql_api_id": "gid://shopify/Customer/501"})
    assert (await Customer.get(platform_id="501")).deleted_at is not None


async def test_customer_webhooks_and_merges(db: Settings) -> None:
    shop = await installed_shop(db)
    assert await deliver(shop, "customers/create", rest_customer(1), "2026-10-08T12:00:01Z") == "processed"
    await deliver(shop, "orders/create", rest_order(5, customer=2))
    assert await deliver(shop, "customers/merge", rest_merge(1, 2, status="failed")) == "ignored"
    assert await deliver(shop, "customers/merge", rest_merge(1, 2)) == "processed"
    kept = await Customer.get(platform_id="1")
    assert (await Order.get(platform_id="5")).customer_id == kept.id  # type: ignore[attr-defined]
    assert (await Customer.get(platform_id="2")).deleted_at is not None


async def test_fulfillment_and_refund_webhooks_of_a_known_order(db: Settings) -> None:
    shop = await installed_shop(db)
    await deliver(shop, "orders/create", rest_order(1, line_items=[rest_line_item(11)]))
    delivered = rest_fulfillment(21, 1, 11, shipment_status="delivered", updated_at="2026-10-05T15:30:00Z")
    assert await deliver(shop, "fulfillments/update", delivered, "2026-10-05T15:30:02Z") == "processed"
    assert await deliver(shop, "refunds/create", rest_refund(31, 1, 11)) == "processed"
    assert (await Order.get(platform_id="1")).delivered_at == at("2026-10-05T15:30:00Z")
    assert await Fulfillment.filter(platform_id="21").count() == 1
    assert await Refund.filter(platform_id="31").count() == 1


# --- handlers that read from the platform ---------------------------------------------------------


@respx.mock
async def test_a_refund_of_an_order_we_do_not_hold_reads_the_order(
    db: Settings, platform: PlatformAccess
) -> None:
    shop = await installed_shop(db)
    router = GraphQLRouter(OrderDetail=order_detail(order_node(9, line_items=[], returns=[])))
    respx.post(GRAPHQL).mock(side_effect=router)
    assert await deliver(shop, "refunds/create", rest_refund(31, 9, 91)) == "processed"
    assert await Order.filter(platform_id="9").count() == 1
    assert router.variables_of("OrderDetail")[0]["id"] == "gid://shopify/Order/9"


@respx.mock
async def test_an_edited_order_is_read_from_the_platform(db: Settings, platform: PlatformAccess) -> None:
    shop = await installed_shop(db)
    await deliver(shop, "orders/create", rest_order(1))
    respx.post(GRAPHQL).mock(
        side_effect=GraphQLRouter(
            OrderDetail=order_detail(order_node(1, updated_at="2026-10-10T00:00:00Z", tags=["edited"]))
        )
    )
    edit = {"order_edit": {"id": 78912328793123782, "order_id": 1, "created_at": "2026-10-10T00:00:00Z"}}
    assert await deliver(shop, "orders/edited", edit) == "processed"
    assert (await Order.get(platform_id="1")).tags == "edited"


@respx.mock
async def test_a_return_is_read_with_its_order_then_follows_its_webhooks(
    db: Settings, platform: PlatformAccess
) -> None:
    shop = await installed_shop(db)
    await deliver(shop, "orders/create", rest_order(1, line_items=[rest_line_item(11)]))
    detail = order_node(
        1, updated_at="2026-10-10T00:00:00Z", returns=[return_node(4, 11, status="REQUESTED")]
    )
    router = GraphQLRouter(OrderDetail=order_detail(detail))
    respx.post(GRAPHQL).mock(side_effect=router)

    assert await deliver(shop, "returns/request", rest_return(4, 1), "2026-10-10T00:00:01Z") == "processed"
    returned = await Return.get(platform_id="4")
    assert (
        returned.status == ReturnStatus.REQUESTED
        and await ReturnItem.filter(return_request_id=returned.id).count() == 1
    )

    approve = rest_return(4, 1, "open")
    assert await deliver(shop, "returns/approve", approve, "2026-10-11T00:00:00Z") == "processed"
    late_request = rest_return(4, 1, "requested")
    assert await deliver(shop, "returns/request", late_request, "2026-10-10T00:00:01Z") == "ignored"
    decline = rest_return(4, 1, "declined", decline={"reason": "final_sale", "note": "Final sale item"})
    assert await deliver(shop, "returns/decline", decline, "2026-10-12T00:00:00Z") == "processed"

    returned = await Return.get(platform_id="4")
    assert (returned.status, returned.decline_reason, returned.decline_note) == (
        ReturnStatus.DECLINED,
        "FINAL_SALE",
        "Final sale item",
    )
    assert returned.opened_at == at("2026-10-11T00:00:00Z") and returned.closed_at == at(
        "2026-10-12T00:00:00Z"
    )
    assert len(router.variables_of("OrderDetail")) == 1, "a held return needs no read"


@respx.mock
async def test_a_platform_refusal_fails_the_delivery_and_a_401_flags_the_shop(
    db: Settings, platform: PlatformAccess
) -> None:
    shop = await installed_shop(db)
    respx.post(GRAPHQL).respond(403, json={"errors": "[API] This action requires merchant approval"})
    assert await deliver(shop, "refunds/create", rest_refund(31, 9, 91)) == "failed"
    note = await event_note("refunds/create")
    assert note is not None and note.startswith("the platform refused")

    respx.post(GRAPHQL).respond(401, json={"errors": "[API] Invalid API key or access token"})
    assert await deliver(shop, "orders/edited", {"order_edit": {"id": 1, "order_id": 9}}) == "failed"
    assert (await Shop.get(id=shop.id)).needs_reauth


async def test_a_finished_bulk_operation_wakes_its_backfill(
    db: Settings, platform: PlatformAccess, queue: ArqRedis
) -> None:
    shop = await installed_shop(db)
    await SyncRun.create(
        shop=shop,
        kind=SyncKind.BACKFILL,
        resource="orders",
        status=SyncStatus.PENDING,
        bulk_operation_id=BULK_ID,
    )
    assert await deliver(shop, "bulk_operations/finish", bulk_finished()) == "processed"
    assert await queue.zcard(default_queue_name) == 1
    assert await deliver(
        shop, "bulk_operations/finish", bulk_finished(operation="gid://shopify/BulkOperation/9")
    ) == ("ignored")


# --- any interleaving ends at the newest version -----------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Versions of 1-3 orders: updated_at never goes back (equal stamps happen: REST has whole
    seconds), trigger times strictly increase. Each version is one delivery."""
    versions = []
    for order in range(1, draw(st.integers(1, 3)) + 1):
        stamp = 0
        for index in range(draw(st.integers(1, 5))):
            stamp += draw(st.sampled_from([0, 0, 1, 60]))
            versions.append({"order": order, "index": index, "stamp": stamp})
    return versions


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories(), data=st.data())
async def test_any_interleaving_of_deliveries_ends_at_the_newest_version(
    db: Settings, history: list[dict[str, Any]], data: st.DataObject
) -> None:
    shop = await installed_shop(db, domain=f"interleave-{next(_domains)}.myshopify.com")
    base = at("2026-10-08T12:00:00Z")
    deliveries = []
    for version in history:
        updated = base + timedelta(seconds=version["stamp"])
        payload = rest_order(
            version["order"],
            updated_at=updated.isoformat(),
            customer=900,
            financial_status=["pending", "paid", "partially_refunded", "refunded", "voided"][
                version["index"]
            ],
            tags=f"v{version['index']}",
            total_price=f"{10 + version['index']}.00",
            total_price_set=None,
        )
        triggered = updated + timedelta(milliseconds=100 * (version["index"] + 1))
        topic = data.draw(st.sampled_from(["orders/create", "orders/updated", "orders/paid"]))
        copies = data.draw(st.integers(1, 2))  # at least once; sometimes twice
        deliveries += [(topic, payload, triggered)] * copies
    order = data.draw(st.permutations(deliveries))
    processed: list[int] = []
    for topic, payload, triggered in order:
        processed.append(await recorded(shop, topic, payload, triggered_at=triggered))
        await process_webhook(CTX, processed[-1])
        if data.draw(st.booleans()):  # a job that runs twice
            await process_webhook(CTX, data.draw(st.sampled_from(processed)))

    newest = {}
    for version in history:
        newest[version["order"]] = version  # the last version of each order is its newest
    stored = {
        row["platform_id"]: row
        for row in await Order.filter(shop_id=shop.id).values(
            "platform_id", "financial_status", "tags", "total_price"
        )
    }
    assert set(stored) == {str(n) for n in newest}
    for number, version in newest.items():
        row = stored[str(number)]
        assert (row["tags"], row["total_price"]) == (
            f"v{version['index']}",
            Decimal(f"{10 + version['index']}.00"),
        )
    customer = await Customer.get(shop_id=shop.id, platform_id="900")
    assert customer.orders_count == len(newest), "each order counted once"
    assert await WebhookEvent.filter(shop_id=shop.id, status=WebhookStatus.FAILED).count() == 0
