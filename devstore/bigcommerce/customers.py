"""Customers v3 (fact sheet §2.4): ``GET /v3/customers`` with page/limit and ``meta.pagination``.

Filters: ``date_modified:min|max``, ``date_created:min|max`` (ISO 8601 date or datetime),
``id:in``, ``email:in``; ``sort`` is ``date_created``, ``date_modified`` or ``last_name`` with
``:asc``/``:desc`` (default: by id). An unknown filter (a parameter with an operator) or a bad
value is 422, as BigCommerce answers it; ``limit`` is 1..250.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from devstore import rows
from devstore.bigcommerce.api import ApiError, Call, api_route, read_or_write
from devstore.bigcommerce.orders import paging
from devstore.bigcommerce.payloads import customer_json
from devstore.bigcommerce.records import CUSTOMER_SORTS, Query

CUSTOMERS_READ = read_or_write("store_v2_customers")
DATE_FILTERS = {
    "date_modified:min": ("updated_at", ">="),
    "date_modified:max": ("updated_at", "<="),
    "date_created:min": ("created_at", ">="),
    "date_created:max": ("created_at", "<="),
}
LIST_FILTERS = {"id:in": "id", "email:in": "email"}


def _date(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, f"Invalid filter: {name} must be an ISO 8601 date or datetime.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def customers_query(call: Call) -> Query:
    query = Query(call.shop.id)
    for name, value in call.request.query_params.multi_items():
        if name in DATE_FILTERS:
            column, operator = DATE_FILTERS[name]
            query.where(f"{column} {operator} ?", rows.ts(_date(value, name)))
        elif name in LIST_FILTERS:
            values = [v for v in value.split(",") if v]
            if name == "id:in" and not all(v.isdigit() for v in values):
                raise ApiError(422, "Invalid filter: id:in must be a comma-separated list of ids.")
            if not values:
                raise ApiError(422, f"Invalid filter: {name} is empty.")
            query.where(f"{LIST_FILTERS[name]} IN ({', '.join('?' * len(values))})", *values)
        elif ":" in name:
            raise ApiError(422, f"Invalid filter: {name} is not a customer filter the devstore knows.")
    return query


async def list_customers(call: Call) -> Response:
    params = call.request.query_params
    query = customers_query(call)
    page, limit = paging(params, too_large=422)
    sort = ("id", False) if "sort" not in params else _sort(params["sort"])
    total, customers = await run_in_threadpool(call.bc.records.customers, query, sort, page, limit)
    total_pages = math.ceil(total / limit)
    links = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    meta: dict[str, Any] = {
        "pagination": {
            "total": total,
            "count": len(customers),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }
    return JSONResponse({"data": [customer_json(c) for c in customers], "meta": meta})


def _sort(value: str) -> tuple[str, bool]:
    field, _, direction = value.partition(":")
    if field not in CUSTOMER_SORTS or direction not in {"", "asc", "desc"}:
        raise ApiError(422, f"sort must be one of {', '.join(CUSTOMER_SORTS)} with :asc or :desc.")
    return CUSTOMER_SORTS[field], direction == "desc"


routes = [api_route("v3/customers", list_customers, ["GET"], CUSTOMERS_READ)]
