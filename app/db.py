"""The one Tortoise ORM configuration, shared by the app, the worker, migrations and tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise

MODEL_MODULES = ["app.models", "aerich.models"]
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def dialect_of(database_url: str) -> str:
    """``sqlite`` or ``postgres``: migrations are kept per dialect because aerich writes raw SQL."""
    return "sqlite" if urlsplit(database_url).scheme == "sqlite" else "postgres"


def connection_name(database_url: str) -> str:
    """Named after the dialect: Tortoise caches compiled SQL per connection name for the whole
    process, so one process that uses SQLite and then PostgreSQL (the test suite) needs two names."""
    return dialect_of(database_url)


def tortoise_config(database_url: str) -> dict[str, Any]:
    if dialect_of(database_url) == "sqlite":
        path = database_url.removeprefix("sqlite://")
        if path not in {":memory:", ""}:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web process read while the worker writes; busy_timeout waits for the lock
        # instead of failing with "database is locked".
        connection: dict[str, Any] | str = {
            "engine": "app.sqlite_engine",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "journal_size_limit": 16_384,
                "foreign_keys": "ON",
                "busy_timeout": 15_000,
                "synchronous": "NORMAL",
            },
        }
    else:
        connection = database_url.replace("postgresql://", "postgres://", 1)
    name = connection_name(database_url)
    return {
        "connections": {name: connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": name}},
        "use_tz": True,
        "timezone": "UTC",
    }


def migrations_location(database_url: str) -> str:
    return str(MIGRATIONS_DIR / dialect_of(database_url))


async def open_database(database_url: str) -> None:
    """Connect for a process that serves requests from many tasks (web, worker)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def database_answers(database_url: str) -> bool:
    try:
        await Tortoise.get_connection(connection_name(database_url)).execute_query("SELECT 1")
    except Exception:
        return False
    return True
