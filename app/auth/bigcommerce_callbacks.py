"""BigCommerce's ``load``, ``uninstall`` and ``remove_user`` callbacks (all ``GET ?signed_payload_jwt=``).

Each one, in order: verifies the payload (``connectors.bigcommerce.signed_payload``), finds the
store it names, and claims its ``jti`` (single use); any failure answers 4xx and changes nothing.
Then:

- ``load`` (the browser, in the control-panel iframe): provisions the acting user as staff of the
  store and starts their admin session (``bigcommerce_session``), then sends them to the page the
  payload's ``url`` names;
- ``uninstall`` (BigCommerce's server): the same ``uninstall_shop`` as Shopify's uninstall webhook;
- ``remove_user`` (BigCommerce's server): marks that staff user removed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.auth import bigcommerce_session as bc
from app.auth.bigcommerce_replay import claim_jti, release_jti
from app.auth.bigcommerce_staff import provision_staff, remove_staff
from app.auth.bounce import is_same_origin_path
from app.auth.csp import HEADER as CSP_HEADER
from app.auth.csp import bigcommerce_frame_ancestors
from app.clock import utcnow
from app.errors import error_response
from app.models import Platform, Shop, StaffUser
from app.services.uninstall import uninstall_shop
from app.settings import Settings
from connectors.bigcommerce.signed_payload import PayloadFailure, SignedPayload, verify_signed_payload

logger = logging.getLogger(__name__)

PAYLOAD_PARAM = "signed_payload_jwt"
REOPEN = "Open the app again from your BigCommerce control panel."

# status, message: what each failed check answers.
FAILURE_RESPONSES: dict[PayloadFailure, tuple[int, str]] = {
    PayloadFailure.MISSING: (400, "The signed_payload_jwt parameter is missing."),
    PayloadFailure.MALFORMED: (400, "The signed_payload_jwt is not a well-formed BigCommerce payload."),
    PayloadFailure.MISSING_CLAIM: (400, "The signed_payload_jwt lacks a claim BigCommerce always sends."),
    PayloadFailure.WRONG_ALGORITHM: (401, "The signed_payload_jwt is not signed with HS256."),
    PayloadFailure.BAD_SIGNATURE: (401, "The signed_payload_jwt's signature is not valid for this app."),
    PayloadFailure.WRONG_AUDIENCE: (401, "The signed_payload_jwt is for another app (aud)."),
    PayloadFailure.WRONG_ISSUER: (401, "The signed_payload_jwt was not issued by BigCommerce (iss)."),
    PayloadFailure.EXPIRED: (401, f"The signed_payload_jwt has expired. {REOPEN}"),
    PayloadFailure.NOT_YET_VALID: (401, "The signed_payload_jwt is not valid yet (nbf); check the clock."),
    PayloadFailure.BAD_SUBJECT: (401, "The signed_payload_jwt does not name a store (sub)."),
}
UNKNOWN_STORE = (403, "Aftercare is not installed on this store.")
UNINSTALLED_STORE = (403, "Aftercare was uninstalled from this store; install it again to use it.")
REPLAYED = (401, f"This signed_payload_jwt was used already. {REOPEN}")
REDIS_DOWN = (503, "Aftercare cannot check the request right now; try again shortly.")

Work = Callable[[SignedPayload, Shop], Awaitable[Response]]


async def load(request: Request) -> Response:
    """``GET /bigcommerce/load``: into the admin, with a session for the acting user."""

    async def enter(payload: SignedPayload, shop: Shop) -> Response:
        staff = await provision_staff(shop, payload.user, is_owner=payload.user.id == payload.owner.id)
        return admin_entry(request, shop, staff, payload.url)

    return await _handle(request, enter, installed_only=True)


async def uninstall(request: Request) -> Response:
    """``GET /bigcommerce/uninstall``: stop acting for the store, as Shopify's app/uninstalled does."""

    async def stop(payload: SignedPayload, shop: Shop) -> Response:
        result = await uninstall_shop(shop.id, triggered_at=payload.issued_at)
        logger.info("bigcommerce uninstall", extra={"shop": shop.domain, "reason": result.reason})
        return JSONResponse({"uninstalled": result.applied, "reason": result.reason})

    return await _handle(request, stop, installed_only=False)


