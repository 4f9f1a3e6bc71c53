"""Sending a reply over real SMTP (the devstore's sink): once, even when the job runs twice; on the
customer's timeline; retried on transient errors and FAILED on a permanent refusal."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from arq import ArqRedis, Retry
from arq.constants import default_queue_name

from app.clock import utcnow
from app.models import Customer, MessageStatus, OutboundMessage, Shop, TimelineEntry
from app.queue import enqueue
from app.services.replies.outbound import SEND_REPLY, queue_reply
from app.settings import Settings
from devstore import mailsink
from devstore.mailsink import MailSink
from devstore.store import DevStore
from jobs.replies import SEND_TRIES, requeue_stuck_replies, send_reply
from jobs.worker import WorkerSettings

NONCE = "n0nce-n0nce-n0nce-1"


@pytest.fixture
def store(tmp_path: Path) -> DevStore:
    store = DevStore(tmp_path / "devstore.sqlite3")
    store.create_schema()
    return store


@pytest.fixture
async def sink(store: DevStore) -> AsyncIterator[MailSink]:
    async with MailSink(store, "127.0.0.1", 0) as running:
        yield running


@pytest.fixture
def settings_env(sink: MailSink) -> dict[str, str]:
    return {"SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}


def ctx(settings: Settings, job_try: int = 1, **extra: Any) -> dict[str, Any]:
    return {"settings": settings, "job_try": job_try, **extra}


async def queued_message(
    shop_settings: dict[str, Any] | None = None, body: str = "Hi Ava,\nyour <order> ships today."
) -> OutboundMessage:
    shop = await Shop.create(
        platform="shopify", domain="demo.myshopify.com", name="Demo, Inc.", settings=shop_settings or {}
    )
    ava = await Customer.create(shop=shop, platform_id="c1", first_name="Ava", email="ava@example.com")
    queued = await queue_reply(
        shop.id, customer=ava, staff_id=None, subject="Your order", body=body, nonce=NONCE
    )
    assert queued.message is not None and queued.created
    return queued.message


def test_the_worker_runs_the_job_and_the_requeue_cron() -> None:
    assert send_reply.__name__ == SEND_REPLY
    assert send_reply in WorkerSettings.functions and requeue_stuck_replies in WorkerSettings.functions
    assert "cron:requeue_stuck_replies" in {job.name for job in WorkerSettings.cron_jobs}


async def test_a_reply_is_sent_once_even_when_the_job_runs_twice(db: Settings, store: DevStore) -> None:
    message = await queued_message()

    assert await send_reply(ctx(db), message.id) == "sent"
    assert await send_reply(ctx(db, job_try=2), message.id) == "sent"

    [mail] = store.list_mail()
    assert mail.to == ("ava@example.com",)
    assert mail.mail_from == '"Demo, Inc." <noreply@aftercare.test>'
    assert mail.subject == "Your order"
    assert mail.text.strip() == "Hi Ava,\nyour <order> ships today."
    assert "your &lt;order&gt; ships today." in mail.html, "the HTML part escapes the text"
    sent = await OutboundMessage.get(id=message.id)
    assert sent.status == MessageStatus.SENT and sent.sent_at is not None
    assert sent.message_id == mail.message_id == f"<reply.{sent.shop_id}.{NONCE}@aftercare.test>"  # type: ignore[attr-defined]
    [entry] = await TimelineEntry.filter(kind="reply.sent")
    assert entry.customer_id == sent.customer_id  # type: ignore[attr-defined]
    assert entry.data["text"] == "Hi Ava,\nyour <order> ships today." and "Your order" in entry.summary


async def test_a_double_submit_is_one_message_and_one_job(db: Settings, queue: ArqRedis) -> None:
    message = await queued_message()
    customer = await Customer.get(id=message.customer_id)  # type: ignore[attr-defined]
    shop_id: int = message.shop_id  # type: ignore[attr-defined]
    again = await queue_reply(shop_id, customer=customer, staff_id=None, subject="x", body="y", nonce=NONCE)
    assert again.message is not None and again.message.id == message.id and not again.created
    assert await enqueue(queue, SEND_REPLY, message.id) is not None
    assert await enqueue(queue, SEND_REPLY, message.id) is None
    assert await queue.zcard(default_queue_name) == 1


async def test_the_shops_sender_setting_is_the_from_address(db: Settings, store: DevStore) -> None:
    message = await queued_message({"email_sender": {"email": "care@demo.example", "name": "Demo Care"}})
    await send_reply(ctx(db), message.id)
    assert store.list_mail()[0].mail_from == "Demo Care <care@demo.example>"


async def test_an_unreachable_server_is_retried_then_failed(db: Settings, store: DevStore) -> None:
    message = await queued_message()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = replace(db, smtp_url=f"smtp://127.0.0.1:{closed_port}")

    with pytest.raises(Retry):
        await send_reply(ctx(unreachable, job_try=1), message.id)
    assert (await OutboundMessage.get(id=message.id)).status == MessageStatus.QUEUED

    assert await send_reply(ctx(unreachable, job_try=SEND_TRIES), message.id) == "failed"
    failed = await OutboundMessage.get(id=message.id)
    assert failed.status == MessageStatus.FAILED and failed.error and "gave up" in failed.error
    assert store.list_mail() == []


class RefusingHandler:
    """A server that refuses the recipient outright (5xx)."""

    def __init__(self, store: DevStore) -> None:
        self.store = store

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        return "550 5.1.1 No such mailbox here"


async def test_a_permanent_refusal_fails_the_message_without_retrying(
    db: Settings, store: DevStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = await queued_message()
    monkeypatch.setattr(mailsink, "_StoreHandler", RefusingHandler)
    async with MailSink(store, "127.0.0.1", 0) as refusing:
        settings = replace(db, smtp_url=f"smtp://127.0.0.1:{refusing.port}")
        assert await send_reply(ctx(settings), message.id) == "failed"
    failed = await OutboundMessage.get(id=message.id)
    assert failed.status == MessageStatus.FAILED and failed.error and "550" in failed.error
    assert "No such mailbox" in failed.error
    assert not await TimelineEntry.filter(kind="reply.sent").exists()
    assert await send_reply(ctx(db), message.id) == "failed", "a failed message is never sent later"
    assert store.list_mail() == []


async def test_a_message_of_a_deleted_shop_is_gone(db: Settings) -> None:
    assert await send_reply(ctx(db), 987654) == "gone"


async def test_messages_left_queued_are_queued_again(db: Settings, queue: ArqRedis) -> None:
    message = await queued_message()
    assert await requeue_stuck_replies({"redis": queue}) == 0, "too recent: its own job may be waiting"
    await OutboundMessage.filter(id=message.id).update(created_at=utcnow() - timedelta(minutes=5))
    assert await requeue_stuck_replies({"redis": queue}) == 1
    assert await requeue_stuck_replies({"redis": queue}) == 0, "the same job id is not doubled"
