"""Return jobs.

- ``mirror_return(return_id)``: brings the platform's return to the state of ours
  (``app.services.returns.mirror``). Idempotent: it reads the platform first and makes only the
  calls still missing; a return already mirrored (or never to be) is nothing to do.
- ``requeue_pending_mirrors`` (cron): mirrors still PENDING a while after their last change (Redis
  lost the job, or arq gave up on it) are queued again; the job's idempotence makes that harmless.

Errors (DESIGN conventions): ``RateLimited``/``Transient`` -> ``Retry`` with back-off, the mirror
left PENDING with the message shown meanwhile; ``AuthError`` -> the shop is marked for re-auth and
the mirror waits, PENDING; other ``Permanent`` (userErrors included) -> FAILED with the message,
shown on the return page and Home.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import timedelta
from typing import Any

from arq import Retry
from redis.exceptions import LockError

from app.clock import utcnow
from app.models import MirrorState, Return, Shop
from app.queue import enqueue
from app.services.returns.mirror import SHOPIFY, Mirrored, fail_mirror, mirror, note_mirror
from app.services.returns.records import MIRROR_RETURN
from app.services.sync.platform import PlatformAccess, keeps_returns
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from jobs.errors import backoff

logger = logging.getLogger(__name__)

# Two jobs for one return (its next state queued while the last one runs) take turns.
LOCK_SECONDS = 120
PLATFORM = SHOPIFY  # the seam tests replace

# A mirror job normally ends within seconds; one PENDING this long after its change is not queued.
STUCK_AFTER = timedelta(minutes=5)
REQUEUE_EVERY = timedelta(minutes=10)
REQUEUE_BATCH = 200

__all__ = ["MIRROR_RETURN", "mirror_return", "requeue_pending_mirrors"]


async def mirror_return(ctx: dict[str, Any], return_id: int) -> str:
    row = await Return.get_or_none(id=return_id).prefetch_related("shop")
    if row is None:
        return str(Mirrored.NOTHING_TO_DO)
    shop: Shop = row.shop
    extra = {"shop": shop.id, "return": return_id}
    if not keeps_returns(shop):
        await Return.filter(id=return_id).update(mirror_state=MirrorState.NOT_APPLICABLE, mirror_error=None)
        return str(Mirrored.NOT_APPLICABLE)
    lock = ctx["redis"].lock(f"lock:{MIRROR_RETURN}:{return_id}", timeout=LOCK_SECONDS, blocking=False)
    if not await lock.acquire():
        raise Retry(defer=timedelta(seconds=backoff(int(ctx.get("job_try", 1)))))
    try:
        client = PlatformAccess.from_job_context(ctx).client_for(shop)
        outcome = await mirror(return_id, client, PLATFORM)
    except RateLimited as exc:
        await note_mirror(return_id, f"will retry: {exc.message}")
        raise Retry(defer=timedelta(seconds=exc.retry_after)) from exc
    except Transient as exc:
        await note_mirror(return_id, f"will retry: {exc.message}")
        wait = backoff(int(ctx.get("job_try", 1)))
        logger.warning(
            "return mirror hit a transient error; retrying", extra={**extra, "wait": round(wait, 1)}
        )
        raise Retry(defer=timedelta(seconds=wait)) from exc
    except AuthError:
        await Shop.filter(id=shop.id).update(needs_reauth=True)
        await note_mirror(return_id, "the shop must be re-authorized (open the app in the store admin)")
        return "needs re-authorization"
    except Permanent as exc:
        await fail_mirror(return_id, exc.message)
        logger.error("return mirror failed permanently", extra=extra)
        return str(Mirrored.FAILED)
    finally:
        with suppress(LockError):  # held past its timeout: another run may own it now
            await lock.release()
    logger.info("return mirror done", extra={**extra, "outcome": str(outcome)})
    return str(outcome)


async def requeue_pending_mirrors(ctx: dict[str, Any]) -> int:
    now = utcnow()
    # One more try per return per REQUEUE_EVERY: a slot in the job id, because arq keeps a
    # finished job's id for an hour and would drop a re-enqueue under the same one.
    slot = int(now.timestamp() // REQUEUE_EVERY.total_seconds())
    stuck = (
        await Return.filter(mirror_state=MirrorState.PENDING, updated_at__lt=now - STUCK_AFTER)
        .order_by("updated_at")
        .limit(REQUEUE_BATCH)
        .values_list("id", flat=True)
    )
    queued = 0
    for return_id in stuck:
        queued += (
            await enqueue(ctx["redis"], MIRROR_RETURN, return_id, key=(return_id, f"requeue-{slot}"))
            is not None
        )
    if queued:
        logger.info("re-queued %d return mirror(s)", queued)
    return queued
