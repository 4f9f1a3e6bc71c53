"""Returns on Shopify (fact sheet 6.2): the inputs each mutation sends, the record parsed from its
answer, ReturnUserErrors raised with their code, and a return asked for units Shopify cannot take
refused before any mutation is sent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from connectors.base import ReturnLineRequest
from connectors.errors import Permanent, Transient
from connectors.shopify.errors import UserErrors
from connectors.shopify.returns import (
    approve_return_request,
    cancel_return,
    close_return,
    decline_return_request,
    process_return,
    request_return,
    return_reason,
)
from tests.connectors.shopify.fakes import FakeTime, make_client, operation, sent
from tests.connectors.shopify.payloads import GRAPHQL_URL, RETURN_USER_ERRORS, ok


def return_node(status: str = "REQUESTED", quantity: int = 1) -> dict[str, Any]:
    return {
        "id": "gid://shopify/Return/31",
        "name": "#1001-R1",
        "status": status,
        "returnLineItems": {
            "pageInfo": {"hasNextPage": False},
            "nodes": [
                {
                    "id": "gid://shopify/ReturnLineItem/501",
                    "quantity": quantity,
                    "returnReason": "UNWANTED",
                    "returnReasonNote": "",
                    "customerNote": "Too warm",
                    "fulfillmentLineItem": {
                        "id": "gid://shopify/FulfillmentLineItem/701",
                        "lineItem": {"id": "gid://shopify/LineItem/11"},
                    },
                }
            ],
        },
    }


def answered(mutation: str, node: dict[str, Any] | None) -> dict[str, Any]:
    return ok({mutation: {"return": node, "userErrors": []}})


def refused(mutation: str, code: str, message: str, field: list[str]) -> dict[str, Any]:
    return ok(
        {mutation: {"return": None, "userErrors": [{"code": code, "field": field, "message": message}]}}
    )


def returnable(*lines: tuple[int, int, int], has_next: bool = False, cursor: str = "c1") -> dict[str, Any]:
    """One returnable fulfillment per call; ``lines`` are (fulfillment line id, line item id, qty)."""
    return ok(
        {
            "returnableFulfillments": {
                "pageInfo": {"hasNextPage": has_next, "endCursor": cursor},
                "nodes": [
                    {
                        "id": "gid://shopify/ReturnableFulfillment/1",
                        "returnableFulfillmentLineItems": {
                            "pageInfo": {"hasNextPage": False},
                            "nodes": [
                                {
                                    "quantity": quantity,
                                    "fulfillmentLineItem": {
                                        "id": f"gid://shopify/FulfillmentLineItem/{fli}",
                                        "lineItem": {"id": f"gid://shopify/LineItem/{line_item}"},
                                    },
                                }
                                for fli, line_item, quantity in lines
                            ],
                        },
                    }
                ],
            }
        }
    )


RETURN_FOR_PROCESSING = ok(
    {
        "return": {
            "id": "gid://shopify/Return/31",
            "status": "OPEN",
            "returnLineItems": {
                "nodes": [
                    {
                        "id": "gid://shopify/ReturnLineItem/501",
                        "fulfillmentLineItem": {"id": "gid://shopify/FulfillmentLineItem/701"},
                    }
                ]
            },
            "reverseFulfillmentOrders": {
                "nodes": [
                    {
                        "lineItems": {
                            "nodes": [
                                {
                                    "id": "gid://shopify/ReverseFulfillmentOrderLineItem/901",
                                    "fulfillmentLineItem": {"id": "gid://shopify/FulfillmentLineItem/701"},
                                }
                            ]
                        }
                    }
                ]
            },
            "order": {
                "fulfillments": [
                    {
                        "location": {"id": "gid://shopify/Location/61"},
                        "fulfillmentLineItems": {"nodes": [{"id": "gid://shopify/FulfillmentLineItem/701"}]},
                    }
                ]
            },
        }
    }
)


def by_operation(answers: dict[str, list[dict[str, Any]]]) -> respx.Route:
    """Answer each operation with its next queued body."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers[operation(request)].pop(0))

    return respx.post(GRAPHQL_URL).mock(side_effect=answer)


def calls_of(route: respx.Route, name: str) -> list[dict[str, Any]]:
    return [sent(call.request) for call in route.calls if operation(call.request) == name]


