"""Orders v2 (fact sheet §2.3): list with filters and page/limit, count, one order, its products,
shipping addresses and shipments, and ``PUT`` of ``status_id``.

Lists have no pagination metadata: a page past the last (or any empty list) is ``204 No Content``
with an empty body. ``limit`` is 1..250 (more is 413, as the status-code table says). Filters:
``min_/max_date_modified``, ``min_/max_date_created`` (RFC 2822 or ISO 8601), ``min_id``,
``max_id``, ``customer_id`` (0: guests), ``email``; others are ignored. ``sort`` is ``id``,
``date_created`` or ``date_modified`` with ``:asc``/``:desc``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from devstore import rows
from devstore.bigcommerce import payloads
from devstore.bigcommerce.api import ApiError, Call, api_route, json_body, read_or_write
from devstore.bigcommerce.records import ORDER_SORTS, Query
from devstore.models import Order

MAX_LIMIT = 250
DEFAULT_LIMIT = 50
ORDERS_READ = read_or_write("store_v2_orders")
ORDERS_WRITE = frozenset({"store_v2_orders"})
NOT_FOUND = "The requested resource was not found."
DATE_FILTERS = (
    ("min_date_modified", "updated_at", ">="),
    ("max_date_modified", "updated_at", "<="),
    ("min_date_created", "created_at", ">="),
    ("max_date_created", "created_at", "<="),
)


def parse_date(value: str, name: str) -> datetime:
    """RFC 2822 or ISO 8601, as v2 filters take them; a date without a zone is UTC."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ApiError(400, f"The field '{name}' is not an RFC 2822 or ISO 8601 date.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def int_param(value: str, name: str, minimum: int = 0) -> int:
    if not value.isdigit() or int(value) < minimum:
        raise ApiError(400, f"The field '{name}' must be an integer of at least {minimum}.")
    return int(value)


def paging(params: Any, max_limit: int = MAX_LIMIT, too_large: int = 413) -> tuple[int, int]:
    page = int_param(params.get("page", "1"), "page", 1)
    limit = int_param(params.get("limit", str(DEFAULT_LIMIT)), "limit", 1)
    if limit > max_limit:
        raise ApiError(too_large, f"limit must be at most {max_limit}.")
    return page, limit


def parse_sort(value: str | None, columns: dict[str, str], default: str) -> tuple[str, bool]:
    field, _, direction = (value or f"{default}:asc").partition(":")
    if field not in columns or direction not in {"", "asc", "desc"}:
        raise ApiError(400, f"sort must be one of {', '.join(columns)} with :asc or :desc.")
    return columns[field], direction == "desc"


def orders_query(call: Call) -> Query:
    params = call.request.query_params
    query = Query(call.shop.id)
    for name, column, operator in DATE_FILTERS:
        if name in params:
            query.where(f"{column} {operator} ?", rows.ts(parse_date(params[name], name)))
    if "min_id" in params:
        query.where("id >= ?", int_param(params["min_id"], "min_id"))
    if "max_id" in params:
        query.where("id <= ?", int_param(params["max_id"], "max_id"))
    if "customer_id" in params:
        customer_id = int_param(params["customer_id"], "customer_id")
        if customer_id == 0:
            query.where("customer_id IS NULL")
        else:
            query.where("customer_id = ?", customer_id)
    if "email" in params:
        query.where("email = ?", params["email"])
    return query


def _orders_json(call: Call, orders: tuple[Order, ...]) -> list[dict[str, Any]]:
    records = call.bc.records
    statuses = records.status_ids(call.shop, orders)
    customers = records.customers_of(call.shop, orders)
    return [
        payloads.order_json(
            call.shop.domain, order, customers.get(order.customer_id or 0), statuses[order.id]
        )
        for order in orders
    ]


