"""The SMTP sink: real SMTP in, every message kept with its headers, parts and raw bytes."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib
import pytest

from devstore.mailsink import MailSink, parse_message
from devstore.store import DevStore


def survey_email(to: str = "ava.smith@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Demo Store <hello@demo.example>"
    message["To"] = to
    message["Subject"] = "How did we do? Order #1001"
    message["Message-ID"] = "<survey-1001@demo.example>"
    message["Date"] = "Thu, 15 Jan 2026 12:00:00 +0000"
    message.set_content("Rate your order: https://aftercare.test/s/abc")
    message.add_alternative(
        "<p>Rate your order: <a href='https://aftercare.test/s/abc'>5 ★</a></p>", subtype="html"
    )
    return message


async def send(sink: MailSink, message: EmailMessage, recipients: list[str] | None = None) -> None:
    await aiosmtplib.send(
        message,
        hostname=sink.host,
        port=sink.port,
        recipients=recipients,
        local_hostname="client.localhost",
        timeout=10,
    )


async def test_a_message_sent_over_smtp_is_stored(store: DevStore) -> None:
    async with MailSink(store, "127.0.0.1", 0) as sink:
        assert sink.port != 0
        await send(sink, survey_email())
    [stored] = store.list_mail()
    assert stored.mail_from == "Demo Store <hello@demo.example>"
    assert stored.to == ("ava.smith@example.com",)
    assert stored.subject == "How did we do? Order #1001"
    assert stored.message_id == "<survey-1001@demo.example>"
    assert stored.date == "Thu, 15 Jan 2026 12:00:00 +0000"
    assert stored.text.strip() == "Rate your order: https://aftercare.test/s/abc"
    assert "5 ★" in stored.html and stored.html.startswith("<p>")
    assert b"Subject: How did we do? Order #1001" in stored.raw
    assert b"multipart/alternative" in stored.raw


async def test_every_envelope_recipient_is_kept_including_bcc(store: DevStore) -> None:
    async with MailSink(store, "127.0.0.1", 0) as sink:
        await send(sink, survey_email(), recipients=["ava.smith@example.com", "audit@demo.example"])
        plain = EmailMessage()
        plain["From"] = "hello@demo.example"
        plain["To"] = "b@example.com"
        plain["Subject"] = "Plain only"
        plain.set_content("no html here")
        await send(sink, plain)
    newest, oldest = store.list_mail()
    assert oldest.to == ("ava.smith@example.com", "audit@demo.example")
    assert (newest.subject, newest.html, newest.text.strip()) == ("Plain only", "", "no html here")


async def test_stop_closes_the_port_and_open_sessions(store: DevStore) -> None:
    sink = MailSink(store, "127.0.0.1", 0)
    await sink.start()
    client = aiosmtplib.SMTP(
        hostname="127.0.0.1", port=sink.port, local_hostname="client.localhost", timeout=5
    )
    await client.connect()
    await client.ehlo()
    await asyncio.wait_for(sink.stop(), timeout=5)
    client.close()
    # The idle session was closed, not left as a pending task on the loop.
    assert not [t for t in asyncio.all_tasks() if "_handle_client" in repr(t.get_coro())]
    with pytest.raises(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", sink.port)
        writer.close()
        await writer.wait_closed()
    await sink.stop()  # a second stop is a no-op


async def test_a_sink_cannot_be_started_twice(store: DevStore) -> None:
    async with MailSink(store, "127.0.0.1", 0) as sink:
        with pytest.raises(RuntimeError):
            await sink.start()


def test_parse_message_reads_headers_and_both_parts() -> None:
    parts = parse_message(bytes(survey_email()))
    assert parts["subject"] == "How did we do? Order #1001"
    assert parts["from"] == "Demo Store <hello@demo.example>"
    assert "https://aftercare.test/s/abc" in parts["text"]
    assert "<a href=" in parts["html"]


def test_parse_message_survives_an_unknown_charset() -> None:
    raw = b"Subject: odd\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nhello\r\n"
    assert parse_message(raw)["text"].strip() == "hello"
