"""Sending at scale: 10,000 due surveys, their jobs run twice and at once, to a real SMTP server
(the devstore's sink in its own process, as a mail server is) — exactly 10,000 emails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from arq import ArqRedis

from app.clock import utcnow
from app.models import Customer, Order, Survey, SurveyStatus
from app.services.surveys.tokens import new_token
from app.settings import Settings
from devstore.mailsink import sink_process
from devstore.store import DevStore
from jobs.surveys import SEND_BATCH, enqueue_due_surveys, send_surveys, send_surveys_job
from tests.app.services.surveys.builders import make_shop
from tests.support.worker import run_worker_until_idle

SURVEYS = 10_000


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[tuple[int, DevStore]]:
    """The sink's port, and the store it keeps mail in."""
    db = tmp_path / "mailsink.sqlite3"
    async with sink_process(db) as port:
        yield port, DevStore(db)


@pytest.fixture
def settings_env(sink: tuple[int, DevStore]) -> dict[str, str]:
    return {"SMTP_URL": f"smtp://127.0.0.1:{sink[0]}"}


async def due_surveys(count: int) -> None:
    """``count`` due surveys, each for its own customer's order delivered 8 days ago, written in
    bulk (planning them one by one would take longer than sending them)."""
    shop = await make_shop()
    now = utcnow()
    await Customer.bulk_create(
        [Customer(shop=shop, platform_id=f"c{n}", email=f"shopper{n}@example.com") for n in range(count)],
        batch_size=2000,
    )
    await Order.bulk_create(
        [
            Order(
                shop=shop,
                customer_id=customer_id,
                platform_id=f"o{customer_id}",
                number=f"#{customer_id}",
                email=email,
                placed_at=now - timedelta(days=10),
                delivered_at=now - timedelta(days=8),
                platform_updated_at=now,
            )
            for customer_id, email in await Customer.filter(shop=shop).values_list("id", "email")
        ],
        batch_size=2000,
    )
    await Survey.bulk_create(
        [
            Survey(
                shop=shop,
                customer_id=customer_id,
                order_id=order_id,
                subject_key=f"order:{order_id}",
                token=new_token(),
                email=email,
                due_at=now - timedelta(hours=1),
            )
            for order_id, customer_id, email in await Order.filter(shop=shop).values_list(
                "id", "customer_id", "email"
            )
        ],
        batch_size=2000,
    )


@pytest.mark.slow
async def test_sending_10k_due_surveys_twice_delivers_exactly_10k_emails(
    db: Settings, queue: ArqRedis, redis_url: str, sink: tuple[int, DevStore]
) -> None:
    _, mailbox = sink
    await due_surveys(SURVEYS)
    assert await enqueue_due_surveys({"redis": queue}) == SURVEYS
    batches: list[list[int]] = [job.args[0] for job in await queue.queued_jobs()]
    assert len(batches) >= SURVEYS // SEND_BATCH

    # The worker runs the queued jobs while every batch also runs a second time, at once: a retry
    # overlapping the first try, or a second worker given the same job.
    ctx: dict[str, Any] = {"settings": db, "job_try": 2}
    gate = asyncio.Semaphore(4)

    async def run_again(batch: list[int]) -> dict[str, int]:
        async with gate:
            return await send_surveys(ctx, batch)

    worker, doubles = await asyncio.gather(
        run_worker_until_idle([send_surveys_job], redis_url, ctx={"settings": db}),
        asyncio.gather(*(run_again(batch) for batch in batches)),
    )
    assert (worker.jobs_complete, worker.jobs_failed) == (len(batches), 0)
    assert 0 < sum(counts.get("sent", 0) for counts in doubles) < SURVEYS, "both runs sent some"
    # Then the whole send again, as a job re-run after it finished: nothing is due any more.
    assert await enqueue_due_surveys({"redis": queue}) == 0
    again = await asyncio.gather(*(run_again(batch) for batch in batches))
    assert all(set(counts) == {"sent"} for counts in again), "every survey was already sent"

    assert mailbox.count_mail() == SURVEYS
    with mailbox.connect() as conn:
        [(recipients, message_ids)] = conn.execute(
            "SELECT count(DISTINCT rcpt_to), count(DISTINCT message_id) FROM mail"
        ).fetchall()
    assert recipients == message_ids == SURVEYS, "one email per survey"
    assert await Survey.filter(status=SurveyStatus.SENT).count() == SURVEYS
