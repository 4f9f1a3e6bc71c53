"""Fixed-window request counters in Redis (INCR + EXPIRE), shared by every web process."""

from __future__ import annotations

import logging

from arq import ArqRedis

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 600
PER_TOKEN = 30  # one shopper clicking around their own survey stays far below this
PER_IP = 120  # a household or office behind one address, several surveys each


async def allow(queue: ArqRedis, key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Whether this request is within ``limit`` per ``window``. If Redis is down the page still
    works (a shopper must not see an error because our queue is restarting): fail open, logged."""
    try:
        async with queue.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.ttl(key)
            count, ttl = await pipe.execute()
        if int(ttl) < 0:  # a new counter (or one whose EXPIRE was lost): the window starts now
            await queue.expire(key, window)
    except Exception:
        logger.warning("rate limit counter unavailable; allowing the request")
        return True
    return int(count) <= limit
