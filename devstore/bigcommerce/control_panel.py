"""The store's control panel, as its staff see it: the app installed, opened, uninstalled.

- ``GET /bigcommerce/{hash}/manage[?user_id=]``: the store, the app (Install, Open, Uninstall), its
  users (sign in as any of them; Remove user sends ``remove_user``), the app's hooks and deliveries.
- ``GET /bigcommerce/{hash}/manage/app/{client_id}[?user_id=&url=]``: the installed app in its
  iframe, loaded through ``/bigcommerce/load?signed_payload_jwt=…`` (``url`` is the JWT's deep
  link, as App Extensions set it); before install, the install (consent) page.
- ``POST /bigcommerce/{hash}/manage/marketplace/apps/{client_id}/install`` (form ``user_id``):
  the auth callback ``/bigcommerce/auth?code=…&scope=…&context=stores/{hash}&account_uuid=…`` in
  the iframe. Owners and authorized users may install; plain users get 403.
- ``POST …/marketplace/apps/{client_id}/uninstall`` (form ``user_id``): the token is revoked,
  ``store/app/uninstalled`` is sent to the app's hooks, the hooks are deleted, and the ``uninstall``
  callback is called.
- ``POST /bigcommerce/{hash}/manage/users/{user_id}/remove``: the ``remove_user`` callback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from devstore.bigcommerce.api import emulation
from devstore.bigcommerce.links import auth_callback_url, load_callback_url
from devstore.bigcommerce.signed_payload import signed_payload_jwt
from devstore.bigcommerce.users import StoreUser, user_of, users_of
from devstore.models import Shop

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
RECENT_DELIVERIES = 8


def manage_url(shop: Shop, user: StoreUser | None = None) -> str:
    base = f"/bigcommerce/{shop.domain}/manage"
    return base if user is None else f"{base}?user_id={user.id}"


def _headers(app_origin: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
        f" frame-src {app_origin}; form-action 'self'; frame-ancestors 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _shop(request: Request) -> Shop:
    shop = emulation(request).shop(request.path_params["store_hash"])
    if shop is None:
        raise HTTPException(404, "There is no BigCommerce store with this hash in the devstore.")
    return shop


def _user(shop: Shop, raw: object) -> StoreUser:
    """The user a query or form names by id (the owner when it names none)."""
    text = "" if raw is None else str(raw)
    user = user_of(shop, None) if not text else user_of(shop, int(text)) if text.isdigit() else None
    if user is None:
        raise HTTPException(404, "There is no such user on this store.")
    return user


def _app_or_404(request: Request) -> None:
    if request.path_params["client_id"] != emulation(request).app.client_id:
        raise HTTPException(404, "There is no app with this client id in the devstore.")


def render(
    request: Request, name: str, shop: Shop, user: StoreUser, status_code: int = 200, **context: Any
) -> Response:
    bc = emulation(request)
    shared = {
        "app": bc.app,
        "shop": shop,
        "user": user,
        "users": users_of(shop),
        "manage": manage_url(shop, user),
    }
    return TEMPLATES.TemplateResponse(
        request, name, {**shared, **context}, status_code=status_code, headers=_headers(bc.app.app_origin)
    )


def home(request: Request) -> Response:
    shop = _shop(request)
    user = _user(shop, request.query_params.get("user_id"))
    bc = emulation(request)
    return render(
        request,
        "home.html",
        shop,
        user,
        token=bc.grants.live_token(shop),
        counts=bc.store.counts(shop.domain),
        hooks=bc.hooks.list(shop.id, bc.app.client_id),
        deliveries=bc.deliveries.recent(shop.id, RECENT_DELIVERIES),
    )


def app_page(request: Request) -> Response:
    shop = _shop(request)
    _app_or_404(request)
    user = _user(shop, request.query_params.get("user_id"))
    bc = emulation(request)
    if bc.grants.live_token(shop) is None:
        return render(request, "install.html", shop, user, scopes=bc.app.scopes)
    token = signed_payload_jwt(
        bc.app, shop, user, datetime.now(UTC), url=request.query_params.get("url", "/")
    )
    src = load_callback_url(bc.app, token)
    return render(request, "app_frame.html", shop, user, src=src)


async def install(request: Request) -> Response:
    shop = await run_in_threadpool(_shop, request)
    _app_or_404(request)
    async with request.form() as form:
        user = _user(shop, form.get("user_id"))
    bc = emulation(request)
    if not user.may_install:
        return render(
            request,
            "message.html",
            shop,
            user,
            status_code=403,
            message="Only the store owner and authorized users can install apps.",
        )
    code = await run_in_threadpool(bc.grants.issue_code, shop, user.id, bc.app.scopes, datetime.now(UTC))
    src = auth_callback_url(bc.app, shop, code, bc.app.scopes)
    return render(request, "app_frame.html", shop, user, src=src)


async def uninstall(request: Request) -> Response:
    shop = await run_in_threadpool(_shop, request)
    _app_or_404(request)
    async with request.form() as form:
        user = _user(shop, form.get("user_id"))
    if not user.may_install:
        return render(
            request,
            "message.html",
            shop,
            user,
            status_code=403,
            message="Only the store owner and authorized users can uninstall apps.",
        )
    bc = emulation(request)
    outgoing = await run_in_threadpool(bc.uninstall, shop)
    if outgoing is not None:
        bc.sender.deliver_in_background(outgoing)
        await bc.send_uninstall_callback(shop, user)
    return RedirectResponse(manage_url(shop, user), status_code=303)


async def remove_user(request: Request) -> Response:
    shop = await run_in_threadpool(_shop, request)
    removed = _user(shop, request.path_params["user_id"])
    await emulation(request).send_remove_user_callback(shop, removed)
    return RedirectResponse(manage_url(shop), status_code=303)


routes = [
    Route("/bigcommerce/{store_hash}/manage", home, methods=["GET"], name="bigcommerce_manage"),
    Route(
        "/bigcommerce/{store_hash}/manage/app/{client_id}", app_page, methods=["GET"], name="bigcommerce_app"
    ),
    Route(
        "/bigcommerce/{store_hash}/manage/marketplace/apps/{client_id}/install",
        install,
        methods=["POST"],
        name="bigcommerce_install",
    ),
    Route(
        "/bigcommerce/{store_hash}/manage/marketplace/apps/{client_id}/uninstall",
        uninstall,
        methods=["POST"],
        name="bigcommerce_uninstall",
    ),
    Route(
        "/bigcommerce/{store_hash}/manage/users/{user_id:int}/remove",
        remove_user,
        methods=["POST"],
        name="bigcommerce_remove_user",
    ),
]
