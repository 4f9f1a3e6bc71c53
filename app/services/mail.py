"""Sending email over SMTP (``SMTP_URL``): building a plain + HTML message, and one error tree.

``smtp://user:password@host:587`` upgrades with STARTTLS when the server offers it;
``smtps://host:465`` is TLS from the first byte. Errors are classified the way jobs need them:
``TransientMailError`` (connection trouble, 4xx) is retried with back-off, ``PermanentMailError``
(a 5xx refusal of this message) is recorded and not retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib

logger = logging.getLogger(__name__)

TIMEOUT = 30.0
LOCAL_HOSTNAME = "aftercare.localhost"  # given: aiosmtplib would otherwise ask DNS for our FQDN


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
) -> EmailMessage:
    """A text/plain message, with a text/html alternative when ``html`` is given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def address(email: str, name: str = "") -> str:
    """``Name <email>`` with the name quoted as needed (a shop name may hold commas or quotes)."""
    return str(Address(display_name=name, addr_spec=email)) if name else email


async def send_email(smtp_url: str, message: EmailMessage, time_limit: float = TIMEOUT) -> None:
    server = SmtpServer.from_url(smtp_url)
    try:
        await aiosmtplib.send(
            message,
            hostname=server.hostname,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.use_tls,
            local_hostname=LOCAL_HOSTNAME,
            timeout=time_limit,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [error.code for error in exc.recipients]
        raise _by_code(min(codes, default=550), "; ".join(error.message for error in exc.recipients)) from exc
    except aiosmtplib.SMTPAuthenticationError as exc:
        # Our credentials, not this message: worth retrying once the operator fixes SMTP_URL.
        raise TransientMailError(f"SMTP authentication failed ({exc.code})") from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _by_code(exc.code, exc.message) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise TransientMailError(f"SMTP server unreachable: {type(exc).__name__}") from exc


def _by_code(code: int, text: str) -> MailError:
    detail = f"{code} {text}".strip()[:500]
    return PermanentMailError(detail) if 500 <= code < 600 else TransientMailError(detail)
