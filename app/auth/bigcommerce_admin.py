"""Authenticating an admin request from the BigCommerce control panel (see ``bigcommerce_session``).

``EmbeddedAdminMiddleware`` comes here when a request carries no Shopify session token but does
carry a BigCommerce session marker (``bc_csrf``/``bc_session`` or their headers); the cookie alone
never selects this path, so a BigCommerce cookie in a browser that also has a Shopify store open
cannot turn a Shopify request into a BigCommerce one.

- The session comes from the URL token if there is one, else from the cookie whose CSRF token is
  the one presented (one cookie per shop; the CSRF token names the session).
- Every non-GET must present the session's CSRF token in ``X-Aftercare-CSRF`` (403 otherwise).
- The shop must still be installed and the staff user not removed (403 otherwise).
- A page load that came with both a URL token and a working cookie is sent on without the token
  (the cookie suffices; the token need not sit in the address bar); one that relies on the URL
  token alone gets a fresh one when half of it has run out, until the session ends.
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.auth import bigcommerce_session as bc
from app.auth.admin_session import EmbeddedSession, is_document_request
from app.auth.csp import HEADER as CSP_HEADER
from app.auth.csp import bigcommerce_frame_ancestors
from app.clock import utcnow
from app.errors import error_response
from app.models import Platform, Shop, StaffUser
from app.settings import Settings

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REOPEN = "Open Aftercare again from your BigCommerce control panel (Apps, then My Apps)."


def carries_bigcommerce_session(request: Request) -> bool:
    headers, params = request.headers, request.query_params
    return bool(
        headers.get(bc.SESSION_HEADER)
        or headers.get(bc.CSRF_HEADER)
        or params.get(bc.SESSION_PARAM)
        or params.get(bc.CSRF_PARAM)
    )


async def authenticate_bigcommerce(request: Request) -> EmbeddedSession | Response:
    """The session, or the response to send instead (401, 403, or a 303 to the same page)."""
    settings: Settings = request.state.settings
    key, now = str(settings.secret_key), utcnow()
    writes = request.method not in SAFE_METHODS
    # A query-string CSRF token only selects the session of a page load; a write must send the header.
    csrf = request.headers.get(bc.CSRF_HEADER) or (
        None if writes else request.query_params.get(bc.CSRF_PARAM)
    )
    token = request.headers.get(bc.SESSION_HEADER) or request.query_params.get(bc.SESSION_PARAM)
    from_token = bc.read_url_token(token, key=key, now=now)
    from_cookies = bc.cookie_sessions(request, key=key, now=now)

    session = from_token or next((s for s in from_cookies if bc.csrf_matches(s, csrf, key=key)), None)
    # The cookie is what a cross-site form would send too; only our own page knows the CSRF token.
    unproven = session is None or not bc.csrf_matches(session, csrf, key=key)
    if writes and (session is not None or from_cookies) and unproven:
        logger.warning("admin write without a matching CSRF token", extra={"method": request.method})
        return _refuse(request, settings, 403, "This request is missing its CSRF token; reload the page.")
    if session is None:
        return _refuse(request, settings, 401, f"Your Aftercare session has ended. {REOPEN}")

    shop = await Shop.get_or_none(id=session.shop_id, platform=Platform.BIGCOMMERCE)
    if shop is None or not shop.is_active:
        return _refuse(request, settings, 403, "Aftercare is not installed on this store any more.")
    staff = await StaffUser.get_or_none(id=session.staff_id, shop_id=shop.id)
    if staff is None or staff.removed_at is not None:
        return _refuse(
            request, settings, 403, "Your access to Aftercare on this store was removed.", shop.domain
        )

    if from_token is not None and is_document_request(request):
        location = _tidy_address(request, from_token, from_cookies, key=key, now=now)
        if location is not None:
            csp = bigcommerce_frame_ancestors(shop.domain, settings)
            return RedirectResponse(location, 303, {"Cache-Control": "no-store", CSP_HEADER: csp})
    return EmbeddedSession(shop=shop, staff=staff, session_id=session.sid)


def _tidy_address(
    request: Request,
    session: bc.BigCommerceSession,
    from_cookies: list[bc.BigCommerceSession],
    *,
    key: str,
    now: datetime,
) -> str | None:
    """Where to send a page load instead: without the URL token, or with a fresh one."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if any(cookie.sid == session.sid for cookie in from_cookies):
        return bc.admin_url(here, session, key=key, now=now, with_token=False)
    remaining = session.expires_at - now.timestamp()
    renewable = session.ends_at > session.expires_at
    if renewable and remaining < bc.URL_TOKEN_TTL.total_seconds() / 2:
        return bc.admin_url(here, session, key=key, now=now, with_token=True)
    return None


def _refuse(
    request: Request, settings: Settings, status: int, message: str, store_hash: str | None = None
) -> Response:
    # Framable by the control panel, so that the person sees why instead of a blank iframe.
    return error_response(
        request, status, message, {CSP_HEADER: bigcommerce_frame_ancestors(store_hash, settings)}
    )
