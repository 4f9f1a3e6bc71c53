"""The authorization-code grant, for installs that start outside the Shopify admin.

``GET /auth?shop=…`` sends the merchant to Shopify's consent screen with a fresh ``state`` kept
in a signed cookie. ``GET /auth/callback`` checks, in order: the query HMAC, the state, the shop
domain and the timestamp; any failure answers 4xx and writes nothing. Then it trades the code for
an expiring offline token, installs the shop and sends the merchant into the embedded app.

(Embedded installs use Shopify-managed installation and token exchange: see ``app.auth.embedded``.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.auth import oauth_state
from app.auth.app_credentials import client_secrets
from app.auth.embedded import shop_tokens
from app.auth.query_hmac import HMAC_PARAM, verify_query_hmac
from app.clock import utcnow
from app.errors import error_response
from app.platform_http import route_platform_url
from app.services.sync.schedule import start_first_backfill
from app.settings import Settings
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from connectors.shopify.oauth import exchange_auth_code
from connectors.shopify.shop_domain import sanitize_shop_domain, shop_name

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/callback"
MAX_AGE_SECONDS = 24 * 3600  # as Shopify's own library (Session.validate_params)
MAX_CLOCK_SKEW_SECONDS = 300
REQUIRED_PARAMS = ("code", "hmac", "shop", "state", "timestamp")


class CallbackFailure(StrEnum):
    MISSING_PARAMS = "missing_params"
    BAD_HMAC = "bad_hmac"
    STATE_MISMATCH = "state_mismatch"
    BAD_SHOP = "bad_shop"
    STALE_TIMESTAMP = "stale_timestamp"


# status, message: what the HTTP layer answers for each failed check.
CALLBACK_FAILURE_RESPONSES: dict[CallbackFailure, tuple[int, str]] = {
    CallbackFailure.MISSING_PARAMS: (
        400,
        "The install callback is missing parameters; start the install again.",
    ),
    CallbackFailure.BAD_HMAC: (401, "The install callback's signature (hmac) is not valid."),
    CallbackFailure.STATE_MISMATCH: (
        403,
        "The install callback does not belong to this browser's install attempt (state mismatch); "
        "start the install again.",
    ),
    CallbackFailure.BAD_SHOP: (400, "The shop must be a {name}.myshopify.com domain."),
    CallbackFailure.STALE_TIMESTAMP: (401, "The install callback has expired; start the install again."),
}


@dataclass(frozen=True)
class CallbackCheck:
    ok: bool
    shop: str | None = None
    code: str | None = None
    failure: CallbackFailure | None = None


def check_callback(
    pairs: list[tuple[str, str]], state_cookie: str | None, *, settings: Settings, now: datetime
) -> CallbackCheck:
    """Every check of the callback, in order; reads nothing but its arguments."""
    params = dict(pairs)
    if any(not params.get(name) for name in REQUIRED_PARAMS):
        return CallbackCheck(ok=False, failure=CallbackFailure.MISSING_PARAMS)
    if not verify_query_hmac(pairs, client_secrets(settings)):
        return CallbackCheck(ok=False, failure=CallbackFailure.BAD_HMAC)
    expected = oauth_state.read_state(state_cookie, key=str(settings.secret_key), now=now)
    if (
        expected is None
        or not oauth_state.states_match(expected.state, params["state"])
        or expected.shop != params["shop"]
    ):
        return CallbackCheck(ok=False, failure=CallbackFailure.STATE_MISMATCH)
    shop = sanitize_shop_domain(params["shop"])
    if shop is None or shop != params["shop"]:
        return CallbackCheck(ok=False, failure=CallbackFailure.BAD_SHOP)
    try:
        age = now.timestamp() - int(params["timestamp"])
    except ValueError:
        return CallbackCheck(ok=False, failure=CallbackFailure.STALE_TIMESTAMP)
    if age > MAX_AGE_SECONDS or age < -MAX_CLOCK_SKEW_SECONDS:
        return CallbackCheck(ok=False, failure=CallbackFailure.STALE_TIMESTAMP)
    return CallbackCheck(ok=True, shop=shop, code=params["code"])


async def begin_install(request: Request) -> Response:
    """``GET /auth?shop=…``: to Shopify's authorize page, with the state in a signed cookie."""
    settings: Settings = request.state.settings
    shop = sanitize_shop_domain(request.query_params.get("shop"))
    if shop is None:
        return error_response(request, 400, "The shop must be a {name}.myshopify.com domain.")
    pairs = request.query_params.multi_items()
    # An install link from Shopify is signed; one typed by a merchant is not, and needs no check.
    if any(key == HMAC_PARAM for key, _ in pairs) and not verify_query_hmac(pairs, client_secrets(settings)):
        return error_response(request, 401, "The install request's signature (hmac) is not valid.")
    state = oauth_state.new_state()
    response = RedirectResponse(authorize_url(settings, shop, state), status_code=302)
    response.set_cookie(
        oauth_state.COOKIE_NAME,
        oauth_state.sign_state(
            oauth_state.OAuthState(state=state, shop=shop), key=str(settings.secret_key), now=utcnow()
        ),
        max_age=oauth_state.MAX_AGE_SECONDS,
        path=oauth_state.COOKIE_PATH,
        secure=settings.app_url.startswith("https://"),
        httponly=True,
        samesite="lax",  # sent on Shopify's top-level redirect back to the callback
    )
    return response


