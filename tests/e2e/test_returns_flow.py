"""A return as store staff handle it, in the devstore's admin in headless Chromium: created on an
order, approved, received, refunded with restock — the refund executed by the real worker against
the devstore's refundCreate — each step on the customer's timeline, the review queue and Home
following along, and each step mirrored to the devstore's own return.

The shop's orders come from the devstore itself (the app's backfill), so that the platform the
worker refunds on and mirrors to holds the same order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.app_db import query, wait_for_rows
from tests.e2e.support import (
    FailedResponses,
    block_cdn,
    create_return,
    empty_redis,
    install_from_admin,
    open_section,
    quote_return_refund,
    reopen_until,
    shop_id_of,
)
from tests.e2e.test_admin_pages import Admin, browser_available  # noqa: F401  (the fixture)
from tests.e2e.test_shopify_sync import start_backfill, wait_for_backfill
from tests.support.browser import chromium, screenshot_path
from tests.support.servers import running_stack

# A paid order with a customer, one of whose lines shipped and nothing of it refunded yet.
RETURNABLE_LINE = """
SELECT o.id AS order_id, o.number, l.id AS line_id, l.title, c.id AS customer_id
FROM line_item l JOIN "order" o ON o.id = l.order_id JOIN customer c ON c.id = o.customer_id
WHERE o.shop_id = ? AND o.financial_status = 'paid' AND o.cancelled_at IS NULL AND o.test = 0
  AND l.fulfilled_quantity > 0 AND l.refundable_quantity = l.quantity
ORDER BY o.placed_at DESC LIMIT 1
"""
RETURN = "SELECT * FROM return ORDER BY id DESC LIMIT 1"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.usefixtures("browser_available")
async def test_a_return_created_approved_received_and_refunded_with_restock(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    await empty_redis(redis_url)
    with running_stack(tmp_path / "var", app_database, redis_url) as stack:
        async with chromium() as browser:
            context = await browser.new_context(viewport={"width": 1280, "height": 1000})
            try:
                cdn = await block_cdn(context)
                page = await context.new_page()
                failures = FailedResponses(stack.app_url)
                failures.watch(page)
                await install_from_admin(page, stack)
                shop_id = shop_id_of(app_database)
                await asyncio.to_thread(start_backfill, redis_url)
                await asyncio.to_thread(wait_for_backfill, stack, app_database, shop_id, 120)
                [line] = query(app_database, RETURNABLE_LINE, shop_id)
                admin = Admin(stack, app_database, page, cdn, failures)

                # From the order: Create return, one unit, a reason; the policy may call it late.
                app = await open_section(page, stack, f"/orders/{line['order_id']}")
                await create_return(app, line["title"], admin.screenshot)
                [row] = query(app_database, RETURN)
                path = f"/returns/{row['id']}"

                # The review queue and Home have it.
                queue_page = await admin.open("/returns")
                await expect(queue_page.get_by_role("link", name=line["number"], exact=True)).to_be_visible()
                await admin.screenshot("returns-queue")
                home = await admin.open("/")
                await expect(home.get_by_role("link", name="Review all 1")).to_be_visible()
                await admin.screenshot("home-return-awaiting")

                # Approve: out of the queue; the devstore's return follows (returnRequest, approve).
                app = await admin.open(path)
                await app.get_by_role("button", name="Approve").click()
                await expect(app.get_by_role("button", name="Mark received")).to_be_visible()
                mirrored = await asyncio.to_thread(
                    wait_for_rows,
                    app_database,
                    "SELECT status, mirror_state, mirror_error, platform_id FROM return WHERE id = ?",
                    row["id"],
                    until=lambda rows: rows[0]["status"] == "OPEN" and rows[0]["mirror_state"] != "pending",
                    timeout=60,
                )
                assert dict(mirrored[0]) | {"platform_id": None} == {
                    "status": "OPEN",
                    "mirror_state": "synced",
                    "mirror_error": None,
                    "platform_id": None,
                }, stack.log("worker")[-3000:]
                assert mirrored[0]["platform_id"], "the devstore's return is ours"
                app = await admin.open(path)
                await expect(app.get_by_text("store: in step")).to_be_visible()
                queue_page = await admin.open("/returns")
                await expect(queue_page.get_by_text("No returns are waiting for review.")).to_be_visible()
                home = await admin.open("/")
                await expect(home.get_by_text("No returns are waiting for review.")).to_be_visible()

                # Received, then refunded with restock from the return.
                app = await admin.open(path)
                await app.get_by_role("button", name="Mark received").click()
                await expect(app.get_by_text("items received")).to_be_visible()
                await admin.screenshot("return-received")
                confirm = await quote_return_refund(app, line["title"], admin.screenshot)
                await confirm.click()
                await expect(app.get_by_role("heading", level=1)).to_contain_text("Return")
                refunds = await asyncio.to_thread(
                    wait_for_rows,
                    app_database,
                    "SELECT status, restock, return_request_id, error FROM refund WHERE return_request_id = ?",
                    row["id"],
                    until=lambda rows: bool(rows) and rows[0]["status"] in ("succeeded", "failed"),
                    timeout=60,
                )
                assert [dict(r) for r in refunds] == [
                    {"status": "succeeded", "restock": 1, "return_request_id": row["id"], "error": None}
                ], stack.log("worker")[-3000:]
                app = await reopen_until(admin.open, path, "closed")
                await expect(app.get_by_text("closed", exact=True)).to_be_visible()
                await admin.screenshot("return-closed")

                # The customer's timeline tells the story, step by step.
                app = await admin.open(f"/customers/{line['customer_id']}")
                timeline = app.locator("ol.timeline > li")
                for step in ("requested", "opened", "received", "closed"):
                    await expect(
                        timeline.filter(has_text=step).filter(has_text="eturn").first
                    ).to_be_visible()
                await expect(timeline.filter(has_text="Refunded").first).to_be_visible()
                await page.screenshot(path=screenshot_path("admin-return-timeline"))
                assert failures.seen == []
            finally:
                await context.close()
