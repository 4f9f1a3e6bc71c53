"""Paginated orders and customers: cursors, the updated_at filter, records, overflowing orders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from connectors.base import OrderRecord, Page, RecordCount
from connectors.shopify.queries import DETAIL_NESTED, PAGE_NESTED
from connectors.shopify.sync import (
    count_customers,
    count_orders,
    fetch_customer,
    fetch_order,
    iter_customers,
    iter_orders,
)
from tests.connectors.shopify.fakes import FakeTime, GraphQLRouter, make_client
from tests.connectors.shopify.payloads import (
    GRAPHQL_URL,
    connection_page,
    customer_node,
    fulfillment_node,
    line_item_node,
    ok,
    order_node,
    refund_node,
    return_node,
)

SINCE = datetime(2026, 10, 1, 0, 0, 0, 900000, tzinfo=UTC)


def _pages(name: str, pages: list[list[dict[str, Any]]]) -> Any:
    """Answers page n (found by its ``after`` cursor) with the nodes of ``pages[n]``."""

    def answer(variables: dict[str, Any]) -> dict[str, Any]:
        index = 0 if variables.get("after") is None else int(variables["after"].removeprefix("cursor-"))
        has_next = index + 1 < len(pages)
        return connection_page(name, pages[index], f"cursor-{index + 1}", has_next)

    return answer


async def _collect(pages: AsyncIterator[Page[Any]]) -> list[Page[Any]]:
    return [page async for page in pages]


# --- orders -------------------------------------------------------------------------------------------


@respx.mock
async def test_orders_are_read_page_by_page_in_updated_at_order_until_the_last_page(
    http: httpx.AsyncClient,
) -> None:
    router = GraphQLRouter(
        OrdersPage=_pages("orders", [[order_node(1), order_node(2)], [order_node(3)], [order_node(4)]])
    )
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    pages = await _collect(iter_orders(make_client(http, FakeTime()), updated_since=SINCE, page_size=2))

    assert [[record.platform_id for record in page.records] for page in pages] == [["1", "2"], ["3"], ["4"]]
    assert [(page.next_cursor, page.has_next) for page in pages] == [
        ("cursor-1", True),
        ("cursor-2", True),
        ("cursor-3", False),
    ]
    calls = router.variables_of("OrdersPage")
    assert [call["after"] for call in calls] == [None, "cursor-1", "cursor-2"]
    # Whole seconds, and >= so that a record in the high-water mark's own second comes again.
    assert {call["query"] for call in calls} == {"updated_at:>='2026-10-01T00:00:00Z'"}
    assert calls[0]["first"] == 2
    assert calls[0]["lineItems"] == PAGE_NESTED.line_items


@respx.mock
async def test_a_sync_resumes_after_its_checkpoint_cursor(http: httpx.AsyncClient) -> None:
    router = GraphQLRouter(OrdersPage=_pages("orders", [[order_node(1)], [order_node(2)], [order_node(3)]]))
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    pages = await _collect(iter_orders(make_client(http, FakeTime()), after="cursor-1"))

    assert [page.records[0].platform_id for page in pages] == ["2", "3"]


@respx.mock
async def test_without_a_high_water_mark_every_order_is_read(http: httpx.AsyncClient) -> None:
    router = GraphQLRouter(OrdersPage=_pages("orders", [[]]))
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    [page] = await _collect(iter_orders(make_client(http, FakeTime())))

    assert page.records == () and not page.has_next
    assert router.variables_of("OrdersPage")[0]["query"] is None


async def test_a_naive_high_water_mark_is_refused(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="timezone"):
        await _collect(iter_orders(make_client(http, FakeTime()), updated_since=datetime(2026, 10, 1)))


@respx.mock
async def test_an_order_node_becomes_a_record_with_numeric_ids_decimal_money_and_children(
    http: httpx.AsyncClient,
) -> None:
    node = order_node(
        7,
        line_items=[
            line_item_node(
                71,
                quantity=3,
                currentQuantity=2,
                refundableQuantity=1,
                unfulfilledQuantity=0,
                nonFulfillableQuantity=1,
            )
        ],
        fulfillments=[fulfillment_node(81, line_item=71)],
        refunds=[refund_node(91, line_item=71)],
        returns=[return_node(61, line_item=71)],
        cancelReason="CUSTOMER",
        cancelledAt="2026-10-09T10:00:00Z",
        displayFinancialStatus="PARTIALLY_REFUNDED",
        totalRefundedSet={"shopMoney": {"amount": "10.00", "currencyCode": "EUR"}},
    )
    respx.post(GRAPHQL_URL).mock(side_effect=GraphQLRouter(OrdersPage=_pages("orders", [[node]])))

    [page] = await _collect(iter_orders(make_client(http, FakeTime())))
    [order] = page.records

    assert (order.platform_id, order.number, order.customer_id) == ("7", "#1007", "507")
    assert (order.email, order.locale, order.tags, order.test) == (
        "shopper7@example.com",
        "de-DE",
        ("vip", "wholesale"),
        False,
    )
    assert order.created_at == datetime(2026, 10, 1, 8, 15, tzinfo=UTC)
    assert order.cancelled_at == datetime(2026, 10, 9, 10, 0, tzinfo=UTC)
    assert (order.financial_status, order.fulfillment_status, order.cancel_reason) == (
        "partially_refunded",
        "fulfilled",
        "customer",
    )
    assert order.currency == "EUR"
    assert (order.subtotal, order.total_tax, order.total_shipping, order.total_discounts) == (
        Decimal("22.50"),
        Decimal("4.28"),
        Decimal("4.90"),
        Decimal("2.50"),
    )
    assert (order.total_price, order.total_refunded) == (Decimal("31.68"), Decimal("10.00"))

    [item] = order.line_items
    assert (item.platform_id, item.title, item.variant_title, item.sku) == (
        "71",
        "Wool socks 71",
        "M / Grey",
        "SOCK-71",
    )
    assert (item.quantity, item.current_quantity, item.refundable_quantity) == (3, 2, 1)
    assert (item.unfulfilled_quantity, item.fulfilled_quantity) == (0, 2)
    assert (item.price, item.total_discount) == (Decimal("12.50"), Decimal("2.50"))
    # Products need read_products, which is not asked for by default.
    assert (item.product_id, item.variant_id, item.product_tags) == (None, None, None)

    [fulfillment] = order.fulfillments
    assert (fulfillment.platform_id, fulfillment.status, fulfillment.shipment_status) == (
        "81",
        "success",
        "delivered",
    )
    assert (fulfillment.tracking_company, fulfillment.tracking_number) == ("DHL Express", "JD0146000012345")
    assert fulfillment.tracking_url == "https://www.dhl.com/track?JD0146000012345"
    assert fulfillment.delivered_at == datetime(2026, 10, 5, 15, 30, tzinfo=UTC)
    assert [(line.line_item_id, line.quantity) for line in fulfillment.lines] == [("71", 2)]

    [refund] = order.refunds
    assert (refund.platform_id, refund.amount, refund.currency, refund.note) == (
        "91",
        Decimal("10.00"),
        "EUR",
        "Arrived torn",
    )
    assert [(line.line_item_id, line.quantity, line.restock_type, line.amount) for line in refund.lines] == [
        ("71", 1, "return", Decimal("10.00"))
    ]

    [order_return] = order.returns
    assert (order_return.platform_id, order_return.name, order_return.status) == ("61", "#1001-R61", "OPEN")
    assert [(i.platform_id, i.line_item_id, i.quantity, i.reason, i.note) for i in order_return.items] == [
        ("610", "71", 1, "size_too_small", "Runs small")
    ]
    assert order.incomplete == frozenset()


@respx.mock
async def test_with_products_a_line_item_carries_product_and_variant_ids_and_product_tags(
    http: httpx.AsyncClient,
) -> None:
    item = line_item_node(
        11,
        product={"id": "gid://shopify/Product/301", "tags": ["final-sale", "socks"]},
        variant={"id": "gid://shopify/ProductVariant/401"},
    )
    router = GraphQLRouter(OrdersPage=_pages("orders", [[order_node(1, line_items=[item])]]))
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    [page] = await _collect(iter_orders(make_client(http, FakeTime()), include_products=True))

    [record] = page.records[0].line_items
    assert (record.product_id, record.variant_id, record.product_tags) == (
        "301",
        "401",
        ("final-sale", "socks"),
    )
    assert "product { id tags }" in respx.calls.last.request.content.decode()


@respx.mock
async def test_line_items_beyond_the_first_page_are_fetched_before_the_page_is_yielded(
    http: httpx.AsyncClient,
) -> None:
    order = order_node(5, line_items=[line_item_node(n) for n in range(1, 11)], more_line_items="li-10")

    def more_line_items(variables: dict[str, Any]) -> dict[str, Any]:
        start = int(variables["after"].removeprefix("li-"))
        last = start + 2 >= 14
        nodes = [line_item_node(n) for n in range(start + 1, min(start + 2, 14) + 1)]
        info = {"hasNextPage": not last, "endCursor": f"li-{start + 2}"}
        return ok({"order": {"lineItems": {"pageInfo": info, "nodes": nodes}}})

    router = GraphQLRouter(OrdersPage=_pages("orders", [[order]]), OrderLineItems=more_line_items)
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    [page] = await _collect(iter_orders(make_client(http, FakeTime())))

    [record] = page.records
    assert [item.platform_id for item in record.line_items] == [str(n) for n in range(1, 15)]
    assert "line_items" not in record.incomplete
    calls = router.variables_of("OrderLineItems")
    assert [call["after"] for call in calls] == ["li-10", "li-12"]
    assert {call["id"] for call in calls} == {"gid://shopify/Order/5"}


@respx.mock
async def test_an_order_with_full_nested_lists_is_read_again_in_detail(http: httpx.AsyncClient) -> None:
    # Two refunds fill the page's refund list: there may be more, so the order is read alone.
    crowded = order_node(8, refunds=[refund_node(1, line_item=81), refund_node(2, line_item=81)])
    detailed = order_node(8, refunds=[refund_node(n, line_item=81) for n in (1, 2, 3)])
    router = GraphQLRouter(
        OrdersPage=_pages("orders", [[order_node(7), crowded]]),
        OrderDetail=lambda variables: ok({"order": detailed}),
    )
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    [page] = await _collect(iter_orders(make_client(http, FakeTime())))

    assert [len(record.refunds) for record in page.records] == [0, 3]
    assert page.records[1].incomplete == frozenset()
    [call] = router.variables_of("OrderDetail")
    assert call["id"] == "gid://shopify/Order/8"
    assert call["refunds"] == DETAIL_NESTED.refunds


@respx.mock
async def test_what_even_the_detailed_read_cannot_hold_stays_named_incomplete(
    http: httpx.AsyncClient,
) -> None:
    refunds = [refund_node(n, line_item=81) for n in range(1, DETAIL_NESTED.refunds + 1)]
    router = GraphQLRouter(
        OrdersPage=_pages("orders", [[order_node(8, refunds=refunds[:2])]]),
        OrderDetail=lambda variables: ok({"order": order_node(8, refunds=refunds)}),
    )
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    [page] = await _collect(iter_orders(make_client(http, FakeTime())))

    assert page.records[0].incomplete == frozenset({"refunds"})


@respx.mock
async def test_fetch_order_reads_one_order_by_its_numeric_id(http: httpx.AsyncClient) -> None:
    router = GraphQLRouter(OrderDetail=lambda variables: ok({"order": order_node(42)}))
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    record = await fetch_order(make_client(http, FakeTime()), "42")

    assert isinstance(record, OrderRecord) and record.platform_id == "42"
    assert router.variables_of("OrderDetail")[0]["id"] == "gid://shopify/Order/42"


@respx.mock
async def test_fetch_order_says_none_for_an_order_that_is_gone(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).mock(side_effect=GraphQLRouter(OrderDetail=lambda variables: ok({"order": None})))
    assert await fetch_order(make_client(http, FakeTime()), "42") is None


# --- customers ------------------------------------------------------------------------------------


@respx.mock
async def test_customers_are_read_page_by_page_and_become_records(http: httpx.AsyncClient) -> None:
    router = GraphQLRouter(
        CustomersPage=_pages("customers", [[customer_node(1), customer_node(2)], [customer_node(3)]])
    )
    respx.post(GRAPHQL_URL).mock(side_effect=router)
    since = datetime(2026, 10, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))

    pages = await _collect(iter_customers(make_client(http, FakeTime()), updated_since=since))

    assert [[c.platform_id for c in page.records] for page in pages] == [["1", "2"], ["3"]]
    calls = router.variables_of("CustomersPage")
    assert [call["after"] for call in calls] == [None, "cursor-1"]
    assert calls[0]["query"] == "updated_at:>='2026-10-01T00:00:00Z'"
    assert calls[0]["first"] == 200
    customer = pages[0].records[0]
    assert (customer.email, customer.first_name, customer.last_name) == (
        "ada1@example.com",
        "Ada",
        "Lovelace 1",
    )
    assert (customer.phone, customer.locale, customer.tags) == ("+442071234567", "en-GB", ("newsletter",))
    assert (customer.orders_count, customer.total_spent, customer.currency) == (3, Decimal("123.45"), "GBP")
    assert (customer.accepts_marketing, customer.state) == (True, "enabled")
    assert customer.updated_at == datetime(2026, 10, 8, 12, 0, tzinfo=UTC)


@respx.mock
async def test_fetch_customer_reads_one_customer_by_its_numeric_id(http: httpx.AsyncClient) -> None:
    router = GraphQLRouter(CustomerDetail=lambda variables: ok({"customer": customer_node(7)}))
    respx.post(GRAPHQL_URL).mock(side_effect=router)

    record = await fetch_customer(make_client(http, FakeTime()), "7")

    assert record is not None and (record.platform_id, record.email) == ("7", "ada7@example.com")
    assert router.variables_of("CustomerDetail")[0]["id"] == "gid://shopify/Customer/7"


@respx.mock
async def test_fetch_customer_says_none_for_a_customer_that_is_gone(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).mock(
        side_effect=GraphQLRouter(CustomerDetail=lambda variables: ok({"customer": None}))
    )
    assert await fetch_customer(make_client(http, FakeTime()), "7") is None


@respx.mock
async def test_a_customer_without_email_or_phone_has_none_for_them(http: httpx.AsyncClient) -> None:
    node = customer_node(
        9,
        defaultEmailAddress=None,
        defaultPhoneNumber=None,
        amountSpent={"amount": "0.0", "currencyCode": "USD"},
    )
    respx.post(GRAPHQL_URL).mock(side_effect=GraphQLRouter(CustomersPage=_pages("customers", [[node]])))

    [page] = await _collect(iter_customers(make_client(http, FakeTime())))

    [customer] = page.records
    assert (customer.email, customer.phone, customer.accepts_marketing) == (None, None, False)


# --- counts ---------------------------------------------------------------------------------------


@respx.mock
async def test_counts_give_progress_totals_and_say_whether_they_are_exact(http: httpx.AsyncClient) -> None:
    router = GraphQLRouter(
        OrdersCount=lambda variables: ok({"ordersCount": {"count": 12840, "precision": "EXACT"}}),
        CustomersCount=lambda variables: ok({"customersCount": {"count": 10000, "precision": "AT_LEAST"}}),
    )
    respx.post(GRAPHQL_URL).mock(side_effect=router)
    client = make_client(http, FakeTime())

    assert await count_orders(client, SINCE) == RecordCount(count=12840, exact=True)
    assert await count_customers(client) == RecordCount(count=10000, exact=False)
    assert router.variables_of("OrdersCount") == [{"query": "updated_at:>='2026-10-01T00:00:00Z'"}]