async def finish_install(request: Request) -> Response:
    """``GET /auth/callback``: check, exchange the code, install, then into the embedded app."""
    settings: Settings = request.state.settings
    check = check_callback(
        request.query_params.multi_items(),
        request.cookies.get(oauth_state.COOKIE_NAME),
        settings=settings,
        now=utcnow(),
    )
    if not check.ok or check.shop is None or check.code is None:
        assert check.failure is not None
        logger.info("install callback refused", extra={"reason": check.failure})
        status, message = CALLBACK_FAILURE_RESPONSES[check.failure]
        return error_response(request, status, message)

    tokens = shop_tokens(request)
    try:
        granted = await exchange_auth_code(
            tokens.http,
            check.shop,
            check.code,
            settings.shopify_api_key,
            str(settings.shopify_api_secret),
            now=utcnow(),
        )
        shop = await tokens.install(check.shop, granted, via="authorization_code")
    except AuthError:
        return error_response(
            request, 401, "Shopify did not accept the authorization code; start the install again."
        )
    except RateLimited as exc:
        return error_response(
            request,
            503,
            "Shopify is busy; try again shortly.",
            {"Retry-After": str(int(exc.retry_after) + 1)},
        )
    except Transient:
        return error_response(request, 503, "Shopify could not be reached; try again shortly.")
    except Permanent:
        return error_response(request, 502, "Shopify refused the install; start it again.")

    await start_first_backfill(request.state.queue, shop.id)
    response = RedirectResponse(embedded_app_url(settings, check.shop), status_code=302)
    response.delete_cookie(oauth_state.COOKIE_NAME, path=oauth_state.COOKIE_PATH)
    return response


def authorize_url(settings: Settings, shop: str, state: str) -> str:
    query = urlencode(
        {
            "client_id": settings.shopify_api_key,
            "scope": settings.scopes,
            "redirect_uri": f"{settings.app_url}{CALLBACK_PATH}",
            "state": state,
        }
    )
    return _browser_url(settings, f"https://{shop}/admin/oauth/authorize?{query}")


def embedded_app_url(settings: Settings, shop: str) -> str:
    """Where the merchant lands after installing: the app inside their admin (or the devstore's)."""
    if settings.platform_url:
        return f"{settings.platform_url}/shopify/{shop}/admin/apps/{settings.shopify_api_key}"
    return f"https://admin.shopify.com/store/{shop_name(shop)}/apps/{settings.shopify_api_key}"


def _browser_url(settings: Settings, url: str) -> str:
    """A Shopify URL the browser is sent to; in development, the devstore's stand-in for it."""
    if not settings.platform_url:
        return url
    return str(route_platform_url(httpx.URL(url), httpx.URL(settings.platform_url)))
