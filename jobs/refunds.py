"""Refund jobs.

- ``execute_refund(refund_id)``: carries out one intent (``app.services.refunds.execution``).
  Idempotent: a second run finds it done; a retry after a timeout reconciles before sending.
- ``requeue_stuck_refunds`` (cron): intents Redis lost (QUEUED, or EXECUTING past the job's
  time limit) are queued again; the job's claim and reconcile make a repeat harmless.

Errors (DESIGN conventions): ``RateLimited``/``Transient`` -> ``Retry`` with back-off, the intent
left EXECUTING so the next try reconciles first; ``AuthError`` -> the shop is marked for re-auth
and the intent waits (the cron picks it up); other ``Permanent`` -> FAILED with the message.
The database refusing for now (``OperationalError``: on SQLite, "database is locked" when another
process wrote in the middle of a transaction) -> ``Retry`` with back-off too: the next try finds
the intent where this one left it, and closes the return that waits for it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry
from tortoise.exceptions import OperationalError

from app.clock import utcnow
from app.models import Refund, RefundStatus, Shop
from app.services.refunds.execution import Outcome, execute
from app.services.refunds.intents import EXECUTE_REFUND, queue_execution
from app.services.returns.lifecycle import close_after_refund
from app.services.sync.platform import PlatformAccess
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from jobs.errors import backoff

logger = logging.getLogger(__name__)

EXECUTE_TIMEOUT = 120
# An EXECUTING intent untouched this long is not being worked on by any job any more.
STUCK_AFTER = timedelta(seconds=EXECUTE_TIMEOUT * 3)
REQUEUE_BATCH = 200

__all__ = ["EXECUTE_REFUND", "execute_refund", "requeue_stuck_refunds"]


async def execute_refund(ctx: dict[str, Any], refund_id: int) -> str:
    refund = await Refund.get_or_none(id=refund_id).prefetch_related("shop")
    if refund is None:
        return str(Outcome.NOTHING_TO_DO)
    shop: Shop = refund.shop
    extra = {"shop": shop.id, "refund": refund_id}
    try:
        connector = PlatformAccess.from_job_context(ctx).connector_for(shop)
        outcome = await execute(refund_id, connector)
    except RateLimited as exc:
        await _note(refund_id, f"will retry: {exc.message}")
        raise Retry(defer=timedelta(seconds=exc.retry_after)) from exc
    except Transient as exc:
        await _note(refund_id, f"will retry: {exc.message}")
        wait = backoff(int(ctx.get("job_try", 1)))
        logger.warning("refund hit a transient error; retrying", extra={**extra, "wait": round(wait, 1)})
        raise Retry(defer=timedelta(seconds=wait)) from exc
    except AuthError:
        await Shop.filter(id=shop.id).update(needs_reauth=True)
        await _note(refund_id, "the shop must be re-authorized (open the app in the store admin)")
        return "needs re-authorization"
    except Permanent as exc:
        await Refund.filter(id=refund_id, status__in=(RefundStatus.QUEUED, RefundStatus.EXECUTING)).update(
            status=RefundStatus.FAILED, error=exc.message[:2000]
        )
        logger.error("refund failed permanently", extra=extra)
        return str(Outcome.FAILED)
    except OperationalError as exc:
        if type(exc) is not OperationalError:  # a missing row, a constraint: no passing state
            raise
        raise _database_retry(ctx, extra) from exc
    logger.info("refund job done", extra={**extra, "outcome": str(outcome)})
    # Whatever this run found (sent now, reconciled, or done by a webhook before): a refund for a
    # return that has succeeded closes it.
    try:
        await close_after_refund(refund_id, ctx.get("redis"))
    except OperationalError as exc:
        if type(exc) is not OperationalError:  # a missing row, a constraint: no passing state
            raise
        raise _database_retry(ctx, extra) from exc
    return str(outcome)


def _database_retry(ctx: dict[str, Any], extra: dict[str, Any]) -> Retry:
    wait = backoff(int(ctx.get("job_try", 1)))
    logger.warning("refund job met a busy database; retrying", extra={**extra, "wait": round(wait, 1)})
    return Retry(defer=timedelta(seconds=wait))


async def requeue_stuck_refunds(ctx: dict[str, Any]) -> int:
    stuck_before = utcnow() - STUCK_AFTER
    rows = await (
        Refund.filter(
            status__in=(RefundStatus.QUEUED, RefundStatus.EXECUTING),
            updated_at__lt=stuck_before,
            idempotency_key__not_isnull=True,
            shop__needs_reauth=False,
        )
        .order_by("updated_at")
        .limit(REQUEUE_BATCH)
        .only("id")
    )
    for row in rows:
        await queue_execution(ctx["redis"], row.id)
    return len(rows)


async def _note(refund_id: int, message: str) -> None:
    await Refund.filter(id=refund_id).update(error=message[:2000])
