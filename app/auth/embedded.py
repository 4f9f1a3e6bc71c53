"""Authentication of every request from the embedded admin: a Shopify session token, or a
BigCommerce control-panel session (``app.auth.bigcommerce_admin``; cookie or URL token, with CSRF).
Either way the route gets the same ``EmbeddedSession`` and never asks which platform it is on.

Shopify:

Fetches send ``Authorization: Bearer <token>`` (App Bridge adds it); document loads carry
``?id_token=``. A valid token names the shop (``dest``) and the staff user (``sub``): the shop
is the only one the request may touch. The first valid request of a shop with no usable offline
token performs the token exchange (managed install, reinstall, re-auth).

Admin routes use the middleware and read the session::

    Route("/admin", home, middleware=EMBEDDED_ADMIN)  # or Mount(..., middleware=EMBEDDED_ADMIN)

    async def home(request):
        session = embedded_session(request)  # .shop, .staff
        ...

On failure: a document load gets the App Bridge bounce page (which comes back with a fresh
``id_token``); a fetch gets 401 with ``X-Shopify-Retry-Invalid-Session-Request: 1`` (App Bridge
retries it with a new token). No cookies are involved. Every response of an authenticated request
(Shopify or BigCommerce) carries the shop's ``Content-Security-Policy: frame-ancestors``.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.admin_session import EmbeddedSession, is_document_request
from app.auth.app_credentials import client_secrets
from app.auth.bigcommerce_admin import authenticate_bigcommerce, carries_bigcommerce_session
from app.auth.bounce import bounce_page, reload_path_without_id_token
from app.auth.csp import HEADER as CSP_HEADER
from app.auth.csp import admin_frame_ancestors
from app.auth.session_token import verify_session_token
from app.auth.staff import staff_user_for
from app.clock import utcnow
from app.errors import error_response
from app.models import Platform, Shop
from app.services.shops import ShopTokens, has_usable_token
from app.services.sync.schedule import start_first_backfill
from app.settings import Settings
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from connectors.shopify.shop_domain import sanitize_shop_domain

logger = logging.getLogger(__name__)

RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
_STATE_KEY = "embedded_session"


def embedded_session(request: Request) -> EmbeddedSession:
    """The session ``EmbeddedAdminMiddleware`` authenticated for this request."""
    session = getattr(request.state, _STATE_KEY, None)
    if not isinstance(session, EmbeddedSession):
        raise RuntimeError("this route is not behind EmbeddedAdminMiddleware")
    return session


def shop_tokens(request: Request) -> ShopTokens:
    """The token service over this process's shared HTTP client and Redis pool."""
    return ShopTokens(request.state.settings, request.state.http, request.state.queue)


def session_token_from(request: Request) -> str | None:
    """The Bearer token if an Authorization header is sent (only that); else ``?id_token``."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None
    if request.method in {"GET", "HEAD"}:
        return request.query_params.get("id_token") or None
    return None


async def authenticate_embedded(request: Request) -> EmbeddedSession | Response:
    """The session, or the response to send instead (bounce page, 401, 403, 503)."""
    settings: Settings = request.state.settings
    token = session_token_from(request)
    if token is None and carries_bigcommerce_session(request):
        return await authenticate_bigcommerce(request)
    check = verify_session_token(token, api_key=settings.shopify_api_key, secrets=client_secrets(settings))
    if not check.ok or token is None or check.shop is None or check.user_id is None:
        logger.info("embedded request without a valid session token", extra={"reason": check.failure})
        return _invalid_session(request, settings)

    claimed_shop = request.query_params.get("shop")
    if claimed_shop is not None and sanitize_shop_domain(claimed_shop) != check.shop:
        # Not retried or bounced: a fresh token would name the same other shop.
        logger.warning("session token for another shop than ?shop=", extra={"shop": check.shop})
        return error_response(request, 403, "The session token is for a different shop.")

    shop = await Shop.get_or_none(platform=Platform.SHOPIFY, domain=check.shop)
    if shop is None or not has_usable_token(shop, utcnow()):
        try:
            shop = await shop_tokens(request).install_with_session_token(check.shop, token)
            await start_first_backfill(request.state.queue, shop.id)
        except AuthError:
            return _invalid_session(request, settings)
        except RateLimited as exc:
            retry = {"Retry-After": str(int(exc.retry_after) + 1)}
            return error_response(request, 503, "Shopify is busy; try again shortly.", retry)
        except Transient:
            return error_response(request, 503, "Shopify could not be reached; try again shortly.")
        except Permanent:
            return error_response(request, 502, "Shopify refused to connect this store; try reinstalling.")

    staff = await staff_user_for(shop, check.user_id)
    return EmbeddedSession(shop=shop, staff=staff, session_id=check.session_id)


def _invalid_session(request: Request, settings: Settings) -> Response:
    if is_document_request(request):
        return bounce_page(
            settings,
            reload_path=reload_path_without_id_token(request),
            shop=sanitize_shop_domain(request.query_params.get("shop")),
        )
    return error_response(request, 401, "The session token is missing or invalid.", {RETRY_HEADER: "1"})


class EmbeddedAdminMiddleware:
    """Pure ASGI: authenticates, stores the ``EmbeddedSession`` in the request state, and sets the
    shop's ``frame-ancestors`` on whatever the route answers (its error pages included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        outcome = await authenticate_embedded(request)
        if isinstance(outcome, Response):
            await outcome(scope, receive, send)
            return
        setattr(request.state, _STATE_KEY, outcome)
        csp = admin_frame_ancestors(outcome.shop, request.state.settings)

        async def send_with_shop_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[CSP_HEADER] = csp
                headers.setdefault("Cache-Control", "private, no-store")
            await send(message)

        await self.app(scope, receive, send_with_shop_headers)


EMBEDDED_ADMIN = [Middleware(EmbeddedAdminMiddleware)]
