"""Orders: the filtered list, and one order with its items, shipments, refunds and returns."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.errors import error_response
from app.services.input import InvalidInput, row_id
from app.services.orders import (
    FINANCIAL_STATUSES,
    FULFILLMENT_STATUSES,
    list_orders,
    order_detail,
    parse_filters,
)


async def order_list(request: Request) -> Response:
    session = embedded_session(request)
    try:
        filters = parse_filters(request.query_params)
        page = await list_orders(session.shop.id, filters, request.query_params.get("after"))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    context = {
        "filters": filters,
        "page": page,
        "financial_statuses": FINANCIAL_STATUSES,
        "fulfillment_statuses": FULFILLMENT_STATUSES,
    }
    return render(request, "orders/list.html", context)


async def order_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        order_id = row_id(request.path_params["order_id"])
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    detail = await order_detail(session.shop.id, order_id)
    if detail is None:
        return error_response(request, 404, "No such order in this store.")
    return render(request, "orders/detail.html", {"detail": detail})
