"""Order upserts: children, customer link, timeline, and never an older version over a newer one."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from app.models import (
    Customer,
    Fulfillment,
    LineItem,
    Order,
    Refund,
    RefundLine,
    Return,
    ReturnItem,
    ReturnStatus,
    TimelineEntry,
)
from app.services.sync.upsert import (
    Applied,
    apply_fulfillment,
    apply_refund,
    delete_order,
    upsert_order,
    upsert_orders,
)
from app.settings import Settings
from connectors.shopify.records import parse_order
from connectors.shopify.webhook_payloads import (
    fulfillment_from_payload,
    order_from_payload,
    refund_from_payload,
)
from tests.app.services.sync.support import at, installed_shop
from tests.connectors.shopify.payloads import (
    fulfillment_node,
    line_item_node,
    order_node,
    refund_node,
    rest_fulfillment,
    rest_line_item,
    rest_order,
    rest_refund,
    return_node,
)
from tests.jobs.events import recorded


def graphql_order(number: int, updated_at: str = "2026-10-08T12:00:00Z", **fields: object) -> object:
    return parse_order(order_node(number, updated_at=updated_at, **fields))  # type: ignore[arg-type]


async def test_an_order_is_written_with_its_children_customer_and_timeline(db: Settings) -> None:
    shop = await installed_shop(db)
    record = parse_order(
        order_node(
            1,
            line_items=[line_item_node(11), line_item_node(12, quantity=1)],
            fulfillments=[fulfillment_node(21, 11), fulfillment_node(22, 12)],
            refunds=[refund_node(31, 11)],
            returns=[return_node(41, 11)],
        )
    )

    assert await upsert_order(shop.id, record) is Applied.CREATED

    order = await Order.get(shop_id=shop.id, platform_id="1")
    assert (order.number, order.total_price, order.currency, order.financial_status) == (
        "#1001",
        Decimal("31.68"),
        "EUR",
        "paid",
    )
    assert order.placed_at == at("2026-10-01T08:15:02Z"), "the order date is processedAt"
    assert order.delivered_at == at("2026-10-05T15:30:00Z"), "both fulfillments delivered"
    assert order.platform_updated_at == at("2026-10-08T12:00:00Z")
    assert sorted(await LineItem.filter(order_id=order.id).values_list("platform_id", flat=True)) == [
        "11",
        "12",
    ]
    assert await Fulfillment.filter(order_id=order.id).count() == 2
    refund = await Refund.get(platform_id="31")
    assert (refund.amount, refund.order_id) == (Decimal("10.00"), order.id)  # type: ignore[attr-defined]
    assert [line.quantity for line in await RefundLine.filter(refund_id=refund.id)] == [1]
    returned = await Return.get(platform_id="41")
    assert (returned.status, returned.name) == (ReturnStatus.OPEN, "#1001-R41")
    assert await ReturnItem.filter(return_request_id=returned.id).count() == 1

    customer = await Customer.get(id=order.customer_id)  # type: ignore[attr-defined]
    assert customer.platform_id == "501" and customer.platform_updated_at is None, "a placeholder"
    assert (customer.email, customer.orders_count, customer.total_spent) == (
        "shopper1@example.com",
        1,
        Decimal("31.68"),
    )
    kinds = sorted(await TimelineEntry.filter(customer_id=customer.id).values_list("kind", flat=True))
    assert kinds == [
        "fulfillment.created",
        "fulfillment.created",
        "fulfillment.delivered",
        "fulfillment.delivered",
        "order.placed",
        "refund.created",
        "return.opened",
        "return.requested",
    ]


async def test_a_newer_version_updates_and_an_older_one_never_does(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_order(shop.id, parse_order(order_node(1, updated_at="2026-10-08T12:00:00Z")))
    newer = parse_order(
        order_node(1, updated_at="2026-10-09T12:00:00Z", displayFinancialStatus="REFUNDED", tags=["returned"])
    )
    assert await upsert_order(shop.id, newer) is Applied.UPDATED
    older = parse_order(
        order_node(1, updated_at="2026-10-08T18:00:00Z", displayFinancialStatus="PARTIALLY_PAID")
    )

    assert await upsert_order(shop.id, older) is Applied.STALE

    order = await Order.get(platform_id="1")
    assert (order.financial_status, order.tags) == ("refunded", "returned")
    assert order.platform_updated_at == at("2026-10-09T12:00:00Z")
    assert await Order.all().count() == 1
    assert (await Customer.get(platform_id="501")).orders_count == 1, "counted once, when created"


async def test_the_same_version_twice_changes_nothing(db: Settings) -> None:
    shop = await installed_shop(db)
    record = parse_order(
        order_node(1, fulfillments=[fulfillment_node(21, 11)], refunds=[refund_node(31, 11)])
    )
    await upsert_order(shop.id, record)
    snapshot = await _snapshot()

    assert await upsert_order(shop.id, record) is Applied.UPDATED

    assert await _snapshot() == snapshot


async def test_a_deleted_order_is_a_tombstone_that_older_updates_cannot_revive(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_order(shop.id, parse_order(order_node(1, updated_at="2026-10-08T12:00:00Z")))

    assert await delete_order(shop.id, "1", at("2026-10-09T00:00:00Z")) is Applied.UPDATED
    assert await delete_order(shop.id, "1", at("2026-10-09T00:00:05Z")) is Applied.DELETED, "once"
    late = parse_order(order_node(1, updated_at="2026-10-08T23:00:00Z", displayFinancialStatus="REFUNDED"))
    assert await upsert_order(shop.id, late) is Applied.DELETED

    order = await Order.get(platform_id="1")
    assert order.deleted_at == at("2026-10-09T00:00:00Z") and order.financial_status == "paid"


async def test_a_delete_before_the_order_arrives_keeps_it_from_being_created(db: Settings) -> None:
    shop = await installed_shop(db)
    assert await delete_order(shop.id, "2", at("2026-10-09T00:00:00Z")) is Applied.CREATED

    stale_create = order_from_payload(rest_order(2, updated_at="2026-10-08T12:00:00Z"))
    assert (
        await upsert_order(shop.id, stale_create, triggered_at=at("2026-10-08T12:00:01Z")) is Applied.DELETED
    )

    tombstone = await Order.get(platform_id="2")
    assert tombstone.deleted_at is not None and tombstone.number == ""
    assert await LineItem.all().count() == 0 and await TimelineEntry.all().count() == 0


async def test_equal_stamps_are_broken_by_the_later_triggered_delivery(db: Settings) -> None:
    """orders/create and orders/paid in one second share updated_at; the later trigger wins, in
    whichever order they are processed."""
    shop = await installed_shop(db)
    created = rest_order(3, updated_at="2026-10-08T12:00:00Z", financial_status="pending")
    paid = rest_order(3, updated_at="2026-10-08T12:00:00Z", financial_status="paid")
    first, second = at("2026-10-08T12:00:00.100Z"), at("2026-10-08T12:00:00.700Z")
    await recorded(shop, "orders/paid", paid, triggered_at=second)
    await upsert_order(shop.id, order_from_payload(paid), triggered_at=second)

    assert await upsert_order(shop.id, order_from_payload(created), triggered_at=first) is Applied.STALE
    assert (await Order.get(platform_id="3")).financial_status == "paid"


async def test_a_fulfillment_update_is_not_undone_by_an_older_order_version(db: Settings) -> None:
    shop = await installed_shop(db)
    shipped = rest_fulfillment(21, 4, 41, updated_at="2026-10-03T08:00:00Z")
    await upsert_order(
        shop.id,
        order_from_payload(rest_order(4, line_items=[rest_line_item(41)], fulfillments=[shipped])),
        triggered_at=at("2026-10-08T12:00:01Z"),
    )
    delivered = rest_fulfillment(21, 4, 41, updated_at="2026-10-05T15:30:00Z", shipment_status="delivered")
    order_id, record = fulfillment_from_payload(delivered)
    assert await apply_fulfillment(shop.id, order_id, record, triggered_at=at("2026-10-05T15:30:01Z")) is (
        Applied.UPDATED
    )
    # A re-delivered orders/updated from before the delivery, carrying the in-transit fulfillment:
    retried = order_from_payload(
        rest_order(
            4, updated_at="2026-10-09T12:00:00Z", line_items=[rest_line_item(41)], fulfillments=[shipped]
        )
    )
    await upsert_order(shop.id, retried, triggered_at=at("2026-10-09T12:00:01Z"))

    fulfillment = await Fulfillment.get(platform_id="21")
    assert (fulfillment.shipment_status, fulfillment.delivered_at) == (
        "delivered",
        at("2026-10-05T15:30:00Z"),
    )
    order = await Order.get(platform_id="4")
    assert order.delivered_at == at("2026-10-05T15:30:00Z")
    assert await TimelineEntry.filter(kind="fulfillment.delivered").count() == 1


async def test_a_refund_webhook_adds_the_refund_once_and_needs_its_order(db: Settings) -> None:
    shop = await installed_shop(db)
    order_id, refund = refund_from_payload(rest_refund(61, 5, 51, amount="12.50"))
    assert await apply_refund(shop.id, order_id, refund) is Applied.MISSING

    await upsert_order(shop.id, order_from_payload(rest_order(5, line_items=[rest_line_item(51)])))
    for _ in range(2):
        assert await apply_refund(shop.id, order_id, refund) is Applied.UPDATED

    row = await Refund.get(platform_id="61")
    assert row.amount == Decimal("12.50") and row.note == "Arrived torn"
    assert await RefundLine.filter(refund_id=row.id).count() == 1
    assert await TimelineEntry.filter(kind="refund.created").values_list("summary", flat=True) == [
        "Refunded 12.50 EUR on order #1005"
    ]


async def test_an_order_moved_to_another_customer_takes_its_timeline_along(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_order(shop.id, parse_order(order_node(6, customer={"id": "gid://shopify/Customer/70"})))
    moved = parse_order(
        order_node(6, updated_at="2026-10-09T12:00:00Z", customer={"id": "gid://shopify/Customer/71"})
    )
    await upsert_order(shop.id, moved)
    new_owner = await Customer.get(platform_id="71")
    assert await TimelineEntry.filter(customer_id=new_owner.id).count() == 1
    assert await TimelineEntry.all().count() == 1


# --- many at once ---------------------------------------------------------------------------------


async def test_a_batch_inserts_new_orders_in_full_and_skips_what_is_stored(db: Settings) -> None:
    shop = await installed_shop(db)
    batch = [
        parse_order(
            order_node(
                n,
                line_items=[line_item_node(n * 10 + 1), line_item_node(n * 10 + 2)],
                fulfillments=[fulfillment_node(n * 100, n * 10 + 1)],
                refunds=[refund_node(n * 1000, n * 10 + 1)],
                returns=[return_node(n * 10000, n * 10 + 2)],
                customer={"id": f"gid://shopify/Customer/{500 + n % 3}"},
            )
        )
        for n in range(1, 10)
    ]

    first = await upsert_orders(shop.id, batch)
    again = await upsert_orders(shop.id, batch)

    assert (first.created, first.updated, first.skipped) == (9, 0, 0)
    assert (again.created, again.updated, again.skipped) == (0, 0, 9)
    assert (await Order.all().count(), await LineItem.all().count(), await Fulfillment.all().count()) == (
        9,
        18,
        9,
    )
    assert (await Refund.all().count(), await RefundLine.all().count()) == (9, 9)
    assert (await Return.all().count(), await ReturnItem.all().count()) == (9, 9)
    assert await Customer.all().count() == 3
    assert sorted(await Customer.all().values_list("orders_count", flat=True)) == [3, 3, 3]
    assert await TimelineEntry.filter(kind="order.placed").count() == 9
    assert await TimelineEntry.all().count() == 9 * 6
    # The batch path and the one-order path write the same rows for the same record.
    single = await _order_rows("1")
    await Order.filter(platform_id="1").delete()
    await upsert_order(shop.id, batch[0])
    assert await _order_rows("1") == single


async def test_a_batch_applies_newer_reads_and_skips_older_ones(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_orders(
        shop.id, [parse_order(order_node(n, updated_at="2026-10-08T12:00:00Z")) for n in (1, 2)]
    )
    result = await upsert_orders(
        shop.id,
        [
            parse_order(order_node(1, updated_at="2026-10-09T12:00:00Z", displayFinancialStatus="REFUNDED")),
            parse_order(order_node(2, updated_at="2026-10-07T12:00:00Z", displayFinancialStatus="PENDING")),
        ],
    )
    assert (result.created, result.updated, result.skipped) == (0, 1, 1)
    statuses = dict(await Order.all().values_list("platform_id", "financial_status"))
    assert statuses == {"1": "refunded", "2": "paid"}


async def test_a_bulk_order_without_nested_lines_keeps_the_lines_already_stored(db: Settings) -> None:
    shop = await installed_shop(db)
    await upsert_order(shop.id, parse_order(order_node(7, fulfillments=[fulfillment_node(71, 71)])))
    bulk_line = order_node(7, updated_at="2026-10-09T12:00:00Z", fulfillments=[fulfillment_node(71, 71)])
    bulk_line["fulfillments"][0].pop("fulfillmentLineItems")
    record = parse_order(bulk_line)
    assert "fulfillment_lines" in record.incomplete

    await upsert_orders(shop.id, [record])

    fulfillment = await Fulfillment.get(platform_id="71")
    assert fulfillment.lines == [{"line_item_platform_id": "71", "quantity": 2}]


async def test_an_order_record_with_overlong_text_is_trimmed_to_its_columns(db: Settings) -> None:
    shop = await installed_shop(db)
    record = parse_order(order_node(8, line_items=[line_item_node(81, title="x" * 600, sku="s" * 300)]))
    record = dataclasses.replace(record, cancel_reason="r" * 100)
    await upsert_orders(shop.id, [record])
    item = await LineItem.get(platform_id="81")
    assert (len(item.title), len(item.sku)) == (512, 255)


async def _snapshot() -> dict[str, object]:
    return {
        "orders": await Order.all().values(
            "platform_id", "financial_status", "platform_updated_at", "delivered_at"
        ),
        "line_items": await LineItem.all().count(),
        "fulfillments": await Fulfillment.all().values("platform_id", "status", "delivered_at", "lines"),
        "refunds": await Refund.all().count(),
        "refund_lines": await RefundLine.all().count(),
        "timeline": sorted(await TimelineEntry.all().values_list("kind", "subject_id")),
        "customers": await Customer.all().values("platform_id", "orders_count", "total_spent"),
    }


async def _order_rows(platform_id: str) -> dict[str, object]:
    order = await Order.get(platform_id=platform_id)
    ignore = {"id", "created_at", "updated_at", "order_id", "refund_id", "return_request_id"}

    def clean(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return sorted(({k: v for k, v in row.items() if k not in ignore} for row in rows), key=repr)

    return {
        "order": clean(await Order.filter(id=order.id).values()),
        "line_items": clean(await LineItem.filter(order_id=order.id).values()),
        "fulfillments": clean(await Fulfillment.filter(order_id=order.id).values()),
        "refunds": clean(await Refund.filter(order_id=order.id).values()),
        "returns": clean(await Return.filter(order_id=order.id).values()),
        "timeline": sorted(
            (kind, summary, occurred_at.isoformat())
            for kind, summary, occurred_at in await TimelineEntry.filter(order_id=order.id).values_list(
                "kind", "summary", "occurred_at"
            )
        ),
    }
