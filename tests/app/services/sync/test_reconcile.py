"""The reconcile: what changed since the mark is read again, so a lost webhook is repaired."""

from __future__ import annotations

from decimal import Decimal

import respx

from app.models import Customer, Order, Shop, SyncKind, SyncRun, SyncStatus
from app.services.sync.marks import CLOCK_SKEW
from app.services.sync.platform import PlatformAccess
from app.services.sync.reconcile import OVERLAP, reconcile_slice
from app.services.sync.runs import request_backfill
from app.services.sync.slices import SliceState
from app.services.sync.upsert import upsert_order
from app.settings import Settings
from connectors.shopify.webhook_payloads import order_from_payload
from tests.app.services.sync.support import GRAPHQL, GraphQLRouter, at, installed_shop, pages
from tests.connectors.shopify.payloads import customer_node, order_node, rest_order

MARK = "2026-10-08T12:30:00Z"


@respx.mock
async def test_an_order_changed_without_a_webhook_is_repaired_by_the_next_reconcile(
    db: Settings, access: PlatformAccess
) -> None:
    shop = await installed_shop(db, synced_through=at(MARK))
    # What the last webhook said: paid, unfulfilled.
    await upsert_order(shop.id, order_from_payload(rest_order(1, updated_at="2026-10-08T12:00:00Z")))
    # The platform since: cancelled and refunded, and the orders/cancelled webhook never came.
    changed = order_node(
        1,
        updated_at="2026-10-09T09:00:00Z",
        cancelledAt="2026-10-09T09:00:00Z",
        cancelReason="CUSTOMER",
        displayFinancialStatus="REFUNDED",
        totalRefundedSet={"shopMoney": {"amount": "31.68", "currencyCode": "EUR"}},
    )
    router = GraphQLRouter(
        OrdersPage=pages("orders", [[changed]]),
        CustomersPage=pages("customers", [[customer_node(501, updatedAt="2026-10-09T08:00:00Z")]]),
    )
    respx.post(GRAPHQL).mock(side_effect=router)

    assert (await reconcile_slice(shop.id, access)).state is SliceState.DONE

    order = await Order.get(shop_id=shop.id, platform_id="1")
    assert (order.financial_status, order.cancel_reason, order.total_refunded) == (
        "refunded",
        "customer",
        Decimal("31.68"),
    )
    assert order.cancelled_at == at("2026-10-09T09:00:00Z")
    assert (await Customer.get(platform_id="501")).first_name == "Ada"
    since = (at(MARK) - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {v["query"] for _, v in router.calls} == {f"updated_at:>='{since}'"}
    assert [name for name, _ in router.calls] == ["OrdersPage", "CustomersPage"]
    mark = (await Shop.get(id=shop.id)).synced_through
    assert mark is not None and mark >= at("2026-10-09T08:00:00Z"), "the mark moved to what was read"


@respx.mock
async def test_a_reconcile_with_nothing_new_moves_the_mark_to_its_start_and_reuses_its_run(
    db: Settings, access: PlatformAccess
) -> None:
    shop = await installed_shop(db, synced_through=at(MARK))
    respx.post(GRAPHQL).mock(
        side_effect=GraphQLRouter(OrdersPage=pages("orders", [[]]), CustomersPage=pages("customers", [[]]))
    )
    for _ in range(2):
        assert (await reconcile_slice(shop.id, access)).state is SliceState.DONE
    runs = await SyncRun.filter(shop_id=shop.id, kind=SyncKind.RECONCILE)
    assert len(runs) == 1 and runs[0].status == SyncStatus.SUCCEEDED and runs[0].resource == "changes"
    mark = (await Shop.get(id=shop.id)).synced_through
    assert mark is not None and mark > at(MARK)
    assert runs[0].started_at is not None and mark == runs[0].started_at - CLOCK_SKEW


@respx.mock
async def test_a_long_catch_up_goes_on_in_slices(db: Settings, access: PlatformAccess) -> None:
    shop = await installed_shop(db, synced_through=at(MARK))
    nodes = [order_node(n, updated_at=f"2026-10-{9 + n:02d}T00:00:00Z") for n in range(1, 6)]
    router = GraphQLRouter(
        OrdersPage=pages("orders", [nodes[:2], nodes[2:4], nodes[4:]]), CustomersPage=pages("customers", [[]])
    )
    respx.post(GRAPHQL).mock(side_effect=router)

    states = [(await reconcile_slice(shop.id, access, budget=0)).state for _ in range(3)]

    assert states == [SliceState.MORE, SliceState.MORE, SliceState.DONE]
    assert await Order.filter(shop_id=shop.id).count() == 5
    assert (await SyncRun.get(shop_id=shop.id, kind=SyncKind.RECONCILE)).done == 5
    calls = router.variables_of("OrdersPage")
    assert [v.get("after") for v in calls] == [None, "cursor-1", "cursor-2"]
    assert len({v["query"] for v in calls}) == 1, "one pass, one lower bound"

    mark = (await Shop.get(id=shop.id)).synced_through
    assert mark is not None
    await reconcile_slice(shop.id, access, budget=0)
    fresh = router.variables_of("OrdersPage")[-1]
    since = (mark - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert fresh.get("after") is None and fresh["query"] == f"updated_at:>='{since}'", (
        "the next pass starts over from the new mark"
    )


async def test_no_reconcile_before_the_backfill_has_finished(db: Settings, access: PlatformAccess) -> None:
    fresh = await installed_shop(db)
    assert (await reconcile_slice(fresh.id, access)).state is SliceState.STOPPED
    busy = await installed_shop(db, domain="busy-shop.myshopify.com", synced_through=at(MARK))
    await request_backfill(busy.id)
    assert (await reconcile_slice(busy.id, access)).state is SliceState.STOPPED
    gone = await installed_shop(
        db, domain="gone-shop.myshopify.com", synced_through=at(MARK), is_active=False
    )
    assert (await reconcile_slice(gone.id, access)).state is SliceState.STOPPED
    assert await SyncRun.filter(kind=SyncKind.RECONCILE).count() == 0
