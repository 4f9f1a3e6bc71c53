"""Delivering a survey answer to the merchant's webhook: retried with back-off on 5xx, 429 and
timeouts (bounded), given up at once on 4xx, the failure recorded in the audit log."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry

from app.models import Shop, SurveyResponse
from app.queue import job_id
from app.services import audit
from app.services.outgoing_webhooks import (
    DELIVER_SURVEY_ANSWER,
    Attempt,
    Outcome,
    answered_at_matches,
    encode,
    endpoint_of,
    payload_of,
    post,
    stamp,
)
from app.services.shops import token_cipher

logger = logging.getLogger(__name__)

# 30 s, 2 min, 4.5 min, 8 min, 12.5 min, 18 min, 24.5 min: about 70 minutes over 8 tries.
DELIVERY_TRIES = 8


def retry_delay(try_number: int) -> timedelta:
    return timedelta(seconds=30 * try_number**2)


async def deliver_survey_answer(ctx: dict[str, Any], response_id: int, answered_at_iso: str) -> str:
    """One answer to the shop's endpoint; returns what happened (for the job result and tests)."""
    settings = ctx["settings"]
    response = await SurveyResponse.filter(id=response_id).only("id", "shop_id", "answered_at").first()
    if response is None:
        return "gone"
    if not answered_at_matches(response.answered_at, answered_at_iso):
        # The shopper changed the answer since: that answer's own job sends the current one.
        return "superseded"
    shop = await Shop.get(id=response.shop_id)  # type: ignore[attr-defined]
    endpoint = endpoint_of(shop, token_cipher(settings))
    found = await payload_of(response_id)
    if endpoint is None or found is None:
        return "not configured"
    delivery = job_id(DELIVER_SURVEY_ANSWER, response_id, answered_at_iso)
    sent_at = stamp()
    attempt = await post(
        ctx["http"],
        endpoint,
        encode(found[1], sent_at),
        sent_at=sent_at,
        delivery_id=delivery,
        production=settings.production,
    )
    try_number = int(ctx.get("job_try", 1))
    extra = {"shop": shop.id, "response_id": response_id, "try": try_number}
    if attempt.outcome is Outcome.DELIVERED:
        logger.info("survey webhook delivered (%s)", attempt.detail, extra=extra)
        return attempt.outcome.value
    if attempt.outcome is Outcome.RETRY and try_number < DELIVERY_TRIES:
        logger.info("survey webhook not delivered yet (%s)", attempt.detail, extra=extra)
        raise Retry(defer=retry_delay(try_number))
    await _record_failure(shop.id, response_id, attempt, try_number)
    return "failed"


async def _record_failure(shop_id: int, response_id: int, attempt: Attempt, tries: int) -> None:
    # The URL is the merchant's; the body holds personal data and is not kept.
    logger.warning("survey webhook failed: %s", attempt.detail, extra={"shop": shop_id})
    await audit.record(
        "outgoing_webhook.failed",
        shop_id=shop_id,
        subject_type="survey_response",
        subject_id=str(response_id),
        data={
            "outcome": attempt.outcome.value,
            "detail": attempt.detail,
            "status_code": attempt.status_code,
            "tries": tries,
        },
    )
