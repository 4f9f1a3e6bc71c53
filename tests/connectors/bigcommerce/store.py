"""A small in-memory BigCommerce for paging tests: v2 orders and v3 customers that honour the
modification-time filter, ascending sort, ``page``/``limit``, 204 on an empty v2 page and v3
pagination meta, and that can be changed between requests like a busy store."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

T0 = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


class FakeStore:
    def __init__(self) -> None:
        self.orders: dict[int, datetime] = {}
        self.customers: dict[int, datetime] = {}
        self.order_requests: list[dict[str, str]] = []
        self.customer_requests: list[dict[str, str]] = []
        # Called before each orders request is answered: lets a test change the store mid-read.
        self.before_orders: Callable[[int], None] = lambda request_number: None

    def touch_order(self, order_id: int, when: datetime) -> None:
        self.orders[order_id] = when

    def order(self, order_id: int) -> dict[str, Any]:
        return {
            "id": order_id,
            "customer_id": 0,
            "date_created": format_datetime(T0),
            "date_modified": format_datetime(self.orders[order_id]),  # RFC 2822, as v2 writes it
            "status_id": 11,
            "items_total": 1,
            "items_shipped": 0,
            "refunded_amount": "0.0000",
            "currency_code": "USD",
            "total_inc_tax": "10.0000",
        }

    def orders_endpoint(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.order_requests.append(params)
        self.before_orders(len(self.order_requests))
        assert params.get("sort") == "date_modified:asc"
        since = datetime.fromisoformat(params["min_date_modified"]) if "min_date_modified" in params else None
        matching = sorted(
            (when, order_id) for order_id, when in self.orders.items() if since is None or when >= since
        )
        page, limit = int(params.get("page", 1)), int(params.get("limit", 50))
        chunk = matching[(page - 1) * limit : page * limit]
        if not chunk:
            return httpx.Response(204)
        return httpx.Response(200, json=[self.order(order_id) for _, order_id in chunk])

    def customers_endpoint(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.customer_requests.append(params)
        since = datetime.fromisoformat(params["date_modified:min"]) if "date_modified:min" in params else None
        matching = sorted(
            (when, customer_id)
            for customer_id, when in self.customers.items()
            if since is None or when >= since
        )
        page, limit = int(params.get("page", 1)), int(params.get("limit", 50))
        chunk = matching[(page - 1) * limit : page * limit]
        total_pages = max(1, math.ceil(len(matching) / limit))
        return httpx.Response(
            200,
            json={
                "data": [
                    {
                        "id": customer_id,
                        "email": f"c{customer_id}@example.com",
                        "first_name": "C",
                        "last_name": str(customer_id),
                        "date_created": T0.isoformat(),
                        "date_modified": when.isoformat(),
                    }
                    for when, customer_id in chunk
                ],
                "meta": {
                    "pagination": {
                        "total": len(matching),
                        "count": len(chunk),
                        "per_page": limit,
                        "current_page": page,
                        "total_pages": total_pages,
                        "links": {"current": f"?page={page}&limit={limit}"},
                    }
                },
            },
        )
