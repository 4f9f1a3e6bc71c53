"""Survey jobs: plan (per shop), send, remind; crons that enqueue due work and expire links.

Every job takes a primitive id and is idempotent: the row's status decides, and the job ids are
deterministic (``app.queue.job_id``), so a cron that runs twice queues each survey once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry

from app.clock import utcnow
from app.models import Shop
from app.queue import enqueue
from app.services.mail import PermanentMailError, TransientMailError
from app.services.surveys.scheduling import scan_shop
from app.services.surveys.sending import (
    SEND_REMINDER,
    SEND_SURVEY,
    deliver_reminder,
    deliver_survey,
    due_reminder_ids,
    due_survey_ids,
    expire_surveys,
    release_stuck,
)

logger = logging.getLogger(__name__)

PLAN_SHOP = "plan_shop_surveys"
SEND_TRIES = 6
ENQUEUE_BATCH = 20_000  # per cron run; the rest (if ever) on the next minute


def retry_delay(try_number: int) -> timedelta:
    return timedelta(seconds=10 * try_number**2)


async def plan_shop_surveys(ctx: dict[str, Any], shop_id: int) -> dict[str, int]:
    result = await scan_shop(shop_id)
    return {"seen": result.seen, "scheduled": result.scheduled, "suppressed": result.suppressed}


async def plan_surveys(ctx: dict[str, Any]) -> int:
    """Cron: one planning job per active shop, keyed by the 5-minute slot so each runs once."""
    slot = int(utcnow().timestamp()) // 300
    shop_ids = [int(str(i)) for i in await Shop.filter(is_active=True).values_list("id", flat=True)]
    queued = 0
    for shop_id in shop_ids:
        if await enqueue(ctx["redis"], PLAN_SHOP, shop_id, key=(shop_id, slot)) is not None:
            queued += 1
    return queued


async def send_survey(ctx: dict[str, Any], survey_id: int) -> str:
    settings = ctx["settings"]
    try:
        return await deliver_survey(survey_id, smtp_url=settings.smtp_url, app_url=settings.app_url)
    except PermanentMailError:
        logger.warning("survey refused by the SMTP server", extra={"survey_id": survey_id})
        return "canceled"
    except TransientMailError as exc:
        try_number = int(ctx.get("job_try", 1))
        if try_number < SEND_TRIES:
            raise Retry(defer=retry_delay(try_number)) from exc
        # Left SCHEDULED: the due cron queues it again once this job's result has expired.
        logger.warning("survey not sent after %d tries", try_number, extra={"survey_id": survey_id})
        return "scheduled"


async def send_survey_reminder(ctx: dict[str, Any], survey_id: int) -> str:
    settings = ctx["settings"]
    try:
        return await deliver_reminder(survey_id, smtp_url=settings.smtp_url, app_url=settings.app_url)
    except PermanentMailError:
        return "refused"
    except TransientMailError as exc:
        try_number = int(ctx.get("job_try", 1))
        if try_number < SEND_TRIES:
            raise Retry(defer=retry_delay(try_number)) from exc
        return "not_sent"


async def enqueue_due_surveys(ctx: dict[str, Any]) -> int:
    """Cron: rows stuck mid-send go back to SCHEDULED; due surveys and reminders are queued."""
    await release_stuck()
    queued = 0
    for survey_id in await due_survey_ids(ENQUEUE_BATCH):
        if await enqueue(ctx["redis"], SEND_SURVEY, survey_id) is not None:
            queued += 1
    for survey_id in await due_reminder_ids(ENQUEUE_BATCH):
        if await enqueue(ctx["redis"], SEND_REMINDER, survey_id) is not None:
            queued += 1
    return queued


async def expire_due_surveys(ctx: dict[str, Any]) -> int:
    return await expire_surveys()
