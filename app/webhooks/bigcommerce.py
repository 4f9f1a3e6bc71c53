"""BigCommerce deliveries: the per-hook secrets we give the store's hooks, and the check that turns
a delivery into the same ``Delivery`` the Shopify intake records.

A hook's secret is derived from ``SECRET_KEY``, the store and the scope, never stored: nothing to
encrypt or leak, and the reconcile job (``ensure_hooks``) re-gives a hook its secret whenever the
key changes. The payload is read once, unverified, only to learn which store's secrets to
compare with; nothing from it is trusted before ``verify_delivery`` holds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping

from arq import ArqRedis
from redis.exceptions import RedisError

from app.queue import enqueue
from app.settings import Settings
from app.webhooks.verify import Delivery, Rejected
from connectors.bigcommerce.webhook_deliveries import Rejected as RefusedDelivery
from connectors.bigcommerce.webhook_deliveries import parse_payload, verify_delivery

logger = logging.getLogger(__name__)

PATH = "/webhooks/bigcommerce"
ENSURE_STORE_HOOKS = "ensure_store_hooks"  # jobs.bigcommerce_hooks.ensure_store_hooks, by name


async def queue_hook_setup(queue: ArqRedis, shop_id: int, key: str) -> None:
    """On install: put the store's hooks in place now. Redis being down must not fail the
    install — the hooks cron does it within ``CHECK_EVERY_MINUTES``."""
    try:
        await enqueue(queue, ENSURE_STORE_HOOKS, shop_id, key=(shop_id, key))
    except (RedisError, OSError):
        logger.warning("webhook setup not queued; the hooks cron will do it", extra={"shop": shop_id})


def hook_secret(settings: Settings, store_hash: str, scope: str) -> str:
    digest = hmac.new(
        str(settings.secret_key).encode(), f"bigcommerce-hook|{store_hash}|{scope}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hook_destination(settings: Settings) -> str:
    return settings.app_url.rstrip("/") + PATH


def check_bigcommerce_delivery(
    headers: Mapping[str, str], body: bytes, settings: Settings
) -> Delivery | Rejected:
    if not str(settings.bigcommerce_client_secret):
        return Rejected(401, "no_client_secret")
    envelope = parse_payload(body)
    if envelope is None or envelope.store_hash is None:
        return Rejected(400, "malformed_payload")
    checked = verify_delivery(
        headers,
        body,
        hook_secrets=(hook_secret(settings, envelope.store_hash, envelope.scope),),
        client_secret=str(settings.bigcommerce_client_secret),
    )
    if isinstance(checked, RefusedDelivery):
        return Rejected(checked.status, checked.reason)
    payload = checked.payload
    document = json.loads(checked.body)
    return Delivery(
        topic=payload.scope,
        shop_domain=payload.store_hash or "",
        webhook_id=checked.webhook_id or checked.dedupe_key,
        event_id=checked.dedupe_key,
        triggered_at=payload.created_at,
        payload=document,
        body=checked.body,
    )
