"""Bulk exports: starting, polling, failures with partial data, and reading the JSONL result."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from connectors.base import CustomerRecord, OrderRecord
from connectors.errors import Permanent, Transient
from connectors.shopify.bulk import (
    start_customers_export,
    start_orders_export,
    wait_for_bulk_operation,
)
from connectors.shopify.bulk_jsonl import stream_bulk_jsonl
from connectors.shopify.errors import BulkOperationFailed, BulkOutputUngrouped, UserErrors
from tests.connectors.shopify.fakes import FakeTime, GraphQLRouter, make_client
from tests.connectors.shopify.payloads import (
    BULK_ALREADY_RUNNING,
    BULK_ID,
    GRAPHQL_URL,
    PARTIAL_URL,
    RESULT_URL,
    bulk_child,
    bulk_operation,
    bulk_order_line,
    bulk_started,
    customer_node,
    fulfillment_node,
    jsonl,
    line_item_node,
    refund_node,
    return_node,
)


def _order_lines(number: int, items: int = 2, **order: Any) -> list[dict[str, Any]]:
    """An order's line, then its line items and returns, as a grouped export writes them."""
    gid = f"gid://shopify/Order/{number}"
    lines = [bulk_order_line(number, **order)]
    lines += [bulk_child(line_item_node(number * 10 + n), gid) for n in range(1, items + 1)]
    return lines


async def _read(http: httpx.AsyncClient, url: str = RESULT_URL, skip: int = 0) -> list[Any]:
    async with aclosing(stream_bulk_jsonl(http, url, skip=skip)) as records:
        return [record async for record in records]


# --- starting and polling --------------------------------------------------------------------------


@respx.mock
async def test_an_orders_export_asks_for_grouped_output_of_orders_changed_since_the_mark(
    http: httpx.AsyncClient,
) -> None:
    route = respx.post(GRAPHQL_URL).respond(json=bulk_started())

    operation = await start_orders_export(make_client(http, FakeTime()), datetime(2026, 10, 1, tzinfo=UTC))

    assert (operation.id, operation.status) == (BULK_ID, "CREATED")
    body = json.loads(route.calls.last.request.content)
    assert "bulkOperationRunQuery(query: $query, groupObjects: true)" in body["query"]
    export = body["variables"]["query"]
    assert "orders(query: \"updated_at:>='2026-10-01T00:00:00Z'\")" in export
    assert "lineItems { edges { node {" in export and "returns { edges { node {" in export
    assert "first:" not in export


@respx.mock
async def test_a_customers_export_reads_every_customer_without_a_mark(http: httpx.AsyncClient) -> None:
    route = respx.post(GRAPHQL_URL).respond(json=bulk_started())

    await start_customers_export(make_client(http, FakeTime()))

    export = json.loads(route.calls.last.request.content)["variables"]["query"]
    assert export.lstrip().startswith("{\n  customers {")


@respx.mock
async def test_a_refused_start_raises_user_errors(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).respond(json=BULK_ALREADY_RUNNING)

    with pytest.raises(UserErrors) as caught:
        await start_orders_export(make_client(http, FakeTime()))

    assert [error.code for error in caught.value.errors] == ["OPERATION_IN_PROGRESS"]


@respx.mock
async def test_waiting_polls_the_operation_by_id_until_it_completes(http: httpx.AsyncClient) -> None:
    answers = iter(
        [
            bulk_operation("CREATED"),
            bulk_operation("RUNNING", objectCount="1200", rootObjectCount="400"),
            bulk_operation(
                "COMPLETED",
                objectCount="3021",
                rootObjectCount="1007",
                fileSize="1843310",
                url=RESULT_URL,
                completedAt="2026-10-08T12:04:10Z",
            ),
        ]
    )
    router = GraphQLRouter(BulkOperation=lambda variables: next(answers))
    respx.post(GRAPHQL_URL).mock(side_effect=router)
    time = FakeTime()

    operation = await wait_for_bulk_operation(make_client(http, time), BULK_ID, poll_interval=5)

    assert (operation.status, operation.url) == ("COMPLETED", RESULT_URL)
    assert (operation.object_count, operation.root_object_count, operation.file_size) == (3021, 1007, 1843310)
    assert operation.completed_at == datetime(2026, 10, 8, 12, 4, 10, tzinfo=UTC)
    assert time.sleeps == [5, 10]
    assert {call["id"] for call in router.variables_of("BulkOperation")} == {BULK_ID}


@respx.mock
async def test_a_failed_operation_raises_with_its_partial_data_url(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).respond(
        json=bulk_operation("FAILED", errorCode="TIMEOUT", partialDataUrl=PARTIAL_URL, objectCount="800")
    )

    with pytest.raises(BulkOperationFailed) as caught:
        await wait_for_bulk_operation(make_client(http, FakeTime()), BULK_ID)

    assert isinstance(caught.value, Permanent)
    assert (caught.value.bulk_status, caught.value.error_code) == ("FAILED", "TIMEOUT")
    assert caught.value.partial_data_url == PARTIAL_URL
    assert caught.value.operation_id == BULK_ID


@respx.mock
async def test_an_operation_still_running_after_max_wait_is_transient(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).respond(json=bulk_operation("RUNNING"))
    time = FakeTime()

    with pytest.raises(Transient, match="still RUNNING"):
        await wait_for_bulk_operation(make_client(http, time), BULK_ID, poll_interval=5, max_wait=30)

    assert sum(time.sleeps) <= 30


# --- reading the result -----------------------------------------------------------------------------


@respx.mock
async def test_the_result_is_reassembled_into_orders_with_their_children_in_file_order(
    http: httpx.AsyncClient,
) -> None:
    order_1 = _order_lines(1, items=2, fulfillments=[fulfillment_node(81, line_item=11)])
    order_1.append(bulk_child(return_node(61, line_item=11), "gid://shopify/Order/1"))
    file = (
        order_1 + _order_lines(2, items=1) + _order_lines(3, items=3, refunds=[refund_node(91, line_item=31)])
    )
    respx.get(RESULT_URL).respond(content=jsonl(file))

    records = await _read(http)

    assert all(isinstance(record, OrderRecord) for record in records)
    assert [record.platform_id for record in records] == ["1", "2", "3"]
    assert [[item.platform_id for item in record.line_items] for record in records] == [
        ["11", "12"],
        ["21"],
        ["31", "32", "33"],
    ]
    first, second, third = records
    assert [f.tracking_number for f in first.fulfillments] == ["JD0146000012345"]
    assert [(r.platform_id, r.status) for r in first.returns] == [("61", "OPEN")]
    assert [(r.platform_id, r.amount, r.lines) for r in third.refunds] == [("91", Decimal("10.00"), ())]
    # What an export cannot carry is named, so the sync reads those orders in detail.
    assert first.incomplete == frozenset({"fulfillment_lines", "return_items"})
    assert second.incomplete == frozenset()
    assert third.incomplete == frozenset({"refund_lines"})


@respx.mock
async def test_a_customers_result_becomes_customer_records(http: httpx.AsyncClient) -> None:
    respx.get(RESULT_URL).respond(content=jsonl([customer_node(1), customer_node(2)]))

    records = await _read(http)

    assert [(type(r), r.platform_id) for r in records] == [(CustomerRecord, "1"), (CustomerRecord, "2")]


@respx.mock
async def test_an_order_is_yielded_as_soon_as_the_next_one_starts_not_at_the_end_of_the_file(
    http: httpx.AsyncClient,
) -> None:
    lines = [line for number in range(1, 51) for line in _order_lines(number)]
    served: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for line in lines:
            served.append(1)
            yield (json.dumps(line) + "\n").encode()

    respx.get(RESULT_URL).mock(return_value=httpx.Response(200, content=body()))

    async with aclosing(stream_bulk_jsonl(http, RESULT_URL)) as records:
        first = await anext(records)
        lines_read_for_first = len(served)
        rest = [record async for record in records]

    assert first.platform_id == "1"
    # Order 1 and its two line items, plus the line that started order 2: the file is not held.
    assert lines_read_for_first <= 4 + 1  # one chunk of read-ahead at most
    assert len(rest) == 49


@respx.mock
async def test_a_resumed_read_skips_the_first_n_orders_and_keeps_the_rest_whole(
    http: httpx.AsyncClient,
) -> None:
    file = _order_lines(1) + _order_lines(2) + _order_lines(3, items=3) + _order_lines(4, items=1)
    respx.get(RESULT_URL).respond(content=jsonl(file))

    records = await _read(http, skip=2)

    assert [record.platform_id for record in records] == ["3", "4"]
    assert [len(record.line_items) for record in records] == [3, 1]


@respx.mock
async def test_partial_data_of_a_failed_export_reads_the_same_way(http: httpx.AsyncClient) -> None:
    respx.get(PARTIAL_URL).respond(content=jsonl(_order_lines(1)))

    [record] = await _read(http, PARTIAL_URL)

    assert record.platform_id == "1" and len(record.line_items) == 2


@respx.mock
async def test_children_that_do_not_follow_their_parent_mean_an_ungrouped_file(
    http: httpx.AsyncClient,
) -> None:
    file = [bulk_order_line(1), bulk_order_line(2), bulk_child(line_item_node(11), "gid://shopify/Order/1")]
    respx.get(RESULT_URL).respond(content=jsonl(file))

    with pytest.raises(BulkOutputUngrouped, match="gid://shopify/Order/1"):
        await _read(http)


@respx.mock
async def test_the_download_sends_no_shopify_token_and_an_expired_link_is_permanent(
    http: httpx.AsyncClient,
) -> None:
    route = respx.get(RESULT_URL).respond(403, text="<Error><Code>ExpiredToken</Code></Error>")

    with pytest.raises(Permanent, match="403"):
        await _read(http)

    assert "X-Shopify-Access-Token" not in route.calls.last.request.headers


@respx.mock
async def test_a_download_that_breaks_off_is_transient(http: httpx.AsyncClient) -> None:
    respx.get(RESULT_URL).mock(side_effect=httpx.RemoteProtocolError("peer closed connection"))

    with pytest.raises(Transient):
        await _read(http)


@respx.mock
async def test_a_line_that_is_not_json_is_permanent(http: httpx.AsyncClient) -> None:
    respx.get(RESULT_URL).respond(content=jsonl(_order_lines(1)) + b'{"id": "gid://shopify/Order/2", \n')

    with pytest.raises(Permanent, match="line 4"):
        await _read(http)
