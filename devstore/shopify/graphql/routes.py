"""HTTP for the GraphQL Admin API emulation.

- ``POST /shopify/{shop}/admin/api/{version}/graphql.json``: the Admin API (``X-Shopify-Access-Token``;
  401 as Shopify answers a bad one). Always HTTP 200 with ``data``/``errors`` and ``extensions.cost``,
  except 400 for a body that is not JSON.
- ``GET /shopify/{shop}/bulk-operations/{key}.jsonl``: a bulk export's result (the "signed" link
  ``url``/``partialDataUrl`` point to; no token, as Shopify's storage links need none).
- ``GET|POST /_devstore/shopify/{shop}/api-limits``: the shop's bucket and counters; POST
  ``{"restore_rate", "maximum_available", "currently_available"}`` sets the plan (resets counters).
- ``POST /_devstore/shopify/{shop}/bulk-options``: ``{"delay_s", "fail_after"}`` (see ``bulk.py``).
- ``GET|POST /shopify/{shop}/admin/orders/{id}``: the admin's order page and its edit form.
- ``/_devstore/shopify/{shop}/faults`` and an order's ``refunds``/``returns``: see ``controls.py``.
- ``POST /_devstore/shopify/{shop}/orders/{id}``: edit an order (``edits.OrderEdit``) and send the
  webhooks it causes; ``drop_webhook: true`` sends none (a lost webhook), ``wait: true`` answers
  once they were delivered.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from devstore.shopify.admin_api import authenticate
from devstore.shopify.control import delivery_json
from devstore.shopify.graphql import controls, order_page
from devstore.shopify.graphql.bulk import BulkOptions
from devstore.shopify.graphql.edits import EditRefused, OrderEdit, apply_edit
from devstore.shopify.graphql.execute import Context, execute
from devstore.shopify.graphql.runtime import AdminGraphQL
from devstore.shopify.payloads import order_payload
from devstore.shopify.web import path_shop_async

MAX_BODY_BYTES = 1024 * 1024


def runtime(request: Request) -> AdminGraphQL:
    found: AdminGraphQL = request.app.state.shopify_graphql
    return found


async def _json_body(request: Request) -> dict[str, Any] | None:
    body = await request.body()
    if not body:
        return {}
    if len(body) > MAX_BODY_BYTES:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _refused(message: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def graphql(request: Request) -> Response:
    outcome = await run_in_threadpool(authenticate, request)
    if isinstance(outcome, Response):
        return outcome  # an unknown shop is a 404 whatever the method, as on Shopify
    if request.method != "POST":
        return JSONResponse({"errors": "Method Not Allowed"}, status_code=405, headers={"Allow": "POST"})
    shop, _ = outcome
    body = await _json_body(request)
    if body is None:
        return JSONResponse({"errors": [{"message": "the body must be a JSON object"}]}, status_code=400)
    found = runtime(request)
    fault = found.faults.take(shop.domain, body)
    if fault is not None and fault.mode == "error":
        message = f"Service Unavailable (devstore fault on {fault.mutation}; nothing was applied)"
        return JSONResponse({"errors": [{"message": message}]}, status_code=fault.status)
    ctx = Context(found.store, shop, found.buckets, found.bulk, str(request.base_url))
    answer = await run_in_threadpool(execute, ctx, body)
    if ctx.events:
        outgoing = await run_in_threadpool(found.prepare_webhooks, shop, ctx.events)
        found.shopify.sender.deliver_in_background(outgoing)
    if fault is not None:
        # Applied and announced; only the answer is late, so the caller cannot tell it happened.
        await asyncio.sleep(fault.delay_seconds)
    return JSONResponse(answer)


async def bulk_result(request: Request) -> Response:
    shop = await path_shop_async(request)
    found = runtime(request)
    op = await run_in_threadpool(found.bulk.by_key, shop, request.path_params["key"])
    if op is None or op.file_size is None:
        return JSONResponse({"error": "no such bulk result"}, status_code=404)
    return FileResponse(found.bulk.path_of(op), media_type="application/jsonl")


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} must be a number >= 0")
    return float(value)


async def api_limits(request: Request) -> Response:
    shop = await path_shop_async(request)
    buckets = runtime(request).buckets
    if request.method == "GET":
        return JSONResponse(buckets.describe(shop.domain))
    data = await _json_body(request)
    if data is None:
        return _refused("the body must be a JSON object")
    try:
        rate, maximum = _number(data, "restore_rate"), _number(data, "maximum_available")
        available = _number(data, "currently_available")
    except ValueError as exc:
        return _refused(str(exc))
    return JSONResponse(
        buckets.set_plan(shop.domain, restore_rate=rate, maximum=maximum, available=available)
    )


async def bulk_options(request: Request) -> Response:
    shop = await path_shop_async(request)
    data = await _json_body(request)
    if data is None:
        return _refused("the body must be a JSON object")
    fail_after = data.get("fail_after")
    try:
        delay = _number(data, "delay_s") or 0.0
    except ValueError as exc:
        return _refused(str(exc))
    if fail_after is not None and (
        isinstance(fail_after, bool) or not isinstance(fail_after, int) or fail_after < 0
    ):
        return _refused("fail_after must be a number of root objects >= 0")
    runtime(request).bulk.options[shop.domain] = BulkOptions(delay_s=delay, fail_after=fail_after)
    return JSONResponse({"delay_s": delay, "fail_after": fail_after})


async def edit_order(request: Request) -> Response:
    shop = await path_shop_async(request)
    data = await _json_body(request)
    if data is None:
        return _refused("the body must be a JSON object")
    found = runtime(request)
    order_id: int = request.path_params["order_id"]
    try:
        edit = OrderEdit.of(data)
        events = await run_in_threadpool(apply_edit, found.store, shop, order_id, edit)
    except EditRefused as exc:
        return _refused(str(exc), exc.status)
    deliveries: list[dict[str, Any]] = []
    if not data.get("drop_webhook"):
        outgoing = await run_in_threadpool(found.prepare_webhooks, shop, events)
        if data.get("wait"):
            await found.shopify.sender.deliver(outgoing)
        else:
            found.shopify.sender.deliver_in_background(outgoing)
        logged = [await run_in_threadpool(found.shopify.deliveries.get, o.delivery_id) for o in outgoing]
        deliveries = [delivery_json(d) for d in logged if d is not None]
    order = await run_in_threadpool(found.store.get_order, shop.domain, order_id)
    assert order is not None
    return JSONResponse({"order": order_payload(order, None), "deliveries": deliveries})


routes = [
    Route(
        "/shopify/{shop}/admin/api/{version}/graphql.json",
        graphql,
        methods=["GET", "POST"],
        name="shopify_graphql",
    ),
    Route(
        "/shopify/{shop}/bulk-operations/{key}.jsonl",
        bulk_result,
        methods=["GET"],
        name="shopify_bulk_result",
    ),
    Route("/_devstore/shopify/{shop}/api-limits", api_limits, methods=["GET", "POST"]),
    Route("/_devstore/shopify/{shop}/bulk-options", bulk_options, methods=["POST"]),
    Route("/_devstore/shopify/{shop}/orders/{order_id:int}", edit_order, methods=["POST"]),
    *controls.routes,
    *order_page.routes,
]
