"""The local SMTP sink: accepts every message and keeps it in the devstore for the outbox page.

An aiosmtpd ``SMTP`` server on the running event loop (not aiosmtpd's threaded ``Controller``), so it
starts and stops with the devstore app's lifespan and in the tests' own loop.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from devstore.store import DevStore

logger = logging.getLogger(__name__)

# Given explicitly: aiosmtpd otherwise calls socket.getfqdn(), which can wait on DNS.
SERVER_HOSTNAME = "devstore.localhost"


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    # SMTP carries CRLF; the parts are shown and compared as ordinary text.
    return content.replace("\r\n", "\n") if isinstance(content, str) else ""


def parse_message(raw: bytes) -> dict[str, str]:
    """The headers and parts the outbox shows: from, subject, date, message_id, text, html."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # what policy.default always builds
    return {
        "from": str(message.get("from", "")),
        "subject": str(message.get("subject", "")),
        "date": str(message.get("date", "")),
        "message_id": str(message.get("message-id", "")),
        "text": _part(message, "plain"),
        "html": _part(message, "html"),
    }


class _StoreHandler:
    def __init__(self, store: DevStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            parts = parse_message(raw)
        except Exception:
            # A sink must never bounce mail the app sends: keep the raw bytes even if parsing fails.
            logger.exception("could not parse a message; keeping it raw")
            parts = {"from": "", "subject": "", "date": "", "message_id": "", "text": "", "html": ""}
        mail_id = await asyncio.to_thread(
            self.store.add_mail,
            mail_from=parts["from"] or str(envelope.mail_from or ""),
            to=[str(r) for r in envelope.rcpt_tos],
            subject=parts["subject"],
            date=parts["date"],
            message_id=parts["message_id"],
            text=parts["text"],
            html=parts["html"],
            raw=raw,
        )
        logger.info("mail %d received for %s: %s", mail_id, ", ".join(envelope.rcpt_tos), parts["subject"])
        return "250 Message accepted for delivery"


class _TrackedSMTP(SMTP):
    """An SMTP session that the sink can find again, to close it when the sink stops."""

    def __init__(self, handler: _StoreHandler, sessions: set[_TrackedSMTP], **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sessions = sessions

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._sessions.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._sessions.discard(self)
        super().connection_lost(error)


class MailSink:
    """``async with MailSink(store, "127.0.0.1", 0) as sink:`` — port 0 picks a free port (see ``port``)."""

    def __init__(self, store: DevStore, host: str = "127.0.0.1", port: int = 8025) -> None:
        self.store = store
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._sessions: set[_TrackedSMTP] = set()

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the mail sink is already running")
        loop = asyncio.get_running_loop()
        handler = _StoreHandler(self.store)
        self._server = await loop.create_server(
            lambda: _TrackedSMTP(handler, self._sessions, hostname=SERVER_HOSTNAME, loop=loop),
            self.host,
            self.port,
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        logger.info("mail sink listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Python 3.11's wait_closed() does not wait for open sessions: close them, then let their
        # handler tasks finish being cancelled so that nothing is left pending on the loop.
        tasks = []
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
            if session._handler_coroutine is not None:
                tasks.append(session._handler_coroutine)
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
        logger.info("mail sink stopped")

    async def __aenter__(self) -> MailSink:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
