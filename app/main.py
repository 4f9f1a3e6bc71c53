"""``create_app()``: the ASGI app, assembled from declarative lists."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from admin_ui import routes as admin_routes
from app import health
from app.auth import routes as auth_routes
from app.db import close_database, open_database
from app.errors import EXCEPTION_HANDLERS
from app.middleware import SecurityHeadersMiddleware
from app.platform_http import build_http_client
from app.public import routes as public_routes
from app.queue import open_queue, redis_url
from app.settings import Settings, load_settings, require_serving_settings
from app.webhooks import routes as webhook_routes

logger = logging.getLogger(__name__)

ROUTES: list[BaseRoute] = [
    *health.routes,
    *auth_routes.routes,
    *webhook_routes.routes,
    *admin_routes.routes,
    *public_routes.routes,
]

MIDDLEWARE: list[Middleware] = [
    Middleware(SecurityHeadersMiddleware),
]


def create_app(
    settings: Settings | None = None, *, platform_transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """Build the app. ``platform_transport`` lets tests put respx or the devstore under the client."""
    settings = settings or load_settings()
    require_serving_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        await open_database(settings.database_url)
        http = build_http_client(
            settings.platform_url, platform_transport, timeout=settings.platform_http_timeout
        )
        queue = open_queue(redis_url(settings))
        logger.info("aftercare started", extra={"production": settings.production})
        try:
            yield {"settings": settings, "http": http, "queue": queue}
        finally:
            await queue.aclose()
            await http.aclose()
            await close_database()

    app = Starlette(
        routes=ROUTES,
        middleware=MIDDLEWARE,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
