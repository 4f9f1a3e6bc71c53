"""Replies to customers by email: written as a QUEUED message first, then sent by a job.

Delivery is **at-least-once**. The SMTP server accepts the message, then we mark it SENT (with the
timeline entry) in one transaction; a crash between the two leaves it QUEUED and the retry sends it
again. We chose this over at-most-once because a reply that silently never leaves (while staff
believe it did) is worse than a rare duplicate, and the duplicate carries the same ``Message-ID``
(derived from the idempotency key), which mail providers such as Gmail use to collapse copies.
Everything short of that crash window sends once: a double submit finds the same row by its
idempotency key, the job id is derived from the row id, and a job that finds the row SENT or
FAILED returns without sending.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import CannedReply, Customer, MessageStatus, OutboundMessage, Shop, TimelineEntry
from app.services.mail import address, build_email, send_email
from app.services.replies.rendering import one_line
from app.services.replies.sandbox import MAX_OUTPUT, escape_text

logger = logging.getLogger(__name__)

SEND_REPLY = "send_reply"  # the job's name, enqueued by the web app without importing jobs
NONCE = re.compile(r"[A-Za-z0-9_-]{16,43}")
SUMMARY_LENGTH = 160


@dataclass(frozen=True)
class QueuedReply:
    message: OutboundMessage | None
    created: bool
    errors: dict[str, str]


def idempotency_key(shop_id: int, nonce: str) -> str:
    return f"reply:{shop_id}:{nonce}"


async def queue_reply(
    shop_id: int,
    *,
    customer: Customer,
    staff_id: int | None,
    subject: str,
    body: str,
    nonce: str,
    reply_id: int | None = None,
    order_id: int | None = None,
) -> QueuedReply:
    """The message for this form submission: created once per ``nonce`` (a double submit returns
    the first one, ``created=False``). ``customer`` must be of ``shop_id``."""
    errors: dict[str, str] = {}
    subject = one_line(subject)
    if not NONCE.fullmatch(nonce):
        errors["form"] = "The form is out of date; reload the page and try again."
    if not customer.email:
        errors["form"] = "This customer has no email address."
    if not subject:
        errors["subject"] = "Write a subject."
    if not body.strip():
        errors["body"] = "Write the reply."
    elif len(body) > MAX_OUTPUT:
        errors["body"] = f"At most {MAX_OUTPUT} characters."
    if errors:
        return QueuedReply(None, False, errors)
    key = idempotency_key(shop_id, nonce)
    existing = await OutboundMessage.get_or_none(idempotency_key=key, shop_id=shop_id)
    if existing is not None:
        return QueuedReply(existing, False, {})
    # Usage is counted when staff pick the reply (record_use), not again when it is sent.
    reply = await CannedReply.get_or_none(id=reply_id, shop_id=shop_id) if reply_id is not None else None
    try:
        message = await OutboundMessage.create(
            shop_id=shop_id,
            customer_id=customer.id,
            order_id=order_id,
            staff_id=staff_id,
            canned_reply_id=reply.id if reply else None,
            idempotency_key=key,
            to_email=customer.email,
            subject=subject,
            body_text=body.replace("\r\n", "\n"),
        )
    except IntegrityError:
        # The other submission of the same form won the race; it is the message.
        existing = await OutboundMessage.get_or_none(idempotency_key=key, shop_id=shop_id)
        if existing is None:
            raise
        return QueuedReply(existing, False, {})
    return QueuedReply(message, True, {})


def sender_for(shop: Shop, app_url: str) -> str:
    """The shop's sender setting (``email_sender``: an address, or {"email", "name"}), else
    noreply@ our own host under the shop's name."""
    setting: Any = (shop.settings or {}).get("email_sender")
    if isinstance(setting, dict) and setting.get("email"):
        return address(str(setting["email"]), str(setting.get("name") or shop.name))
    if isinstance(setting, str) and "@" in setting:
        return address(setting, shop.name)
    host = urlsplit(app_url).hostname or "localhost"
    return address(f"noreply@{host}", shop.name)


def message_id_for(message: OutboundMessage, app_url: str) -> str:
    """Derived from the idempotency key, so that a re-send after a crash is the same message."""
    host = urlsplit(app_url).hostname or "localhost"
    token = re.sub(r"[^A-Za-z0-9.-]", ".", message.idempotency_key)
    return f"<{token}@{host}>"


async def deliver(message_id: int, *, smtp_url: str, app_url: str) -> str:
    """Send one QUEUED message and mark it SENT; returns the status it ends in ("gone" if deleted).
    Raises ``TransientMailError``/``PermanentMailError`` from the SMTP attempt for the job to map."""
    message = await OutboundMessage.get_or_none(id=message_id)
    if message is None:
        return "gone"
    if message.status != MessageStatus.QUEUED:
        return message.status.value  # already sent or failed: a retried job never sends twice
    shop = await Shop.get(id=message.shop_id)  # type: ignore[attr-defined]
    header_id = message_id_for(message, app_url)
    email = build_email(
        sender=sender_for(shop, app_url),
        to=message.to_email,
        subject=message.subject,
        text=message.body_text,
        html=f"<!doctype html><html><body><p>{escape_text(message.body_text)}</p></body></html>",
        message_id=header_id,
    )
    await send_email(smtp_url, email)
    await mark_sent(message, header_id)
    return MessageStatus.SENT.value


async def mark_sent(message: OutboundMessage, header_id: str) -> None:
    sent_at = utcnow()
    async with in_transaction():
        updated = await OutboundMessage.filter(id=message.id, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENT, message_id=header_id, sent_at=sent_at, error=None
        )
        customer_id = message.customer_id  # type: ignore[attr-defined]
        if updated and customer_id is not None:
            await TimelineEntry.get_or_create(
                shop_id=message.shop_id,  # type: ignore[attr-defined]
                kind="reply.sent",
                subject_type="outbound_message",
                subject_id=str(message.id),
                defaults={
                    "customer_id": customer_id,
                    "order_id": message.order_id,  # type: ignore[attr-defined]
                    "summary": f"Email sent: {message.subject}"[:512],
                    "data": {
                        "message_id": message.id,
                        "subject": message.subject,
                        "text": message.body_text,
                        "excerpt": " ".join(message.body_text.split())[:SUMMARY_LENGTH],
                        "canned_reply_id": message.canned_reply_id,  # type: ignore[attr-defined]
                    },
                    "occurred_at": sent_at,
                },
            )


async def mark_failed(message_id: int, error: str) -> None:
    await OutboundMessage.filter(id=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, error=error[:2000]
    )


async def recent_messages(shop_id: int, customer_id: int, limit: int = 10) -> list[OutboundMessage]:
    return await OutboundMessage.filter(shop_id=shop_id, customer_id=customer_id).order_by("-id").limit(limit)
