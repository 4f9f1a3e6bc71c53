"""``POST /bigcommerce/login/oauth2/token``: BigCommerce's token endpoint (fact sheet §1.2).

Takes a JSON body (what the docs show) or a form body (what the official Python client sends)
with ``client_id``, ``client_secret``, ``code``, ``scope``, ``grant_type=authorization_code``,
``redirect_uri`` (the app's auth callback URL) and ``context`` (``stores/{hash}``). Codes are good
once. The answer is ``{access_token, scope, user, owner, context, account_uuid}``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.bigcommerce.api import emulation
from devstore.bigcommerce.grants import TokenError

MAX_BODY_BYTES = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


async def _params(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return {key: value for key, value in data.items() if isinstance(value, str)}
    if content_type == "application/x-www-form-urlencoded":
        async with request.form() as form:
            return {key: value for key, value in form.items() if isinstance(value, str)}
    return None


async def token(request: Request) -> Response:
    params = await _params(request)
    if params is None:
        refusal = TokenError(400, "invalid_request", "The body must be a JSON object or form-encoded.")
    else:
        result = await run_in_threadpool(emulation(request).grants.exchange, params, datetime.now(UTC))
        if not isinstance(result, TokenError):
            return JSONResponse(result, headers=NO_STORE)
        refusal = result
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=NO_STORE)


routes = [Route("/bigcommerce/login/oauth2/token", token, methods=["POST"], name="bigcommerce_token")]
