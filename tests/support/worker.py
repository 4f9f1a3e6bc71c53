"""Running a real arq worker in tests: burst mode drains the queue, then returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from arq.worker import Worker

from app.queue import redis_settings


async def run_worker_until_idle(functions: Sequence[Callable[..., Any]], redis_url: str) -> Worker:
    """Run every queued job with a real worker; the database must already be open (fixtures do it),
    so the worker runs without its own startup. Returns the worker for its counters."""
    worker = Worker(
        functions=list(functions),
        redis_settings=redis_settings(redis_url),
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker
