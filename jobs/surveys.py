"""Survey jobs: plan (per shop), send, remind; crons that enqueue due work and expire links.

Every job takes primitive ids and is idempotent: the row's status decides, and the job ids are
deterministic (``app.queue.job_id``), so a cron that runs twice queues each survey once.

Due surveys are sent in batches that share one SMTP connection. A batch is the due surveys of one
block of ``SEND_BATCH`` consecutive ids, keyed by the block: while a block's job is queued or
running, the cron cannot queue a second one for it, and keys do not shift as surveys are sent
(keys made from a batch's first id would, and every minute's cron would queue the backlog again).
Sent surveys are never sent twice whatever the queue does — each is claimed on its row — so the
key only saves work. Results are not kept, so that a block can be queued again as soon as its
job ends (surveys planned together fall due at different times).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from arq import Retry
from arq.worker import func

from app.clock import utcnow
from app.models import Shop, SurveyStatus
from app.queue import enqueue
from app.services.mail import MailSession, PermanentMailError, TransientMailError
from app.services.surveys.scheduling import scan_shop
from app.services.surveys.sending import (
    RETRY,
    SEND_REMINDER,
    SEND_SURVEYS,
    deliver_reminder,
    deliver_surveys,
    due_reminder_ids,
    due_survey_ids,
    expire_surveys,
    release_stuck,
)

logger = logging.getLogger(__name__)

PLAN_SHOP = "plan_shop_surveys"
SEND_TRIES = 6
ENQUEUE_BATCH = 20_000  # per cron run; the rest (if ever) on the next minute
SEND_BATCH = 100  # surveys per job and SMTP connection; providers often cap a session near this


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


def send_batches(survey_ids: Sequence[int]) -> dict[int, list[int]]:
    """Due survey ids by their block (the job's key), in the order given."""
    batches: dict[int, list[int]] = {}
    for survey_id in survey_ids:
        batches.setdefault(survey_id // SEND_BATCH, []).append(survey_id)
    return batches


async def send_surveys(ctx: dict[str, Any], survey_ids: list[int]) -> dict[str, int]:
    """Send a batch over one connection; how many ended in each outcome."""
    return dict(Counter((await _send(ctx, survey_ids)).values()))


async def send_survey(ctx: dict[str, Any], survey_id: int) -> str:
    """One survey, as jobs were queued before batches (a deploy finds some still queued)."""
    outcome = (await _send(ctx, [survey_id]))[survey_id]
    return SurveyStatus.SCHEDULED.value if outcome == RETRY else outcome


async def _send(ctx: dict[str, Any], survey_ids: list[int]) -> dict[int, str]:
    """Surveys the mail server did not take are tried again with back-off; the retry skips the
    ones already sent, since their rows are no longer SCHEDULED."""
    settings = ctx["settings"]
    async with MailSession(settings.smtp_url) as mail:
        outcomes = await deliver_surveys(survey_ids, mail=mail, app_url=settings.app_url)
    left = sum(1 for outcome in outcomes.values() if outcome == RETRY)
    if left:
        try_number = int(ctx.get("job_try", 1))
        if try_number < SEND_TRIES:
            raise Retry(defer=retry_delay(try_number))
        # Left SCHEDULED: the due cron queues them again once this job has ended.
        logger.warning("%d surveys not sent after %d tries", left, try_number)
    return outcomes


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
    """Cron: rows stuck mid-send go back to SCHEDULED; due surveys are queued in batches, due
    reminders one by one. Returns how many surveys and reminders were queued."""
    await release_stuck()
    queued = 0
    for block, survey_ids in send_batches(await due_survey_ids(ENQUEUE_BATCH)).items():
        if await enqueue(ctx["redis"], SEND_SURVEYS, survey_ids, key=(block,)) is not None:
            queued += len(survey_ids)
    for survey_id in await due_reminder_ids(ENQUEUE_BATCH):
        if await enqueue(ctx["redis"], SEND_REMINDER, survey_id) is not None:
            queued += 1
    return queued


# Registered with the worker: no result kept, so a block's key is free again when its job ends.
send_surveys_job = func(send_surveys, name=SEND_SURVEYS, keep_result=0)


async def expire_due_surveys(ctx: dict[str, Any]) -> int:
    return await expire_surveys()
