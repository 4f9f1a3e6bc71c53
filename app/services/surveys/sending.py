"""Sending a due survey (and its one reminder) exactly once in all but one crash window.

A send first **claims** the row with a conditional UPDATE (SCHEDULED → SENDING): a retried or
doubled job finds it claimed and returns without sending. After the SMTP server accepts, the row
becomes SENT. The crash window — the process dies after the server accepted and before SENT is
written — is resolved toward **at-least-once**: ``release_stuck`` puts a row left in SENDING
longer than any job can run back to SCHEDULED, and it is sent again with the same Message-ID
(which providers use to fold copies). We chose this because DESIGN invariant 4 says a crash loses
no scheduled survey; the alternative (never retry a SENDING row) silently drops surveys.
Send-time checks repeat the suppression rules: the world may have changed since planning.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.expressions import Q

from app.clock import utcnow
from app.models import (
    Customer,
    Order,
    Refund,
    RefundStatus,
    Return,
    ReturnStatus,
    Shop,
    Survey,
    SurveyStatus,
    SurveyTrigger,
)
from app.services.mail import PermanentMailError, TransientMailError, send_email
from app.services.settings import SurveySettings, settings_of
from app.services.surveys import rules
from app.services.surveys.message import build_survey_email
from app.services.timeline import record_entry

logger = logging.getLogger(__name__)

SEND_SURVEY = "send_survey"  # job names, enqueued by crons without importing jobs
SEND_REMINDER = "send_survey_reminder"
REMINDER_AFTER = timedelta(days=3)
# Longer than the worker's job timeout (300 s): a row still SENDING after this has no live job.
STUCK_AFTER = timedelta(minutes=15)


async def deliver_survey(survey_id: int, *, smtp_url: str, app_url: str) -> str:
    """Send one due survey; returns the status it ends in (or "gone"/"not_due").
    Raises ``TransientMailError`` (row back to SCHEDULED) or ``PermanentMailError`` (CANCELED)."""
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None:
        return "gone"
    if survey.status != SurveyStatus.SCHEDULED:
        return survey.status.value  # sent, claimed by another job, suppressed...: never twice
    now = utcnow()
    if survey.due_at > now:
        return "not_due"
    claimed = await Survey.filter(id=survey_id, status=SurveyStatus.SCHEDULED).update(
        status=SurveyStatus.SENDING, updated_at=now
    )
    if not claimed:
        return (await Survey.get(id=survey_id)).status.value
    shop = await Shop.get(id=survey.shop_id)  # type: ignore[attr-defined]
    settings = settings_of(shop).surveys
    stop = await _send_time_stop(shop, survey)
    if stop is None:
        stop = await _take_throttle(survey, settings, now)
    if stop is not None:
        status, reason = stop
        await _finish(survey_id, status, reason)
        return status.value
    try:
        await send_email(smtp_url, build_survey_email(shop, survey, app_url))
    except TransientMailError:
        await _release(survey, now)
        raise
    except PermanentMailError as exc:
        await _finish(survey_id, SurveyStatus.CANCELED, f"not sent: the mail server refused it ({exc})")
        raise
    await _mark_sent(shop, survey, settings, now)
    return SurveyStatus.SENT.value


async def _send_time_stop(shop: Shop, survey: Survey) -> tuple[SurveyStatus, str] | None:
    if not shop.is_active:
        return SurveyStatus.CANCELED, "canceled: the app was uninstalled"
    if not survey.email:
        return SurveyStatus.CANCELED, "canceled: no email address"
    order = await Order.get_or_none(id=survey.order_id) if survey.order_id else None  # type: ignore[attr-defined]
    if order is None:
        return SurveyStatus.CANCELED, "canceled: the order is gone"
    reason = rules.order_reason(order, utcnow(), settings_of(shop).surveys, check_age=False)
    if reason:
        return SurveyStatus.SUPPRESSED, reason
    customer = await Customer.get_or_none(id=survey.customer_id) if survey.customer_id else None  # type: ignore[attr-defined]
    if customer is not None and customer.unsubscribed_at is not None:
        return SurveyStatus.SUPPRESSED, "suppressed: the customer unsubscribed from surveys"
    if customer is not None and customer.redacted_at is not None:
        return SurveyStatus.CANCELED, "canceled: the customer's data was redacted"
    if survey.trigger == SurveyTrigger.DELIVERY:
        reason = await rules.open_return_reason(order.id)
        return (SurveyStatus.SUPPRESSED, reason) if reason else None
    kind, _, subject_id = survey.subject_key.partition(":")
    if kind == "return":
        closed = await Return.filter(id=int(subject_id), status=ReturnStatus.CLOSED).exists()
        return None if closed else (SurveyStatus.CANCELED, "canceled: the return was reopened")
    if kind == "refund":
        ok = await Refund.filter(id=int(subject_id), status=RefundStatus.SUCCEEDED).exists()
        return None if ok else (SurveyStatus.CANCELED, "canceled: the refund did not go through")
    return None


async def _take_throttle(
    survey: Survey, settings: SurveySettings, now: datetime
) -> tuple[SurveyStatus, str] | None:
    """One survey per customer per ``throttle_days``, across kinds: taken atomically on the
    customer row, so two surveys sent at once for one customer cannot both pass."""
    customer_id = survey.customer_id  # type: ignore[attr-defined]
    if customer_id is None or settings.throttle_days <= 0:
        return None
    window_start = now - timedelta(days=settings.throttle_days)
    taken = await Customer.filter(
        Q(last_surveyed_at__isnull=True) | Q(last_surveyed_at__lte=window_start), id=customer_id
    ).update(last_surveyed_at=now)
    if taken:
        return None
    return SurveyStatus.SUPPRESSED, f"suppressed: surveyed within {settings.throttle_days} days"


async def _finish(survey_id: int, status: SurveyStatus, reason: str) -> None:
    await Survey.filter(id=survey_id, status=SurveyStatus.SENDING).update(
        status=status, decision=reason[:255], updated_at=utcnow()
    )


async def _release(survey: Survey, claimed_at: datetime) -> None:
    """The server did not take it: back to SCHEDULED, and the throttle slot given back."""
    await Survey.filter(id=survey.id, status=SurveyStatus.SENDING).update(status=SurveyStatus.SCHEDULED)
    customer_id = survey.customer_id  # type: ignore[attr-defined]
    if customer_id is not None:
        # Only if the slot is still ours; the earlier date was outside the window anyway.
        await Customer.filter(id=customer_id, last_surveyed_at=claimed_at).update(last_surveyed_at=None)


async def _mark_sent(shop: Shop, survey: Survey, settings: SurveySettings, now: datetime) -> None:
    await Survey.filter(id=survey.id, status=SurveyStatus.SENDING).update(
        status=SurveyStatus.SENT,
        sent_at=now,
        expires_at=now + timedelta(days=settings.expiry_days),
        reminder_due_at=now + REMINDER_AFTER if settings.reminder else None,
        decision="sent",
        updated_at=now,
    )
    customer_id = survey.customer_id  # type: ignore[attr-defined]
    if customer_id is not None:
        await record_entry(
            shop.id,
            customer_id,
            "survey.sent",
            "survey",
            str(survey.id),
            summary=f"{survey.kind.value.upper()} survey sent",
            occurred_at=now,
            order_id=survey.order_id,  # type: ignore[attr-defined]
        )


async def deliver_reminder(survey_id: int, *, smtp_url: str, app_url: str) -> str:
    """The one reminder, if still unanswered and reminders are on. Claimed by setting
    ``reminder_sent_at`` first: a reminder is a nicety, so at-most-once is the right side here."""
    now = utcnow()
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None or survey.status != SurveyStatus.SENT or survey.reminder_sent_at is not None:
        return "skipped"
    if survey.reminder_due_at is None or survey.reminder_due_at > now:
        return "skipped"
    if survey.expires_at is not None and survey.expires_at <= now:
        return "skipped"
    shop = await Shop.get(id=survey.shop_id)  # type: ignore[attr-defined]
    if not settings_of(shop).surveys.reminder or await _send_time_stop(shop, survey) is not None:
        await Survey.filter(id=survey_id, reminder_sent_at=None).update(reminder_due_at=None)
        return "skipped"
    claimed = await Survey.filter(id=survey_id, status=SurveyStatus.SENT, reminder_sent_at=None).update(
        reminder_sent_at=now
    )
    if not claimed:
        return "skipped"
    try:
        await send_email(smtp_url, build_survey_email(shop, survey, app_url, reminder=True))
    except TransientMailError:
        await Survey.filter(id=survey_id, reminder_sent_at=now).update(reminder_sent_at=None)
        raise
    return "reminded"


async def due_survey_ids(limit: int) -> list[int]:
    """From the ``(status, due_at)`` index: the cost follows due work, not the number of rows."""
    ids = (
        await Survey.filter(status=SurveyStatus.SCHEDULED, due_at__lte=utcnow())
        .order_by("due_at", "id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return [int(str(i)) for i in ids]


async def due_reminder_ids(limit: int) -> list[int]:
    ids = (
        await Survey.filter(status=SurveyStatus.SENT, reminder_due_at__lte=utcnow(), reminder_sent_at=None)
        .order_by("id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return [int(str(i)) for i in ids]


async def release_stuck() -> int:
    """Rows claimed but never finished (the worker died mid-send) go back to SCHEDULED."""
    return await Survey.filter(status=SurveyStatus.SENDING, updated_at__lt=utcnow() - STUCK_AFTER).update(
        status=SurveyStatus.SCHEDULED
    )


async def expire_surveys() -> int:
    """Sent and unanswered past their expiry: EXPIRED (answered ones keep their status)."""
    return await Survey.filter(status=SurveyStatus.SENT, expires_at__lte=utcnow()).update(
        status=SurveyStatus.EXPIRED, reminder_due_at=None
    )
