"""``/healthz``: the process answers. ``/readyz``: the database and Redis answer too (503 if not)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.db import database_answers
from app.queue import queue_answers


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    database, redis = await asyncio.gather(
        database_answers(request.state.settings.database_url), queue_answers(request.state.queue)
    )
    checks = {"database": "ok" if database else "down", "redis": "ok" if redis else "down"}
    ready = database and redis
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )


routes = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/readyz", readyz, methods=["GET", "HEAD"]),
]
