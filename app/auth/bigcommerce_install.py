"""BigCommerce's ``auth`` callback: ``GET /bigcommerce/auth?code=…&scope=…&context=stores/{hash}``.

The merchant accepted the app in the control panel; the browser (in the control-panel iframe)
brings a one-time code. We trade it for the store's token *before* answering (BigCommerce's advice:
no answer is a blank screen), check that the granted scopes cover what the app does, install or
update the store (a re-auth after a scope change brings a new code, and its token replaces the old
one: still one shop), provision the owner and the installing user as staff, queue the first
backfill, and answer with a page that leads into the app with an admin session.

BigCommerce sends no ``state``: the code is single-use and bound to our client secret and
``redirect_uri`` (INFERENCE in ``platform/bigcommerce.md`` §1.2).
"""

from __future__ import annotations

import html
import logging

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.auth.bigcommerce_callbacks import start_session
from app.auth.bigcommerce_staff import provision_staff
from app.auth.csp import HEADER as CSP_HEADER
from app.auth.csp import bigcommerce_frame_ancestors
from app.auth.embedded import shop_tokens
from app.clock import utcnow
from app.errors import error_response
from app.models import Platform, Shop
from app.platform_http import route_platform_url
from app.services.sync.schedule import start_first_backfill
from app.settings import Settings
from app.webhooks.bigcommerce import queue_hook_setup
from connectors.bigcommerce.oauth import (
    REQUIRED_SCOPES,
    exchange_auth_code,
    missing_scopes,
    store_hash_from_context,
)
from connectors.errors import AuthError, Permanent, RateLimited, Transient

logger = logging.getLogger(__name__)

AUTH_PATH = "/bigcommerce/auth"
REQUIRED_PARAMS = ("code", "scope", "context")

_INSTALLED_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url={location}">
<title>Aftercare is installed</title>
</head>
<body style="font-family:system-ui;margin:3rem">
<h1>Aftercare is installed</h1>
<p>Your store's orders and customers are being imported now.</p>
<p><a href="{location}">Open Aftercare</a></p>
</body>
</html>
"""


async def install(request: Request) -> Response:
    """``GET /bigcommerce/auth``."""
    settings: Settings = request.state.settings
    params = request.query_params
    if any(not params.get(name) for name in REQUIRED_PARAMS):
        return _refuse(request, 400, "The install callback is missing code, scope or context; install again.")
    store_hash = store_hash_from_context(params["context"])
    if store_hash is None:
        return _refuse(request, 400, "The install callback's context must be stores/{store hash}.")

    try:
        grant = await exchange_auth_code(
            request.state.http,
            settings.bigcommerce_client_id,
            str(settings.bigcommerce_client_secret),
            params["code"],
            params["scope"],
            params["context"],
            redirect_uri=f"{settings.app_url}{AUTH_PATH}",
        )
    except AuthError:
        return _refuse(request, 401, "BigCommerce did not accept the authorization code; install again.")
    except RateLimited as exc:
        retry = {"Retry-After": str(int(exc.retry_after) + 1)}
        return _refuse(request, 503, "BigCommerce is busy; try the install again shortly.", headers=retry)
    except Transient:
        return _refuse(request, 503, "BigCommerce could not be reached; try the install again shortly.")
    except Permanent:
        return _refuse(request, 502, "BigCommerce's answer to the install could not be used; install again.")

    if grant.store_hash != store_hash:
        logger.warning("token granted for another store than the callback's", extra={"shop": store_hash})
        return _refuse(request, 403, "BigCommerce granted access to a different store; install again.")
    missing = missing_scopes(grant.token.scope or params["scope"])
    if missing:
        logger.warning("install with too few scopes", extra={"shop": store_hash, "missing": missing})
        return _refuse(request, 403, _scope_message(missing), store_hash)

    shop = await shop_tokens(request).install(
        store_hash, grant.token, via="authorization_code", platform=Platform.BIGCOMMERCE
    )
    if grant.owner.email and grant.owner.email != shop.email:
        await Shop.filter(id=shop.id).update(email=grant.owner.email)
    owner = await provision_staff(shop, grant.owner, is_owner=True)
    staff = (
        owner if grant.user.id == grant.owner.id else await provision_staff(shop, grant.user, is_owner=False)
    )
    await queue_hook_setup(request.state.queue, shop.id, f"install-{utcnow():%Y%m%dT%H%M%S}")
    await start_first_backfill(request.state.queue, shop.id)
    logger.info("bigcommerce store installed", extra={"shop": store_hash})

    location, set_cookie = start_session(request, shop, staff, "/")
    if params.get("external_install"):
        # Installs started outside the control panel report back to BigCommerce, which shows the result.
        response: Response = RedirectResponse(_install_succeeded_url(settings), status_code=302)
    else:
        response = HTMLResponse(
            _INSTALLED_PAGE.format(location=html.escape(location, quote=True)),
            headers={"Cache-Control": "no-store"},
        )
    response.headers[CSP_HEADER] = bigcommerce_frame_ancestors(store_hash, settings)
    set_cookie(response)
    return response


def _scope_message(missing: list[str]) -> str:
    needs = "; ".join(f"{need} ({' or '.join(sorted(REQUIRED_SCOPES[need]))})" for need in missing)
    return (
        f"Aftercare was not given the access it needs: {needs}. Nothing was installed. "
        "The app's OAuth scopes in the BigCommerce Developer Portal must include these; "
        "then install the app again."
    )


def _install_succeeded_url(settings: Settings) -> str:
    url = f"https://login.bigcommerce.com/app/{settings.bigcommerce_client_id}/install/succeeded"
    if not settings.platform_url:
        return url
    return str(route_platform_url(httpx.URL(url), httpx.URL(settings.platform_url)))


def _refuse(
    request: Request,
    status: int,
    message: str,
    store_hash: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    csp = bigcommerce_frame_ancestors(store_hash, request.state.settings)
    return error_response(
        request, status, message, {CSP_HEADER: csp, "Cache-Control": "no-store", **(headers or {})}
    )
