"""Is this a genuine BigCommerce webhook delivery? A check that returns a result, as the Shopify
one does (``app/webhooks/verify.py``); the HTTP layer maps it (401 unverified, 400 malformed).

Two proofs, layered (fact sheet 3.3):
- the per-hook secret we put in the hook's ``headers`` (``HOOK_SECRET_HEADER``), compared in
  constant time with the secrets we hold for the store: required, because it is the documented,
  long-standing mechanism;
- a Standard Webhooks signature, checked whenever its headers are present: ``webhook-id``,
  ``webhook-timestamp`` (UNIX seconds, within ``TOLERANCE`` of now, either way) and
  ``webhook-signature`` (space-separated ``v1,<base64 HMAC-SHA256>``) over
  ``"{id}.{timestamp}.{raw body}"``, keyed with the app's client secret. The docs' sample hands
  base64(client secret) to the ``standardwebhooks`` SDK, which decodes it again, so the key is the
  client secret's bytes. BigCommerce documents signing since 2025-01 only, so an unsigned
  delivery is still accepted on its secret [unverified that every delivery is signed today].

Payloads are thin (3.2): ``{scope, store_id, producer: "stores/{hash}", hash, created_at, data:
{type, id, ...}}``; the job fetches the resource. Deliveries repeat: ``Delivery.dedupe_key`` is
the payload ``hash`` (the same for every delivery of one event, 3.4), else the ``webhook-id``.

To know which secrets to compare with, the caller reads the (unverified) store from the body with
``parse_payload`` first, looks up that store's hook secrets, then calls ``verify_delivery``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.bigcommerce.dates import from_unix
from connectors.bigcommerce.webhooks import HOOK_SECRET_HEADER
from connectors.values import integer, mapping, text

TOLERANCE = 300.0  # seconds; the SW SDK's WEBHOOK_TOLERANCE_IN_SECONDS
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
PRODUCER_PREFIX = "stores/"
KEY_LIMIT = 128  # dedupe keys and ids are stored in columns of this size


@dataclass(frozen=True, slots=True)
class HookPayload:
    scope: str
    resource_type: str  # data.type: "order", "customer", "transaction", ...
    resource_id: str | None  # data.id: the order id for refund/created, an address id for address events
    store_hash: str | None  # from producer "stores/{hash}"
    store_id: str | None  # a string in current docs, an int in older ones: kept as text
    hash: str | None
    created_at: datetime | None
    data: Mapping[str, Any] = field(repr=False)  # the whole data object, for per-scope extras

    @property
    def refund_id(self) -> str | None:
        """``store/order/refund/created``: ``data.refund.refund_id``."""
        found = integer(mapping(self.data.get("refund")).get("refund_id"))
        return str(found) if found > 0 else None


@dataclass(frozen=True, slots=True)
class Rejected:
    """Not accepted: ``status`` is the HTTP answer, ``reason`` a log code (never the body)."""

    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class Delivery:
    payload: HookPayload
    webhook_id: str | None
    signed: bool  # a Standard Webhooks signature was present and held
    body: str = field(repr=False)  # as received, for storing as is

    @property
    def dedupe_key(self) -> str:
        return self.payload.hash or self.webhook_id or hashlib.sha256(self.body.encode()).hexdigest()


def parse_payload(body: bytes) -> HookPayload | None:
    """The envelope of a delivery, or None when it is not one. Not a verification."""
    try:
        # NaN and Infinity are not JSON: refused, as the Shopify check does.
        document = json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    scope = text(document.get("scope"))
    data = mapping(document.get("data"))
    if not scope or len(scope) > KEY_LIMIT:
        return None
    producer = text(document.get("producer"))
    store_hash = producer[len(PRODUCER_PREFIX) :] if producer.startswith(PRODUCER_PREFIX) else ""
    resource_id = data.get("id")
    store_id = document.get("store_id")
    digest = text(document.get("hash"))
    return HookPayload(
        scope=scope,
        resource_type=text(data.get("type")),
        resource_id=str(resource_id) if _is_id(resource_id) else None,
        store_hash=store_hash or None,
        store_id=str(store_id) if _is_id(store_id) else None,
        hash=digest if 0 < len(digest) <= KEY_LIMIT else None,
        created_at=from_unix(document.get("created_at")),
        data=data,
    )


def verify_delivery(
    headers: Mapping[str, str],
    body: bytes,
    *,
    hook_secrets: Collection[str],
    client_secret: str,
    now: float | None = None,
    tolerance: float = TOLERANCE,
) -> Delivery | Rejected:
    """``headers`` must look names up case-insensitively (Starlette's and httpx's do).
    ``hook_secrets``: every hook secret we hold for the store the payload names."""
    signed = any(headers.get(name) for name in SIGNATURE_HEADERS)
    webhook_id = (headers.get("webhook-id") or "").strip() or None
    if signed:
        problem = _check_signature(
            headers, body, client_secret, time.time() if now is None else now, tolerance
        )
        if problem is not None:
            return Rejected(401, problem)
    if not _secret_matches((headers.get(HOOK_SECRET_HEADER) or "").strip(), hook_secrets):
        return Rejected(401, "bad_hook_secret")
    payload = parse_payload(body)
    if payload is None:
        return Rejected(400, "malformed_payload")
    if payload.store_hash is None:
        return Rejected(400, "missing_producer")
    if webhook_id is not None and len(webhook_id) > KEY_LIMIT:
        return Rejected(400, "header_too_long")
    return Delivery(payload=payload, webhook_id=webhook_id, signed=signed, body=body.decode("utf-8"))


def sign(client_secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for a delivery (for devstore and tests)."""
    return f"v1,{_signature(client_secret, webhook_id, str(timestamp), body)}"


def _check_signature(
    headers: Mapping[str, str], body: bytes, client_secret: str, now: float, tolerance: float
) -> str | None:
    webhook_id, timestamp, signatures = (headers.get(name, "").strip() for name in SIGNATURE_HEADERS)
    if not (webhook_id and timestamp and signatures):
        return "incomplete_signature_headers"
    if not client_secret:
        return "no_client_secret"  # an empty key would sign anything
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "bad_timestamp"
    if abs(now - sent_at) > tolerance:
        return "stale_timestamp"
    expected = _signature(client_secret, webhook_id, timestamp, body).encode()
    matched = False
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        # Every entry is compared, so the time taken does not say which one matched.
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            matched = True
    return None if matched else "bad_signature"


def _signature(client_secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(client_secret.encode(), signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _secret_matches(given: str, expected: Collection[str]) -> bool:
    matched = False
    for secret in expected:
        if secret and hmac.compare_digest(given.encode(), secret.encode()):
            matched = True
    return bool(given) and matched


def _is_id(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and 0 < len(value) <= KEY_LIMIT
    )


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")