def test_our_reasons_map_to_shopify_return_reasons() -> None:
    assert return_reason("Damaged/defective") == "DEFECTIVE"
    assert return_reason("wrong item") == "WRONG_ITEM"
    assert return_reason("changed  mind") == "UNWANTED"
    assert return_reason("not as described") == "NOT_AS_DESCRIBED"
    assert return_reason("size_too_small") == "SIZE_TOO_SMALL", "Shopify's own words pass through"
    assert return_reason("the cat sat on it") == "OTHER"


@respx.mock
async def test_request_return_maps_line_items_to_fulfillment_line_items(http: httpx.AsyncClient) -> None:
    route = by_operation(
        {
            # Line item 11 went out in two parcels: fulfillment lines 701 and 703.
            "ReturnableFulfillments": [returnable((701, 11, 1), (702, 12, 3), (703, 11, 2))],
            "ReturnRequest": [answered("returnRequest", return_node())],
        }
    )

    record = await request_return(
        make_client(http, FakeTime()),
        "1001",
        [
            ReturnLineRequest("11", 2, "changed mind", "Too warm"),
            ReturnLineRequest("12", 1, "wrong item", ""),
        ],
    )

    [mutation] = calls_of(route, "ReturnRequest")
    assert mutation["variables"]["input"] == {
        "orderId": "gid://shopify/Order/1001",
        "returnLineItems": [
            {
                "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/701",
                "quantity": 1,
                "returnReason": "UNWANTED",
                "customerNote": "Too warm",
            },
            {
                "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/703",
                "quantity": 1,
                "returnReason": "UNWANTED",
                "customerNote": "Too warm",
            },
            {
                "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/702",
                "quantity": 1,
                "returnReason": "WRONG_ITEM",
                "customerNote": "",
            },
        ],
    }
    assert record.platform_id == "31" and record.status == "REQUESTED" and record.name == "#1001-R1"
    [item] = record.items
    assert (item.platform_id, item.line_item_id, item.quantity) == ("501", "11", 1)
    assert (item.reason, item.note) == ("unwanted", "Too warm")


@respx.mock
async def test_request_return_reads_every_page_of_returnable_fulfillments(http: httpx.AsyncClient) -> None:
    route = by_operation(
        {
            "ReturnableFulfillments": [
                returnable((701, 11, 1), has_next=True, cursor="page-1"),
                returnable((703, 11, 1)),
            ],
            "ReturnRequest": [answered("returnRequest", return_node())],
        }
    )
    await request_return(make_client(http, FakeTime()), "1001", [ReturnLineRequest("11", 2, "other", "")])

    pages = calls_of(route, "ReturnableFulfillments")
    assert [page["variables"].get("after") for page in pages] == [None, "page-1"]
    [mutation] = calls_of(route, "ReturnRequest")
    assert [line["quantity"] for line in mutation["variables"]["input"]["returnLineItems"]] == [1, 1]


@respx.mock
async def test_a_line_item_without_enough_returnable_units_is_refused_before_any_mutation(
    http: httpx.AsyncClient,
) -> None:
    route = by_operation({"ReturnableFulfillments": [returnable((701, 11, 1))], "ReturnRequest": []})
    with pytest.raises(Permanent, match="line item 11 is not returnable: 1 of the 2 units"):
        await request_return(make_client(http, FakeTime()), "1001", [ReturnLineRequest("11", 2, "other", "")])
    assert calls_of(route, "ReturnRequest") == []


@respx.mock
async def test_an_unfulfilled_line_item_is_not_returnable(http: httpx.AsyncClient) -> None:
    by_operation({"ReturnableFulfillments": [returnable((701, 11, 1))]})
    with pytest.raises(Permanent, match="line item 99 is not returnable: 0 of the 1"):
        await request_return(make_client(http, FakeTime()), "1001", [ReturnLineRequest("99", 1, "other", "")])


@respx.mock
async def test_two_requests_for_one_line_item_cannot_count_the_same_units(http: httpx.AsyncClient) -> None:
    by_operation({"ReturnableFulfillments": [returnable((701, 11, 1))]})
    with pytest.raises(Permanent, match="not returnable"):
        await request_return(
            make_client(http, FakeTime()),
            "1001",
            [ReturnLineRequest("11", 1, "other", ""), ReturnLineRequest("11", 1, "other", "")],
        )


