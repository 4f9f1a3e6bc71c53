"""Orders v3 payment actions: ``refund_quotes`` and ``refunds`` (create and list), with the fault
switches of ``faults.py`` on refund creation.

A ``drop`` starts the 201 answer and then fails the request: uvicorn closes the connection with
the body incomplete, and an in-process ``httpx.ASGITransport`` raises the same
``httpx.RemoteProtocolError`` a client sees when a server hangs up.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from devstore.bigcommerce.api import Call, api_route, json_body, read_or_write
from devstore.bigcommerce.faults import REFUND_CREATE, FaultMode
from devstore.bigcommerce.refunds import Refused, create_refund, list_refunds, price

REFUND_WRITE = frozenset({"store_v2_orders", "store_v2_transactions"})
REFUND_READ = read_or_write("store_v2_orders") | read_or_write("store_v2_transactions")
DEFAULT_DECLINE = "The payment gateway declined the refund."
DEFAULT_ERROR = "Tax service gone away"


class DroppedResponse(Response):
    """Headers and part of the body, then the connection goes."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send(
            {"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True}
        )
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def _refused(refusal: Refused) -> JSONResponse:
    return JSONResponse(refusal.body(), status_code=refusal.status)


async def refund_quote(call: Call) -> Response:
    body = await json_body(call.request)

    def quote() -> dict[str, Any]:
        order = call.bc.records.order(call.shop, call.path_int("order_id"))
        if order is None:
            raise Refused(404, f"Order {call.path_int('order_id')} not found.")
        return price(order, body).json()

    try:
        return JSONResponse({"data": await run_in_threadpool(quote), "meta": {}}, status_code=201)
    except Refused as refusal:
        return _refused(refusal)


async def create(call: Call) -> Response:
    body = await json_body(call.request)
    order_id = call.path_int("order_id")
    fault = call.bc.faults.take(call.shop.domain, REFUND_CREATE)
    if fault is not None and fault.mode is FaultMode.ERROR:
        message = fault.message or DEFAULT_ERROR
        data = {"data": [{"order_id": order_id, "status": fault.status, "error": message}], "meta": {}}
        return JSONResponse(data, status_code=fault.status)
    declined = (
        (fault.message or DEFAULT_DECLINE) if fault is not None and fault.mode is FaultMode.DECLINE else None
    )
    try:
        created = await run_in_threadpool(
            lambda: create_refund(
                call.bc.store, call.shop, order_id, body, user_id=call.token.user_id, declined=declined
            )
        )
    except Refused as refusal:
        return _refused(refusal)
    outgoing = await run_in_threadpool(call.bc.prepare_webhooks, call.shop, created.events)
    call.bc.sender.deliver_in_background(outgoing)
    answer = {"data": created.refund, "meta": {}}
    if fault is not None and fault.mode is FaultMode.LATE:
        await asyncio.sleep(fault.delay_s)
    if fault is not None and fault.mode is FaultMode.DROP:
        return DroppedResponse(json.dumps(answer).encode(), status_code=201, media_type="application/json")
    return JSONResponse(answer, status_code=201)


async def refunds(call: Call) -> Response:
    def load() -> list[dict[str, Any]] | None:
        order = call.bc.records.order(call.shop, call.path_int("order_id"))
        return None if order is None else list_refunds(call.bc.store, call.shop, order)

    found = await run_in_threadpool(load)
    if found is None:
        return _refused(Refused(404, f"Order {call.path_int('order_id')} not found."))
    return JSONResponse({"data": found, "meta": {}})


routes = [
    api_route("v3/orders/{order_id:int}/payment_actions/refund_quotes", refund_quote, ["POST"], REFUND_WRITE),
    api_route("v3/orders/{order_id:int}/payment_actions/refunds", create, ["POST"], REFUND_WRITE),
    api_route("v3/orders/{order_id:int}/payment_actions/refunds", refunds, ["GET"], REFUND_READ),
]
