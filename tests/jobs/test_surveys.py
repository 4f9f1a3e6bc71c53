"""Sending surveys over real SMTP (the devstore's sink): the email's parts, links and headers;
exactly one email per survey when jobs run twice; send-time checks; reminders; expiry."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from arq import ArqRedis, Retry

from app import clock
from app.clock import utcnow
from app.models import Customer, Return, ReturnStatus, Survey, SurveyKind, SurveyStatus, TimelineEntry
from app.services.surveys.scheduling import scan_shop
from app.settings import Settings
from devstore.mailsink import MailSink
from devstore.store import DevStore
from jobs.surveys import (
    SEND_BATCH,
    SEND_TRIES,
    enqueue_due_surveys,
    expire_due_surveys,
    plan_shop_surveys,
    send_survey,
    send_survey_reminder,
    send_surveys,
)
from jobs.worker import WorkerSettings
from tests.app.services.surveys.builders import make_customer, make_order, make_shop
from tests.support.servers import free_port


@pytest.fixture(autouse=True)
def real_time() -> Any:
    clock.reset()
    yield
    clock.reset()


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


def ctx(settings: Settings, **extra: Any) -> dict[str, Any]:
    return {"settings": settings, "job_try": 1, **extra}


async def due_survey(surveys: dict[str, Any] | None = None, **order: Any) -> Survey:
    shop = await make_shop(surveys)
    customer = await make_customer(shop)
    await make_order(shop, customer, delivered=7, **order)
    await scan_shop(shop.id)
    [survey] = await Survey.all()
    return survey


def test_the_worker_knows_the_jobs_and_crons() -> None:
    names = {getattr(f, "__name__", getattr(f, "name", "")) for f in WorkerSettings.functions}
    assert {"send_surveys", "send_survey", "send_survey_reminder", "plan_shop_surveys"} <= names
    crons = {job.name for job in WorkerSettings.cron_jobs}
    assert {"cron:plan_surveys", "cron:enqueue_due_surveys", "cron:expire_due_surveys"} <= crons


async def test_a_due_survey_is_emailed_with_rating_links_and_unsubscribe(
    db: Settings, store: DevStore
) -> None:
    survey = await due_survey()

    assert await send_survey(ctx(db), survey.id) == "sent"

    [mail] = store.list_mail()
    assert mail.to == ("ava@example.com",)
    assert mail.subject == "How was your order from Demo <Shop>?"
    base = f"https://aftercare.test/s/{survey.token}"
    for score in range(1, 6):
        assert f'href="{base}?score={score}"' in mail.html
        assert f"{score}: {base}?score={score}" in mail.text
    assert "?score=0" not in mail.html and "?score=6" not in mail.html
    assert "Demo &lt;Shop&gt;" in mail.html and "<Shop>" not in mail.html, "the shop's name is escaped"
    assert f"{base}/unsubscribe" in mail.html and f"{base}/unsubscribe" in mail.text
    message = email.message_from_bytes(mail.raw, policy=email.policy.default)
    assert str(message["List-Unsubscribe"]).strip() == f"<{base}/unsubscribe>"  # may be folded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    sent = await Survey.get(id=survey.id)
    assert sent.status == SurveyStatus.SENT and sent.sent_at is not None and sent.expires_at is not None
    assert sent.expires_at - sent.sent_at == timedelta(days=14)
    assert sent.reminder_due_at is None, "reminders are off by default"
    assert (await Customer.get(id=sent.customer_id)).last_surveyed_at is not None  # type: ignore[attr-defined]
    assert await TimelineEntry.filter(kind="survey.sent").count() == 1


async def test_the_email_is_in_the_orders_language_and_kind(db: Settings, store: DevStore) -> None:
    survey = await due_survey({"kind": "nps"}, locale="fr")
    await send_survey(ctx(db), survey.id)
    [mail] = store.list_mail()
    assert mail.subject.startswith("Comment s'est passée votre commande")
    assert "?score=0" in mail.html and "?score=10" in mail.html and "?score=11" not in mail.html
    assert (await Survey.get(id=survey.id)).kind == SurveyKind.NPS


async def test_a_survey_not_yet_due_is_not_sent(db: Settings, store: DevStore) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop), delivered=1)
    await scan_shop(shop.id)
    [survey] = await Survey.all()
    assert await send_survey(ctx(db), survey.id) == "not_due"
    assert store.list_mail() == []


async def test_running_every_job_twice_delivers_one_email_per_survey(
    db: Settings, store: DevStore, queue: ArqRedis
) -> None:
    shop = await make_shop()
    for i in range(200):
        await make_order(shop, await make_customer(shop, f"c{i}@example.com"), delivered=8)
    await plan_shop_surveys(ctx(db), shop.id)
    await plan_shop_surveys(ctx(db), shop.id)
    assert await Survey.filter(status=SurveyStatus.SCHEDULED).count() == 200

    assert await enqueue_due_surveys(ctx(db, redis=queue)) == 200
    assert await enqueue_due_surveys(ctx(db, redis=queue)) == 0, "deterministic job ids: queued once"
    batches = [job.args[0] for job in await queue.queued_jobs()]
    ids = sorted(s.id for s in await Survey.all())
    assert sorted(i for batch in batches for i in batch) == ids, "each survey in one batch"
    assert max(len(batch) for batch in batches) <= SEND_BATCH
    for batch in batches + batches:  # every job runs twice (a retry, a second worker)
        await send_surveys(ctx(db), batch)
    for survey_id in ids:  # and the one-survey job, as queued before batches
        assert await send_survey(ctx(db), survey_id) == "sent"

    assert store.count_mail() == 200
    assert len({m.to for m in store.list_mail(limit=500)}) == 200
    assert await Survey.filter(status=SurveyStatus.SENT).count() == 200
    assert await TimelineEntry.filter(kind="survey.sent").count() == 200


async def test_a_return_opened_after_planning_suppresses_at_send_time(db: Settings, store: DevStore) -> None:
    survey = await due_survey()
    await Return.create(shop_id=survey.shop_id, order_id=survey.order_id, requested_at=utcnow())  # type: ignore[attr-defined]
    assert await send_survey(ctx(db), survey.id) == "suppressed"
    assert store.list_mail() == []
    assert "a return is open" in (await Survey.get(id=survey.id)).decision


async def test_unsubscribing_after_planning_suppresses_at_send_time(db: Settings, store: DevStore) -> None:
    survey = await due_survey()
    await Customer.filter(id=survey.customer_id).update(unsubscribed_at=utcnow())  # type: ignore[attr-defined]
    assert await send_survey(ctx(db), survey.id) == "suppressed"
    assert store.list_mail() == []


async def test_a_reopened_return_cancels_its_support_survey(db: Settings, store: DevStore) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), placed=5)
    ret = await Return.create(
        shop=shop, order=order, status=ReturnStatus.CLOSED, requested_at=utcnow(), closed_at=utcnow()
    )
    await scan_shop(shop.id)
    clock.advance(timedelta(hours=25))
    await Return.filter(id=ret.id).update(status=ReturnStatus.OPEN)
    survey = await Survey.get(subject_key=f"return:{ret.id}")
    assert await send_survey(ctx(db), survey.id) == "canceled"
    assert "reopened" in (await Survey.get(id=survey.id)).decision and store.list_mail() == []


async def test_two_surveys_for_one_customer_within_30_days_send_one(db: Settings, store: DevStore) -> None:
    shop = await make_shop()
    customer = await make_customer(shop)
    await make_order(shop, customer, delivered=8)
    await make_order(shop, customer, delivered=7)
    await scan_shop(shop.id)
    results = [await send_survey(ctx(db), s.id) for s in await Survey.all().order_by("id")]
    assert results == ["sent", "suppressed"]
    assert store.count_mail() == 1
    clock.advance(timedelta(days=31))
    await make_order(shop, customer, placed=1, delivered=0)
    await scan_shop(shop.id)
    clock.advance(timedelta(days=7, minutes=1))
    latest = await Survey.all().order_by("-id").first()
    assert latest is not None and await send_survey(ctx(db), latest.id) == "sent"


async def test_one_reminder_after_three_days_when_enabled(
    db: Settings, store: DevStore, queue: ArqRedis
) -> None:
    survey = await due_survey({"reminder": True})
    await send_survey(ctx(db), survey.id)
    clock.advance(timedelta(days=2, hours=23))
    assert await enqueue_due_surveys(ctx(db, redis=queue)) == 0
    clock.advance(timedelta(hours=2))
    assert await enqueue_due_surveys(ctx(db, redis=queue)) == 1
    assert await send_survey_reminder(ctx(db), survey.id) == "reminded"
    assert await send_survey_reminder(ctx(db), survey.id) == "skipped"
    mails = store.list_mail()
    assert len(mails) == 2 and any("A quick question" in m.subject for m in mails)


async def test_no_reminder_by_default(db: Settings, store: DevStore, queue: ArqRedis) -> None:
    survey = await due_survey()
    await send_survey(ctx(db), survey.id)
    clock.advance(timedelta(days=4))
    assert await enqueue_due_surveys(ctx(db, redis=queue)) == 0
    assert await send_survey_reminder(ctx(db), survey.id) == "skipped"
    assert store.count_mail() == 1


async def test_unanswered_surveys_expire_after_14_days(db: Settings) -> None:
    survey = await due_survey()
    await send_survey(ctx(db), survey.id)
    clock.advance(timedelta(days=13, hours=23))
    assert await expire_due_surveys(ctx(db)) == 0
    clock.advance(timedelta(hours=2))
    assert await expire_due_surveys(ctx(db)) == 1
    assert (await Survey.get(id=survey.id)).status == SurveyStatus.EXPIRED


async def test_a_survey_stuck_mid_send_is_released_and_sent(
    db: Settings, store: DevStore, queue: ArqRedis
) -> None:
    survey = await due_survey()
    await Survey.filter(id=survey.id).update(status=SurveyStatus.SENDING, updated_at=utcnow())
    assert await send_survey(ctx(db), survey.id) == "sending", "a claimed row is not sent again"
    clock.advance(timedelta(minutes=16))
    await enqueue_due_surveys(ctx(db, redis=queue))
    assert (await Survey.get(id=survey.id)).status == SurveyStatus.SCHEDULED
    assert await send_survey(ctx(db), survey.id) == "sent"
    assert store.count_mail() == 1


async def test_with_the_mail_server_down_a_batch_stays_scheduled_and_its_retry_sends_it(
    db: Settings, store: DevStore
) -> None:
    shop = await make_shop()
    for i in range(3):
        await make_order(shop, await make_customer(shop, f"c{i}@example.com"), delivered=8)
    await scan_shop(shop.id)
    ids = [s.id for s in await Survey.all().order_by("id")]
    down = ctx(replace(db, smtp_url=f"smtp://127.0.0.1:{free_port()}"))

    with pytest.raises(Retry):
        await send_surveys(down, ids)
    assert {s.status for s in await Survey.all()} == {SurveyStatus.SCHEDULED}
    assert {c.last_surveyed_at for c in await Customer.all()} == {None}, "throttle slots given back"
    last_try = ctx(replace(db, smtp_url=down["settings"].smtp_url), job_try=SEND_TRIES)
    assert await send_surveys(last_try, ids) == {"retry": 3}, "left for the due cron"

    assert await send_surveys(ctx(db), ids) == {"sent": 3}
    assert store.count_mail() == 3