@respx.mock
async def test_return_request_user_errors_are_raised_with_their_code(http: httpx.AsyncClient) -> None:
    by_operation(
        {
            "ReturnableFulfillments": [returnable((701, 11, 1))],
            "ReturnRequest": [
                refused(
                    "returnRequest",
                    "INVALID",
                    "Quantity is not returnable",
                    ["input", "returnLineItems", "0", "quantity"],
                )
            ],
        }
    )
    with pytest.raises(UserErrors) as raised:
        await request_return(make_client(http, FakeTime()), "1001", [ReturnLineRequest("11", 1, "other", "")])
    [error] = raised.value.errors
    assert (error.code, error.field) == ("INVALID", ("input", "returnLineItems", "0", "quantity"))


@respx.mock
async def test_approve_sends_the_return_id_and_parses_the_open_return(http: httpx.AsyncClient) -> None:
    route = by_operation({"ReturnApproveRequest": [answered("returnApproveRequest", return_node("OPEN"))]})
    record = await approve_return_request(make_client(http, FakeTime()), "31")
    assert sent(route.calls.last.request)["variables"] == {"input": {"id": "gid://shopify/Return/31"}}
    assert record.status == "OPEN"


@respx.mock
async def test_approve_user_errors(http: httpx.AsyncClient) -> None:
    by_operation(
        {
            "ReturnApproveRequest": [
                refused("returnApproveRequest", "INVALID_STATE", "Return is not approvable.", ["input", "id"])
            ]
        }
    )
    with pytest.raises(UserErrors, match="not approvable"):
        await approve_return_request(make_client(http, FakeTime()), "31")


@respx.mock
async def test_decline_sends_the_reason_and_note(http: httpx.AsyncClient) -> None:
    route = by_operation(
        {"ReturnDeclineRequest": [answered("returnDeclineRequest", return_node("DECLINED"))]}
    )
    record = await decline_return_request(
        make_client(http, FakeTime()), "31", "final_sale", "Final sale item"
    )
    assert sent(route.calls.last.request)["variables"]["input"] == {
        "id": "gid://shopify/Return/31",
        "declineReason": "FINAL_SALE",
        "declineNote": "Final sale item",
    }
    assert record.status == "DECLINED"


@respx.mock
async def test_decline_user_errors(http: httpx.AsyncClient) -> None:
    by_operation(
        {
            "ReturnDeclineRequest": [
                refused("returnDeclineRequest", "INVALID_STATE", "Return is not declinable.", ["input", "id"])
            ]
        }
    )
    with pytest.raises(UserErrors) as raised:
        await decline_return_request(make_client(http, FakeTime()), "31", "OTHER", None)
    assert raised.value.errors[0].code == "INVALID_STATE"


@respx.mock
@pytest.mark.parametrize(("reason", "note"), [("DAMAGED", None), ("OTHER", "x" * 501)])
async def test_a_decline_shopify_would_refuse_is_not_sent(
    http: httpx.AsyncClient, reason: str, note: str | None
) -> None:
    route = respx.post(GRAPHQL_URL)
    with pytest.raises(Permanent):
        await decline_return_request(make_client(http, FakeTime()), "31", reason, note)
    assert route.call_count == 0


@respx.mock
@pytest.mark.parametrize(
    ("call", "mutation", "status"),
    [(cancel_return, "returnCancel", "CANCELED"), (close_return, "returnClose", "CLOSED")],
)
async def test_cancel_and_close_send_the_return_id(
    http: httpx.AsyncClient, call: Any, mutation: str, status: str
) -> None:
    route = respx.post(GRAPHQL_URL).mock(
        return_value=httpx.Response(200, json=answered(mutation, return_node(status)))
    )
    record = await call(make_client(http, FakeTime()), "31")
    assert sent(route.calls.last.request)["variables"] == {"id": "gid://shopify/Return/31"}
    assert record.status == status


