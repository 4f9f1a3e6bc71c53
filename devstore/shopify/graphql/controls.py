"""Control endpoints for the money path's tests: fault switches, and the platform's side of an order.

- ``GET /_devstore/shopify/{shop}/faults``: the armed faults.
- ``POST /_devstore/shopify/{shop}/faults`` ``{"mutation": "refundCreate", "mode": "timeout" | "error",
  "times": 1, "delay_seconds": 30, "status": 503}``: arm the next ``times`` calls of ``mutation``
  (``faults.Fault``); arming a mutation again replaces its fault. Answers the armed faults.
- ``DELETE /_devstore/shopify/{shop}/faults``: disarm all of the shop's faults.
- ``GET /_devstore/shopify/{shop}/orders/{id}/refunds``: the order's refunds as Shopify holds
  them (``refunds/create`` bodies), with its ``total_refunded`` and ``financial_status``.
- ``GET /_devstore/shopify/{shop}/orders/{id}/returns``: the order's returns (``returns/*`` bodies).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.shopify.graphql.faults import Fault, FaultRefused
from devstore.shopify.graphql.return_store import load_returns
from devstore.shopify.graphql.runtime import AdminGraphQL
from devstore.shopify.payloads import refund_payload, return_payload
from devstore.shopify.web import path_shop_async


def _runtime(request: Request) -> AdminGraphQL:
    found: AdminGraphQL = request.app.state.shopify_graphql
    return found


async def faults(request: Request) -> Response:
    shop = await path_shop_async(request)
    armed = _runtime(request).faults
    if request.method == "DELETE":
        armed.clear(shop.domain)
    elif request.method == "POST":
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise FaultRefused("the body must be a JSON object")
            armed.arm(shop.domain, Fault.of(data))
        except ValueError as exc:  # FaultRefused, or a body that is not JSON
            message = str(exc) if isinstance(exc, FaultRefused) else "the body must be a JSON object"
            return JSONResponse({"error": message}, status_code=422)
    return JSONResponse({"faults": [fault.as_json() for fault in armed.armed(shop.domain)]})


async def order_refunds(request: Request) -> Response:
    shop = await path_shop_async(request)
    store = _runtime(request).store
    order = await run_in_threadpool(store.get_order, shop.domain, request.path_params["order_id"])
    if order is None:
        return JSONResponse({"error": f"{shop.domain} has no order {request.path_params['order_id']}"}, 404)
    return JSONResponse(
        {
            "order_id": order.id,
            "total_refunded": f"{order.total_refunded:.2f}",
            "financial_status": order.financial_status.value,
            "refunds": [refund_payload(order, refund) for refund in order.refunds],
        }
    )


async def order_returns(request: Request) -> Response:
    shop = await path_shop_async(request)
    store = _runtime(request).store
    order = await run_in_threadpool(store.get_order, shop.domain, request.path_params["order_id"])
    if order is None:
        return JSONResponse({"error": f"{shop.domain} has no order {request.path_params['order_id']}"}, 404)
    found = await run_in_threadpool(load_returns, store, shop.id, [order.id])
    return JSONResponse(
        {"order_id": order.id, "returns": [return_payload(order, ret, "") for ret in found.get(order.id, [])]}
    )


routes = [
    Route("/_devstore/shopify/{shop}/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/_devstore/shopify/{shop}/orders/{order_id:int}/refunds", order_refunds, methods=["GET"]),
    Route("/_devstore/shopify/{shop}/orders/{order_id:int}/returns", order_returns, methods=["GET"]),
]
