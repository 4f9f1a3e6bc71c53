"""The Admin API's door: ``X-Shopify-Access-Token`` checked against the tokens the devstore issued.

``authenticate`` is what every Admin API route calls first (the GraphQL emulation included): an
unknown, revoked or expired token gets Shopify's 401; a valid one is marked used, which retires
the refresh token it replaced. ``GET /admin/api/{version}/shop.json`` is the smallest such route.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.models import Shop
from devstore.shopify.grant_store import IssuedToken
from devstore.shopify.payloads import shop_payload
from devstore.shopify.web import emulation

TOKEN_HEADER = "x-shopify-access-token"  # noqa: S105 - a header name
UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def authenticate(request: Request) -> tuple[Shop, IssuedToken] | Response:
    """The shop and the token the request is made with, or the response refusing it (blocking)."""
    shopify = emulation(request)
    shop = shopify.shop(request.path_params["shop"])
    if shop is None:
        return JSONResponse({"errors": "Not Found"}, status_code=404)
    checked = shopify.grants.authenticate(shop, request.headers.get(TOKEN_HEADER, ""), datetime.now(UTC))
    if isinstance(checked, str):
        return JSONResponse(UNAUTHORIZED, status_code=401)
    return shop, checked


def shop_json(request: Request) -> Response:
    outcome = authenticate(request)
    if isinstance(outcome, Response):
        return outcome
    shop, _ = outcome
    return JSONResponse({"shop": shop_payload(shop)})


routes = [
    Route(
        "/shopify/{shop}/admin/api/{version}/shop.json", shop_json, methods=["GET"], name="shopify_rest_shop"
    ),
]
