"""Schema migrations with aerich, kept per dialect (aerich writes dialect-specific SQL).

``python -m app migrate`` applies them; ``python -m app makemigrations NAME`` writes the next one
for SQLite and for PostgreSQL together, each generated against a real database of its dialect.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from aerich import Command
from tortoise import Tortoise

from app.db import migrations_location, tortoise_config
from app.embedded.postgres import ThrowawayPostgres

APP_LABEL = "models"


async def apply_migrations(database_url: str) -> list[str]:
    """Bring the database up to date; returns the migrations applied (none when current)."""
    config = tortoise_config(database_url)
    command = Command(config, app=APP_LABEL, location=migrations_location(database_url))
    try:
        # aerich only initialises Tortoise when it thinks nobody has: after an earlier close it
        # would go on with no connection, so open it here every time.
        await Tortoise.init(config=config)
        await command.init()
        return await command.upgrade(run_in_transaction=True)
    finally:
        await Tortoise.close_connections()


async def write_migration(database_url: str, name: str) -> str | None:
    location = migrations_location(database_url)
    command = Command(tortoise_config(database_url), app=APP_LABEL, location=location)
    try:
        if not any((Path(location) / APP_LABEL).glob("*.py")):
            await command.init_db(safe=True)
            return "initial"
        await Tortoise.init(config=tortoise_config(database_url))
        await command.init()
        await command.upgrade(run_in_transaction=True)
        # aerich reads the last applied state at init: read it again now that it is applied.
        await command.init()
        return await command.migrate(name=name, no_input=True) or None
    finally:
        await Tortoise.close_connections()


def make_migrations(name: str) -> dict[str, str]:
    """Write the next migration for each dialect, each against a fresh database of its kind.

    Each dialect runs in its own process: aerich keeps the migration being built in class
    attributes, so a second run in the same process would repeat the first one's operations.
    """
    written: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        written["sqlite"] = _write_in_subprocess(f"sqlite://{folder}/schema.sqlite3", name)
    with ThrowawayPostgres() as pg:
        written["postgres"] = _write_in_subprocess(pg.create_database("schema"), name)
    return written


def _write_in_subprocess(database_url: str, name: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "app", "makemigrations", name, "--database-url", database_url],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
