"""Fixtures for install, token and embedded-request tests: the shared HTTP client, Redis, and an
app with two admin routes behind ``EmbeddedAdminMiddleware``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from app import clock
from app.auth.embedded import EMBEDDED_ADMIN, embedded_session
from app.main import create_app
from app.platform_http import build_http_client
from app.services.shops import ShopTokens
from app.settings import Settings
from tests.conftest import PLATFORM_URL
from tests.support.asgi import serve_in_process
from tests.support.database import empty_all_tables


async def admin_page(request: Request) -> HTMLResponse:
    session = embedded_session(request)
    return HTMLResponse(f"<h1>{session.shop.domain}</h1><p>staff {session.staff.platform_user_id}</p>")


async def admin_api(request: Request) -> JSONResponse:
    session = embedded_session(request)
    if request.query_params.get("fail") == "404":
        raise HTTPException(404, "no such return")
    return JSONResponse(
        {"shop_id": session.shop.id, "shop": session.shop.domain, "staff": session.staff.platform_user_id}
    )


@pytest.fixture
def app(settings: Settings) -> Starlette:
    app = create_app(settings)
    app.router.routes.extend(
        [
            Route("/admin-test", admin_page, middleware=EMBEDDED_ADMIN),
            Route("/admin-test/api", admin_api, middleware=EMBEDDED_ADMIN),
        ]
    )
    return app


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with build_http_client(PLATFORM_URL) as client:
        yield client


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def tokens(db: Settings, http: httpx.AsyncClient, redis: Redis) -> ShopTokens:
    return ShopTokens(db, http, redis)


@pytest.fixture
async def https_client(app: Starlette, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Like ``client``, over https: the BigCommerce session cookie is ``Secure``."""
    async with serve_in_process(app, base_url="https://testserver") as client:
        try:
            yield client
        finally:
            await empty_all_tables(settings.database_url)
