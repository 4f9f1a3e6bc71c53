"""``/v3/hooks``: the app's webhook subscriptions (fact sheet §3.1). Answers are wrapped in
``{data, meta}``; a client sees and changes only its own hooks; invalid input and duplicates are
422. Webhooks need no scope beyond the token.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from devstore.bigcommerce.api import ApiError, Call, api_route, json_body
from devstore.bigcommerce.hooks import Hook, HookConflict, check_fields
from devstore.bigcommerce.orders import paging


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def _fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    try:
        return check_fields(data, creating=creating)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None


def _wrapped(hook: Hook | None) -> Response:
    if hook is None:
        raise ApiError(404, "The webhook was not found.")
    return JSONResponse({"data": hook.json(), "meta": {}})


async def list_hooks(call: Call) -> Response:
    params = call.request.query_params
    page, limit = paging(params, too_large=422)
    is_active = None
    if "is_active" in params:
        if params["is_active"] not in {"true", "false"}:
            raise ApiError(422, "is_active must be true or false.")
        is_active = params["is_active"] == "true"
    hooks = await run_in_threadpool(
        lambda: call.bc.hooks.list(
            call.shop.id,
            call.bc.app.client_id,
            is_active=is_active,
            scope=params.get("scope"),
            destination=params.get("destination"),
        )
    )
    shown = hooks[(page - 1) * limit : page * limit]
    pagination = {
        "total": len(hooks),
        "count": len(shown),
        "per_page": limit,
        "current_page": page,
        "total_pages": math.ceil(len(hooks) / limit),
        "links": {"current": f"?page={page}&limit={limit}"},
    }
    return JSONResponse({"data": [h.json() for h in shown], "meta": {"pagination": pagination}})


async def create_hook(call: Call) -> Response:
    fields = _fields(await json_body(call.request), creating=True)
    try:
        hook = await run_in_threadpool(
            call.bc.hooks.create, call.shop.id, call.bc.app.client_id, fields, _now()
        )
    except HookConflict as exc:
        raise ApiError(422, str(exc)) from None
    return _wrapped(hook)


async def get_hook(call: Call) -> Response:
    hook = await run_in_threadpool(
        call.bc.hooks.get, call.shop.id, call.bc.app.client_id, call.path_int("hook_id")
    )
    return _wrapped(hook)


async def update_hook(call: Call) -> Response:
    fields = _fields(await json_body(call.request), creating=False)
    try:
        hook = await run_in_threadpool(
            call.bc.hooks.update,
            call.shop.id,
            call.bc.app.client_id,
            call.path_int("hook_id"),
            fields,
            _now(),
        )
    except HookConflict as exc:
        raise ApiError(422, str(exc)) from None
    return _wrapped(hook)


async def delete_hook(call: Call) -> Response:
    hook = await run_in_threadpool(
        call.bc.hooks.delete, call.shop.id, call.bc.app.client_id, call.path_int("hook_id")
    )
    return _wrapped(hook)


routes = [
    api_route("v3/hooks", list_hooks, ["GET"]),
    api_route("v3/hooks", create_hook, ["POST"]),
    api_route("v3/hooks/{hook_id:int}", get_hook, ["GET"]),
    api_route("v3/hooks/{hook_id:int}", update_hook, ["PUT"]),
    api_route("v3/hooks/{hook_id:int}", delete_hook, ["DELETE"]),
]
