"""Running a real arq worker in tests: burst mode drains the queue, then returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from arq.worker import Function, Worker

from app.queue import redis_settings


async def run_worker_until_idle(
    functions: Sequence[Function | Callable[..., Any]], redis_url: str, ctx: dict[str, Any] | None = None
) -> Worker:
    """Run every queued job with a real worker; the database must already be open (fixtures do it),
    so the worker runs without its own startup (``ctx`` stands in for what it would put there).
    Returns the worker for its counters."""
    worker = Worker(
        functions=list(functions),
        redis_settings=redis_settings(redis_url),
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        ctx=ctx,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker
