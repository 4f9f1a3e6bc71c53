"""Tortoise's SQLite engine, with transactions that take the write lock when they begin.

SQLite's default ``BEGIN`` is deferred: a transaction that reads and then writes (every
``select_for_update`` pattern here; SQLite has no row locks) fails at once with "database is
locked" when another process wrote in between — the busy timeout does not apply to that upgrade.
``BEGIN IMMEDIATE`` waits for the lock up front (under the busy timeout) instead, so the web
process and the workers serialize their transactions the way PostgreSQL's row locks would.
Reads outside transactions are unaffected (WAL lets them run beside a writer).

Used as the ``engine`` in ``app.db.tortoise_config``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return ImmediateSqliteClient
