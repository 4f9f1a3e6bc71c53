"""The devstore's ASGI app: its pages and control endpoints, with the mail sink in its lifespan.

``/shopify/…`` and ``/bigcommerce/…`` are reserved for the platform API emulation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette

from devstore import control, pages
from devstore.mailsink import MailSink
from devstore.store import DevStore

logger = logging.getLogger(__name__)


def create_devstore_app(
    db_path: str | Path,
    *,
    smtp_host: str = "127.0.0.1",
    smtp_port: int | None = None,
    app_url: str | None = None,
) -> Starlette:
    """The devstore on ``db_path``; with ``smtp_port`` (0 picks a free one) it also runs the mail sink.

    ``app.state.store`` is the ``DevStore``; ``app.state.mail_sink`` the running sink, if any.
    ``app_url`` is the Aftercare app this devstore serves, linked from the home page.
    """
    store = DevStore(db_path)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(store.create_schema)
        sink = MailSink(store, smtp_host, smtp_port) if smtp_port is not None else None
        if sink is not None:
            await sink.start()
            app.state.smtp_address = f"{sink.host}:{sink.port}"
        app.state.mail_sink = sink
        try:
            yield
        finally:
            if sink is not None:
                await sink.stop()

    app = Starlette(routes=[*pages.routes, *control.routes], lifespan=lifespan)
    app.state.store = store
    app.state.app_url = app_url
    app.state.mail_sink = None
    app.state.smtp_address = None
    return app
