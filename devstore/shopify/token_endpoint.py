"""``POST /shopify/{shop}/admin/oauth/access_token``: Shopify's token endpoint.

Takes JSON (what ``shopifyapp`` sends) or a form body (what older libraries send), and query
parameters as a fallback. The client is authenticated first, then ``grant_type`` picks the grant:
token exchange, ``refresh_token``, or none with a ``code`` (the authorization-code grant).
Refusals are ``{"error", "error_description"}`` with 400 or 401, as OAuth servers answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.models import Shop
from devstore.shopify.grants import TOKEN_EXCHANGE, Granted, OAuthError, invalid_request
from devstore.shopify.web import emulation

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_BODY_BYTES = 64 * 1024

Grant = Callable[[Shop, Mapping[str, str], datetime], Granted | OAuthError]


def _as_text(value: object) -> str | None:
    """A JSON value as the form field it stands for (``1`` and ``"1"`` alike); None drops it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value)


async def _params(request: Request) -> dict[str, str] | None:
    """Query parameters overlaid by the body's; None for a body that is neither JSON nor a form."""
    params = dict(request.query_params)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body:
        return params
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        params.update({key: text for key, value in data.items() if (text := _as_text(value)) is not None})
        return params
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        async with request.form() as form:
            params.update({key: value for key, value in form.items() if isinstance(value, str)})
        return params
    return None


def _error(refusal: OAuthError) -> Response:
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=NO_STORE)


async def access_token(request: Request) -> Response:
    shopify = emulation(request)
    shop = await run_in_threadpool(shopify.shop, request.path_params["shop"])
    if shop is None:
        return JSONResponse({"errors": "Not Found"}, status_code=404)
    params = await _params(request)
    if params is None:
        return _error(invalid_request("The body must be a JSON object or form-encoded."))
    refused = shopify.grants.authenticate_client(params.get("client_id", ""), params.get("client_secret", ""))
    if refused is not None:
        return _error(refused)

    grants = shopify.grants
    grant_type = params.get("grant_type", "")
    handlers: dict[str, Grant] = {
        TOKEN_EXCHANGE: grants.token_exchange,
        "refresh_token": grants.refresh,
        "authorization_code": grants.authorization_code,
    }
    if not grant_type and "code" in params:
        grant_type = "authorization_code"  # Shopify's auth-code body has no grant_type
    handler = handlers.get(grant_type)
    if handler is None:
        return _error(OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type: {grant_type!r}."))
    now = datetime.now(UTC)
    result = await run_in_threadpool(handler, shop, params, now)
    if isinstance(result, OAuthError):
        return _error(result)
    return JSONResponse(result.body(), headers=NO_STORE)


routes = [
    Route("/shopify/{shop}/admin/oauth/access_token", access_token, methods=["POST"], name="shopify_token"),
]
