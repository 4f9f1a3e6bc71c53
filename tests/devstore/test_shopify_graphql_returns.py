"""Returns on the devstore, driven by the app's connector (``connectors.shopify.returns``): the
lifecycle REQUESTED -> OPEN -> CLOSED with its webhooks, Shopify's status rules as ReturnUserErrors
(with codes), returnable quantities, and returns shown on the order the sync reads."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from connectors.base import ReturnLineRequest
from connectors.errors import Permanent
from connectors.shopify.errors import UserErrors
from connectors.shopify.returns import (
    approve_return_request,
    cancel_return,
    close_return,
    decline_return_request,
    process_return,
    request_return,
)
from connectors.shopify.sync import fetch_order
from connectors.shopify.webhook_payloads import return_from_payload
from devstore.models import Order
from tests.devstore.graphql_support import Connected, connected
from tests.devstore.shopify_support import DEMO, Receiver


def shipped_order(c: Connected) -> Order:
    """A fully shipped order with a line of two or more units."""
    return next(
        o
        for o in c.store.list_orders(DEMO, limit=250).items
        if o.fulfillment_status.value == "fulfilled"
        and not o.refunds
        and any(li.quantity >= 2 for li in o.line_items)
    )


def multi_unit_line(order: Order) -> str:
    return str(next(li.id for li in order.line_items if li.quantity >= 2))


async def received_topics(receiver: Receiver, count: int) -> list[str]:
    for _ in range(200):  # webhooks leave in the background
        if len(receiver.received) >= count:
            break
        await asyncio.sleep(0.02)
    return [r.headers["x-shopify-topic"] for r in receiver.received]


async def test_a_return_goes_requested_open_closed_and_shopify_says_so(tmp_path: Path) -> None:
    receiver = Receiver()
    async with connected(tmp_path, receiver) as c:
        order = shipped_order(c)
        line = multi_unit_line(order)

        requested = await request_return(
            c.graphql, str(order.id), [ReturnLineRequest(line, 2, "damaged/defective", "Torn seam")]
        )
        assert requested.status == "REQUESTED" and requested.name == f"{order.name}-R1"
        [item] = requested.items
        assert (item.line_item_id, item.quantity, item.reason, item.note) == (
            line,
            2,
            "defective",
            "Torn seam",
        )

        read = await fetch_order(c.graphql, str(order.id))
        assert read is not None and [(r.platform_id, r.status) for r in read.returns] == [
            (requested.platform_id, "REQUESTED")
        ]

        opened = await approve_return_request(c.graphql, requested.platform_id)
        processed = await process_return(
            c.graphql, requested.platform_id, [(item.platform_id, 2)], restock=True
        )
        closed = await close_return(c.graphql, requested.platform_id)
        held = (await c.devstore.get(f"/_devstore/shopify/{DEMO}/orders/{order.id}/returns")).json()
        topics = await received_topics(receiver, 4)

    assert (opened.status, processed.status, closed.status) == ("OPEN", "OPEN", "CLOSED")
    assert topics == ["returns/request", "returns/approve", "returns/process", "returns/close"]
    changes = [return_from_payload(r.payload) for r in receiver.received]
    assert [change.status for change in changes] == ["REQUESTED", "OPEN", "OPEN", "CLOSED"]
    assert {change.order_id for change in changes} == {str(order.id)}
    assert changes[0].items is not None and changes[0].items[0].line_item_id == line
    assert [(r["status"], r["return_line_items"][0]["processed_quantity"]) for r in held["returns"]] == [
        ("closed", 2)
    ]


async def test_units_in_a_return_are_not_returnable_again_until_it_is_declined(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = shipped_order(c)
        line = multi_unit_line(order)
        first = await request_return(
            c.graphql, str(order.id), [ReturnLineRequest(line, 2, "changed mind", "")]
        )

        with pytest.raises(Permanent, match=f"line item {line} is not returnable: 0 of the 1"):
            await request_return(c.graphql, str(order.id), [ReturnLineRequest(line, 1, "other", "")])

        declined = await decline_return_request(c.graphql, first.platform_id, "FINAL_SALE", "Sale item")
        again = await request_return(c.graphql, str(order.id), [ReturnLineRequest(line, 2, "other", "")])

    assert declined.status == "DECLINED" and again.status == "REQUESTED"


async def test_more_units_than_were_shipped_are_not_returnable(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = shipped_order(c)
        line = next(li for li in order.line_items if li.quantity >= 2)
        with pytest.raises(Permanent, match="not returnable"):
            await request_return(
                c.graphql, str(order.id), [ReturnLineRequest(str(line.id), line.quantity + 1, "other", "")]
            )
        held = (await c.devstore.get(f"/_devstore/shopify/{DEMO}/orders/{order.id}/returns")).json()
    assert held["returns"] == []


async def test_an_unshipped_line_item_is_not_returnable(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = next(
            o for o in c.store.list_orders(DEMO, limit=250).items if o.fulfillment_status.value == "partial"
        )
        shipped = {fl.line_item_id for f in order.fulfillments for fl in f.lines}
        unshipped = next(li for li in order.line_items if li.id not in shipped)
        with pytest.raises(Permanent, match=f"line item {unshipped.id} is not returnable"):
            await request_return(
                c.graphql, str(order.id), [ReturnLineRequest(str(unshipped.id), 1, "other", "")]
            )


async def expect_refusal(call: Any, code: str, message: str) -> None:
    with pytest.raises(UserErrors, match=message) as refused:
        await call
    assert refused.value.errors[0].code == code


async def test_status_rules_are_shopifys(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = shipped_order(c)
        line = multi_unit_line(order)
        requested = await request_return(
            c.graphql, str(order.id), [ReturnLineRequest(line, 1, "wrong item", "")]
        )
        item = requested.items[0].platform_id

        await expect_refusal(close_return(c.graphql, requested.platform_id), "INVALID_STATE", "not closable")
        with pytest.raises(Permanent, match="is REQUESTED: only an OPEN return can be processed"):
            await process_return(c.graphql, requested.platform_id, [(item, 1)], restock=False)
        await approve_return_request(c.graphql, requested.platform_id)
        await expect_refusal(
            approve_return_request(c.graphql, requested.platform_id), "INVALID_STATE", "approvable"
        )
        await expect_refusal(
            decline_return_request(c.graphql, requested.platform_id, "OTHER", None),
            "INVALID_STATE",
            "declinable",
        )
        await process_return(c.graphql, requested.platform_id, [(item, 1)], restock=False)
        await expect_refusal(cancel_return(c.graphql, requested.platform_id), "INVALID_STATE", "processed")
        with pytest.raises(Permanent):  # nothing left to process: refused by Shopify, not sent twice
            await process_return(c.graphql, requested.platform_id, [(item, 1)], restock=False)

        second = await request_return(c.graphql, str(order.id), [ReturnLineRequest(line, 1, "other", "")])
        canceled = await cancel_return(c.graphql, second.platform_id)
        await expect_refusal(approve_return_request(c.graphql, "999999"), "NOT_FOUND", "does not exist")
    assert canceled.status == "CANCELED"


RAW_REQUEST = """mutation R($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id } userErrors { code field message } } }"""
RAW_DECLINE = """mutation D($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) { return { id } userErrors { code field message } } }"""
RAW_PROCESS = """mutation P($input: ReturnProcessInput!) {
  returnProcess(input: $input) { return { id } userErrors { code field message } } }"""


async def raw_errors(
    c: Connected, document: str, payload: str, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    data = await c.graphql.query(document, variables)
    errors: list[dict[str, Any]] = data[payload]["userErrors"]
    return errors


async def test_inputs_the_connector_never_sends_are_still_refused(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = shipped_order(c)
        line = multi_unit_line(order)
        requested = await request_return(c.graphql, str(order.id), [ReturnLineRequest(line, 1, "other", "")])
        fli = f"gid://shopify/FulfillmentLineItem/{order.fulfillments[0].id * 100 + 1}"

        too_many = await raw_errors(
            c,
            RAW_REQUEST,
            "returnRequest",
            {
                "input": {
                    "orderId": f"gid://shopify/Order/{order.id}",
                    "returnLineItems": [
                        {"fulfillmentLineItemId": fli, "quantity": 99, "returnReason": "OTHER"}
                    ],
                }
            },
        )
        long_note = await raw_errors(
            c,
            RAW_DECLINE,
            "returnDeclineRequest",
            {
                "input": {
                    "id": f"gid://shopify/Return/{requested.platform_id}",
                    "declineReason": "OTHER",
                    "declineNote": "x" * 501,
                }
            },
        )
        await approve_return_request(c.graphql, requested.platform_id)
        money = await raw_errors(
            c,
            RAW_PROCESS,
            "returnProcess",
            {
                "input": {
                    "returnId": f"gid://shopify/Return/{requested.platform_id}",
                    "returnLineItems": [
                        {
                            "id": f"gid://shopify/ReturnLineItem/{requested.items[0].platform_id}",
                            "quantity": 1,
                        }
                    ],
                    "financialTransfer": {"issueRefund": {"allowOverRefunding": False}},
                }
            },
        )
    assert [(e["code"], e["field"][-1]) for e in too_many] == [("LESS_THAN_OR_EQUAL_TO", "quantity")]
    assert [(e["code"], e["field"]) for e in long_note] == [("TOO_LONG", ["input", "declineNote"])]
    assert money[0]["field"] == ["input", "financialTransfer"], "money moves only through refundCreate"


async def test_returnable_fulfillments_of_an_unknown_order_is_an_error(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        with pytest.raises(Permanent, match="Order does not exist"):
            await request_return(c.graphql, "1", [ReturnLineRequest("2", 1, "other", "")])
