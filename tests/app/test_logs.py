"""Logging never lets the database drivers print statements with their parameters."""

from __future__ import annotations

import logging

from app.logs import QUIET_LOGGERS, configure_logging


def test_database_drivers_stay_quiet_even_when_the_root_logs_debug() -> None:
    before = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    try:
        configure_logging(logging.DEBUG)
        for name in ("tortoise.db_client", "aiosqlite", "asyncpg"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
