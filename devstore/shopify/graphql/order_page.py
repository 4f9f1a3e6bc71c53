"""``/shopify/{shop}/admin/orders/{id}``: the admin's order page, with a form that edits it.

The form makes the same change as ``POST /_devstore/shopify/{shop}/orders/{id}`` (``edits.py``) and
sends the same webhooks, unless "Lose the webhook" is ticked; then it comes back to the page.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from devstore.models import FinancialStatus
from devstore.shopify.graphql.edits import CANCEL_REASONS, EditRefused, OrderEdit, apply_edit
from devstore.shopify.graphql.runtime import AdminGraphQL
from devstore.shopify.web import path_shop_async, render


def _page(request: Request, message: str | None = None, status_code: int = 200) -> Response:
    found: AdminGraphQL = request.app.state.shopify_graphql
    shop = request.state.shop
    order = found.store.get_order(shop.domain, request.path_params["order_id"])
    if order is None:
        return render(
            request, "shopify/oauth_error.html", status_code=404, shop=shop, message="No such order."
        )
    return render(
        request,
        "shopify/admin_order.html",
        status_code=status_code,
        shop=shop,
        order=order,
        statuses=[s.value for s in FinancialStatus],
        reasons=sorted(CANCEL_REASONS),
        message=message,
    )


async def order_page(request: Request) -> Response:
    request.state.shop = await path_shop_async(request)
    if request.method == "GET":
        return await run_in_threadpool(_page, request)
    found: AdminGraphQL = request.app.state.shopify_graphql
    async with request.form() as form:
        fields = {key: str(value) for key, value in form.items()}
    data = {
        "financial_status": fields.get("financial_status") or None,
        "tags": fields.get("tags", ""),
        "note": fields.get("note"),
        "cancel": fields.get("cancel") or None,
        "fulfill": "fulfill" in fields,
        "deliver": "deliver" in fields,
    }
    shop = request.state.shop
    order_id: int = request.path_params["order_id"]
    try:
        events = await run_in_threadpool(apply_edit, found.store, shop, order_id, OrderEdit.of(data))
    except EditRefused as exc:
        return await run_in_threadpool(_page, request, str(exc), exc.status)
    if "drop_webhook" not in fields:
        outgoing = await run_in_threadpool(found.prepare_webhooks, shop, events)
        found.shopify.sender.deliver_in_background(outgoing)
    return RedirectResponse(request.url.path, status_code=303)


routes = [
    Route(
        "/shopify/{shop}/admin/orders/{order_id:int}",
        order_page,
        methods=["GET", "POST"],
        name="shopify_order",
    )
]
