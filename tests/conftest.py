"""Fixtures for the whole suite: real Redis, real databases (SQLite and PostgreSQL), the app.

Every test that touches the database runs once per database: ``database_url`` is parametrized
over ``sqlite`` and ``postgres``. PostgreSQL is a throwaway ``initdb`` cluster; where it cannot be
had, those runs skip — or fail under ``--require=postgres`` (as in CI).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from arq import ArqRedis
from starlette.applications import Starlette

from app.db import close_database, open_database
from app.embedded.postgres import ThrowawayPostgres, find_pg_bin
from app.embedded.redis import EmbeddedRedis
from app.main import create_app
from app.migrations import apply_migrations
from app.queue import open_queue
from app.settings import Settings, load_settings
from tests.support.asgi import serve_in_process
from tests.support.database import empty_all_tables
from tests.support.requirements import PARTS, missing

PLATFORM_URL = "http://platform.test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require",
        default="",
        help=f"comma-separated real parts that must be available ({', '.join(PARTS)}); "
        "their tests fail instead of skipping when missing",
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[ThrowawayPostgres]:
    if find_pg_bin() is None:
        missing(request.config, "postgres", "initdb/pg_ctl not found")
    server = ThrowawayPostgres()
    try:
        server.start()
    except Exception as exc:
        server.stop()
        missing(request.config, "postgres", f"could not start a cluster: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database of each dialect, shared by the session (emptied after each test)."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('sqlite') / 'aftercare.sqlite3'}"
    else:
        server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
        url = server.create_database("aftercare_test")
    asyncio.run(apply_migrations(url))
    return url


@pytest.fixture
def settings_env() -> dict[str, str]:
    """Extra environment for ``settings``; a test folder overrides it (e.g. known client secrets)."""
    return {}


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path, settings_env: dict[str, str]) -> Settings:
    return load_settings(
        {
            "AFTERCARE_PLATFORM_URL": PLATFORM_URL,
            "AFTERCARE_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SHOPIFY_APP_URL": "https://aftercare.test",
            **settings_env,
        }
    )


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[ArqRedis]:
    """The session Redis, emptied before and after: job ids repeat across tests (row ids restart)."""
    pool = open_queue(redis_url)
    await pool.flushdb()
    try:
        yield pool
    finally:
        await pool.flushdb()
        await pool.aclose()


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """The ORM, open on the test database, without the web app."""
    await open_database(settings.database_url)
    try:
        yield settings
    finally:
        await empty_all_tables(settings.database_url)
        await close_database()


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
async def client(app: Starlette, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app, with its lifespan running (database, Redis, HTTP client open)."""
    async with serve_in_process(app) as client:
        try:
            yield client
        finally:
            await empty_all_tables(settings.database_url)
