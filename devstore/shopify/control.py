"""JSON switches under ``/_devstore/shopify/{shop}/`` for tests and scripts.

- ``GET  installation``: is the app installed, with which scopes, and every token issued to it.
- ``POST install`` / ``POST uninstall``: as the admin's buttons (uninstall sends ``app/uninstalled``;
  ``{"wait": true}`` answers once it was delivered).
- ``POST tokens/expire`` ``{"token": "access" | "refresh" | "both"}``: the app's live tokens
  expire now.
- ``POST webhooks`` ``{"topic", "payload" | "payloads" | "order_id" | "customer_id", "duplicate",
  "same_webhook_id", "order": "sent" | "reverse", "delay_s", "wait"}``: deliver events (a seeded
  record's payload unless one is given). 202 with the deliveries queued, or 200 with their
  outcome when ``wait`` is true.
- ``GET  webhooks``: the shop's deliveries, newest first.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstore.models import Shop
from devstore.shopify.delivery_log import Delivery
from devstore.shopify.emulation import UNINSTALLED_TOPIC, ShopifyEmulation
from devstore.shopify.events import NoPayload, default_payload
from devstore.shopify.grant_store import IssuedToken
from devstore.shopify.web import emulation, path_shop, path_shop_async
from devstore.shopify.webhooks import Outgoing, WebhookRequest

MAX_DELAY_S = 60.0
EXPIRABLE = {"access": (True, False), "refresh": (False, True), "both": (True, True)}


class Invalid(ValueError):
    """The control request cannot be done: answered ``status`` (422: malformed) with the message."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def token_json(token: IssuedToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "access_mode": token.access_mode,
        "grant_type": token.grant_type,
        "access_token": token.access_token,
        "scope": ",".join(token.scopes),
        "issued_at": _time(token.issued_at),
        "expires_at": _time(token.expires_at),
        "first_used_at": _time(token.first_used_at),
        "refresh_token": token.refresh_token,
        "refresh_token_expires_at": _time(token.refresh_expires_at),
        "refresh_token_spent_at": _time(token.refresh_spent_at),
        "refresh_token_retired_at": _time(token.refresh_retired_at),
        "parent_id": token.parent_id,
        "revoked_at": _time(token.revoked_at),
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "shop": delivery.shop_domain,
        "topic": delivery.topic,
        "uri": delivery.uri,
        "webhook_id": delivery.webhook_id,
        "event_id": delivery.event_id,
        "triggered_at": delivery.triggered_at,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "error": delivery.error,
        "created_at": _time(delivery.created_at),
        "finished_at": _time(delivery.finished_at),
        "payload": json.loads(delivery.body),
    }


def _invalid(refusal: Invalid) -> JSONResponse:
    return JSONResponse({"error": str(refusal)}, status_code=refusal.status)