async def list_orders(call: Call) -> Response:
    params = call.request.query_params
    query = orders_query(call)
    sort = parse_sort(params.get("sort"), ORDER_SORTS, "id")
    page, limit = paging(params)

    def load() -> list[dict[str, Any]]:
        return _orders_json(call, call.bc.records.orders(query, sort, page, limit))

    found = await run_in_threadpool(load)
    return JSONResponse(found) if found else Response(status_code=204)


async def count_orders(call: Call) -> Response:
    def count() -> dict[str, Any]:
        orders = call.bc.records.all_orders(call.shop)
        statuses = call.bc.records.status_ids(call.shop, orders)
        counts = {status_id: 0 for status_id in payloads.STATUSES}
        for status_id in statuses.values():
            counts[status_id] += 1
        return {
            "statuses": [
                {
                    "id": status_id,
                    "name": name,
                    "system_label": name,
                    "custom_label": name,
                    "system_description": "",
                    "count": counts[status_id],
                    "sort_order": status_id,
                }
                for status_id, name in payloads.STATUSES.items()
            ],
            "count": len(orders),
        }

    return JSONResponse(await run_in_threadpool(count))


def _one_order(call: Call) -> Order:
    order = call.bc.records.order(call.shop, call.path_int("order_id"))
    if order is None:
        raise ApiError(404, NOT_FOUND)
    return order


async def get_order(call: Call) -> Response:
    def load() -> dict[str, Any]:
        return _orders_json(call, (_one_order(call),))[0]

    return JSONResponse(await run_in_threadpool(load))


async def update_order(call: Call) -> Response:
    data = await json_body(call.request)
    if set(data) != {"status_id"}:
        raise ApiError(400, "The devstore emulates PUT /v2/orders/{id} with a status_id only.")
    status_id = data["status_id"]
    if isinstance(status_id, bool) or status_id not in payloads.STATUSES:
        raise ApiError(400, "status_id must be one of the order status ids (0-14).")

    def change() -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        events = call.bc.records.set_status(call.shop, _one_order(call), status_id)
        changed = _one_order(call)
        return _orders_json(call, (changed,))[0], events

    body, events = await run_in_threadpool(change)
    outgoing = await run_in_threadpool(call.bc.prepare_webhooks, call.shop, events)
    call.bc.sender.deliver_in_background(outgoing)
    return JSONResponse(body)


async def order_products(call: Call) -> Response:
    order = await run_in_threadpool(_one_order, call)
    return JSONResponse([payloads.product_json(order, line) for line in order.line_items])


async def order_shipping_addresses(call: Call) -> Response:
    def load() -> list[dict[str, Any]]:
        order = _one_order(call)
        customer = call.bc.records.customers_of(call.shop, (order,)).get(order.customer_id or 0)
        return [payloads.shipping_address_json(call.shop.domain, order, customer)]

    return JSONResponse(await run_in_threadpool(load))


async def order_shipments(call: Call) -> Response:
    def load() -> list[dict[str, Any]]:
        order = _one_order(call)
        customer = call.bc.records.customers_of(call.shop, (order,)).get(order.customer_id or 0)
        return [payloads.shipment_json(order, f, customer) for f in order.fulfillments]

    found = await run_in_threadpool(load)
    return JSONResponse(found) if found else Response(status_code=204)


routes = [
    api_route("v2/orders", list_orders, ["GET"], ORDERS_READ),
    api_route("v2/orders/count", count_orders, ["GET"], ORDERS_READ),
    api_route("v2/orders/{order_id:int}", get_order, ["GET"], ORDERS_READ),
    api_route("v2/orders/{order_id:int}", update_order, ["PUT"], ORDERS_WRITE),
    api_route("v2/orders/{order_id:int}/products", order_products, ["GET"], ORDERS_READ),
    api_route("v2/orders/{order_id:int}/shipping_addresses", order_shipping_addresses, ["GET"], ORDERS_READ),
    api_route("v2/orders/{order_id:int}/shipments", order_shipments, ["GET"], ORDERS_READ),
]
