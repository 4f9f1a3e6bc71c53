"""Process-wide logging for `serve`, `worker` and `dev`.

The database drivers log every statement with its parameters at DEBUG — webhook bodies and
encrypted token columns among them — so they are held at WARNING whatever the root level is.
"""

from __future__ import annotations

import logging

QUIET_LOGGERS = ("tortoise", "tortoise.db_client", "aiosqlite", "asyncpg", "aerich", "httpx", "httpcore")


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
