"""``/shopify/{shop}/admin/oauth/authorize``: the authorization-code grant's consent page.

GET shows "Install {app} on {shop}" for ``client_id``, ``scope``, ``redirect_uri`` and ``state``
(``grant_options[]=per-user`` asks for an online token); its button POSTs back here, which
installs the app and sends the browser to ``redirect_uri`` with ``code``, ``hmac``, ``host``,
``shop``, ``state`` and ``timestamp``. An app that already holds the scopes goes straight back,
as on Shopify. ``redirect_uri`` must be on the app's own origin (Shopify checks it against the
app's allowed redirection URLs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from devstore.models import Shop
from devstore.shopify.launch import oauth_callback_url
from devstore.shopify.registration import AppRegistration
from devstore.shopify.web import emulation, path_shop, path_shop_async, render

PER_USER = "per-user"


@dataclass(frozen=True)
class AuthorizeRequest:
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    per_user: bool

    @property
    def access_mode(self) -> str:
        return "online" if self.per_user else "offline"


def _parse(pairs: Sequence[tuple[str, str]], app: AppRegistration) -> AuthorizeRequest | str:
    """The request, or the OAuth error Shopify's page would show."""
    params = dict(pairs)
    if params.get("client_id") != app.client_id:
        return "Oauth error invalid_request: Could not find Shopify API application with api_key " + repr(
            params.get("client_id", "")
        )
    redirect_uri = params.get("redirect_uri", "")
    target = urlsplit(redirect_uri)
    if not redirect_uri or f"{target.scheme}://{target.netloc}" != app.app_origin:
        return "Oauth error invalid_request: The redirect_uri is not whitelisted"
    scope = params.get("scope")
    scopes = tuple(s.strip() for s in scope.split(",") if s.strip()) if scope is not None else app.scopes
    grant_options = [value for key, value in pairs if key == "grant_options[]"]
    return AuthorizeRequest(redirect_uri, scopes, params.get("state"), PER_USER in grant_options)


def _approve(request: Request, shop: Shop, wanted: AuthorizeRequest) -> Response:
    """Install with the requested scopes and send the browser back with a fresh code (blocking)."""
    shopify = emulation(request)
    now = datetime.now(UTC)
    installation = shopify.grants.installation(shop)
    granted = set(installation.scopes) if installation is not None else set()
    shopify.grants.install(shop, now, tuple(sorted(granted | set(wanted.scopes))))
    code = shopify.grants.issue_code(shop, wanted.scopes, wanted.access_mode, now)
    return RedirectResponse(
        oauth_callback_url(shopify.app, shop, wanted.redirect_uri, code, wanted.state, now), status_code=302
    )


def authorize(request: Request) -> Response:
    shop = path_shop(request)
    shopify = emulation(request)
    pairs = request.query_params.multi_items()
    wanted = _parse(pairs, shopify.app)
    if isinstance(wanted, str):
        return render(request, "shopify/oauth_error.html", status_code=400, shop=shop, message=wanted)
    installation = shopify.grants.installation(shop)
    if installation is not None and not wanted.per_user and set(wanted.scopes) <= set(installation.scopes):
        return _approve(request, shop, wanted)
    return render(
        request,
        "shopify/consent.html",
        shop=shop,
        scopes=wanted.scopes,
        action=request.url.path,
        fields=pairs,
        note=f"You will be sent back to {urlsplit(wanted.redirect_uri).netloc}.",
    )


async def approve(request: Request) -> Response:
    shop = await path_shop_async(request)
    async with request.form() as form:
        pairs = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    wanted = _parse(pairs, emulation(request).app)
    if isinstance(wanted, str):
        return render(request, "shopify/oauth_error.html", status_code=400, shop=shop, message=wanted)
    return await run_in_threadpool(_approve, request, shop, wanted)


routes = [
    Route("/shopify/{shop}/admin/oauth/authorize", authorize, methods=["GET"], name="shopify_authorize"),
    Route(
        "/shopify/{shop}/admin/oauth/authorize", approve, methods=["POST"], name="shopify_authorize_approve"
    ),
]