async def remove_user(request: Request) -> Response:
    """``GET /bigcommerce/remove-user``: the store's owner took this user's access to the app away."""

    async def remove(payload: SignedPayload, shop: Shop) -> Response:
        removed = await remove_staff(shop, payload.user.id)
        logger.info("bigcommerce user removed", extra={"shop": shop.domain, "removed": removed})
        return JSONResponse({"removed": removed})

    return await _handle(request, remove, installed_only=False)


def admin_entry(request: Request, shop: Shop, staff: StaffUser, path: str) -> Response:
    """A 303 into the admin at ``path`` with a new session (cookie, URL token, CSRF token)."""
    location, set_cookie = start_session(request, shop, staff, path)
    response = RedirectResponse(
        location,
        status_code=303,
        headers={
            "Cache-Control": "no-store",
            CSP_HEADER: bigcommerce_frame_ancestors(shop.domain, _settings(request)),
        },
    )
    set_cookie(response)
    return response


def start_session(
    request: Request, shop: Shop, staff: StaffUser, path: str
) -> tuple[str, Callable[[Response], None]]:
    """Where the new session enters the admin, and how to set its cookie on a response.

    A live cookie of the same user and store keeps its session id, so that a second tab's load
    does not end the CSRF token of the first."""
    key, now = str(_settings(request).secret_key), utcnow()
    existing = next(
        (
            s
            for s in bc.cookie_sessions(request, key=key, now=now)
            if s.shop_id == shop.id and s.staff_id == staff.id
        ),
        None,
    )
    session = bc.new_session(shop.id, staff.id, now, sid=existing.sid if existing else None)
    # Sent with the URL token: whether the browser keeps the cookie is learned on the next request.
    location = bc.admin_url(
        path if is_same_origin_path(path) else "/", session, key=key, now=now, with_token=True
    )
    return location, lambda response: bc.set_session_cookie(response, session, key=key, now=now)


async def _handle(request: Request, work: Work, *, installed_only: bool) -> Response:
    settings = _settings(request)
    check = verify_signed_payload(
        request.query_params.get(PAYLOAD_PARAM),
        client_id=settings.bigcommerce_client_id,
        client_secret=str(settings.bigcommerce_client_secret),
        now=utcnow(),
    )
    if not check.ok or check.payload is None:
        assert check.failure is not None
        logger.info("bigcommerce callback refused", extra={"path": request.url.path, "reason": check.failure})
        return _refuse(request, FAILURE_RESPONSES[check.failure])
    payload = check.payload

    shop = await Shop.get_or_none(platform=Platform.BIGCOMMERCE, domain=payload.store_hash)
    if shop is None:
        logger.info("bigcommerce callback for an unknown store", extra={"shop": payload.store_hash})
        return _refuse(request, UNKNOWN_STORE)
    if installed_only and not shop.is_active:
        return _refuse(request, UNINSTALLED_STORE, payload.store_hash)

    redis = request.state.queue
    try:
        first_use = await claim_jti(redis, payload, now=utcnow())
    except (RedisError, OSError):
        logger.warning("jti store unavailable", extra={"shop": shop.domain})
        return _refuse(request, REDIS_DOWN, payload.store_hash)
    if not first_use:
        logger.warning("bigcommerce callback replayed", extra={"shop": shop.domain})
        return _refuse(request, REPLAYED, payload.store_hash)
    try:
        return await work(payload, shop)
    except BaseException:
        # Nothing was done; BigCommerce (or the person) may retry this same payload.
        try:
            await release_jti(redis, payload)
        except (RedisError, OSError):
            logger.warning("could not release a jti after a failure", extra={"shop": shop.domain})
        raise


def _refuse(request: Request, outcome: tuple[int, str], store_hash: str | None = None) -> Response:
    status, message = outcome
    csp = bigcommerce_frame_ancestors(store_hash, _settings(request))
    return error_response(request, status, message, {CSP_HEADER: csp, "Cache-Control": "no-store"})


def _settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings
