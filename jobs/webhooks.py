"""Processing recorded webhook deliveries, and re-queueing the ones Redis lost.

``process_webhook`` is idempotent: a delivery already PROCESSED or IGNORED is left alone, and
every handler is safe to run again (each is one transaction that checks the state it changes).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry
from tortoise.expressions import F

from app.clock import utcnow
from app.models import WebhookEvent, WebhookStatus
from app.queue import enqueue
from app.webhooks.intake import PROCESS_WEBHOOK
from jobs.webhook_dispatch import dispatch
from jobs.webhook_handlers import Event, Outcome

logger = logging.getLogger(__name__)

FINAL = (WebhookStatus.PROCESSED, WebhookStatus.IGNORED)
# A handler error is retried by arq this many times (backing off) before the event is FAILED.
HANDLER_TRIES = 5
STUCK_AFTER = timedelta(minutes=1)
REQUEUE_BATCH = 1000
# Past this many starts an event that never finishes (a crash in the same place every time)
# is marked FAILED instead of being re-queued forever.
MAX_ATTEMPTS = 20


async def process_webhook(ctx: dict[str, Any], event_id: int) -> str:
    """Run the handler of one recorded delivery; returns the status it ends in."""
    loaded = await Event.load(event_id)
    if loaded is None:
        return "gone"  # erased with its shop, or pruned
    event, status = loaded
    if status in FINAL:
        return status.value
    await WebhookEvent.filter(id=event_id).update(attempts=F("attempts") + 1)
    try:
        outcome = await dispatch(event)
    except Exception as exc:
        try_number = int(ctx.get("job_try", HANDLER_TRIES))
        # Only the exception's type goes to the log: messages can quote customer data.
        logger.warning(
            "webhook handler failed (%s), try %d",
            type(exc).__name__,
            try_number,
            extra={"event_id": event_id},
        )
        if try_number < HANDLER_TRIES:
            raise Retry(defer=timedelta(seconds=5 * try_number**2)) from exc
        outcome = Outcome(WebhookStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
    # A filter-update: the handler may have deleted the row (shop/redact), and then this is a no-op.
    await WebhookEvent.filter(id=event_id).update(
        status=outcome.status, error=outcome.note, processed_at=utcnow()
    )
    return outcome.status.value


async def requeue_stuck_webhooks(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue deliveries still RECEIVED a minute after they came in (Redis was down at
    intake, or lost the queue). The job id is the same, so one still queued is not doubled."""
    stuck = (
        await WebhookEvent.filter(status=WebhookStatus.RECEIVED, received_at__lt=utcnow() - STUCK_AFTER)
        .order_by("received_at")
        .limit(REQUEUE_BATCH)
        .values("id", "attempts")
    )
    queued = 0
    for row in stuck:
        if row["attempts"] >= MAX_ATTEMPTS:
            await WebhookEvent.filter(id=row["id"], status=WebhookStatus.RECEIVED).update(
                status=WebhookStatus.FAILED,
                error=f"gave up after {row['attempts']} attempts",
                processed_at=utcnow(),
            )
            continue
        if await enqueue(ctx["redis"], PROCESS_WEBHOOK, row["id"]) is not None:
            queued += 1
    if queued:
        logger.info("re-queued %d stuck webhook event(s)", queued)
    return queued
