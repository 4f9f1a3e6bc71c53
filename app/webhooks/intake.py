"""Recording a verified delivery once, and queueing its processing.

The row is written before the 200, so that an accepted delivery survives any crash after it;
Redis only carries the "please process event N" message, which ``requeue_stuck_webhooks``
re-derives from the rows still ``RECEIVED`` (invariant 4).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from arq import ArqRedis
from tortoise.exceptions import IntegrityError

from app.models import Platform, Shop, WebhookEvent
from app.queue import enqueue
from app.webhooks.topics import COMPLIANCE_TOPICS
from app.webhooks.verify import Delivery

logger = logging.getLogger(__name__)

PROCESS_WEBHOOK = "process_webhook"  # jobs.webhooks.process_webhook, enqueued by name
# Long enough for a busy Redis, far inside Shopify's 5 s; past it the cron re-enqueues.
ENQUEUE_TIMEOUT = 1.0
# How long an installed shop's id is reused without asking the database again (see ShopDirectory).
SHOP_CACHE_SECONDS = 2.0


class ShopDirectory:
    """Installed shops by domain, remembered for ``SHOP_CACHE_SECONDS`` by one web process.

    The lookup was a sixth of the intake's cost, and a busy shop sends many deliveries a second.
    Only "installed" answers are kept: an unknown or uninstalled shop is asked about every time,
    so a (re)install is seen at once. An uninstall may let deliveries be recorded for up to the
    TTL after it; they are only recorded, and handlers must not act for an inactive shop anyway
    (deliveries can arrive late). A failed insert forgets the entry (the shop may have been
    erased and installed again under a new id).
    """

    def __init__(self, ttl: float = SHOP_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._installed: dict[tuple[Platform, str], tuple[int, float]] = {}

    async def find(self, platform: Platform, domain: str) -> tuple[int, bool] | None:
        """``(shop_id, is_active)`` or ``None`` for a shop we do not know."""
        key = (platform, domain)
        cached = self._installed.get(key)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0], True
        row = await Shop.filter(platform=platform, domain=domain).first().values("id", "is_active")
        if row is None:
            self._installed.pop(key, None)
            return None
        if row["is_active"]:
            self._installed[key] = (row["id"], now + self.ttl)
        else:
            self._installed.pop(key, None)
        return row["id"], bool(row["is_active"])

    def forget(self, platform: Platform, domain: str) -> None:
        self._installed.pop((platform, domain), None)


@dataclass(frozen=True)
class Recorded:
    event_id: int


@dataclass(frozen=True)
class Duplicate:
    """The same event was recorded before: answered 200, nothing else happens."""


@dataclass(frozen=True)
class Dropped:
    """Nothing of ours to act on (unknown or uninstalled shop): answered 200 and forgotten."""

    reason: str


@dataclass(frozen=True)
class Unavailable:
    """The database could not record it: answered 503 so that the platform retries."""


RecordResult = Recorded | Duplicate | Dropped | Unavailable


async def record_delivery(shops: ShopDirectory, platform: Platform, delivery: Delivery) -> RecordResult:
    log_extra = {"shop": delivery.shop_domain, "topic": delivery.topic}
    try:
        shop = await shops.find(platform, delivery.shop_domain)
        if shop is None:
            logger.info("webhook dropped: unknown shop", extra=log_extra)
            return Dropped("unknown shop")
        shop_id, installed = shop
        # Privacy requests concern shops that left too (shop/redact only ever comes after
        # app/uninstalled), so they are the one thing an uninstalled shop still sends us.
        if not installed and delivery.topic not in COMPLIANCE_TOPICS:
            logger.info("webhook dropped: shop is uninstalled", extra=log_extra)
            return Dropped("shop is uninstalled")
        event = await WebhookEvent.create(
            shop_id=shop_id,
            platform=platform,
            topic=delivery.topic,
            dedupe_key=delivery.dedupe_key,
            webhook_id=delivery.webhook_id,
            triggered_at=delivery.triggered_at,
            # The signed text, not the parsed dict: the JSON column takes valid JSON text as is
            # (re-encoding the dict cost a fifth of the insert), and keeps what Shopify sent.
            payload=delivery.body,
        )
    except IntegrityError:
        # The unique (shop, dedupe_key) constraint: a second delivery of a recorded event (or,
        # rarely, a shop erased since it was looked up: hence the forget).
        shops.forget(platform, delivery.shop_domain)
        logger.info("webhook duplicate ignored", extra=log_extra)
        return Duplicate()
    except Exception as exc:
        # The type only: database errors can quote the values they choked on (the body).
        logger.error("webhook not recorded (%s); answered 503", type(exc).__name__, extra=log_extra)
        return Unavailable()
    return Recorded(event.id)


async def enqueue_processing(queue: ArqRedis, event_id: int) -> bool:
    """Queue ``process_webhook(event_id)`` under its deterministic job id; ``False`` if Redis
    failed (the event stays ``RECEIVED`` and the requeue cron picks it up)."""
    try:
        async with asyncio.timeout(ENQUEUE_TIMEOUT):
            await enqueue(queue, PROCESS_WEBHOOK, event_id)
    except Exception as exc:
        logger.warning(
            "webhook recorded but not queued (%s); requeue_stuck_webhooks will queue it",
            type(exc).__name__,
            extra={"event_id": event_id},
        )
        return False
    return True
