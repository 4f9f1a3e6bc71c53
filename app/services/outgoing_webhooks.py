"""The outgoing webhook on each survey answer: the merchant's endpoint, the signed payload, and
one delivery attempt. Retrying is the job's business (``jobs.outgoing_webhooks``).

Configuration lives under its own key of ``Shop.settings`` (``outgoing_webhook``), not in
``MerchantSettings``: the settings form audits every value old → new, and the signing secret must
never reach the audit log. The secret is stored encrypted like the platform tokens.

Receivers verify ``X-Aftercare-Signature: sha256=<hex>`` = HMAC-SHA256(secret, raw body). The body
carries ``sent_at`` (equal to ``X-Aftercare-Timestamp``), so the timestamp is signed too and a
receiver can refuse replays.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from arq import ArqRedis
from arq.jobs import Job
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.crypto import InvalidToken, TokenCipher
from app.models import Shop, SurveyResponse
from app.platform_http import BIGCOMMERCE_HOSTS, SHOPIFY_SUFFIX
from app.queue import enqueue
from app.services import audit
from app.services.input import InvalidInput

DELIVER_SURVEY_ANSWER = "deliver_survey_answer"
SETTINGS_KEY = "outgoing_webhook"
SIGNATURE_HEADER = "X-Aftercare-Signature"
TIMESTAMP_HEADER = "X-Aftercare-Timestamp"
DELIVERY_HEADER = "X-Aftercare-Delivery"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # the merchant's endpoint, not ours: do not wait long
MAX_URL = 2048

Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class Endpoint:
    url: str
    secret: str  # plaintext, for signing and for showing to the merchant


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # 5xx, 429, timeout, connection error
    REJECTED = "rejected"  # 4xx / 3xx: the receiver said no; trying again would say no again
    REFUSED = "refused"  # our own guard: not https, or an address we must not call


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    detail: str
    status_code: int | None = None


# -- configuration ---------------------------------------------------------------------------


def check_url(url: str, *, production: bool) -> str:
    """The URL as typed, stripped; ``InvalidInput`` with a message for one we will not call."""
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https",) if production else ("https", "http")
    if len(url) > MAX_URL:
        raise InvalidInput(f"The webhook URL can be at most {MAX_URL} characters.")
    if parts.scheme not in allowed or not parts.hostname:
        raise InvalidInput("Enter an https:// URL for the webhook.")
    if (parts.hostname or "").endswith(SHOPIFY_SUFFIX) or parts.hostname in BIGCOMMERCE_HOSTS:
        # The platforms take no such webhooks, and in dev the shared client would reroute these
        # hosts to the stand-in (app.platform_http): a merchant URL is never rewritten.
        raise InvalidInput("The webhook URL must be your own endpoint, not the store platform's.")
    if parts.username or parts.password:
        raise InvalidInput("Put credentials in your endpoint's check of our signature, not in the URL.")
    return url


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def endpoint_of(shop: Shop, cipher: TokenCipher) -> Endpoint | None:
    """The shop's endpoint, or None when none is set (or its secret can no longer be read)."""
    stored = (shop.settings or {}).get(SETTINGS_KEY) if isinstance(shop.settings, dict) else None
    if not isinstance(stored, dict) or not stored.get("url") or not stored.get("secret"):
        return None
    try:
        return Endpoint(str(stored["url"]), cipher.decrypt(str(stored["secret"])))
    except InvalidToken:
        return None


async def configure_endpoint(
    shop_id: int,
    url: str,
    cipher: TokenCipher,
    *,
    production: bool,
    rotate: bool,
    actor: str,
    staff_id: int | None,
) -> Endpoint | None:
    """Set (or with an empty ``url``, remove) the endpoint. A secret is made on first use and on
    ``rotate``; the audit records the URL change and the rotation, never the secret."""
    url = url.strip() and check_url(url, production=production)
    async with in_transaction():
        shop = await Shop.select_for_update().get(id=shop_id)
        current = endpoint_of(shop, cipher)
        document = dict(shop.settings or {})
        if not url:
            document.pop(SETTINGS_KEY, None)
            endpoint = None
        else:
            secret = new_secret() if rotate or current is None else current.secret
            endpoint = Endpoint(url, secret)
            document[SETTINGS_KEY] = {"url": url, "secret": cipher.encrypt(secret)}
        shop.settings = document
        await shop.save(update_fields=["settings"])
        was = current.url if current else None
        if was != (endpoint.url if endpoint else None):
            await audit.record(
                "settings.changed",
                shop_id=shop_id,
                actor=actor,
                staff_id=staff_id,
                subject_type="setting",
                subject_id="outgoing_webhook.url",
                data={"old": was, "new": endpoint.url if endpoint else None},
            )
        if endpoint and current and endpoint.secret != current.secret:
            await audit.record(
                "outgoing_webhook.secret_rotated",
                shop_id=shop_id,
                actor=actor,
                staff_id=staff_id,
                subject_type="setting",
                subject_id="outgoing_webhook.secret",
            )
    return endpoint


# -- queueing --------------------------------------------------------------------------------


async def queue_survey_answer_webhook(queue: ArqRedis, response_id: int, answered_at: datetime) -> Job | None:
    """Call when an answer is saved. One job per (response, answer time): a double save queues
    one delivery; a changed answer (a later ``answered_at``) queues its own."""
    stamp = answered_at.isoformat()
    return await enqueue(queue, DELIVER_SURVEY_ANSWER, response_id, stamp, key=(response_id, stamp))


# -- the payload and its signature -----------------------------------------------------------


async def payload_of(response_id: int) -> tuple[int, dict[str, Any]] | None:
    """(shop id, body) for one answer; None when the answer no longer exists."""
    response = (
        await SurveyResponse.filter(id=response_id)
        .select_related("survey", "survey__customer", "survey__order")
        .first()
    )
    if response is None:
        return None
    survey = response.survey
    customer, order = survey.customer, survey.order
    return response.shop_id, {  # type: ignore[attr-defined]
        "event": "survey.answered",
        "survey_id": survey.id,
        "response_id": response.id,
        "kind": survey.kind.value,
        "score": response.score,
        "comment": response.comment,
        "follow_up_reason": response.follow_up_reason,
        "resolution_type": survey.resolution_type,
        "customer": {
            "id": customer.id if customer else None,
            "platform_id": customer.platform_id if customer else None,
            "email": (customer.email if customer else None) or survey.email,
        },
        "order": {"id": order.id, "number": order.number, "platform_id": order.platform_id}
        if order
        else None,
        "answered_at": response.answered_at.isoformat(),
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (and what the tests do): constant-time compare over the raw body."""
    return hmac.compare_digest(sign(secret, body), header)


def encode(payload: dict[str, Any], sent_at: datetime) -> bytes:
    return json.dumps({**payload, "sent_at": sent_at.isoformat()}, separators=(",", ":")).encode()


# -- one attempt -----------------------------------------------------------------------------


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def pinned_url(url: str, resolver: Resolver) -> httpx.URL:
    """In production, the URL with its host replaced by a checked public address: what we
    checked is what we connect to (no DNS rebinding between the check and the request)."""
    parsed = httpx.URL(url)
    try:
        addresses = await resolver(parsed.host, parsed.port or 443)
    except OSError as exc:
        raise RefusedAddress(f"{parsed.host} does not resolve: {exc}") from exc
    if not addresses or not all(public(a) for a in addresses):
        raise RefusedAddress(f"{parsed.host} resolves to a private or loopback address")
    return parsed.copy_with(host=addresses[0])


class RefusedAddress(Exception):
    pass


async def post(
    http: httpx.AsyncClient,
    endpoint: Endpoint,
    body: bytes,
    *,
    sent_at: datetime,
    delivery_id: str,
    production: bool,
    resolver: Resolver | None = None,
) -> Attempt:
    """POST the signed body once and say what happened; never raises for the endpoint's faults."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(endpoint.secret, body),
        TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
        DELIVERY_HEADER: delivery_id,
    }
    try:
        check_url(endpoint.url, production=production)
    except InvalidInput as exc:
        return Attempt(Outcome.REFUSED, str(exc))
    target = httpx.URL(endpoint.url)
    extensions: dict[str, Any] = {}
    if production:
        try:
            target = await pinned_url(endpoint.url, resolver or resolve)
        except RefusedAddress as exc:
            return Attempt(Outcome.REFUSED, str(exc))
        headers["Host"] = httpx.URL(endpoint.url).netloc.decode()
        extensions["sni_hostname"] = httpx.URL(endpoint.url).host  # the certificate is checked by name
    try:
        response = await http.post(
            target, content=body, headers=headers, timeout=TIMEOUT, extensions=extensions
        )
    except httpx.TimeoutException as exc:
        return Attempt(Outcome.RETRY, f"timed out ({type(exc).__name__})")
    except httpx.TransportError as exc:
        return Attempt(Outcome.RETRY, f"could not connect ({type(exc).__name__})")
    code = response.status_code
    if code < 300:
        return Attempt(Outcome.DELIVERED, f"HTTP {code}", code)
    if code >= 500 or code in (408, 429):
        return Attempt(Outcome.RETRY, f"HTTP {code}", code)
    return Attempt(Outcome.REJECTED, f"HTTP {code}", code)


def answered_at_matches(response_answered_at: datetime, answered_at_iso: str) -> bool:
    try:
        return response_answered_at == datetime.fromisoformat(answered_at_iso)
    except ValueError:
        return False


def stamp() -> datetime:
    return utcnow().replace(microsecond=0)
