"""Starting the embedded Redis for a command when ``REDIS_URL`` is unset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.embedded.redis import EmbeddedRedis, socket_answers
from app.queue import embedded_redis_folder, redis_url
from app.settings import Settings


@contextmanager
def embedded_redis_if_needed(settings: Settings) -> Iterator[str]:
    """Yield the Redis URL to use: ``REDIS_URL``, an embedded server already running under
    ``var/`` (started by another command), or one started here and stopped on exit."""
    url = redis_url(settings)
    if settings.redis_url or socket_answers(Path(url.removeprefix("unix://"))):
        yield url
        return
    with EmbeddedRedis(Path(embedded_redis_folder(settings)), persist=True) as server:
        yield server.url
