"""Sending due surveys exactly once in all but one crash window, a batch over one SMTP connection.

A batch (``deliver_surveys``) first **claims** its due rows (SCHEDULED → SENDING) in one
conditional UPDATE that returns the rows it won (``claims``): a retried or doubled job, or two
jobs given overlapping batches, find them claimed and never send them. Then it reads what the
send-time checks need in one query per table, takes the customers' throttle slots in one
statement, and sends the survivors one by one over one connection (``MailSession``). Each row
becomes SENT as soon as the SMTP server has accepted its message.

The crash window — the process dies after the server accepted a message and before its SENT is
written — is one survey per connection, and is resolved toward **at-least-once**:
``release_stuck`` puts a row left in SENDING longer than any job can run back to SCHEDULED, and it
is sent again with the same Message-ID (which providers use to fold copies). We chose this because
DESIGN invariant 4 says a crash loses no scheduled survey; the alternative (never retry a SENDING
row) silently drops surveys. Rows claimed but not yet sent at a crash are released the same way
and sent once. Send-time checks repeat the suppression rules: the world may have changed since
planning (a batch reads the facts once, a second or two before its last send).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from app.clock import utcnow
from app.models import Customer, Survey, SurveyStatus
from app.services.mail import (
    MailServerUnreachable,
    MailSession,
    PermanentMailError,
    TransientMailError,
    send_email,
)
from app.services.surveys.claims import claim_surveys, take_throttle_slots
from app.services.surveys.message import build_survey_email
from app.services.surveys.send_checks import Facts, Stop, facts_for, send_time_stop
from app.services.timeline import entry_row, record_entries

logger = logging.getLogger(__name__)

SEND_SURVEYS = "send_surveys"  # job names, enqueued by crons without importing jobs
SEND_REMINDER = "send_survey_reminder"
RETRY = "retry"  # an outcome: still SCHEDULED after a mail server failure; worth another try
REMINDER_AFTER = timedelta(days=3)
# Longer than the worker's job timeout (300 s): a row still SENDING after this has no live job.
STUCK_AFTER = timedelta(minutes=15)


async def deliver_surveys(survey_ids: Sequence[int], *, mail: MailSession, app_url: str) -> dict[int, str]:
    """Send the due surveys among ``survey_ids`` over ``mail``. The outcome of each id: the status
    it ends in ("sent", "suppressed", "canceled"), the status another job left it in ("sending",
    "sent", ...), "not_due", "gone", or ``RETRY``."""
    now = utcnow()
    wanted = list(dict.fromkeys(survey_ids))
    found = {s.id: s for s in await Survey.filter(id__in=wanted)}
    outcomes: dict[int, str] = {}
    for survey_id in wanted:
        survey = found.get(survey_id)
        if survey is None:
            outcomes[survey_id] = "gone"
        elif survey.status != SurveyStatus.SCHEDULED:
            outcomes[survey_id] = survey.status.value  # sent, claimed by another job...: never twice
        elif survey.due_at > now:
            outcomes[survey_id] = "not_due"
    candidates = [i for i in wanted if i not in outcomes]
    won = await claim_surveys(candidates, now)
    lost = [i for i in candidates if i not in won]
    if lost:  # claimed by another job since we read them
        outcomes.update({s.id: s.status.value for s in await Survey.filter(id__in=lost).only("id", "status")})
    claimed = [found[i] for i in candidates if i in won]
    facts = await facts_for(claimed)
    cleared = await _checked(claimed, facts, now, outcomes)
    await _send_each(cleared, facts, mail, app_url, now, outcomes)
    # Also those a killed try of this job sent: their entries were to be written at its end.
    await _record_sent(await Survey.filter(id__in=wanted, status=SurveyStatus.SENT))
    return outcomes


async def deliver_survey(survey_id: int, *, smtp_url: str, app_url: str) -> str:
    """One survey on its own connection (``deliver_surveys`` for a batch of one)."""
    async with MailSession(smtp_url) as mail:
        return (await deliver_surveys([survey_id], mail=mail, app_url=app_url))[survey_id]


async def _checked(
    claimed: list[Survey], facts: Facts, now: datetime, outcomes: dict[int, str]
) -> list[Survey]:
    """The claimed surveys that pass the send-time checks and get their customer's throttle slot
    (one survey per customer per ``throttle_days``, across kinds); the others are finished."""
    stops: dict[Stop, list[int]] = {}
    passed: list[Survey] = []
    for survey in claimed:
        stop = send_time_stop(survey, facts, now)
        if stop is None:
            passed.append(survey)
        else:
            stops.setdefault(stop, []).append(survey.id)
    windows: dict[int, set[int]] = {}  # throttle days → customers
    for survey in passed:
        days = facts.settings[survey.shop_id].throttle_days  # type: ignore[attr-defined]
        if survey.customer_id is not None and days > 0:  # type: ignore[attr-defined]
            windows.setdefault(days, set()).add(survey.customer_id)  # type: ignore[attr-defined]
    slots: set[int] = set()
    for days, customer_ids in windows.items():
        slots |= await take_throttle_slots(customer_ids, now - timedelta(days=days), now)
    cleared: list[Survey] = []
    for survey in passed:
        days = facts.settings[survey.shop_id].throttle_days  # type: ignore[attr-defined]
        customer_id = survey.customer_id  # type: ignore[attr-defined]
        if customer_id is None or days <= 0:
            cleared.append(survey)
        elif customer_id in slots:
            slots.discard(customer_id)  # a second survey for this customer in the batch waits
            cleared.append(survey)
        else:
            stops.setdefault(
                (SurveyStatus.SUPPRESSED, f"suppressed: surveyed within {days} days"), []
            ).append(survey.id)
    for (status, reason), ids in stops.items():
        await _finish(ids, status, reason)
        outcomes.update(dict.fromkeys(ids, status.value))
    return cleared


async def _send_each(
    surveys: list[Survey],
    facts: Facts,
    mail: MailSession,
    app_url: str,
    now: datetime,
    outcomes: dict[int, str],
) -> None:
    for n, survey in enumerate(surveys):
        shop = facts.shops[survey.shop_id]  # type: ignore[attr-defined]
        log = {"shop": shop.id, "survey_id": survey.id}
        try:
            await mail.send(build_survey_email(shop, survey, app_url))
        except MailServerUnreachable as exc:
            left = surveys[n:]
            await _release(left, now)
            outcomes.update(dict.fromkeys((s.id for s in left), RETRY))
            logger.warning("%s; %d surveys left for a retry", exc, len(left), extra=log)
            return
        except TransientMailError as exc:
            await _release([survey], now)
            outcomes[survey.id] = RETRY
            logger.warning("survey not sent: %s", exc, extra=log)
        except PermanentMailError as exc:
            await _finish([survey.id], SurveyStatus.CANCELED, f"not sent: the mail server refused it ({exc})")
            outcomes[survey.id] = SurveyStatus.CANCELED.value
            logger.warning("survey refused by the SMTP server", extra=log)
        else:
            await _mark_sent(survey, facts, utcnow())
            outcomes[survey.id] = SurveyStatus.SENT.value


async def _finish(survey_ids: list[int], status: SurveyStatus, reason: str) -> None:
    await Survey.filter(id__in=survey_ids, status=SurveyStatus.SENDING).update(
        status=status, decision=reason[:255], updated_at=utcnow()
    )


async def _release(surveys: list[Survey], claimed_at: datetime) -> None:
    """The server did not take them: back to SCHEDULED, and the throttle slots given back."""
    await Survey.filter(id__in=[s.id for s in surveys], status=SurveyStatus.SENDING).update(
        status=SurveyStatus.SCHEDULED
    )
    customer_ids = [s.customer_id for s in surveys if s.customer_id is not None]  # type: ignore[attr-defined]
    if customer_ids:
        # Only the slots still ours; an earlier date was outside the window anyway.
        await Customer.filter(id__in=customer_ids, last_surveyed_at=claimed_at).update(last_surveyed_at=None)


async def _mark_sent(survey: Survey, facts: Facts, now: datetime) -> None:
    settings = facts.settings[survey.shop_id]  # type: ignore[attr-defined]
    await Survey.filter(id=survey.id, status=SurveyStatus.SENDING).update(
        status=SurveyStatus.SENT,
        sent_at=now,
        expires_at=now + timedelta(days=settings.expiry_days),
        reminder_due_at=now + REMINDER_AFTER if settings.reminder else None,
        decision="sent",
        updated_at=now,
    )


async def _record_sent(surveys: list[Survey]) -> None:
    """The customers' timeline entries, one statement for the batch (an upsert: writing one twice
    changes nothing)."""
    await record_entries(
        [
            entry_row(
                survey.shop_id,  # type: ignore[attr-defined]
                survey.customer_id,  # type: ignore[attr-defined]
                "survey.sent",
                "survey",
                str(survey.id),
                summary=f"{survey.kind.value.upper()} survey sent",
                occurred_at=survey.sent_at,
                order_id=survey.order_id,  # type: ignore[attr-defined]
            )
            for survey in surveys
            if survey.customer_id is not None and survey.sent_at is not None  # type: ignore[attr-defined]
        ]
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
    facts = await facts_for([survey])
    shop = facts.shops[survey.shop_id]  # type: ignore[attr-defined]
    if not facts.settings[shop.id].reminder or send_time_stop(survey, facts, now) is not None:
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