async def _json_object(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Invalid("the body must be a JSON object") from exc
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def _installation_json(shopify: ShopifyEmulation, shop: Shop) -> dict[str, Any]:
    installation = shopify.grants.installation(shop)
    return {
        "shop": shop.domain,
        "client_id": shopify.app.client_id,
        "installed": installation is not None,
        "scopes": list(installation.scopes) if installation else [],
        "installed_at": _time(installation.installed_at) if installation else None,
        "tokens": [token_json(t) for t in shopify.grants.tokens(shop)],
    }


def installation(request: Request) -> Response:
    shop = path_shop(request)
    return JSONResponse(_installation_json(emulation(request), shop))


def install(request: Request) -> Response:
    shop = path_shop(request)
    shopify = emulation(request)
    shopify.grants.install(shop, datetime.now(UTC))
    return JSONResponse(_installation_json(shopify, shop))


async def _send(shopify: ShopifyEmulation, outgoing: list[Outgoing], delay_s: float, wait: bool) -> Response:
    if wait:
        await shopify.sender.deliver(outgoing, delay_s)
    else:
        shopify.sender.deliver_in_background(outgoing, delay_s)
    found = await asyncio.gather(
        *(run_in_threadpool(shopify.deliveries.get, o.delivery_id) for o in outgoing)
    )
    return JSONResponse(
        {"deliveries": [delivery_json(d) for d in found if d is not None]}, status_code=200 if wait else 202
    )


async def uninstall(request: Request) -> Response:
    shop = await path_shop_async(request)
    shopify = emulation(request)
    try:
        options = await _json_object(request)
    except Invalid as exc:
        return _invalid(exc)
    outgoing = await run_in_threadpool(shopify.uninstall, shop, datetime.now(UTC))
    return await _send(shopify, outgoing, 0.0, bool(options.get("wait")))


async def expire_tokens(request: Request) -> Response:
    shop = await path_shop_async(request)
    try:
        which = (await _json_object(request)).get("token", "both")
    except Invalid as exc:
        return _invalid(exc)
    if which not in EXPIRABLE:
        return _invalid(Invalid('token must be "access", "refresh" or "both"'))
    access, refresh = EXPIRABLE[which]
    grants = emulation(request).grants
    expired = await run_in_threadpool(
        lambda: grants.expire(shop, datetime.now(UTC), access=access, refresh=refresh)
    )
    return JSONResponse({"expired": expired})


def _webhook_request(shopify: ShopifyEmulation, shop: Shop, data: dict[str, Any]) -> WebhookRequest:
    """The request to send, from the control body (blocking: default payloads read the store)."""
    topic = data.get("topic")
    if not isinstance(topic, str) or shopify.app.webhook_uri(topic) is None:
        raise Invalid(f"topic must be one the app subscribes to in shopify.app.toml, not {topic!r}")
    allowed_after_uninstall = topic == UNINSTALLED_TOPIC or topic in shopify.app.compliance_topics
    if not allowed_after_uninstall and shopify.grants.installation(shop) is None:
        raise Invalid(f"the app is not installed on {shop.domain}: Shopify sends it no {topic}", 409)
    if "payloads" in data:
        payloads = data["payloads"]
    elif "payload" in data:
        payloads = [data["payload"]]
    else:
        order_id, customer_id = data.get("order_id"), data.get("customer_id")
        if any(
            v is not None and (isinstance(v, bool) or not isinstance(v, int)) for v in (order_id, customer_id)
        ):
            raise Invalid("order_id and customer_id must be numeric ids")
        try:
            payloads = [
                default_payload(shopify.store, shop, topic, order_id=order_id, customer_id=customer_id)
            ]
        except NoPayload as exc:
            raise Invalid(str(exc)) from exc
    if not isinstance(payloads, list) or not payloads or not all(isinstance(p, dict) for p in payloads):
        raise Invalid("payload must be a JSON object (payloads: a non-empty list of them)")
    order = data.get("order", "sent")
    if order not in {"sent", "reverse"}:
        raise Invalid('order must be "sent" or "reverse"')
    delay_s = data.get("delay_s", 0)
    if isinstance(delay_s, bool) or not isinstance(delay_s, int | float) or not 0 <= delay_s <= MAX_DELAY_S:
        raise Invalid(f"delay_s must be a number of seconds from 0 to {MAX_DELAY_S:.0f}")
    return WebhookRequest(
        topic=topic,
        payloads=payloads,
        duplicate=bool(data.get("duplicate")),
        same_webhook_id=bool(data.get("same_webhook_id")),
        reverse=order == "reverse",
        delay_s=float(delay_s),
    )


async def webhooks(request: Request) -> Response:
    shop = await path_shop_async(request)
    shopify = emulation(request)
    if request.method == "GET":
        found = await run_in_threadpool(shopify.deliveries.recent, shop.domain)
        return JSONResponse([delivery_json(d) for d in found])
    try:
        data = await _json_object(request)
        wanted = await run_in_threadpool(_webhook_request, shopify, shop, data)
    except Invalid as exc:
        return _invalid(exc)
    now = datetime.now(UTC)
    outgoing = await run_in_threadpool(shopify.sender.prepare, shop, wanted, now)
    return await _send(shopify, outgoing, wanted.delay_s, bool(data.get("wait")))


routes = [
    Route("/_devstore/shopify/{shop}/installation", installation, methods=["GET"]),
    Route("/_devstore/shopify/{shop}/install", install, methods=["POST"]),
    Route("/_devstore/shopify/{shop}/uninstall", uninstall, methods=["POST"]),
    Route("/_devstore/shopify/{shop}/tokens/expire", expire_tokens, methods=["POST"]),
    Route("/_devstore/shopify/{shop}/webhooks", webhooks, methods=["GET", "POST"]),
]
