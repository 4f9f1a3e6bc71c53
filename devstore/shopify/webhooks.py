"""Webhook deliveries as Shopify makes them: signed, to the URI the app's toml gives, retried.

Each delivery is a POST of compact JSON with Shopify's headers (fact sheet §3.1)::

    X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body, client secret),
    X-Shopify-Shop-Domain, X-Shopify-API-Version, X-Shopify-Webhook-Id, X-Shopify-Event-Id,
    X-Shopify-Triggered-At

Only a 2xx within 5 s counts. A failed delivery is retried ``RETRIES`` times with exponential
back-off (Shopify spreads 8 retries over 4 hours; here ``retry_delay`` is the first wait, 0.5 s in
development), with the same body, webhook id and event id. For tests the sender can also deliver
an event twice (one event id; a new webhook id unless asked otherwise), late (``delay_s``), or a
batch of events newest first (``reverse``), which is what the app must survive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from devstore.models import Shop
from devstore.shopify.delivery_log import DeliveryLog, DeliveryStatus
from devstore.shopify.registration import AppRegistration
from devstore.shopify.signing import webhook_hmac

logger = logging.getLogger(__name__)

RETRIES = 8
DEFAULT_RETRY_DELAY = 0.5
# Shopify's limits: 1 s to connect, 5 s for the whole answer.
TIMEOUT = httpx.Timeout(5.0, connect=1.0)
USER_AGENT = "Shopify-Captain-Hook"


def triggered_at_header(moment: datetime) -> str:
    """Shopify's format: UTC with nanoseconds, e.g. ``2026-10-05T12:00:00.123456000Z``."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}000Z"


@dataclass(frozen=True)
class WebhookRequest:
    """What to send: one event per payload, in the order given."""

    topic: str
    payloads: Sequence[dict[str, Any]]
    duplicate: bool = False  # each event delivered twice
    same_webhook_id: bool = False  # ... as a retry of one delivery, rather than two deliveries
    reverse: bool = False  # deliveries sent in the reverse order of the events
    delay_s: float = 0.0  # wait this long before sending: the deliveries arrive late


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    topic: str
    uri: str
    body: bytes
    headers: dict[str, str]


class WebhookSender:
    def __init__(
        self,
        log: DeliveryLog,
        app: AppRegistration,
        client: httpx.AsyncClient,
        *,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        retries: int = RETRIES,
    ) -> None:
        self.log = log
        self.app = app
        self.client = client
        self.retry_delay = retry_delay
        self.retries = retries
        self._tasks: set[asyncio.Task[None]] = set()

    def prepare(self, shop: Shop, request: WebhookRequest, now: datetime) -> list[Outgoing]:
        """Sign and log the deliveries of ``request`` (blocking: the log is SQLite)."""
        uri = self.app.webhook_uri(request.topic)
        if uri is None:
            raise ValueError(f"the app has no subscription to {request.topic}")
        outgoing: list[Outgoing] = []
        for index, payload in enumerate(request.payloads):
            # Events of one batch happened in order, a microsecond apart.
            triggered_at = triggered_at_header(now + timedelta(microseconds=index))
            body = json.dumps(payload, separators=(",", ":")).encode()
            event_id, webhook_id = str(uuid.uuid4()), str(uuid.uuid4())
            copies = 2 if request.duplicate else 1
            for copy in range(copies):
                if copy and not request.same_webhook_id:
                    webhook_id = str(uuid.uuid4())
                outgoing.append(
                    self._sign(shop, request.topic, uri, body, webhook_id, event_id, triggered_at, now)
                )
        return outgoing[::-1] if request.reverse else outgoing

    def _sign(
        self,
        shop: Shop,
        topic: str,
        uri: str,
        body: bytes,
        webhook_id: str,
        event_id: str,
        triggered_at: str,
        now: datetime,
    ) -> Outgoing:
        delivery_id = self.log.add(
            shop_id=shop.id,
            topic=topic,
            uri=uri,
            webhook_id=webhook_id,
            event_id=event_id,
            triggered_at=triggered_at,
            body=body.decode(),
            now=now,
        )
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": webhook_hmac(body, self.app.client_secret),
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-API-Version": self.app.api_version,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": triggered_at,
        }
        return Outgoing(delivery_id, topic, uri, body, headers)

    async def deliver(self, outgoing: Sequence[Outgoing], delay_s: float = 0.0) -> None:
        """Send each delivery once, in order; then wait for the retries of those that failed."""
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        retries = []
        for item in outgoing:
            if not await self._attempt(item, final=self.retries == 0):
                retries.append(asyncio.create_task(self._retry(item)))
        await asyncio.gather(*retries)

    def deliver_in_background(self, outgoing: Sequence[Outgoing], delay_s: float = 0.0) -> asyncio.Task[None]:
        """``deliver`` as a task the sender keeps, so that closing it stops the task cleanly."""
        task = asyncio.create_task(self.deliver(outgoing, delay_s))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def aclose(self) -> None:
        """Cancel the deliveries still under way (a stopped Shopify sends nothing)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _retry(self, item: Outgoing) -> None:
        for retry in range(1, self.retries + 1):
            await asyncio.sleep(self.retry_delay * 2 ** (retry - 1))
            if await self._attempt(item, final=retry == self.retries):
                return

    async def _attempt(self, item: Outgoing, *, final: bool) -> bool:
        response_status: int | None = None
        error: str | None = None
        try:
            response = await self.client.post(
                item.uri, content=item.body, headers=item.headers, timeout=TIMEOUT
            )
            response_status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        delivered = response_status is not None and 200 <= response_status < 300
        if delivered:
            status = DeliveryStatus.DELIVERED
        else:
            status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
            error = error or f"HTTP {response_status}"
        await asyncio.to_thread(
            self.log.record_attempt,
            item.delivery_id,
            status=status,
            response_status=response_status,
            error=None if delivered else error,
            now=datetime.now(UTC),
        )
        logger.info(
            "webhook %s %s: %s",
            item.topic,
            item.headers["X-Shopify-Webhook-Id"],
            "delivered" if delivered else f"failed ({error})",
        )
        return delivered
