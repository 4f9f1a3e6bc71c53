"""``/webhooks``: every webhook delivery the devstore made, with its outcome and payload."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstore.pages import render_page
from devstore.shopify.web import emulation

LIMIT = 200


def delivery_list(request: Request) -> Response:
    shop = request.query_params.get("shop") or None
    deliveries = emulation(request).deliveries.recent(shop, limit=LIMIT)
    return render_page(request, "webhooks.html", nav="webhooks", deliveries=deliveries, shop=shop)


routes = [Route("/webhooks", delivery_list, methods=["GET"], name="webhooks")]
