"""The scripts the devstore serves to pages: the App Bridge stand-in and the admin frame's helper.

``/shopify/app-bridge.js`` stands in for ``https://cdn.shopify.com/shopifycloud/app-bridge.js``
(the app's ``APP_BRIDGE_URL`` points here in development and tests). It runs inside the app's
iframe, on the app's origin, and gets session tokens from this devstore over CORS.
``/shopify/admin-frame.js`` runs on the admin's frame page and draws the app's navigation, which
the stand-in reports from ``<s-app-nav>``, in the admin's sidebar, as Shopify's admin does.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "static"
SCRIPT_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def _script(name: str) -> Response:
    return FileResponse(STATIC / name, media_type="text/javascript", headers=SCRIPT_HEADERS)


def app_bridge(request: Request) -> Response:
    return _script("app-bridge.js")


def admin_frame(request: Request) -> Response:
    return _script("admin-frame.js")


routes = [
    Route("/shopify/app-bridge.js", app_bridge, methods=["GET", "HEAD"], name="shopify_app_bridge"),
    Route("/shopify/admin-frame.js", admin_frame, methods=["GET", "HEAD"], name="shopify_admin_frame"),
]
