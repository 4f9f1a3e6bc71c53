"""Reading the app's SQLite database from an end-to-end test, as an operator would look at it."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any


def query(database_url: str, sql: str, *params: Any) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def wait_for_rows(
    database_url: str, sql: str, *params: Any, until: Callable[[list[sqlite3.Row]], bool], timeout: float = 20
) -> list[sqlite3.Row]:
    """Poll ``sql`` until ``until(rows)`` holds (the worker acts in its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = query(database_url, sql, *params)
        if until(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)
