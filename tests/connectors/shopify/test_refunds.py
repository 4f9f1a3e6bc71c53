"""suggestedRefund and refundCreate (fact sheet 6.1, 9.7, 9.8): inputs sent, answers parsed,
userErrors raised, and a refundCreate that times out is never sent twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from connectors.base import RefundLineRequest, RefundTransaction, ShippingRefund
from connectors.errors import Transient
from connectors.shopify.errors import UserErrors
from connectors.shopify.refunds import create_refund, suggest_refund
from tests.connectors.shopify.fakes import FakeTime, make_client, sent
from tests.connectors.shopify.payloads import GRAPHQL_URL, REFUND_USER_ERRORS, money, ok

LINES = [RefundLineRequest("11", 1, "return")]
TRANSACTIONS = [RefundTransaction("9001", "shopify_payments", Decimal("12.43"))]


def suggested_refund(**overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "amountSet": money("12.43"),
        "subtotalSet": money("10.00"),
        "totalTaxSet": money("1.90"),
        "shipping": {"amountSet": money("0.53"), "maximumRefundableSet": money("4.90")},
        "refundLineItems": [
            {
                "lineItem": {"id": "gid://shopify/LineItem/11", "refundableQuantity": 2},
                "quantity": 1,
                "restockType": "RETURN",
            }
        ],
        "suggestedTransactions": [
            {
                "parentTransaction": {"id": "gid://shopify/OrderTransaction/9001"},
                "gateway": "shopify_payments",
                "kind": "SUGGESTED_REFUND",
                "amountSet": money("12.43"),
            }
        ],
    }
    node.update(overrides)
    return ok({"order": {"id": "gid://shopify/Order/1", "suggestedRefund": node}})


def created_refund(note: str = "Damaged [aftercare:rf_1]") -> dict[str, Any]:
    return ok(
        {
            "refundCreate": {
                "refund": {
                    "id": "gid://shopify/Refund/77",
                    "createdAt": "2026-10-09T10:00:00Z",
                    "note": note,
                    "totalRefundedSet": money("12.43"),
                    "refundLineItems": {
                        "pageInfo": {"hasNextPage": False},
                        "nodes": [
                            {
                                "lineItem": {"id": "gid://shopify/LineItem/11"},
                                "quantity": 1,
                                "restockType": "RETURN",
                                "subtotalSet": money("10.00"),
                            }
                        ],
                    },
                },
                "order": {"id": "gid://shopify/Order/1"},
                "userErrors": [],
            }
        }
    )


@respx.mock
async def test_suggest_refund_sends_lines_and_parses_the_amounts(http: httpx.AsyncClient) -> None:
    route = respx.post(GRAPHQL_URL).mock(return_value=httpx.Response(200, json=suggested_refund()))

    quote = await suggest_refund(make_client(http, FakeTime()), "1", LINES, ShippingRefund(full=True))

    variables = sent(route.calls.last.request)["variables"]
    assert variables["id"] == "gid://shopify/Order/1"
    assert variables["refundLineItems"] == [
        {"lineItemId": "gid://shopify/LineItem/11", "quantity": 1, "restockType": "RETURN"}
    ]
    assert variables["refundShipping"] is True and "shippingAmount" not in variables
    assert (quote.amount, quote.subtotal, quote.tax, quote.shipping) == (
        Decimal("12.43"),
        Decimal("10.00"),
        Decimal("1.90"),
        Decimal("0.53"),
    )
    assert quote.shipping_refundable == Decimal("4.90") and quote.currency == "EUR"
    assert quote.lines[0].line_item_id == "11" and quote.lines[0].refundable_quantity == 2
    assert quote.transactions == (
        RefundTransaction("9001", "shopify_payments", Decimal("12.43"), "suggested_refund"),
    )


@respx.mock
async def test_suggest_refund_sends_a_shipping_amount(http: httpx.AsyncClient) -> None:
    route = respx.post(GRAPHQL_URL).mock(return_value=httpx.Response(200, json=suggested_refund()))
    await suggest_refund(make_client(http, FakeTime()), "1", LINES, ShippingRefund(amount=Decimal("2.50")))
    variables = sent(route.calls.last.request)["variables"]
    assert variables["shippingAmount"] == "2.50" and "refundShipping" not in variables


@respx.mock
async def test_suggest_refund_for_an_unknown_order_is_permanent(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).mock(return_value=httpx.Response(200, json=ok({"order": None})))
    with pytest.raises(Exception, match="no order 404"):
        await suggest_refund(make_client(http, FakeTime()), "404", LINES, ShippingRefund())


@respx.mock
async def test_create_refund_sends_the_2026_10_input_and_parses_the_refund(http: httpx.AsyncClient) -> None:
    route = respx.post(GRAPHQL_URL).mock(return_value=httpx.Response(200, json=created_refund()))

    record = await create_refund(
        make_client(http, FakeTime()),
        "1",
        LINES,
        ShippingRefund(amount=Decimal("0.53")),
        TRANSACTIONS,
        note="Damaged [aftercare:rf_1]",
        notify=True,
    )

    refund_input = sent(route.calls.last.request)["variables"]["input"]
    assert refund_input == {
        "orderId": "gid://shopify/Order/1",
        "refundLineItems": [
            {"lineItemId": "gid://shopify/LineItem/11", "quantity": 1, "restockType": "RETURN"}
        ],
        "transactions": [
            {
                "orderId": "gid://shopify/Order/1",
                "parentId": "gid://shopify/OrderTransaction/9001",
                "gateway": "shopify_payments",
                "kind": "REFUND",
                "amount": "12.43",
            }
        ],
        "shipping": {"amount": "0.53"},
        "note": "Damaged [aftercare:rf_1]",
        "notify": True,
    }
    assert record.platform_id == "77" and record.amount == Decimal("12.43")
    assert record.note.endswith("[aftercare:rf_1]")
    assert record.lines[0].line_item_id == "11" and record.lines[0].restock_type == "return"


@respx.mock
async def test_create_refund_raises_the_user_errors(http: httpx.AsyncClient) -> None:
    respx.post(GRAPHQL_URL).mock(return_value=httpx.Response(200, json=REFUND_USER_ERRORS))
    with pytest.raises(UserErrors) as refused:
        await create_refund(
            make_client(http, FakeTime()), "1", LINES, ShippingRefund(), TRANSACTIONS, note="", notify=False
        )
    assert "more items than were purchased" in refused.value.errors[0].message


@respx.mock
async def test_a_timed_out_refund_create_is_sent_once(http: httpx.AsyncClient) -> None:
    route = respx.post(GRAPHQL_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Transient):
        await create_refund(
            make_client(http, FakeTime()), "1", LINES, ShippingRefund(), TRANSACTIONS, note="", notify=False
        )
    assert route.call_count == 1, "a refund that may have happened is never repeated blindly"
