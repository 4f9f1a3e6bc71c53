"""The webhook endpoints, and the one place that maps intake results to HTTP answers."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app.models import Platform
from app.webhooks.bigcommerce import PATH as BIGCOMMERCE_PATH
from app.webhooks.bigcommerce import check_bigcommerce_delivery
from app.webhooks.intake import (
    Recorded,
    RecordResult,
    ShopDirectory,
    Unavailable,
    enqueue_processing,
    record_delivery,
)
from app.webhooks.topics import COMPLIANCE_PATH, WEBHOOKS_PATH
from app.webhooks.verify import Rejected, check_shopify_delivery, shopify_app_config

logger = logging.getLogger(__name__)

# Far above any real payload (a 250-line order is well under 1 MiB): stops an unsigned sender
# from making us buffer and hash without limit.
MAX_BODY_BYTES = 10 * 1024 * 1024


async def shopify_webhook(request: Request) -> Response:
    """One endpoint for every topic; the compliance URI is the same code under its own path."""
    body = await _read_body(request)
    if body is None:
        return _answer(Rejected(413, "body_too_large"))
    checked = check_shopify_delivery(
        request.method, request.headers, body, shopify_app_config(request.state.settings)
    )
    if isinstance(checked, Rejected):
        logger.info(
            "webhook rejected: %s",
            checked.reason,
            extra={"shop": request.headers.get("x-shopify-shop-domain", ""), "status": checked.status},
        )
        return _answer(checked)
    recorded = await record_delivery(_shops(request), Platform.SHOPIFY, checked)
    if isinstance(recorded, Recorded):
        await enqueue_processing(request.state.queue, recorded.event_id)
    return _answer(recorded)


async def bigcommerce_webhook(request: Request) -> Response:
    """Every scope of every store's hooks comes here (thin payloads: the job reads the resource)."""
    body = await _read_body(request)
    if body is None:
        return _answer(Rejected(413, "body_too_large"))
    checked = check_bigcommerce_delivery(request.headers, body, request.state.settings)
    if isinstance(checked, Rejected):
        logger.info("webhook rejected: %s", checked.reason, extra={"status": checked.status})
        return _answer(checked)
    recorded = await record_delivery(_shops(request), Platform.BIGCOMMERCE, checked)
    if isinstance(recorded, Recorded):
        await enqueue_processing(request.state.queue, recorded.event_id)
    return _answer(recorded)


def _shops(request: Request) -> ShopDirectory:
    """One directory per app instance (so per process), made on first use."""
    state = request.app.state
    if not hasattr(state, "webhook_shops"):
        state.webhook_shops = ShopDirectory()
    shops: ShopDirectory = state.webhook_shops
    return shops


def _answer(result: Rejected | RecordResult) -> Response:
    if isinstance(result, Rejected):
        return PlainTextResponse(_REASONS.get(result.status, "Bad Request"), status_code=result.status)
    if isinstance(result, Unavailable):
        return PlainTextResponse("Try again later", status_code=503, headers={"Retry-After": "10"})
    # Recorded, duplicate or dropped: all mean "delivered, do not retry".
    return Response(status_code=200)


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    405: "Method Not Allowed",
    413: "Payload Too Large",
}


async def _read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


routes = [
    Route(WEBHOOKS_PATH, shopify_webhook, methods=["POST"]),
    Route(COMPLIANCE_PATH, shopify_webhook, methods=["POST"]),
    Route(BIGCOMMERCE_PATH, bigcommerce_webhook, methods=["POST"]),
]
