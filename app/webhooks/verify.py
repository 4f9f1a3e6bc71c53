"""Is this a genuine, well-formed Shopify webhook delivery? A check that returns a result.

The HMAC is checked by Shopify's own ``shopifyapp.verify_webhook_req`` (constant-time, current
and old client secret, the 405/400/401 answers Shopify expects); the rest — required headers and
a JSON object body — only after the signature holds, so an unsigned request learns nothing more
than "401". ``routes`` maps the result to HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shopify_app import verify_webhook_req
from shopify_app.types import AppConfig

from app.settings import Settings

HMAC_HEADER = "x-shopify-hmac-sha256"
# Shopify's newer Events deliveries drop the "X-" prefix; both spellings are accepted.
PREFIXES = ("x-shopify-", "shopify-")
KEY_LIMIT = 128  # WebhookEvent.topic / dedupe_key / webhook_id column sizes


@dataclass(frozen=True)
class Rejected:
    """Not accepted: ``status`` is the HTTP answer, ``reason`` a log code (never the body)."""

    status: int
    reason: str


@dataclass(frozen=True)
class Delivery:
    """A verified delivery, parsed."""

    topic: str
    shop_domain: str
    webhook_id: str
    event_id: str | None
    triggered_at: datetime | None
    payload: dict[str, Any]
    body: str  # the payload exactly as signed, stored as is

    @property
    def dedupe_key(self) -> str:
        # The event id is the same across the several deliveries of one event; the webhook id
        # only across retries of one delivery, so it is the fallback.
        return self.event_id or self.webhook_id


def shopify_app_config(settings: Settings) -> AppConfig:
    old = settings.shopify_api_secret_old
    return {
        "client_id": settings.shopify_api_key,
        "client_secret": str(settings.shopify_api_secret),
        "old_client_secret": str(old) if old is not None else None,
    }


def check_shopify_delivery(
    method: str, headers: Mapping[str, str], body: bytes, config: AppConfig
) -> Delivery | Rejected:
    """``headers`` must look names up case-insensitively (Starlette's ``Headers`` does)."""
    if not config["client_secret"]:
        # No Shopify app configured (a BigCommerce-only install): an empty key signs anything.
        return Rejected(401, "no_client_secret")
    try:
        text, utf8 = body.decode("utf-8"), True
    except UnicodeDecodeError:
        # shopifyapp signs text: with replacement characters the HMAC cannot match a genuine
        # signature, so such a body is answered 401 like any other unverifiable request.
        text, utf8 = body.decode("utf-8", errors="replace"), False
    signature = _header(headers, "hmac-sha256")
    result = verify_webhook_req(
        {
            "method": method,
            # Only the signature: the library copies and redacts what it is given for its log.
            "headers": {HMAC_HEADER: signature} if signature else {},
            "url": "",
            "body": text,
        },
        config,
    )
    if not result.ok:
        return Rejected(result.response.status, result.log.code)

    topic = _header(headers, "topic")
    shop_domain = _header(headers, "shop-domain").lower()
    webhook_id = _header(headers, "webhook-id")
    event_id = _header(headers, "event-id") or None
    if not (topic and shop_domain and webhook_id):
        return Rejected(400, "missing_header")
    if any(len(value) > KEY_LIMIT for value in (topic, shop_domain, webhook_id, event_id or "")):
        return Rejected(400, "header_too_long")
    if not utf8:
        return Rejected(400, "body_not_utf8")
    try:
        # NaN and Infinity are not JSON, and PostgreSQL's jsonb refuses them: refused here.
        payload = json.loads(text, parse_constant=_not_json)
    except ValueError:
        return Rejected(400, "malformed_json")
    if not isinstance(payload, dict):
        return Rejected(400, "payload_not_an_object")
    return Delivery(
        topic=topic,
        shop_domain=shop_domain,
        webhook_id=webhook_id,
        event_id=event_id,
        triggered_at=_timestamp(_header(headers, "triggered-at")),
        payload=payload,
        body=text,
    )


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _header(headers: Mapping[str, str], name: str) -> str:
    for prefix in PREFIXES:
        value = headers.get(prefix + name)
        if value:
            return value.strip()
    return ""


def _timestamp(value: str) -> datetime | None:
    """``X-Shopify-Triggered-At`` is ISO 8601; an unreadable one is dropped, not rejected."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
