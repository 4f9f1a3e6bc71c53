"""Customers: search, and one customer with their timeline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.errors import error_response
from app.services.customers import customer_summary, search_customers
from app.services.input import InvalidInput, row_id
from app.services.keyset import Cursor
from app.services.timeline_read import timeline_for


async def customer_list(request: Request) -> Response:
    session = embedded_session(request)
    query = request.query_params.get("q", "")
    try:
        page = await search_customers(
            session.shop.id, query, Cursor.decode(request.query_params.get("after"))
        )
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    return render(request, "customers/list.html", {"q": query, "page": page})


async def customer_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        customer_id = row_id(request.path_params["customer_id"])
        cursor = Cursor.decode(request.query_params.get("before"))
        summary = await customer_summary(session.shop.id, customer_id)
        if summary is None:
            return error_response(request, 404, "No such customer in this store.")
        timeline = await timeline_for(session.shop.id, customer_id, cursor)
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    return render(request, "customers/detail.html", {"summary": summary, "timeline": timeline})
