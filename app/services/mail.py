"""Sending email over SMTP (``SMTP_URL``): building a plain + HTML message, and one error tree.

``smtp://user:password@host:587`` upgrades with STARTTLS when the server offers it;
``smtps://host:465`` is TLS from the first byte. Errors are classified the way jobs need them:
``TransientMailError`` (connection trouble, 4xx) is retried with back-off, ``PermanentMailError``
(a 5xx refusal of this message) is recorded and not retried.

``MailSession`` keeps one connection for many messages: connecting, EHLO, STARTTLS and AUTH cost
several round trips, more than sending a small message, so batches (survey sending) share one.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, parseaddr
from types import TracebackType
from urllib.parse import unquote, urlsplit

import aiosmtplib

logger = logging.getLogger(__name__)

TIMEOUT = 30.0
LOCAL_HOSTNAME = "aftercare.localhost"  # given: aiosmtplib would otherwise ask DNS for our FQDN
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in the raw message, unlike base64


class MailError(Exception):
    """Sending failed; ``str(error)`` is safe to store and show (no credentials)."""


class TransientMailError(MailError):
    """Try again later: the server was unreachable, busy, or answered 4xx."""


class PermanentMailError(MailError):
    """The server refused this message (5xx): retrying will not help."""


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        use_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname or "127.0.0.1",
            port=parts.port or (465 if use_tls else 25),
            use_tls=use_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def build_email(
    *, sender: str, to: str, subject: str, text: str, html: str | None = None, message_id: str | None = None
) -> Message:
    """A text/plain message, with a text/html alternative when ``html`` is given.

    Built with the ``compat32`` classes and UTF-8 quoted-printable parts: ``Message``'s
    header objects cost a millisecond per message, more than the rest of sending one survey in a
    batch. Non-ASCII display names and subjects are written as RFC 2047 encoded words."""
    message = _text_part(text, "plain")
    if html is not None:
        # "=_" never occurs in quoted-printable text, so the boundary cannot clash with the parts
        # (and the generator skips compiling a regex per message to check that it does not).
        boundary = f"=_aftercare_{secrets.token_hex(12)}"
        message = MIMEMultipart("alternative", boundary, [message, _text_part(html, "html")])
    name, email_address = parseaddr(sender)
    message["From"] = formataddr((name, email_address), charset="utf-8")
    message["To"] = to
    message["Subject"] = (
        subject if subject.isascii() else Header(subject, "utf-8", header_name="Subject").encode()
    )
    message["Date"] = formatdate(localtime=False, usegmt=True)
    if message_id:
        message["Message-ID"] = message_id
    return message


def _text_part(text: str, subtype: str) -> Message:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(text, _UTF8)
    return part


def address(email: str, name: str = "") -> str:
    """``Name <email>`` with the name quoted as needed (a shop name may hold commas or quotes)."""
    return str(Address(display_name=name, addr_spec=email)) if name else email


# What sending can raise besides our own bugs: SMTP errors, the socket's, a bad address.
_FAILURES = (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError)


class MailServerUnreachable(TransientMailError):
    """No connection could be made: every later message would wait for the same time-out."""


class MailSession:
    """One SMTP connection reused for many messages::

        async with MailSession(smtp_url) as mail:
            await mail.send(message)

    It connects at the first ``send``, so a batch with nothing left to send never touches the
    server. Servers close sessions that sat idle or sent many messages: a reused connection that
    turns out to be gone is replaced once and the message sent on the new one. Delivery stays
    at-least-once, as it was with one connection per message: a connection lost after the server
    took the message but before it answered looks the same as one lost before, in both designs.
    """

    def __init__(self, smtp_url: str, time_limit: float = TIMEOUT) -> None:
        self.server = SmtpServer.from_url(smtp_url)
        self.time_limit = time_limit
        self.connections = 0  # how many were opened: a reused session keeps this at 1
        self._client: aiosmtplib.SMTP | None = None
        self._sent_on_client = 0

    async def send(self, message: Message) -> None:
        """Raises ``MailServerUnreachable``, ``TransientMailError`` or ``PermanentMailError``."""
        client = await self._connected()
        try:
            await client.send_message(message)
        except ConnectionError as exc:  # aiosmtplib's SMTPServerDisconnected is one
            await self._drop()
            if not self._sent_on_client:
                raise _classified(exc) from exc
            await self._send_on_new_connection(message)
        except _FAILURES as exc:
            await self._after_failure(exc)
            raise _classified(exc) from exc
        self._sent_on_client += 1

    async def _send_on_new_connection(self, message: Message) -> None:
        client = await self._connected()
        try:
            await client.send_message(message)
        except _FAILURES as exc:
            await self._after_failure(exc)
            raise _classified(exc) from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        await self._drop()
        server = self.server
        client = aiosmtplib.SMTP(
            hostname=server.hostname,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.use_tls,
            local_hostname=LOCAL_HOSTNAME,
            timeout=self.time_limit,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            client.close()
            raise _classified(exc) from exc
        except _FAILURES as exc:
            client.close()
            raise MailServerUnreachable(f"SMTP server unreachable: {type(exc).__name__}") from exc
        self.connections += 1
        self._client, self._sent_on_client = client, 0
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def _after_failure(self, exc: BaseException) -> None:
        # A refusal (4xx/5xx) or a bad address leaves the session usable (aiosmtplib has sent
        # RSET); after a time-out a late answer could be read as the next command's: start afresh.
        refused = isinstance(
            exc, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused | ValueError
        )
        if not refused or self._client is None or not self._client.is_connected:
            await self._drop()

    async def __aenter__(self) -> MailSession:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def send_email(smtp_url: str, message: Message, time_limit: float = TIMEOUT) -> None:
    """One message on its own connection."""
    async with MailSession(smtp_url, time_limit) as mail:
        await mail.send(message)


def _classified(exc: BaseException) -> MailError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [error.code for error in exc.recipients]
        return _by_code(min(codes, default=550), "; ".join(error.message for error in exc.recipients))
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # Our credentials, not this message: worth retrying once the operator fixes SMTP_URL.
        return TransientMailError(f"SMTP authentication failed ({exc.code})")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _by_code(exc.code, exc.message)
    if isinstance(exc, ValueError):
        # aiosmtplib refuses an address it cannot put on the wire, before sending anything.
        return PermanentMailError(f"not a deliverable address: {exc}"[:500])
    return TransientMailError(f"SMTP connection failed: {type(exc).__name__}")


def _by_code(code: int, text: str) -> MailError:
    detail = f"{code} {text}".strip()[:500]
    return PermanentMailError(detail) if 500 <= code < 600 else TransientMailError(detail)
