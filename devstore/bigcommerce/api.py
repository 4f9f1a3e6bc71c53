"""The REST API's door: store, ``X-Auth-Token``, the store's rate limit, scopes; and error shapes.

Every route under ``/bigcommerce/api/stores/{store_hash}/`` goes through ``api_route``: an unknown
store is 404, a missing or wrong token 401 (neither spends quota), then one request of the store's
shared quota is spent (429 with ``X-Retry-After`` when none is left), then the token's scopes are
checked (403). Every answer carries the four ``X-Rate-Limit-*`` headers. Errors are shaped as the
API version shapes them: v2 a list of ``{status, message}``, v3 ``{status, title, type, errors}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.bigcommerce.emulation import BigCommerceEmulation
from devstore.bigcommerce.grants import Token
from devstore.models import Shop

ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
MAX_BODY_BYTES = 1024 * 1024
PREFIX = "/bigcommerce/api/stores/{store_hash}/"


def emulation(request: Request) -> BigCommerceEmulation:
    found: BigCommerceEmulation = request.app.state.bigcommerce
    return found


@dataclass(frozen=True)
class Call:
    request: Request
    bc: BigCommerceEmulation
    shop: Shop
    token: Token

    def path_int(self, name: str) -> int:
        value: int = self.request.path_params[name]
        return value


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(
    version: str, status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: Any
    if version == "v2":
        body = [{"status": status, "message": message}]
    else:
        body = {"status": status, "title": message, "type": ERROR_TYPE, "errors": {}}
    return JSONResponse(body, status_code=status, headers=headers)


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "The request body is too large.")
    try:
        data = json.loads(body) if body else None
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return data


Handler = Callable[[Call], Awaitable[Response]]


def api_route(path: str, handler: Handler, methods: list[str], scopes: frozenset[str] | None = None) -> Route:
    """``path`` (after ``stores/{store_hash}/``, starting with the API version) behind the door;
    ``scopes``: any one of them lets the token in (None: no scope needed, as for webhooks)."""
    version = path.split("/")[0]

    async def endpoint(request: Request) -> Response:
        bc = emulation(request)
        store_hash = request.path_params["store_hash"]
        shop = await run_in_threadpool(bc.shop, store_hash)
        if shop is None:
            return error_response(version, 404, "Store not found.")
        token = await run_in_threadpool(bc.grants.authenticate, shop, request.headers.get("x-auth-token", ""))
        if token is None:
            return error_response(
                version, 401, "Unauthorized: a valid X-Auth-Token is required.", bc.limits.peek(store_hash)
            )
        admission = bc.limits.admit(store_hash)
        if not admission.admitted:
            return error_response(
                version, 429, "Too many requests: the store's API quota is spent.", admission.headers
            )
        if scopes is not None and not scopes & set(token.scopes):
            message = "You don't have a required scope to access the endpoint."
            return error_response(version, 403, message, admission.headers)
        try:
            response = await handler(Call(request, bc, shop, token))
        except ApiError as exc:
            response = error_response(version, exc.status, exc.message)
        response.headers.update(admission.headers)
        return response

    return Route(PREFIX + path, endpoint, methods=methods)


def read_or_write(name: str) -> frozenset[str]:
    """A read: the scope or its read-only variant."""
    return frozenset({name, f"{name}_read_only"})
