"""Sending mail over SMTP (the devstore's sink): one connection for a batch, replaced when the
server drops it, a clear error when there is no server, and messages that read back intact."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.services.mail import MailServerUnreachable, MailSession, TransientMailError, address, build_email
from devstore.mailsink import MailSink
from devstore.store import DevStore
from tests.support.servers import free_port


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[MailSink]:
    store = DevStore(tmp_path / "devstore.sqlite3")
    store.create_schema()
    async with MailSink(store, "127.0.0.1", 0) as running:
        yield running


def message(n: int) -> email.message.Message:
    return build_email(
        sender=address("noreply@aftercare.test", 'Café "Müller", Berlin'),
        to=f"shopper{n}@example.com",
        subject="Wie war Ihre Bestellung bei Café Müller?",
        text=f"Hallo {n}: https://aftercare.test/s/abc?score=5",
        html=f"<p>Grüße {n}</p>",
        message_id=f"<survey.{n}@aftercare.test>",
    )


async def test_a_batch_goes_over_one_connection(sink: MailSink) -> None:
    async with MailSession(f"smtp://127.0.0.1:{sink.port}") as mail:
        for n in range(20):
            await mail.send(message(n))
    assert mail.connections == 1
    assert sink.store.count_mail() == 20
    assert {m.to for m in sink.store.list_mail()} == {(f"shopper{n}@example.com",) for n in range(20)}


async def test_a_connection_the_server_dropped_is_replaced_and_nothing_is_lost(sink: MailSink) -> None:
    async with MailSession(f"smtp://127.0.0.1:{sink.port}") as mail:
        await mail.send(message(1))
        await sink.stop()  # the server closes every session, as one does after an idle time-out
        await sink.start()
        await mail.send(message(2))
    assert mail.connections == 2
    assert sorted(m.message_id for m in sink.store.list_mail()) == [
        "<survey.1@aftercare.test>",
        "<survey.2@aftercare.test>",
    ]


async def test_no_server_is_an_unreachable_error_and_no_message_no_connection() -> None:
    async with MailSession(f"smtp://127.0.0.1:{free_port()}", time_limit=5) as mail:
        with pytest.raises(MailServerUnreachable) as raised:
            await mail.send(message(1))
    assert isinstance(raised.value, TransientMailError), "retried with back-off, like any 4xx"
    async with MailSession("smtp://127.0.0.1:1") as idle:
        pass
    assert idle.connections == 0


async def test_a_message_reads_back_with_its_non_ascii_headers_and_both_parts(sink: MailSink) -> None:
    async with MailSession(f"smtp://127.0.0.1:{sink.port}") as mail:
        await mail.send(message(7))
    [stored] = sink.store.list_mail()
    parsed = email.message_from_bytes(stored.raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == "Wie war Ihre Bestellung bei Café Müller?"
    assert parsed["From"].addresses[0].display_name == 'Café "Müller", Berlin'
    assert parsed["Message-ID"] == "<survey.7@aftercare.test>"
    assert stored.text.strip() == "Hallo 7: https://aftercare.test/s/abc?score=5"
    assert stored.html.strip() == "<p>Grüße 7</p>"
