"""Emptying the database between tests, on either dialect."""

from __future__ import annotations

from tortoise import Tortoise

from app.db import connection_name, dialect_of


async def empty_all_tables(database_url: str) -> None:
    connection = Tortoise.get_connection(connection_name(database_url))
    tables = [
        model._meta.db_table for model in Tortoise.apps["models"].values() if model._meta.db_table != "aerich"
    ]
    if dialect_of(database_url) == "postgres":
        quoted = ", ".join(f'"{t}"' for t in tables)
        await connection.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        script = "".join(f'DELETE FROM "{t}";' for t in tables)
        await connection.execute_script(script)
