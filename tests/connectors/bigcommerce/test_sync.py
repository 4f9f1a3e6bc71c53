"""Reading orders and customers: pages to a short page or a 204, checkpoints that survive a busy
store, children of each order, counts, and single reads."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest
import respx

from connectors.base import OrderRecord, Page
from connectors.bigcommerce import sync
from connectors.bigcommerce.checkpoint import Checkpoint
from connectors.errors import Permanent
from tests.connectors.bigcommerce.fakes import API, FakeTime, fixture, make_rest, ok, v3_list
from tests.connectors.bigcommerce.store import FakeStore, at

CHILD = re.escape(API) + r"v2/orders/(?P<order>\d+)/(?P<kind>products|shipments)"
REFUNDS = re.escape(API) + r"v3/orders/(?P<order>\d+)/payment_actions/refunds"


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def mocked(store: FakeStore) -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.get(API + "v2/orders").mock(side_effect=store.orders_endpoint)
        router.get(API + "v3/customers").mock(side_effect=store.customers_endpoint)
        router.get(url__regex=CHILD).mock(return_value=httpx.Response(204))
        router.get(url__regex=REFUNDS).mock(return_value=ok(v3_list([])))
        yield router


async def _orders(
    http: httpx.AsyncClient,
    time: FakeTime,
    *,
    page_size: int,
    after: str | None = None,
    since_s: int | None = None,
) -> list[Page[OrderRecord]]:
    rest = make_rest(http, time)
    since = at(since_s) if since_s is not None else None
    return [page async for page in sync.iter_orders(rest, since, after=after, page_size=page_size)]


def _ids(pages: list[Page[OrderRecord]]) -> list[str]:
    return [record.platform_id for page in pages for record in page.records]


# --- orders: paging ----------------------------------------------------------------------------------


async def test_orders_are_read_oldest_change_first_until_a_short_page(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    for order_id, second in ((1, 10), (2, 20), (3, 30)):
        store.touch_order(order_id, at(second))

    pages = await _orders(http, time, page_size=2, since_s=5)

    assert _ids(pages) == ["1", "2", "3"]
    assert [page.has_next for page in pages][-1] is False
    assert all(page.has_next for page in pages[:-1])
    first = store.order_requests[0]
    assert first == {
        "sort": "date_modified:asc",
        "page": "1",
        "limit": "2",
        "min_date_modified": "2024-05-14T09:00:05+00:00",
    }


async def test_a_store_with_no_changed_orders_answers_204_and_the_read_ends(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    store.touch_order(1, at(10))

    pages = await _orders(http, time, page_size=250, since_s=60)

    assert [(page.records, page.has_next) for page in pages] == [((), False)]


async def test_a_full_page_at_one_second_pages_on_by_number_until_a_204(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    # A bulk update: every order has the same modification time, so the anchor cannot move.
    for order_id in (1, 2, 3, 4):
        store.touch_order(order_id, at(10))

    pages = await _orders(http, time, page_size=2)

    assert _ids(pages) == ["1", "2", "3", "4"]
    assert [request["page"] for request in store.order_requests] == ["1", "2", "3"]
    assert pages[-1].records == () and not pages[-1].has_next  # page 3 was the 204


async def test_an_order_modified_while_the_read_pages_is_neither_skipped_nor_lost(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    for order_id in range(1, 6):
        store.touch_order(order_id, at(order_id * 10))

    def busy(request_number: int) -> None:
        if request_number == 2:
            # Order 1 changes after page one was read: it jumps to the end of the sort, and with
            # plain page numbers order 3 would slide onto page one and never be read.
            store.touch_order(1, at(60))

    store.before_orders = busy

    pages = await _orders(http, time, page_size=2)

    assert _ids(pages) == ["1", "2", "3", "4", "5", "1"]
    last_seen = [record for page in pages for record in page.records][-1]
    assert last_seen.updated_at == at(60)


async def test_each_page_re_anchors_at_the_last_modification_time_it_read(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    for order_id, second in ((1, 10), (2, 20), (3, 20), (4, 30)):
        store.touch_order(order_id, at(second))

    pages = await _orders(http, time, page_size=2)

    assert _ids(pages) == ["1", "2", "3", "4"]  # 2 is read again at the anchor and skipped
    second_request = store.order_requests[1]
    assert (second_request["min_date_modified"], second_request["page"]) == ("2024-05-14T09:00:20+00:00", "1")
    assert Checkpoint.decode(pages[0].next_cursor or "") == Checkpoint(
        since=at(20), page=1, seen=frozenset({"2"})
    )


async def test_a_read_resumes_from_a_checkpoint_without_repeating_what_it_covered(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    for order_id in range(1, 6):
        store.touch_order(order_id, at(order_id * 10))
    first_run = await _orders(http, time, page_size=2)
    checkpoint = first_run[0].next_cursor

    resumed = await _orders(http, time, page_size=2, after=checkpoint, since_s=0)

    assert _ids(resumed) == ["3", "4", "5"]


async def test_a_checkpoint_that_is_not_ours_is_refused(
    http: httpx.AsyncClient, time: FakeTime, mocked: respx.MockRouter
) -> None:
    with pytest.raises(Permanent, match="checkpoint"):
        await _orders(http, time, page_size=2, after="eyJjdXJzb3IiOjF9")


# --- orders: children -----------------------------------------------------------------------------


@respx.mock
async def test_each_order_is_completed_with_its_products_shipments_and_refunds(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    orders = fixture("orders_page.json")
    respx.get(API + "v2/orders").mock(side_effect=[ok(orders), httpx.Response(204)])
    products = respx.get(url__regex=re.escape(API) + r"v2/orders/\d+/products").mock(
        return_value=ok(fixture("order_products.json"))
    )
    shipments = respx.get(url__regex=re.escape(API) + r"v2/orders/\d+/shipments").mock(
        return_value=ok(fixture("order_shipments.json"))
    )
    refunds = respx.get(url__regex=REFUNDS).mock(
        return_value=ok(v3_list([fixture("refund_created.json")["data"]]))
    )

    pages = [page async for page in sync.iter_orders(make_rest(http, time), page_size=2)]

    by_id = {record.platform_id: record for page in pages for record in page.records}
    assert by_id["100"].line_items[0].platform_id == "65"
    # Order 100 shipped nothing and refunded nothing: neither list is asked for.
    assert (by_id["100"].fulfillments, by_id["100"].refunds) == ((), ())
    assert by_id["101"].fulfillments[0].tracking_number == "1Z999AA10123456784"
    assert [refund.platform_id for refund in by_id["101"].refunds] == ["1"]
    assert by_id["101"].refunds[0].currency == "EUR"
    assert {call.request.url.path for call in shipments.calls} == {"/stores/abc123/v2/orders/101/shipments"}
    assert {call.request.url.path for call in refunds.calls} == {
        "/stores/abc123/v3/orders/101/payment_actions/refunds"
    }
    assert products.call_count == 2


@respx.mock
async def test_products_are_paged_past_250(http: httpx.AsyncClient, time: FakeTime) -> None:
    product = fixture("order_products.json")[0]
    full = [{**product, "id": n} for n in range(1, 251)]
    route = respx.get(API + "v2/orders/100/products").mock(
        side_effect=[ok(full), ok([{**product, "id": 251}])]
    )
    respx.get(API + "v2/orders/100").mock(return_value=ok(fixture("orders_page.json")[0]))
    respx.get(url__regex=REFUNDS).mock(return_value=ok(v3_list([])))

    order = await sync.fetch_order(make_rest(http, time), "100")

    assert order is not None and len(order.line_items) == 251
    assert [call.request.url.params["page"] for call in route.calls] == ["1", "2"]
    assert "line_items" not in order.incomplete


@respx.mock
async def test_orders_are_completed_a_few_at_a_time(http: httpx.AsyncClient, time: FakeTime) -> None:
    orders = [{**fixture("orders_page.json")[0], "id": n} for n in range(1, 9)]
    respx.get(API + "v2/orders").mock(return_value=ok(orders))
    in_flight = 0
    most = 0

    async def products(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return httpx.Response(204)

    respx.get(url__regex=re.escape(API) + r"v2/orders/\d+/products").mock(side_effect=products)

    pages = [page async for page in sync.iter_orders(make_rest(http, time), page_size=250, concurrency=3)]

    assert len(pages[0].records) == 8
    assert most == 3


@respx.mock
async def test_a_single_order_always_reads_its_refunds(http: httpx.AsyncClient, time: FakeTime) -> None:
    # Just after a refund its payment may still be pending, with refunded_amount still 0.
    respx.get(API + "v2/orders/100").mock(return_value=ok(fixture("orders_page.json")[0]))
    respx.get(API + "v2/orders/100/products").mock(return_value=ok(fixture("order_products.json")))
    refunds = respx.get(API + "v3/orders/100/payment_actions/refunds").mock(
        return_value=ok(v3_list([fixture("refund_created.json")["data"]]))
    )

    order = await sync.fetch_order(make_rest(http, time), "100")

    assert order is not None and [refund.platform_id for refund in order.refunds] == ["1"]
    assert refunds.calls.last.request.url.params.multi_items() == []  # no undocumented paging params


@respx.mock
async def test_refunds_beyond_the_first_page_are_followed_by_the_meta(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    refund = fixture("refund_created.json")["data"]
    respx.get(API + "v2/orders/100").mock(return_value=ok(fixture("orders_page.json")[0]))
    respx.get(API + "v2/orders/100/products").mock(return_value=httpx.Response(204))
    route = respx.get(API + "v3/orders/100/payment_actions/refunds").mock(
        side_effect=[
            ok(v3_list([refund], page=1, total_pages=2, total=2)),
            ok(v3_list([{**refund, "id": 2}], page=2, total_pages=2, total=2)),
        ]
    )

    order = await sync.fetch_order(make_rest(http, time), "100")

    assert order is not None and [refund.platform_id for refund in order.refunds] == ["1", "2"]
    assert route.calls.last.request.url.params["page"] == "2"


@respx.mock
async def test_a_missing_order_is_none(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.get(API + "v2/orders/404").mock(
        return_value=httpx.Response(
            404, json=[{"status": 404, "message": "The requested resource was not found."}]
        )
    )

    assert await sync.fetch_order(make_rest(http, time), "404") is None


async def test_an_order_id_that_is_not_a_number_never_reaches_a_url(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    with pytest.raises(Permanent):
        await sync.fetch_order(make_rest(http, time), "100/../../v3/hooks")


# --- customers ------------------------------------------------------------------------------------


async def test_customers_follow_the_pagination_meta_to_the_last_page(
    http: httpx.AsyncClient, time: FakeTime, store: FakeStore, mocked: respx.MockRouter
) -> None:
    for customer_id in range(1, 6):
        store.customers[customer_id] = at(customer_id * 10)

    rest = make_rest(http, time)
    pages = [page async for page in sync.iter_customers(rest, at(10), page_size=2)]

    assert [c.platform_id for page in pages for c in page.records] == ["1", "2", "3", "4", "5"]
    assert [page.has_next for page in pages][-1] is False
    first = store.customer_requests[0]
    assert first == {
        "sort": "date_modified:asc",
        "page": "1",
        "limit": "2",
        "date_modified:min": "2024-05-14T09:00:10+00:00",
    }


@respx.mock
async def test_the_fixture_customer_page_reads_as_one_last_page(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(API + "v3/customers").mock(return_value=ok(fixture("customers_page.json")))

    pages = [page async for page in sync.iter_customers(make_rest(http, time))]

    assert [(len(page.records), page.has_next) for page in pages] == [(1, False)]


@respx.mock
async def test_one_customer_is_read_by_id(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.get(API + "v3/customers").mock(
        side_effect=[ok(fixture("customers_page.json")), ok(v3_list([]))]
    )
    rest = make_rest(http, time)

    found = await sync.fetch_customer(rest, "32")
    missing = await sync.fetch_customer(rest, "33")

    assert found is not None and found.email == "jane.smith@example.com"
    assert missing is None
    assert route.calls[0].request.url.params["id:in"] == "32"


# --- counts ---------------------------------------------------------------------------------------


@respx.mock
async def test_counts_come_from_the_order_count_and_the_customer_total(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    orders = respx.get(API + "v2/orders/count").mock(
        return_value=ok({"statuses": [{"id": 11, "name": "Awaiting Fulfillment", "count": 3}], "count": 3})
    )
    customers = respx.get(API + "v3/customers").mock(return_value=ok(v3_list([{"id": 1}], total=42)))
    rest = make_rest(http, time)

    assert (await sync.count_orders(rest, at(0))).count == 3
    assert (await sync.count_customers(rest, at(0))).count == 42
    assert orders.calls.last.request.url.params["min_date_modified"] == "2024-05-14T09:00:00+00:00"
    assert customers.calls.last.request.url.params["limit"] == "1"
