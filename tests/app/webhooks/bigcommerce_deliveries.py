"""BigCommerce webhook deliveries shaped like the real ones: thin payloads (fact sheet 3.2), the
per-hook secret header we give each hook, and a Standard Webhooks signature (3.3)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from app.settings import Settings
from app.webhooks.bigcommerce import hook_secret
from connectors.bigcommerce.webhook_deliveries import sign
from connectors.bigcommerce.webhooks import HOOK_SECRET_HEADER

STORE = "abc123"
CLIENT_ID = "bc-test-client-id"
CLIENT_SECRET = "bc-test-client-secret"
SECRET_KEY = "a-test-secret-key-that-is-at-least-32-characters"
BC_ENV = {
    "BIGCOMMERCE_CLIENT_ID": CLIENT_ID,
    "BIGCOMMERCE_CLIENT_SECRET": CLIENT_SECRET,
    "SECRET_KEY": SECRET_KEY,
}


def hook_payload(
    scope: str = "store/order/updated",
    resource_id: int = 100,
    *,
    store: str = STORE,
    digest: str | None = None,
    created_at: int = 1561479335,
    **extra: Any,
) -> dict[str, Any]:
    resource = "customer" if scope.startswith("store/customer/") else "order"
    return {
        "scope": scope,
        "store_id": "1025646",
        "data": {"type": resource, "id": resource_id, **extra},
        "hash": digest if digest is not None else uuid.uuid4().hex[:40],
        "created_at": created_at,
        "producer": f"stores/{store}",
    }


def bc_delivery(
    settings: Settings,
    payload: dict[str, Any] | None = None,
    *,
    body: bytes | None = None,
    secret: str | None = None,
    signed: bool = True,
    client_secret: str = CLIENT_SECRET,
    sent_at: int | None = None,
    webhook_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """``(body, headers)``; the hook secret is the one we derive for the payload's store and scope
    unless ``secret`` says otherwise."""
    payload = payload if payload is not None else hook_payload()
    if body is None:
        body = json.dumps(payload).encode()
    store = str(payload.get("producer", "")).removeprefix("stores/")
    headers = {
        "Content-Type": "application/json",
        HOOK_SECRET_HEADER: secret if secret is not None else hook_secret(settings, store, payload["scope"]),
    }
    if signed:
        webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        timestamp = sent_at if sent_at is not None else int(time.time())
        headers |= {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(client_secret, webhook_id, timestamp, body),
        }
    return body, headers
