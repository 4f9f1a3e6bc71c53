"""Signed Shopify webhook deliveries, shaped like the real ones (headers and REST payloads)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

SECRET = "test-shopify-secret"
OLD_SECRET = "test-shopify-old-secret"
SHOP_DOMAIN = "aftercare-test.myshopify.com"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery(
    topic: str,
    payload: dict[str, Any] | None = None,
    *,
    shop: str = SHOP_DOMAIN,
    secret: str = SECRET,
    event_id: str | None = None,
    webhook_id: str | None = None,
    triggered_at: str = "2026-10-05T12:00:00.000Z",
    body: bytes | None = None,
) -> tuple[bytes, dict[str, str]]:
    """``(body, headers)`` of one delivery; a fresh event id unless given."""
    if body is None:
        body = json.dumps(payload if payload is not None else {"id": 1}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": triggered_at,
    }
    return body, headers


def order_payload(order_id: int = 820982911946154508, email: str = "jon@example.com") -> dict[str, Any]:
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "email": email,
        "name": "#1001",
        "currency": "USD",
        "total_price": "199.00",
        "updated_at": "2026-10-05T12:00:00-04:00",
        "customer": {"id": 115310627314723954, "email": email, "first_name": "Jon", "last_name": "Snow"},
        "line_items": [
            {"id": 866550311766439020, "title": "IPod Nano - 8GB", "quantity": 1, "price": "199.00"}
        ],
    }


def shop_payload(domain: str = SHOP_DOMAIN) -> dict[str, Any]:
    """app/uninstalled carries the REST Shop object."""
    return {"id": 548380009, "name": "Aftercare Test", "domain": domain, "myshopify_domain": domain}


def data_request_payload(
    customer_id: int | None, email: str | None, orders: list[int], request_id: int = 9999
) -> dict[str, Any]:
    return {
        "shop_id": 548380009,
        "shop_domain": SHOP_DOMAIN,
        "orders_requested": orders,
        "customer": {"id": customer_id, "email": email, "phone": "555-625-1199"},
        "data_request": {"id": request_id},
    }


def customer_redact_payload(customer_id: int | None, email: str | None, orders: list[int]) -> dict[str, Any]:
    return {
        "shop_id": 548380009,
        "shop_domain": SHOP_DOMAIN,
        "customer": {"id": customer_id, "email": email, "phone": "555-625-1199"},
        "orders_to_redact": orders,
    }


def shop_redact_payload() -> dict[str, Any]:
    return {"shop_id": 548380009, "shop_domain": SHOP_DOMAIN}
