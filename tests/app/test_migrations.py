"""Migrations apply to an empty database of each dialect and produce exactly the models' schema.

The schema a migrated database ends with is compared to the one Tortoise generates from the
models: a model changed without ``python -m app makemigrations`` fails here.
"""

from __future__ import annotations

import pytest
from tortoise import Tortoise

from app.db import close_database, connection_name, dialect_of, open_database
from app.embedded.postgres import ThrowawayPostgres
from app.migrations import apply_migrations

Schema = dict[str, set[tuple[str, ...]]]


async def read_schema(database_url: str) -> Schema:
    """Tables → their columns (name, type, nullability) and index column lists."""
    conn = Tortoise.get_connection(connection_name(database_url))
    schema: Schema = {}
    if dialect_of(database_url) == "sqlite":
        tables = await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != 'aerich'"
        )
        for row in tables:
            table = row["name"]
            columns = await conn.execute_query_dict(f'PRAGMA table_info("{table}")')
            entries = {("column", c["name"], c["type"].upper(), str(c["notnull"])) for c in columns}
            for index in await conn.execute_query_dict(f'PRAGMA index_list("{table}")'):
                cols = await conn.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
                entries.add(("index", str(index["unique"]), *[c["name"] for c in cols]))
            schema[table] = entries
    else:
        columns = await conn.execute_query_dict(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name != 'aerich'"
        )
        for c in columns:
            schema.setdefault(c["table_name"], set()).add(
                ("column", c["column_name"], c["data_type"], c["is_nullable"])
            )
        indexes = await conn.execute_query_dict(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename != 'aerich'"
        )
        for i in indexes:
            definition = i["indexdef"]
            schema.setdefault(i["tablename"], set()).add(
                ("index", "UNIQUE" in definition, definition[definition.index("(") :])  # type: ignore[arg-type]
            )
    return schema


async def schema_from_models(database_url: str) -> Schema:
    await open_database(database_url)
    try:
        await Tortoise.generate_schemas(safe=False)
        return await read_schema(database_url)
    finally:
        await close_database()


async def schema_from_migrations(database_url: str) -> Schema:
    await apply_migrations(database_url)
    await open_database(database_url)
    try:
        return await read_schema(database_url)
    finally:
        await close_database()


@pytest.fixture
def fresh_urls(database_url: str, tmp_path, request: pytest.FixtureRequest) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Two empty databases of the dialect under test."""
    if dialect_of(database_url) == "sqlite":
        return f"sqlite://{tmp_path}/migrated.sqlite3", f"sqlite://{tmp_path}/generated.sqlite3"
    server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
    suffix = abs(hash(request.node.nodeid)) % 10**8
    return server.create_database(f"migrated_{suffix}"), server.create_database(f"generated_{suffix}")


async def test_migrations_produce_the_schema_of_the_models(fresh_urls: tuple[str, str]) -> None:
    migrated_url, generated_url = fresh_urls
    migrated = await schema_from_migrations(migrated_url)
    generated = await schema_from_models(generated_url)
    assert set(migrated) == set(generated), "tables differ: run `python -m app makemigrations NAME`"
    for table in generated:
        assert migrated[table] == generated[table], (
            f"{table} differs: run `python -m app makemigrations NAME`"
        )


async def test_migrating_twice_applies_nothing_the_second_time(fresh_urls: tuple[str, str]) -> None:
    url, _ = fresh_urls
    assert await apply_migrations(url)
    assert await apply_migrations(url) == []
