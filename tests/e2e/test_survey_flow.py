"""A CSAT survey end to end: the devstore delivers an order → a week later (the worker restarted with
its clock moved ahead) the worker emails one survey to the devstore's SMTP sink → the shopper
clicks a rating in it and adds a comment in headless Chromium → store staff see the comment on the
survey dashboard, inside the devstore's admin.

Real processes (app, worker, devstore with its SMTP sink), a real Redis and SQLite. As in the sync
tests, crons that would run within the minute are queued at once instead of waited for.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from arq.jobs import JobStatus
from playwright.async_api import expect

from app.queue import open_queue
from tests.e2e.app_db import query, wait_for_rows
from tests.e2e.support import (
    DEMO,
    block_cdn,
    empty_redis,
    install_from_admin,
    mail_to,
    open_section,
    shop_id_of,
)
from tests.support.browser import chromium, chromium_path, screenshot_path
from tests.support.requirements import missing
from tests.support.servers import Stack, running_stack

# Past the default delay (7 days after delivery), as if the week had gone by.
A_WEEK_LATER = timedelta(days=7, minutes=10)
BACKFILL_RUNS = "SELECT status FROM sync_run WHERE shop_id = ? AND kind = 'backfill'"
UNDELIVERED = (
    'SELECT id, platform_id, number, email FROM "order" WHERE shop_id = ? AND delivered_at IS NULL'
    " AND cancelled_at IS NULL AND NOT test AND email IS NOT NULL ORDER BY placed_at DESC LIMIT 1"
)
SURVEY_OF_ORDER = "SELECT id, status, decision, token FROM survey WHERE order_id = ?"
COMMENT = "Arrived two days early, and the mug is lovely."


@pytest.fixture
def browser_available(request: pytest.FixtureRequest) -> None:
    if chromium_path() is None:
        missing(request.config, "browser", "chromium is not installed")


async def run_job(redis_url: str, function: str, *args: Any) -> None:
    """Queue a job for the stack's worker and wait until it has run."""
    queue = open_queue(redis_url)
    try:
        job = await queue.enqueue_job(function, *args)
        assert job is not None
        for _ in range(600):
            if await job.status() in {JobStatus.complete, JobStatus.not_found}:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{function} did not run within a minute")
    finally:
        await queue.aclose()


def restart_worker_with_clock(stack: Stack, offset: timedelta) -> None:
    """The worker again, its clock ``offset`` ahead of real time (``AFTERCARE_CLOCK_OFFSET``, read
    at its start-up). The web app and the devstore keep real time, as the platform's does."""
    args = cast(list[str], stack.processes["worker"].args)[1:]  # as Stack.start gave them
    stack.stop("worker")
    stack.start("worker", *args, env={"AFTERCARE_CLOCK_OFFSET": str(int(offset.total_seconds()))})


def rating_link(text: str, score: int) -> str:
    found = re.search(rf"^{score}: (\S+)$", text, re.MULTILINE)
    assert found, f"no link for {score} in:\n{text}"
    return found.group(1)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.usefixtures("browser_available")
async def test_a_delivered_order_gets_one_survey_email_whose_answer_reaches_the_dashboard(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    await empty_redis(redis_url)
    with running_stack(tmp_path / "var", app_database, redis_url) as stack:
        async with chromium() as browser:
            context = await browser.new_context(viewport={"width": 1280, "height": 1000})
            await block_cdn(context)
            admin = await context.new_page()
            await install_from_admin(admin, stack)
            shop_id = shop_id_of(app_database)
            await run_job(redis_url, "resume_syncs")  # the first backfill, without its minute's wait
            runs = wait_for_rows(
                app_database,
                BACKFILL_RUNS,
                shop_id,
                until=lambda rows: bool(rows) and all(r["status"] == "succeeded" for r in rows),
                timeout=90,
            )
            assert runs and all(r["status"] == "succeeded" for r in runs), stack.log("worker")[-3000:]

            # The shop's newest order not yet delivered is shipped and delivered in the devstore,
            # which sends the webhooks Shopify would; the worker records the delivery.
            [order] = query(app_database, UNDELIVERED, shop_id)
            async with httpx.AsyncClient(timeout=30) as http:
                delivered = await http.post(
                    f"{stack.devstore_url}/_devstore/shopify/{DEMO}/orders/{order['platform_id']}",
                    json={"deliver": True, "wait": True},
                )
            assert delivered.status_code == 200, delivered.text
            assert {d["topic"] for d in delivered.json()["deliveries"]} >= {"fulfillments/update"}
            wait_for_rows(
                app_database,
                'SELECT delivered_at FROM "order" WHERE id = ?',
                order["id"],
                until=lambda rows: rows[0]["delivered_at"] is not None,
            )
            assert query(app_database, SURVEY_OF_ORDER, order["id"]) == [], "not planned yet: no delivery"

            # A week later: the worker plans the survey at start-up and sends it when due.
            restart_worker_with_clock(stack, A_WEEK_LATER)
            planned = wait_for_rows(app_database, SURVEY_OF_ORDER, order["id"], until=bool, timeout=60)
            assert planned, stack.log("worker")[-3000:]
            await run_job(redis_url, "enqueue_due_surveys")
            [mail] = await mail_to(stack, order["email"], wait_seconds=60)
            [shop] = query(app_database, "SELECT name FROM shop WHERE id = ?", shop_id)
            assert shop["name"] in mail["subject"]
            [sent] = query(app_database, SURVEY_OF_ORDER, order["id"])
            assert (sent["status"], sent["decision"]) == ("sent", "sent")
            assert f"/s/{sent['token']}?score=4" in mail["text"]

            # The shopper clicks 4 in the email: the rating is recorded at once.
            shopper = await context.new_page()
            await shopper.goto(rating_link(mail["text"], 4))
            await expect(shopper.get_by_role("status")).to_be_visible()
            await expect(shopper.locator('input[name="score"][value="4"]')).to_be_checked()
            [item] = query(
                app_database, "SELECT title FROM line_item WHERE order_id = ? LIMIT 1", order["id"]
            )
            await expect(shopper.locator("ul.items")).to_contain_text(item["title"])
            [rated] = query(
                app_database, "SELECT score, comment FROM survey_response WHERE survey_id = ?", sent["id"]
            )
            assert (rated["score"], rated["comment"]) == (4, "")
            await shopper.screenshot(path=screenshot_path("survey-rated"))

            # Then a comment, from the same page's form.
            await shopper.locator("#comment").fill(COMMENT)
            await shopper.locator("form button[type=submit]").click()
            await expect(shopper.get_by_role("heading", level=1)).not_to_have_text("")
            await expect(shopper.locator("#comment")).to_have_count(0)
            [answered] = query(
                app_database, "SELECT score, comment FROM survey_response WHERE survey_id = ?", sent["id"]
            )
            assert (answered["score"], answered["comment"]) == (4, COMMENT)
            await shopper.screenshot(path=screenshot_path("survey-thanks"))

            # Store staff see it on the dashboard, in the devstore's admin.
            dashboard = await open_section(admin, stack, "/surveys")
            comments = dashboard.locator("ul.comments > li")
            await expect(comments.filter(has_text=COMMENT)).to_have_count(1)
            await expect(comments.filter(has_text=COMMENT)).to_contain_text(order["number"])
            await admin.screenshot(path=screenshot_path("survey-dashboard"))

            # Still exactly one email when the due cron and the survey's send job run again.
            await run_job(redis_url, "enqueue_due_surveys")
            await run_job(redis_url, "send_surveys", [sent["id"]])
            assert len(await mail_to(stack, order["email"])) == 1
            await context.close()
