"""The job queue (arq on Redis) as the web app sees it: a pool, deterministic job ids, enqueue.

The web side enqueues jobs by name and never imports ``jobs`` (the arrows point the other way).
"""

from __future__ import annotations

import asyncio
from typing import Any

from arq import ArqRedis
from arq.connections import RedisSettings
from arq.jobs import Job

from app.settings import Settings


def embedded_redis_folder(settings: Settings) -> str:
    return str(settings.var_dir / "redis")


def redis_url(settings: Settings) -> str:
    """``REDIS_URL``, or the embedded server's socket under ``var/`` (started by the CLI)."""
    return settings.redis_url or f"unix://{embedded_redis_folder(settings)}/redis.sock"


def redis_settings(url: str) -> RedisSettings:
    """For the worker, which waits for Redis at start-up (arq retries the connection)."""
    return RedisSettings.from_dsn(url)


def open_queue(url: str) -> ArqRedis:
    """For the web app: connects lazily and fails fast, so the app starts (and ``/readyz`` says
    503) while Redis is down, and no request hangs on it."""
    return ArqRedis.from_url(url, socket_connect_timeout=1, socket_timeout=5)


async def queue_answers(pool: ArqRedis, within: float = 1.0) -> bool:
    try:
        return bool(await asyncio.wait_for(pool.ping(), within))
    except Exception:
        return False


def job_id(function: str, *parts: object) -> str:
    """The one way to name a job: the same work always gets the same id, so arq runs it once."""
    return ":".join([function, *(str(p) for p in parts)])


async def enqueue(
    pool: ArqRedis, function: str, *args: Any, key: tuple[object, ...] = (), **kwargs: Any
) -> Job | None:
    """Enqueue ``function(*args)`` under ``job_id(function, *key)``; ``None`` if already queued."""
    return await pool.enqueue_job(function, *args, _job_id=job_id(function, *(key or args)), **kwargs)
