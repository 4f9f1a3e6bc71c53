"""The survey-answer webhook job: a signed POST a receiver can verify; retried on 5xx and
timeouts, not on 4xx (recorded instead); one job per answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis, Retry

from app.models import AuditEvent, Customer, Order, Platform, Shop, Survey, SurveyKind, SurveyResponse
from app.services.outgoing_webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    configure_endpoint,
    queue_survey_answer_webhook,
    verify,
)
from app.services.shops import token_cipher
from app.settings import Settings
from jobs.outgoing_webhooks import DELIVERY_TRIES, deliver_survey_answer
from jobs.worker import WorkerSettings

HOOK = "https://hooks.example.com/aftercare"
ANSWERED = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def ctx(settings: Settings, http: httpx.AsyncClient, job_try: int = 1) -> dict[str, Any]:
    return {"settings": settings, "http": http, "job_try": job_try}


async def answer(
    settings: Settings, score: int = 1, with_endpoint: bool = True
) -> tuple[SurveyResponse, str]:
    """An answered survey of a shop with an endpoint; returns the response and the secret."""
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="a.myshopify.com")
    ava = await Customer.create(shop=shop, platform_id="c1", email="ava@example.com")
    order = await Order.create(shop=shop, customer=ava, platform_id="o1", number="#1001", placed_at=ANSWERED)
    survey = await Survey.create(
        shop=shop,
        customer=ava,
        order=order,
        kind=SurveyKind.CSAT,
        subject_key="order:1",
        token="tok",
        email="ava@example.com",
        due_at=ANSWERED,
        resolution_type="refund",
    )
    response = await SurveyResponse.create(
        shop=shop, survey=survey, score=score, comment="<b>late</b>", answered_at=ANSWERED
    )
    secret = ""
    if with_endpoint:
        endpoint = await configure_endpoint(
            shop.id, HOOK, token_cipher(settings), production=False, rotate=False, actor="t", staff_id=None
        )
        assert endpoint is not None
        secret = endpoint.secret
    return response, secret


@respx.mock
async def test_the_receiver_gets_a_signed_answer(db: Settings, http: httpx.AsyncClient) -> None:
    response, secret = await answer(db)
    route = respx.post(HOOK).respond(200)

    result = await deliver_survey_answer(ctx(db, http), response.id, ANSWERED.isoformat())

    assert result == "delivered"
    sent = route.calls.last.request
    assert verify(secret, sent.content, sent.headers[SIGNATURE_HEADER])
    body = json.loads(sent.content)
    assert body["score"] == 1 and body["comment"] == "<b>late</b>" and body["kind"] == "csat"
    assert body["customer"]["email"] == "ava@example.com" and body["order"]["number"] == "#1001"
    assert body["answered_at"] == ANSWERED.isoformat() and body["resolution_type"] == "refund"
    assert int(sent.headers[TIMESTAMP_HEADER]) == int(datetime.fromisoformat(body["sent_at"]).timestamp())


@respx.mock
async def test_5xx_and_timeouts_are_retried_with_back_off_then_recorded(
    db: Settings, http: httpx.AsyncClient
) -> None:
    response, _ = await answer(db)
    respx.post(HOOK).mock(side_effect=[httpx.Response(503), httpx.ReadTimeout("slow"), httpx.Response(502)])

    with pytest.raises(Retry) as first:
        await deliver_survey_answer(ctx(db, http, 1), response.id, ANSWERED.isoformat())
    with pytest.raises(Retry) as second:
        await deliver_survey_answer(ctx(db, http, 2), response.id, ANSWERED.isoformat())
    assert first.value.defer_score is not None and second.value.defer_score is not None
    assert second.value.defer_score > first.value.defer_score
    assert await AuditEvent.filter(action="outgoing_webhook.failed").count() == 0

    last = await deliver_survey_answer(ctx(db, http, DELIVERY_TRIES), response.id, ANSWERED.isoformat())

    assert last == "failed"
    event = await AuditEvent.get(action="outgoing_webhook.failed")
    assert event.data["status_code"] == 502 and event.data["tries"] == DELIVERY_TRIES


@respx.mock
async def test_4xx_is_not_retried_and_is_recorded(db: Settings, http: httpx.AsyncClient) -> None:
    response, _ = await answer(db)
    respx.post(HOOK).respond(410)

    assert await deliver_survey_answer(ctx(db, http), response.id, ANSWERED.isoformat()) == "failed"

    event = await AuditEvent.get(action="outgoing_webhook.failed")
    assert event.subject_id == str(response.id) and event.data["status_code"] == 410
    assert "late" not in json.dumps(event.data), "no answer content in the audit log"


@respx.mock(assert_all_called=False)
async def test_nothing_is_sent_for_a_changed_answer_or_without_an_endpoint(
    db: Settings, http: httpx.AsyncClient
) -> None:
    route = respx.post(HOOK).respond(200)
    response, _ = await answer(db, with_endpoint=False)
    assert await deliver_survey_answer(ctx(db, http), response.id, ANSWERED.isoformat()) == "not configured"
    assert (
        await deliver_survey_answer(ctx(db, http), response.id, "2026-01-01T00:00:00+00:00") == "superseded"
    )
    assert await deliver_survey_answer(ctx(db, http), 999_999, ANSWERED.isoformat()) == "gone"
    assert not route.called


async def test_one_job_per_answer(queue: ArqRedis) -> None:
    assert await queue_survey_answer_webhook(queue, 7, ANSWERED) is not None
    assert await queue_survey_answer_webhook(queue, 7, ANSWERED) is None
    assert await queue_survey_answer_webhook(queue, 7, ANSWERED.replace(minute=31)) is not None


def test_the_worker_runs_the_job_with_bounded_tries() -> None:
    registered = {getattr(f, "name", getattr(f, "__name__", "")): f for f in WorkerSettings.functions}
    job = registered["deliver_survey_answer"]
    assert job.max_tries == DELIVERY_TRIES
