"""Sending staff replies by email, and re-queueing the ones Redis lost.

``send_reply`` is idempotent: a message already SENT or FAILED is left alone (see
``app.services.replies.outbound`` for the at-least-once choice around a crash mid-send).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry

from app.clock import utcnow
from app.models import MessageStatus, OutboundMessage
from app.queue import enqueue
from app.services.mail import PermanentMailError, TransientMailError
from app.services.replies.outbound import SEND_REPLY, deliver, mark_failed

logger = logging.getLogger(__name__)

# A transient SMTP failure is retried this many times (backing off) before the message is FAILED.
SEND_TRIES = 6
STUCK_AFTER = timedelta(minutes=2)
REQUEUE_BATCH = 500


def retry_delay(try_number: int) -> timedelta:
    """10 s, 40 s, 90 s, 160 s, 250 s: about nine minutes in all."""
    return timedelta(seconds=10 * try_number**2)


async def send_reply(ctx: dict[str, Any], message_id: int) -> str:
    """Send one queued reply; returns the status it ends in."""
    settings = ctx["settings"]
    try:
        return await deliver(message_id, smtp_url=settings.smtp_url, app_url=settings.app_url)
    except PermanentMailError as exc:
        logger.warning("reply refused by the SMTP server", extra={"message_id": message_id})
        await mark_failed(message_id, str(exc))
        return MessageStatus.FAILED.value
    except TransientMailError as exc:
        try_number = int(ctx.get("job_try", 1))
        logger.info("reply not sent yet (%s), try %d", exc, try_number, extra={"message_id": message_id})
        if try_number < SEND_TRIES:
            raise Retry(defer=retry_delay(try_number)) from exc
        await mark_failed(message_id, f"gave up after {try_number} tries: {exc}")
        return MessageStatus.FAILED.value


async def requeue_stuck_replies(ctx: dict[str, Any]) -> int:
    """Cron: messages still QUEUED two minutes on (Redis was down when they were written, or lost
    the job) are queued again; the job id is the same, so one still waiting is not doubled."""
    stuck = (
        await OutboundMessage.filter(status=MessageStatus.QUEUED, created_at__lt=utcnow() - STUCK_AFTER)
        .order_by("id")
        .limit(REQUEUE_BATCH)
        .values_list("id", flat=True)
    )
    stuck_ids: list[int] = [int(str(value)) for value in stuck]
    queued = 0
    for message_id in stuck_ids:
        if await enqueue(ctx["redis"], SEND_REPLY, message_id) is not None:
            queued += 1
    return queued
