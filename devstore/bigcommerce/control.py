"""JSON switches under ``/_devstore/bigcommerce/{store_hash}/`` for tests and scripts.

- ``GET  installation``: installed?, the live token and every token issued, the store's users.
- ``POST install`` ``{"user_id", "scopes", "follow"}``: what the Install button does: a code and the
  auth callback URL the browser is sent to (``follow: true`` also GETs it, as the iframe would, and
  reports the status). ``scopes`` overrides the app's (a scope change, for re-auth tests).
- ``POST load-url`` ``{"user_id", "url", "channel_id"}``: a fresh load callback URL and its JWT.
- ``POST uninstall`` ``{"user_id", "wait"}``: as the Uninstall button; answers the uninstall
  callback's outcome and the ``store/app/uninstalled`` deliveries (delivered first if ``wait``).
- ``POST remove-user`` ``{"user_id"}``: the ``remove_user`` callback; answers its outcome.
- ``GET|POST rate-limit`` ``{"quota", "window_ms", "spend"}``: the store's quota; ``spend`` uses
  part of the current window as another app on the store would.
- ``GET  hooks``: every hook on the store; ``POST hooks/{id}/deactivate``: as BigCommerce does after
  failed deliveries.
- ``GET  webhooks``: deliveries, newest first; ``POST webhooks`` ``{"scope", "data", "wait"}``: send an
  event to the app's matching hooks (``data`` defaults to ``{"type": ..., "id": ...}`` from ``id``).
- ``GET|POST|DELETE faults`` ``{"operation": "refund_create", "mode": "late"|"drop"|"error"|"decline",
  "times", "delay_s", "status", "message"}``: see ``faults.py``.
- ``GET  orders/{id}/refunds``: the order's refunds as the platform holds them (declined ones
  too), without spending API quota.
- ``POST orders/{id}`` ``{"ship", "status_id", "wait"}`` (``ship: true``: one shipment of every unit
  left, which makes the order Shipped) and ``POST customers/{id}`` ``{"first_name",
  "last_name", "phone", "wait"}``: change a record as a merchant would, with its webhooks.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.bigcommerce.api import emulation
from devstore.bigcommerce.emulation import BigCommerceEmulation
from devstore.bigcommerce.faults import parse_fault
from devstore.bigcommerce.hooks import KNOWN_SCOPES
from devstore.bigcommerce.links import auth_callback_url, load_callback_url
from devstore.bigcommerce.payloads import STATUSES
from devstore.bigcommerce.refunds import list_refunds
from devstore.bigcommerce.signed_payload import payload_claims, sign
from devstore.bigcommerce.users import StoreUser, user_of, users_of
from devstore.bigcommerce.webhooks import Outgoing
from devstore.models import Shop

PREFIX = "/_devstore/bigcommerce/{store_hash}/"
CUSTOMER_FIELDS = {"first_name", "last_name", "phone"}


class Invalid(ValueError):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise Invalid("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def _shop(bc: BigCommerceEmulation, store_hash: str) -> Shop:
    shop = bc.shop(store_hash)
    if shop is None:
        raise Invalid("there is no BigCommerce store with this hash in the devstore", 404)
    return shop


def _user(shop: Shop, data: dict[str, Any]) -> StoreUser:
    raw = data.get("user_id")
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
        raise Invalid("user_id must be a user id")
    user = user_of(shop, raw)
    if user is None:
        raise Invalid(f"{raw} is not a user of this store", 404)
    return user


def _int_field(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} must be an integer")
    return value


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


ControlHandler = Callable[[Request, BigCommerceEmulation, Shop, dict[str, Any]], Awaitable[Response]]


def control(handler: ControlHandler) -> Callable[[Request], Awaitable[Response]]:
    """Run ``handler(request, bc, shop, data)``; an ``Invalid`` becomes ``{"error"}`` with its status."""

    async def endpoint(request: Request) -> Response:
        bc = emulation(request)
        try:
            shop = await run_in_threadpool(_shop, bc, request.path_params["store_hash"])
            data = await _body(request) if request.method in {"POST", "PUT"} else {}
            response: Response = await handler(request, bc, shop, data)
        except Invalid as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        return response

    return endpoint


async def _deliveries(
    bc: BigCommerceEmulation, outgoing: Sequence[Outgoing], wait: bool
) -> list[dict[str, Any]]:
    if wait:
        await bc.sender.deliver(outgoing)
    else:
        bc.sender.deliver_in_background(outgoing)
    found = [await run_in_threadpool(bc.deliveries.get, o.delivery_id) for o in outgoing]
    return [d for d in found if d is not None]


def _installation(bc: BigCommerceEmulation, shop: Shop) -> dict[str, Any]:
    live = bc.grants.live_token(shop)
    return {
        "store_hash": shop.domain,
        "store_id": shop.id,
        "client_id": bc.app.client_id,
        "installed": live is not None,
        "access_token": live.access_token if live else None,
        "scope": " ".join(live.scopes) if live else None,
        "tokens": [
            {
                "access_token": t.access_token,
                "scope": " ".join(t.scopes),
                "user_id": t.user_id,
                "issued_at": _time(t.issued_at),
                "revoked_at": _time(t.revoked_at),
            }
            for t in bc.grants.tokens(shop)
        ],
        "users": [
            {"id": u.id, "email": u.email, "locale": u.locale, "role": u.role.value} for u in users_of(shop)
        ],
    }


async def installation(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    return JSONResponse(await run_in_threadpool(_installation, bc, shop))


async def install(request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]) -> Response:
    user = _user(shop, data)
    if not user.may_install:
        raise Invalid("only the owner and authorized users can install apps", 403)
    scopes = data.get("scopes", list(bc.app.scopes))
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) and s for s in scopes):
        raise Invalid("scopes must be a non-empty list of scope names")
    code = await run_in_threadpool(bc.grants.issue_code, shop, user.id, tuple(scopes), datetime.now(UTC))
    url = auth_callback_url(bc.app, shop, code, tuple(scopes))
    answer: dict[str, Any] = {"code": code, "auth_callback_url": url, "user_id": user.id}
    if data.get("follow"):
        response = await bc.client.get(url, headers={"Referer": "https://login.bigcommerce.com/"})
        answer["callback_status"] = response.status_code
    return JSONResponse(answer)


async def load_url(request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]) -> Response:
    user = _user(shop, data)
    url, channel_id = data.get("url", "/"), data.get("channel_id")
    if not isinstance(url, str) or not url.startswith("/"):
        raise Invalid("url must be a path starting with /")
    if channel_id is not None and (isinstance(channel_id, bool) or not isinstance(channel_id, int)):
        raise Invalid("channel_id must be an integer or null")
    if await run_in_threadpool(bc.grants.live_token, shop) is None:
        raise Invalid("the app is not installed: BigCommerce would show the install page", 409)
    now = datetime.now(UTC)
    claims = payload_claims(bc.app, shop, user, now, url=url, channel_id=channel_id)
    token = sign(claims, bc.app.client_secret)
    return JSONResponse(
        {"url": load_callback_url(bc.app, token), "signed_payload_jwt": token, "claims": claims}
    )


async def uninstall(request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]) -> Response:
    user = _user(shop, data)
    outgoing = await run_in_threadpool(bc.uninstall, shop)
    if outgoing is None:
        raise Invalid("the app is not installed", 409)
    deliveries = await _deliveries(bc, outgoing, bool(data.get("wait")))
    callback = await bc.send_uninstall_callback(shop, user)
    return JSONResponse({"callback": callback.json(), "deliveries": deliveries})


async def remove_user(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    user = _user(shop, {"user_id": _int_field(data, "user_id")})
    callback = await bc.send_remove_user_callback(shop, user)
    return JSONResponse({"callback": callback.json()})


async def rate_limit(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    if request.method == "GET":
        return JSONResponse(bc.limits.describe(shop.domain))
    settings: dict[str, int] = {}
    for name in ("quota", "window_ms", "spend"):
        if name in data:
            value = _int_field(data, name)
            if value < (0 if name == "spend" else 1):
                raise Invalid(f"{name} must be positive")
            settings[name] = value
    return JSONResponse(bc.limits.configure(shop.domain, **settings))


async def hooks(request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]) -> Response:
    found = await run_in_threadpool(bc.hooks.list, shop.id, None)
    return JSONResponse([h.json() for h in found])


async def deactivate_hook(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    hook_id = request.path_params["hook_id"]
    hook = await run_in_threadpool(bc.hooks.get, shop.id, None, hook_id)
    if hook is None:
        raise Invalid("no such hook on this store", 404)
    await run_in_threadpool(bc.hooks.deactivate, hook_id, int(datetime.now(UTC).timestamp()))
    changed = await run_in_threadpool(bc.hooks.get, shop.id, None, hook_id)
    assert changed is not None
    return JSONResponse(changed.json())


async def webhooks(request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]) -> Response:
    if request.method == "GET":
        return JSONResponse(await run_in_threadpool(bc.deliveries.recent, shop.id))
    scope = data.get("scope")
    if scope not in KNOWN_SCOPES or scope.endswith("/*"):
        raise Invalid(f"scope must be a webhook event scope, not {scope!r}")
    event = data.get("data")
    if event is None:
        kind = scope.split("/")[1]
        event = {"type": kind, "id": _int_field(data, "id")}
    if not isinstance(event, dict):
        raise Invalid("data must be a JSON object")
    outgoing = await run_in_threadpool(bc.prepare_webhooks, shop, [(scope, event)])
    deliveries = await _deliveries(bc, outgoing, bool(data.get("wait")))
    return JSONResponse({"deliveries": deliveries}, status_code=200 if data.get("wait") else 202)


async def faults(request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]) -> Response:
    if request.method == "DELETE":
        return JSONResponse({"cleared": bc.faults.clear(shop.domain)})
    if request.method == "POST":
        try:
            operation, fault = parse_fault(data)
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        bc.faults.arm(shop.domain, operation, fault)
    return JSONResponse(bc.faults.armed(shop.domain))


async def order_refunds(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    order = await run_in_threadpool(bc.records.order, shop, request.path_params["order_id"])
    if order is None:
        raise Invalid("no such order on this store", 404)
    return JSONResponse(await run_in_threadpool(list_refunds, bc.store, shop, order))


async def change_order(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    ship = data.get("ship") is True
    status_id = None if ship and "status_id" not in data else _int_field(data, "status_id")
    if status_id is not None and status_id not in STATUSES:
        raise Invalid("status_id must be an order status id (0-14)")
    order = await run_in_threadpool(bc.records.order, shop, request.path_params["order_id"])
    if order is None:
        raise Invalid("no such order on this store", 404)
    events = await run_in_threadpool(bc.records.ship, shop, order) if ship else []
    if status_id is not None:
        changed = await run_in_threadpool(bc.records.order, shop, order.id)
        assert changed is not None
        events += await run_in_threadpool(bc.records.set_status, shop, changed, status_id)
    outgoing = await run_in_threadpool(bc.prepare_webhooks, shop, events)
    return JSONResponse({"deliveries": await _deliveries(bc, outgoing, bool(data.get("wait")))})


async def change_customer(
    request: Request, bc: BigCommerceEmulation, shop: Shop, data: dict[str, Any]
) -> Response:
    fields = {k: v for k, v in data.items() if k != "wait"}
    if not fields or set(fields) - CUSTOMER_FIELDS or not all(isinstance(v, str) for v in fields.values()):
        raise Invalid(f"change one or more of {sorted(CUSTOMER_FIELDS)}, as strings")
    customer = await run_in_threadpool(bc.store.get_customer, shop.domain, request.path_params["customer_id"])
    if customer is None:
        raise Invalid("no such customer on this store", 404)
    await run_in_threadpool(bc.records.update_customer, shop, customer, fields)
    event = ("store/customer/updated", {"type": "customer", "id": customer.id})
    outgoing = await run_in_threadpool(bc.prepare_webhooks, shop, [event])
    return JSONResponse({"deliveries": await _deliveries(bc, outgoing, bool(data.get("wait")))})


routes = [
    Route(PREFIX + "installation", control(installation), methods=["GET"]),
    Route(PREFIX + "install", control(install), methods=["POST"]),
    Route(PREFIX + "load-url", control(load_url), methods=["POST"]),
    Route(PREFIX + "uninstall", control(uninstall), methods=["POST"]),
    Route(PREFIX + "remove-user", control(remove_user), methods=["POST"]),
    Route(PREFIX + "rate-limit", control(rate_limit), methods=["GET", "POST"]),
    Route(PREFIX + "hooks", control(hooks), methods=["GET"]),
    Route(PREFIX + "hooks/{hook_id:int}/deactivate", control(deactivate_hook), methods=["POST"]),
    Route(PREFIX + "webhooks", control(webhooks), methods=["GET", "POST"]),
    Route(PREFIX + "faults", control(faults), methods=["GET", "POST", "DELETE"]),
    Route(PREFIX + "orders/{order_id:int}/refunds", control(order_refunds), methods=["GET"]),
    Route(PREFIX + "orders/{order_id:int}", control(change_order), methods=["POST"]),
    Route(PREFIX + "customers/{customer_id:int}", control(change_customer), methods=["POST"]),
]
