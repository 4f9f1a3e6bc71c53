"""The shop's admin, as the merchant sees it: home, the app in its frame, install and uninstall.

- ``GET /shopify/{shop}/admin``: the shop, its Apps (Install or Open, Uninstall), recent webhooks.
- ``GET /shopify/{shop}/admin/apps/{app}[/{path}]``: the app framed as Shopify frames it (the app
  URL plus ``path`` with ``shop``, ``host``, ``embedded``, ``id_token``, ``hmac``...), or, before the
  app is installed, Shopify-managed installation's consent page.
- ``POST …/admin/settings/apps/{app}/install`` and ``…/uninstall``: the buttons. Uninstalling
  revokes the app's tokens and sends ``app/uninstalled``.
- ``GET /shopify/{shop}/admin/session-token?client_id=``: a fresh session token for the App Bridge
  stand-in, readable by the app's origin only (CORS).
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from devstore.models import Shop
from devstore.shopify.launch import app_launch_url
from devstore.shopify.session_tokens import LIFETIME_SECONDS, issue_session_token
from devstore.shopify.staff import owner_of
from devstore.shopify.web import emulation, path_shop, path_shop_async, render

RECENT_DELIVERIES = 5


def admin_url(shop: Shop) -> str:
    return f"/shopify/{shop.domain}/admin"


def app_admin_url(shop: Shop, client_id: str) -> str:
    return f"{admin_url(shop)}/apps/{client_id}"


def _settings_url(shop: Shop, client_id: str, action: str) -> str:
    return f"{admin_url(shop)}/settings/apps/{client_id}/{action}"


def admin_home(request: Request) -> Response:
    shop = path_shop(request)
    shopify = emulation(request)
    client_id = shopify.app.client_id
    tokens = shopify.grants.tokens(shop)
    now = datetime.now(UTC)
    live = [t for t in tokens if t.revoked_at is None and (t.expires_at is None or t.expires_at > now)]
    return render(
        request,
        "shopify/admin_home.html",
        nav="home",
        shop=shop,
        counts=shopify.store.counts(shop.domain),
        installation=shopify.grants.installation(shop),
        open_url=app_admin_url(shop, client_id),
        install_url=_settings_url(shop, client_id, "install"),
        uninstall_url=_settings_url(shop, client_id, "uninstall"),
        tokens_issued=len(tokens),
        tokens_live=len(live),
        deliveries=shopify.deliveries.recent(shop.domain, limit=RECENT_DELIVERIES),
    )


def app_frame(request: Request) -> Response:
    shop = path_shop(request)
    shopify = emulation(request)
    app = shopify.app
    if not app.is_app(request.path_params["app"]):
        return render(
            request,
            "shopify/oauth_error.html",
            status_code=404,
            shop=shop,
            message="There is no app with this id in the devstore.",
        )
    user = owner_of(shop)
    if shopify.grants.installation(shop) is None:
        return render(
            request,
            "shopify/consent.html",
            nav="app",
            shop=shop,
            scopes=app.scopes,
            action=_settings_url(shop, app.client_id, "install"),
            fields=[],
            note="Shopify installs it with the access its configuration asks for.",
        )
    now = datetime.now(UTC)
    src = app_launch_url(
        app,
        shop,
        user,
        request.path_params.get("path", ""),
        request.query_params.multi_items(),
        now,
    )
    return render(request, "shopify/app_frame.html", nav="app", shop=shop, src=src)


async def install(request: Request) -> Response:
    shop = await path_shop_async(request)
    shopify = emulation(request)
    if not shopify.app.is_app(request.path_params["app"]):
        return Response("There is no app with this id in the devstore.", status_code=404)
    await run_in_threadpool(shopify.grants.install, shop, datetime.now(UTC))
    return RedirectResponse(app_admin_url(shop, shopify.app.client_id), status_code=303)


async def uninstall(request: Request) -> Response:
    shop = await path_shop_async(request)
    shopify = emulation(request)
    if not shopify.app.is_app(request.path_params["app"]):
        return Response("There is no app with this id in the devstore.", status_code=404)
    outgoing = await run_in_threadpool(shopify.uninstall, shop, datetime.now(UTC))
    shopify.sender.deliver_in_background(outgoing)
    return RedirectResponse(admin_url(shop), status_code=303)


def _cors(request: Request) -> dict[str, str]:
    """The app's origin may read the answer; nobody else's page can."""
    headers = {"Cache-Control": "no-store", "Vary": "Origin"}
    if request.headers.get("origin") == emulation(request).app.app_origin:
        headers["Access-Control-Allow-Origin"] = emulation(request).app.app_origin
    return headers


def session_token(request: Request) -> Response:
    headers = _cors(request)
    shopify = emulation(request)
    shop = shopify.shop(request.path_params["shop"])
    if shop is None:
        return JSONResponse({"error": "unknown_shop"}, status_code=404, headers=headers)
    if request.query_params.get("client_id") != shopify.app.client_id:
        return JSONResponse({"error": "unknown_client_id"}, status_code=404, headers=headers)
    if shopify.grants.installation(shop) is None:
        return JSONResponse({"error": "app_not_installed"}, status_code=403, headers=headers)
    token = issue_session_token(shop.domain, shopify.app, owner_of(shop), datetime.now(UTC))
    return JSONResponse({"id_token": token, "expires_in": LIFETIME_SECONDS}, headers=headers)


routes = [
    Route("/shopify/{shop}/admin", admin_home, methods=["GET"], name="shopify_admin"),
    Route(
        "/shopify/{shop}/admin/session-token", session_token, methods=["GET"], name="shopify_session_token"
    ),
    Route("/shopify/{shop}/admin/apps/{app}", app_frame, methods=["GET"], name="shopify_app"),
    Route(
        "/shopify/{shop}/admin/apps/{app}/{path:path}", app_frame, methods=["GET"], name="shopify_app_path"
    ),
    Route(
        "/shopify/{shop}/admin/settings/apps/{app}/install", install, methods=["POST"], name="shopify_install"
    ),
    Route(
        "/shopify/{shop}/admin/settings/apps/{app}/uninstall",
        uninstall,
        methods=["POST"],
        name="shopify_uninstall",
    ),
]
