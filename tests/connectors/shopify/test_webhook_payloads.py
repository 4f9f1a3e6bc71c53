"""REST webhook bodies become the same records a GraphQL read gives (ids, money, statuses)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.shopify.records import parse_order
from connectors.shopify.webhook_payloads import (
    PayloadError,
    bulk_finish_from_payload,
    customer_from_payload,
    deleted_id,
    fulfillment_from_payload,
    merge_from_payload,
    order_customer_from_payload,
    order_from_payload,
    order_id_of_edit,
    refund_from_payload,
    return_from_payload,
)
from tests.connectors.shopify.payloads import (
    BULK_ID,
    bulk_finished,
    fulfillment_node,
    line_item_node,
    order_node,
    refund_node,
    rest_customer,
    rest_fulfillment,
    rest_line_item,
    rest_merge,
    rest_order,
    rest_refund,
    rest_return,
)


def test_an_order_body_reads_like_the_graphql_order_of_the_same_state() -> None:
    body = rest_order(
        7,
        line_items=[rest_line_item(71)],
        fulfillments=[
            rest_fulfillment(9, 7, 71, shipment_status="delivered", updated_at="2026-10-05T15:30:00Z")
        ],
        refunds=[rest_refund(5, 7, 71)],
        fulfillment_status="fulfilled",
    )
    from_webhook = order_from_payload(body)
    from_graphql = parse_order(
        order_node(
            7,
            line_items=[line_item_node(71, refundableQuantity=1, currentQuantity=1)],
            fulfillments=[fulfillment_node(9, 71)],
            refunds=[refund_node(5, 71)],
            totalRefundedSet={"shopMoney": {"amount": "10.00", "currencyCode": "EUR"}},
        )
    )
    same = (
        "platform_id",
        "number",
        "email",
        "customer_id",
        "locale",
        "created_at",
        "processed_at",
        "financial_status",
        "fulfillment_status",
        "currency",
        "subtotal",
        "total_tax",
        "total_shipping",
        "total_discounts",
        "total_price",
        "total_refunded",
        "tags",
    )
    assert {name: getattr(from_webhook, name) for name in same} == {
        name: getattr(from_graphql, name) for name in same
    }
    assert from_webhook.platform_id == "7" and from_webhook.customer_id == "507"
    [item] = from_webhook.line_items
    assert (item.platform_id, item.sku, item.price, item.total_discount) == (
        "71",
        "SOCK-71",
        Decimal("12.50"),
        Decimal("2.50"),
    )
    assert (item.quantity, item.current_quantity, item.refundable_quantity, item.fulfilled_quantity) == (
        2,
        2,
        2,
        2,
    )
    assert item.variant_id == "642667041472713922" and item.product_tags is None
    [fulfillment] = from_webhook.fulfillments
    assert fulfillment.tracking_number == "JD0146000012345"
    assert [(line.line_item_id, line.quantity) for line in fulfillment.lines] == [("71", 2)]
    assert fulfillment.delivered_at == datetime(2026, 10, 5, 15, 30, tzinfo=UTC), (
        "the update that said delivered"
    )
    [refund] = from_webhook.refunds
    assert (refund.platform_id, refund.amount, refund.currency) == ("5", Decimal("10.00"), "EUR")
    assert [(line.line_item_id, line.restock_type, line.amount) for line in refund.lines] == [
        ("71", "return", Decimal("10.00"))
    ]
    assert from_webhook.returns == () and from_webhook.incomplete == {"returns"}


def test_rest_statuses_are_spelled_as_graphql_display_statuses() -> None:
    assert order_from_payload(rest_order(1, fulfillment_status=None)).fulfillment_status == "unfulfilled"
    assert (
        order_from_payload(rest_order(1, fulfillment_status="partial")).fulfillment_status
        == "partially_fulfilled"
    )
    cancelled = order_from_payload(
        rest_order(
            1, cancelled_at="2026-10-02T10:00:00-04:00", cancel_reason="customer", financial_status="voided"
        )
    )
    assert cancelled.cancelled_at == datetime(2026, 10, 2, 14, tzinfo=UTC)
    assert (cancelled.cancel_reason, cancelled.financial_status) == ("customer", "voided")


def test_a_cancelled_fulfillment_ships_nothing_and_a_refund_without_current_quantity_counts() -> None:
    body = rest_order(
        3,
        line_items=[rest_line_item(31, current_quantity=None, quantity=3)],
        fulfillments=[rest_fulfillment(8, 3, 31, status="cancelled")],
        refunds=[rest_refund(6, 3, 31)],
    )
    [item] = order_from_payload(body).line_items
    assert item.fulfilled_quantity == 0
    assert item.current_quantity == 2 and item.refundable_quantity == 2


def test_the_order_body_names_its_customer_for_a_placeholder_without_a_version() -> None:
    hint = order_customer_from_payload(rest_order(4, customer=99))
    assert hint is not None
    assert (hint.platform_id, hint.first_name, hint.last_name, hint.updated_at) == (
        "99",
        "Grace",
        "Hopper",
        None,
    )
    assert order_customer_from_payload(rest_order(4, customer=None) | {"customer": None}) is None


@pytest.mark.parametrize("missing", ["id", "created_at"])
def test_an_order_body_without_what_a_row_needs_is_refused(missing: str) -> None:
    body = rest_order(1)
    del body[missing]
    if missing == "id":
        del body["admin_graphql_api_id"]
    with pytest.raises(PayloadError):
        order_from_payload(body)


def test_customer_bodies_say_which_fields_they_carry() -> None:
    partial = customer_from_payload(rest_customer(42))
    record = partial.record
    assert (record.platform_id, record.email, record.first_name, record.state) == (
        "42",
        "ada42@example.com",
        "Ada",
        "enabled",
    )
    assert record.updated_at == datetime(2026, 10, 8, 12, tzinfo=UTC)
    assert "orders_count" not in partial.known and "tags" not in partial.known
    assert {"email", "first_name", "last_name", "phone", "updated_at"} <= partial.known
    older = customer_from_payload(
        rest_customer(42, tags="vip, newsletter", orders_count=3, total_spent="12.00")
    )
    assert older.record.tags == ("vip", "newsletter") and older.record.orders_count == 3
    assert {"tags", "orders_count", "total_spent"} <= older.known


def test_children_and_deletes_name_their_order() -> None:
    order_id, fulfillment = fulfillment_from_payload(rest_fulfillment(123456, 820982911946154508, 71))
    assert (order_id, fulfillment.platform_id, fulfillment.status) == (
        "820982911946154508",
        "123456",
        "success",
    )
    order_id, refund = refund_from_payload(
        rest_refund(890088186047892319, 820982911946154508, 71, amount="75.00")
    )
    assert (order_id, refund.platform_id, refund.amount) == (
        "820982911946154508",
        "890088186047892319",
        Decimal("75.00"),
    )
    assert deleted_id({"id": 820982911946154508}, "order") == "820982911946154508"
    assert order_id_of_edit({"order_edit": {"id": 78912328793123782, "order_id": 820982911946154508}}) == (
        "820982911946154508"
    )


def test_return_bodies_carry_a_status_an_order_and_items_only_when_complete() -> None:
    requested = return_from_payload(rest_return(123134564567890, 4783296544821))
    assert (requested.platform_id, requested.order_id, requested.status) == (
        "123134564567890",
        "4783296544821",
        "REQUESTED",
    )
    assert requested.items is None, "the sample lists no items although it has one"
    closed = return_from_payload(
        {"id": 1, "admin_graphql_api_id": "gid://shopify/Return/1", "order_id": 9, "status": "closed"}
    )
    assert (closed.order_id, closed.status) == ("9", "CLOSED")
    declined = return_from_payload(
        rest_return(
            2, 9, "declined", decline={"reason": "return_period_ended", "note": "30 days have passed"}
        )
    )
    assert (declined.decline_reason, declined.decline_note) == ("RETURN_PERIOD_ENDED", "30 days have passed")
    updated = return_from_payload(
        {"admin_graphql_api_id": "gid://shopify/Return/3", "return_line_items": {"removals": []}}
    )
    assert (updated.platform_id, updated.order_id, updated.status, updated.items) == ("3", None, None, None)
    listed = return_from_payload(
        rest_return(
            4,
            9,
            return_line_items=[
                {"id": 40, "quantity": 1, "line_item_id": 71, "return_reason": "size_too_small"}
            ],
        )
    )
    assert listed.items is not None
    assert [(i.platform_id, i.line_item_id, i.reason) for i in listed.items] == [
        ("40", "71", "size_too_small")
    ]


def test_merges_and_bulk_finishes() -> None:
    merge = merge_from_payload(rest_merge(1, 2))
    assert (merge.kept_id, merge.deleted_id, merge.done) == ("1", "2", True)
    assert not merge_from_payload(rest_merge(1, 2, status="failed")).done
    finished = bulk_finish_from_payload(bulk_finished())
    assert (finished.operation_id, finished.status) == (BULK_ID, "COMPLETED")
    with pytest.raises(PayloadError):
        merge_from_payload({"status": "completed"})