@respx.mock
@pytest.mark.parametrize(
    ("call", "mutation"), [(cancel_return, "returnCancel"), (close_return, "returnClose")]
)
async def test_cancel_and_close_user_errors(http: httpx.AsyncClient, call: Any, mutation: str) -> None:
    respx.post(GRAPHQL_URL).mock(
        return_value=httpx.Response(
            200, json=refused(mutation, "INVALID_STATE", "Return is not cancelable.", ["id"])
        )
    )
    with pytest.raises(UserErrors) as raised:
        await call(make_client(http, FakeTime()), "31")
    assert raised.value.mutation == mutation and raised.value.errors[0].field == ("id",)


@respx.mock
@pytest.mark.parametrize(
    ("restock", "disposition"),
    [
        (
            True,
            {
                "reverseFulfillmentOrderLineItemId": "gid://shopify/ReverseFulfillmentOrderLineItem/901",
                "quantity": 1,
                "dispositionType": "RESTOCKED",
                "locationId": "gid://shopify/Location/61",
            },
        ),
        (
            False,
            {
                "reverseFulfillmentOrderLineItemId": "gid://shopify/ReverseFulfillmentOrderLineItem/901",
                "quantity": 1,
                "dispositionType": "NOT_RESTOCKED",
            },
        ),
    ],
)
async def test_process_confirms_quantities_with_a_disposition_and_moves_no_money(
    http: httpx.AsyncClient, restock: bool, disposition: dict[str, Any]
) -> None:
    route = by_operation(
        {
            "ReturnForProcessing": [RETURN_FOR_PROCESSING],
            "ReturnProcess": [answered("returnProcess", return_node("OPEN"))],
        }
    )
    record = await process_return(make_client(http, FakeTime()), "31", [("501", 1)], restock=restock)

    [mutation] = calls_of(route, "ReturnProcess")
    process_input = mutation["variables"]["input"]
    assert process_input == {
        "returnId": "gid://shopify/Return/31",
        "returnLineItems": [
            {"id": "gid://shopify/ReturnLineItem/501", "quantity": 1, "dispositions": [disposition]}
        ],
        "notifyCustomer": False,
    }
    assert "financialTransfer" not in process_input and "financialTransfer" not in mutation["query"]
    assert record.platform_id == "31"


@respx.mock
async def test_process_user_errors(http: httpx.AsyncClient) -> None:
    by_operation({"ReturnForProcessing": [RETURN_FOR_PROCESSING], "ReturnProcess": [RETURN_USER_ERRORS]})
    with pytest.raises(UserErrors) as raised:
        await process_return(make_client(http, FakeTime()), "31", [("501", 1)], restock=False)
    assert (raised.value.errors[0].code, raised.value.errors[0].message) == (
        "INVALID",
        "Return line item is invalid",
    )


@respx.mock
async def test_process_of_a_line_not_on_the_return_is_refused_before_any_mutation(
    http: httpx.AsyncClient,
) -> None:
    route = by_operation({"ReturnForProcessing": [RETURN_FOR_PROCESSING], "ReturnProcess": []})
    with pytest.raises(Permanent, match="no return line item 999"):
        await process_return(make_client(http, FakeTime()), "31", [("999", 1)], restock=True)
    assert calls_of(route, "ReturnProcess") == []


@respx.mock
async def test_a_return_that_is_not_open_is_not_processed(http: httpx.AsyncClient) -> None:
    requested = ok({"return": {**RETURN_FOR_PROCESSING["data"]["return"], "status": "REQUESTED"}})
    route = by_operation({"ReturnForProcessing": [requested], "ReturnProcess": []})
    with pytest.raises(Permanent, match="31 is REQUESTED: only an OPEN return"):
        await process_return(make_client(http, FakeTime()), "31", [("501", 1)], restock=False)
    assert calls_of(route, "ReturnProcess") == []


@respx.mock
async def test_a_timed_out_return_request_is_sent_once(http: httpx.AsyncClient) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if operation(request) == "ReturnRequest":
            raise httpx.ReadTimeout("slow")
        return httpx.Response(200, json=returnable((701, 11, 1)))

    route = respx.post(GRAPHQL_URL).mock(side_effect=answer)
    with pytest.raises(Transient):
        await request_return(make_client(http, FakeTime()), "1001", [ReturnLineRequest("11", 1, "other", "")])
    assert len(calls_of(route, "ReturnRequest")) == 1, "a second return would be opened"
