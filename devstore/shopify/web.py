"""What the Shopify routes share: finding the emulation and the shop, and rendering admin pages."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from devstore.models import Shop
from devstore.pages import TEMPLATES
from devstore.shopify.emulation import ShopifyEmulation
from devstore.shopify.staff import owner_of


def emulation(request: Request) -> ShopifyEmulation:
    shopify: ShopifyEmulation = request.app.state.shopify
    return shopify


def path_shop(request: Request) -> Shop:
    """The Shopify shop named by the path's ``{shop}``, or 404 (blocking: SQLite)."""
    shop = emulation(request).shop(request.path_params["shop"])
    if shop is None:
        raise HTTPException(404, "There is no Shopify shop with this domain in the devstore.")
    return shop


async def path_shop_async(request: Request) -> Shop:
    return await run_in_threadpool(path_shop, request)


def admin_headers(app_origin: str) -> dict[str, str]:
    """The admin's own policy: its static script only, the app's origin framed and redirected to."""
    return {
        "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline';"
        f" img-src data:; frame-src {app_origin}; form-action 'self' {app_origin}; frame-ancestors 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """An admin page for ``context["shop"]``, signed in as its owner."""
    shopify = emulation(request)
    shared = {"app": shopify.app, "user": owner_of(context["shop"]), "nav": ""}
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {**shared, **context},
        status_code=status_code,
        headers=admin_headers(shopify.app.app_origin),
    )
