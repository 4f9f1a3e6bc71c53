"""The local SMTP sink: accepts every message and keeps it in the devstore for the outbox page.

An aiosmtpd ``SMTP`` server on the running event loop (not aiosmtpd's threaded ``Controller``), so it
starts and stops with the devstore app's lifespan and in the tests' own loop. ``sink_process`` runs
one in a process of its own (``python -m devstore.mailsink DB``), for benchmarks and load tests:
its parsing then uses another core than the sending it receives.
"""

from __future__ import annotations

import asyncio
import email
import logging
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from devstore.store import DevStore

logger = logging.getLogger(__name__)

# Given explicitly: aiosmtpd otherwise calls socket.getfqdn(), which can wait on DNS.
SERVER_HOSTNAME = "devstore.localhost"
_ROOT = Path(__file__).resolve().parent.parent  # where ``-m devstore.mailsink`` is found


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        content = payload.decode(part.get_content_charset() or "us-ascii")
    except (LookupError, UnicodeDecodeError):  # an unknown charset, or bytes that are not in it
        content = payload.decode("utf-8", "replace")
    # SMTP carries CRLF; the parts are shown and compared as ordinary text.
    return content.replace("\r\n", "\n")


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(value))
    try:
        return str(make_header(decode_header(unfolded)))
    except (LookupError, UnicodeDecodeError, HeaderParseError):
        return unfolded


def parse_message(raw: bytes) -> dict[str, str]:
    """The headers and parts the outbox shows: from, subject, date, message_id, text, html.

    Parsed with the ``compat32`` policy and decoded by hand: ``policy.default``'s header objects
    made parsing take ten times as long, and the sink must keep up with the benchmark's sending."""
    message = email.message_from_bytes(raw)
    parts = {"text/plain": "", "text/html": ""}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in parts and not parts[kind] and part.get_content_disposition() != "attachment":
            parts[kind] = _text_of(part)
    return {
        "from": _header(message, "from"),
        "subject": _header(message, "subject"),
        "date": _header(message, "date"),
        "message_id": _header(message, "message-id"),
        "text": parts["text/plain"],
        "html": parts["text/html"],
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


@asynccontextmanager
async def sink_process(db: Path) -> AsyncIterator[int]:
    """A sink in its own process keeping mail in the store at ``db``; yields its port. It stops
    when its standard input closes, so it never outlives the process that started it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devstore.mailsink", str(db), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, cwd=_ROOT,
    )  # fmt: skip
    assert process.stdout is not None and process.stdin is not None
    try:
        yield int((await process.stdout.readline()).decode())
    finally:
        process.stdin.close()
        await process.wait()


async def _serve(db: Path) -> None:
    store = DevStore(db)
    store.create_schema()
    async with MailSink(store, "127.0.0.1", 0) as sink:
        print(sink.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(_serve(Path(sys.argv[1])))
