"""``signed_payload_jwt`` ids (``jti``) used once: a captured load URL or callback cannot be replayed.

Each accepted ``jti`` is kept in Redis (shared by every web process) until its payload expires; a
second use within that time is refused. ``SET NX`` decides between concurrent requests.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from redis.asyncio import Redis

from connectors.bigcommerce.signed_payload import LEEWAY_SECONDS, SignedPayload

KEY_PREFIX = "aftercare:bc-jti"
# Payloads live 24 h (callbacks.mdx); never keep a key longer than a little past that.
MAX_KEEP_SECONDS = 2 * 24 * 3600


def _key(jti: str) -> str:
    # The jti is signed but its length is BigCommerce's; a digest keeps the key short and fixed.
    return f"{KEY_PREFIX}:{hashlib.sha256(jti.encode()).hexdigest()}"


async def claim_jti(redis: Redis, payload: SignedPayload, *, now: datetime) -> bool:
    """True the first time this payload's ``jti`` is seen; False on a replay.

    Raises ``redis.exceptions.RedisError``/``OSError`` when Redis cannot answer (no claim made)."""
    keep = int((payload.expires_at - now).total_seconds()) + LEEWAY_SECONDS + 1
    keep = min(max(keep, LEEWAY_SECONDS + 1), MAX_KEEP_SECONDS)
    return bool(await redis.set(_key(payload.jti), "1", nx=True, ex=keep))


async def release_jti(redis: Redis, payload: SignedPayload) -> None:
    """Undo a claim whose work failed, so that BigCommerce's retry of the same payload is accepted."""
    await redis.delete(_key(payload.jti))
