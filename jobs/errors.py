"""The one place sync jobs (and the sync webhook handlers) map connector errors to what happens
next (DESIGN conventions). For sync jobs (``run_mapped``):

- ``RateLimited`` -> ``Retry`` after the platform's wait; ``Transient`` -> ``Retry`` with
  exponential back-off. The run held goes back to PENDING (with the error shown meanwhile), so
  the retry can take it again; if arq runs out of tries, the resume cron queues it later.
- ``AuthError`` -> the shop is marked ``needs_reauth`` and the job stops; its runs wait, PENDING,
  for the merchant to open the app again (the crons skip shops that need re-auth).
- ``Permanent`` -> the run held is FAILED with the error (shown in the admin); not retried.
- ``LeaseLost`` -> another worker took the run over: stop quietly.

For webhook handlers that call the platform (``run_webhook_mapped``): ``RateLimited`` and
``Transient`` propagate, so that ``process_webhook`` retries the delivery with its back-off;
``AuthError`` marks the shop ``needs_reauth`` and ``Permanent`` ends the delivery FAILED with its
message. Either way the reconcile repairs the order once the shop can be read again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from arq import Retry

from app.models import Shop, SyncKind
from app.services.shops import ShopNotFound
from app.services.sync.runs import LeaseLost, fail_held, hand_back_held
from connectors.errors import AuthError, Permanent, RateLimited, Transient

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BACKOFF = 300.0


@dataclass(frozen=True)
class Stopped:
    """The job ended without its work done, for a reason that retrying now cannot change."""

    reason: str


def backoff(job_try: int) -> float:
    """5 s, 10 s, 20 s ... up to 5 minutes, with jitter so that shops do not retry in step."""
    ceiling = min(MAX_BACKOFF, 5.0 * 2 ** max(0, job_try - 1))
    return ceiling / 2 + random.random() * ceiling / 2


async def run_mapped(
    ctx: Mapping[str, Any], shop_id: int, kind: SyncKind, work: Callable[[], Awaitable[T]]
) -> T | Stopped:
    extra = {"shop_id": shop_id, "sync": str(kind)}
    try:
        return await work()
    except LeaseLost:
        logger.info("sync run taken over by another worker", extra=extra)
        return Stopped("lease lost")
    except ShopNotFound:
        return Stopped("shop not found")
    except RateLimited as exc:
        await hand_back_held(shop_id, kind, error=f"rate limited: {exc.message}")
        logger.warning("sync rate limited; retrying", extra={**extra, "wait": exc.retry_after})
        raise Retry(defer=timedelta(seconds=exc.retry_after)) from exc
    except Transient as exc:
        await hand_back_held(shop_id, kind, error=f"will retry: {exc.message}")
        wait = backoff(int(ctx.get("job_try", 1)))
        logger.warning("sync hit a transient error; retrying", extra={**extra, "wait": round(wait, 1)})
        raise Retry(defer=timedelta(seconds=wait)) from exc
    except AuthError as exc:
        await Shop.filter(id=shop_id).update(needs_reauth=True)
        await hand_back_held(
            shop_id, kind, error="the shop must be re-authorized (open the app in the store admin)"
        )
        logger.warning("sync stopped: shop needs re-authorization", extra=extra)
        return Stopped(f"needs re-authorization: {exc.message}")
    except Permanent as exc:
        await fail_held(shop_id, kind, exc.message)
        logger.error("sync failed permanently", extra={**extra, "error": type(exc).__name__})
        return Stopped(f"failed: {exc.message}")


@dataclass(frozen=True)
class WebhookFailure:
    note: str


async def run_webhook_mapped(shop_id: int, work: Callable[[], Awaitable[T]]) -> T | WebhookFailure:
    try:
        return await work()
    except AuthError:
        await Shop.filter(id=shop_id).update(needs_reauth=True)
        return WebhookFailure("the shop must be re-authorized; the reconcile repairs this afterwards")
    except (RateLimited, Transient):
        raise
    except Permanent as exc:
        return WebhookFailure(f"the platform refused: {exc.message}"[:2000])
