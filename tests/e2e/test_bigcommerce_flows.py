"""A BigCommerce store's merchant and staff, end to end, in the devstore's control panel in headless
Chromium: Aftercare installed from its consent page (the auth callback, then the app's Home, in
the control panel's iframe); the first import's progress on Home until it holds exactly the
store's orders and customers; a customer's timeline of their orders; a return created, approved,
received and refunded with restock — the refund made by the real worker through BigCommerce's
refund quote and refund, exactly once on the platform — and closed; a survey answered.

The return is handled in a second browser that refuses the app's cookies (as browsers that block
third-party cookies do), so every page and form there works from the URL token alone.

Real processes (app, worker, devstore with its SMTP sink), a real Redis and SQLite. The store's
request quota is made small, so that the import takes seconds and Home can be seen following it.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.async_api import BrowserContext, Frame, FrameLocator, Page, Request, Route, expect

from app.auth.bigcommerce_session import SESSION_PARAM
from app.services.refunds.marker import key_in_note
from connectors.bigcommerce.records import refund_note
from tests.e2e.app_db import query, wait_for_rows
from tests.e2e.bigcommerce_support import STORE, client_id, control_url, store_counts, store_shop_id
from tests.e2e.support import (
    FailedResponses,
    block_cdn,
    create_return,
    empty_redis,
    mail_to,
    quote_return_refund,
    reopen_until,
)
from tests.e2e.test_admin_pages import browser_available  # noqa: F401  (the fixture)
from tests.e2e.test_shopify_sync import CUSTOMERS, ORDERS
from tests.e2e.test_survey_flow import (
    A_WEEK_LATER,
    COMMENT,
    SURVEY_OF_ORDER,
    rating_link,
    restart_worker_with_clock,
    run_job,
)
from tests.support.browser import chromium, screenshot_path
from tests.support.servers import Stack, running_stack

# Dropped from the app's answers in the cookie-refusing browser (the body comes decoded).
DROPPED_HEADERS = frozenset({"set-cookie", "content-encoding", "content-length", "transfer-encoding"})
# 20 requests a second, a quarter of them left to other apps: the import's hundred-odd requests
# take several seconds instead of a blink.
THROTTLED_STORE = ("--bigcommerce-quota", "20", "--bigcommerce-window-ms", "1000")
SENT_SURVEY = "SELECT id FROM survey WHERE order_id = ? AND status = 'sent'"
BUSIEST_CUSTOMER = """
SELECT c.id, c.first_name, c.last_name, count(o.id) AS orders FROM customer c
JOIN "order" o ON o.customer_id = c.id WHERE c.shop_id = ?
GROUP BY c.id ORDER BY orders DESC, c.id LIMIT 1
"""
RETURNABLE_LINE = """
SELECT o.id AS order_id, o.number, o.platform_id, l.id AS line_id, l.title, c.id AS customer_id
FROM line_item l JOIN "order" o ON o.id = l.order_id JOIN customer c ON c.id = o.customer_id
WHERE o.shop_id = ? AND o.financial_status = 'paid' AND o.cancelled_at IS NULL
  AND l.fulfilled_quantity > 0 AND l.refundable_quantity = l.quantity
ORDER BY o.placed_at DESC LIMIT 1
"""
# Paid, not shipped, and the only parcel its shopper will get (a survey within the throttle days
# of another would be suppressed).
UNSHIPPED_ORDER = """
SELECT o.id, o.platform_id, o.number, o.email FROM "order" o
WHERE o.shop_id = ? AND o.financial_status = 'paid' AND o.fulfillment_status = 'unfulfilled'
  AND o.cancelled_at IS NULL AND o.email IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM "order" p JOIN fulfillment f ON f.order_id = p.id WHERE p.email = o.email)
ORDER BY o.placed_at DESC LIMIT 1
"""


@dataclass
class ControlPanel:
    """The devstore's BigCommerce control panel in one browser, with Aftercare in its iframe."""

    stack: Stack
    page: Page
    failures: FailedResponses

    @property
    def app(self) -> FrameLocator:
        return self.page.frame_locator("#app-iframe")

    def app_frame(self) -> Frame:
        [frame] = [f for f in self.page.frames if f.url.startswith(self.stack.app_url)]
        return frame

    def app_address(self) -> str:
        return self.app_frame().url

    async def open(self, path: str) -> FrameLocator:
        """The app at ``path``, opened from the control panel (a fresh signed load that names it)."""
        await self.page.goto(
            f"{self.stack.devstore_url}/bigcommerce/{STORE}/manage/app/{client_id(self.stack)}"
            f"?url={quote(path, safe='')}"
        )
        await expect(self.app.get_by_role("heading", level=1)).to_be_visible()
        return self.app

    async def screenshot(self, name: str) -> None:
        await self.page.screenshot(path=screenshot_path(f"bigcommerce-{name}"))


async def control_panel(context: BrowserContext, stack: Stack) -> ControlPanel:
    await block_cdn(context)
    page = await context.new_page()
    failures = FailedResponses(stack.app_url)
    failures.watch(page)
    return ControlPanel(stack, page, failures)


@dataclass
class CookieRefusal:
    """A browser that keeps none of the app's cookies, as one that blocks third-party cookies
    keeps none of a framed app's: the app's answers reach the page without their Set-Cookie
    (Chromium cannot be told to refuse a cookie of the control panel's own host otherwise).
    ``refused`` counts the cookies the app tried to set."""

    http: httpx.AsyncClient
    refused: int = 0

    async def forward(self, route: Route, request: Request) -> None:
        answer = await self.http.request(
            request.method,
            request.url,
            headers=await request.all_headers(),
            content=request.post_data_buffer,
        )
        self.refused += len(answer.headers.get_list("set-cookie"))
        await route.fulfill(
            status=answer.status_code,
            headers={k: v for k, v in answer.headers.items() if k not in DROPPED_HEADERS},
            body=answer.content,
        )


async def refuse_app_cookies(context: BrowserContext, stack: Stack, http: httpx.AsyncClient) -> CookieRefusal:
    refusal = CookieRefusal(http)
    await context.route(f"{stack.app_url}/**", refusal.forward)
    return refusal


async def sync_section(panel: ControlPanel) -> list[dict[str, Any]]:
    """What Home's Sync section says of each import run (resource, status, progress)."""
    section = panel.app.locator("s-section").filter(has=panel.app.get_by_role("heading", name="Sync"))
    runs: list[dict[str, Any]] = []
    for line in await section.locator("p:has(strong)").all():
        words = (await line.inner_text()).split()
        runs.append({"resource": words[0].lower(), "status": words[1], "count": " ".join(words[2:])})
    for run in runs:
        # A run whose total is not known yet has no bar: find each bar by its run's name.
        bar = section.get_by_role("progressbar", name=f"{run['resource']} sync")
        if await bar.count():
            run["percent"] = int(await bar.get_attribute("aria-valuenow") or -1)
    return runs


def platform_refunds(stack: Stack, http: httpx.Client, platform_id: str) -> list[dict[str, Any]]:
    answer = http.get(f"{control_url(stack)}/orders/{platform_id}/refunds")
    assert answer.status_code == 200, answer.text
    refunds: list[dict[str, Any]] = answer.json()
    return refunds


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.usefixtures("browser_available")
async def test_a_bigcommerce_store_installs_imports_and_staff_resolve_a_return_with_one_refund(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    await empty_redis(redis_url)
    with (
        running_stack(tmp_path / "var", app_database, redis_url, devstore_args=THROTTLED_STORE) as stack,
        httpx.Client(timeout=30) as http,
    ):
        async with chromium() as browser:
            merchant = await browser.new_context(viewport={"width": 1280, "height": 1000})
            staff = await browser.new_context(viewport={"width": 1280, "height": 1000})
            try:
                panel = await control_panel(merchant, stack)
                await install_from_consent_page(panel)
                shop_id = store_shop_id(app_database)
                await home_follows_the_import(panel, stack, http, app_database, shop_id)
                await timeline_shows_the_customers_orders(panel, app_database, shop_id)

                async with httpx.AsyncClient(timeout=60) as forwarder:
                    refusal = await refuse_app_cookies(staff, stack, forwarder)
                    clerk = await control_panel(staff, stack)
                    await return_refunded_once_and_closed(clerk, stack, http, app_database, shop_id)
                assert refusal.refused > 0, "the app never tried to set its cookie"
                assert await staff.cookies(stack.app_url) == []

                await shipped_orders_survey_is_answered(panel, merchant, stack, http, app_database, shop_id)

                assert panel.failures.seen == clerk.failures.seen == []
            finally:
                await merchant.close()
                await staff.close()


async def install_from_consent_page(panel: ControlPanel) -> None:
    """The control panel's app page before install is the consent page; confirming it runs the
    auth callback in the iframe, which leads into the app's Home with a session (its cookie,
    so the address drops the URL token)."""
    page = panel.page
    await page.goto(f"{panel.stack.devstore_url}/bigcommerce/{STORE}/manage")
    await expect(page.get_by_text("Not installed")).to_be_visible()
    await panel.screenshot("control-panel")
    await page.get_by_role("navigation").get_by_role("link", name="Aftercare").click()
    await expect(page.get_by_role("heading", name="Install Aftercare")).to_be_visible()
    await expect(page.get_by_text("store_v2_orders", exact=True)).to_be_visible()
    await panel.screenshot("consent")

    await page.get_by_role("button", name="Confirm").click()

    await expect(panel.app.get_by_role("heading", name="Home", level=1)).to_be_visible(timeout=30_000)
    await expect(panel.app.get_by_role("heading", name="Returns awaiting review")).to_be_visible()
    # The control panel has no App Bridge: the app's own navigation is the only one drawn.
    await expect(panel.app.get_by_role("navigation", name="Aftercare")).to_be_visible()
    await expect(panel.app.locator("s-app-nav")).to_have_count(0)
    assert SESSION_PARAM not in urlsplit(panel.app_address()).query
    await panel.screenshot("installed-home")


async def home_follows_the_import(
    panel: ControlPanel, stack: Stack, http: httpx.Client, database_url: str, shop_id: int
) -> None:
    """Home, refreshed in the iframe, shows each import running with its progress, then done with
    the store's counts; the app's database then holds exactly the store's records."""
    orders, customers = store_counts(stack, http)
    frame = panel.app_frame()
    seen: list[list[dict[str, Any]]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        runs = await sync_section(panel)
        seen.append(runs)
        if len(runs) == 2 and all(r["status"] == "succeeded" for r in runs):
            break
        if any(r["status"] == "running" for r in runs):
            await panel.screenshot("import-running")
        await frame.goto(frame.url)
        await expect(panel.app.get_by_role("heading", name="Home", level=1)).to_be_visible()
    assert seen[-1] == [
        {"resource": "orders", "status": "succeeded", "count": f"{orders} of {orders}", "percent": 100},
        {
            "resource": "customers",
            "status": "succeeded",
            "count": f"{customers} of {customers}",
            "percent": 100,
        },
    ], (seen[-3:], stack.log("worker")[-3000:])
    running = [r for runs in seen for r in runs if r["status"] == "running"]
    assert running, f"Home never showed the import running: {seen}"
    assert all(0 <= r["percent"] < 100 for r in running if "percent" in r), running
    await panel.screenshot("import-done")

    [got_orders] = query(database_url, ORDERS, shop_id)
    [got_customers] = query(database_url, CUSTOMERS, shop_id)
    assert (got_orders["n"], got_orders["distinct_ids"]) == (orders, orders)
    assert (got_customers["n"], got_customers["distinct_ids"]) == (customers, customers)


async def timeline_shows_the_customers_orders(panel: ControlPanel, database_url: str, shop_id: int) -> None:
    """From the app's navigation to the customer with the most orders: each order is on their
    timeline, as a link to it."""
    [customer] = query(database_url, BUSIEST_CUSTOMER, shop_id)
    numbers = [
        row["number"]
        for row in query(database_url, 'SELECT number FROM "order" WHERE customer_id = ?', customer["id"])
    ]
    app = panel.app
    await app.get_by_role("navigation", name="Aftercare").get_by_role("link", name="Customers").click()
    await expect(app.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    name = f"{customer['first_name']} {customer['last_name']}".strip()
    await app.get_by_role("link", name=name, exact=True).first.click()
    await expect(app.get_by_role("heading", name=name, level=1)).to_be_visible()
    timeline = app.locator("ol.timeline > li")
    for number in numbers:
        await expect(
            timeline.filter(has=app.get_by_role("link", name=f"Order {number}", exact=True)).first
        ).to_be_visible()
    await expect(timeline.filter(has_text="placed").first).to_be_visible()
    await panel.screenshot("customer-timeline")


async def return_refunded_once_and_closed(
    panel: ControlPanel, stack: Stack, http: httpx.Client, database_url: str, shop_id: int
) -> None:
    [line] = query(database_url, RETURNABLE_LINE, shop_id)
    assert platform_refunds(stack, http, line["platform_id"]) == []

    # From the order: Create return, one unit, a reason; the policy may call it late.
    app = await panel.open(f"/orders/{line['order_id']}")
    # Without the cookie, the session rides in the address (the URL token).
    assert SESSION_PARAM in urlsplit(panel.app_address()).query
    await create_return(app, line["title"], panel.screenshot)
    [row] = query(database_url, "SELECT * FROM return WHERE shop_id = ?", shop_id)
    path = f"/returns/{row['id']}"

    # Approved, then received: kept in our records only (BigCommerce has no Returns API).
    await app.get_by_role("button", name="Approve").click()
    await expect(app.get_by_role("button", name="Mark received")).to_be_visible()
    await app.get_by_role("button", name="Mark received").click()
    await expect(app.get_by_text("items received")).to_be_visible()
    [approved] = query(database_url, "SELECT status FROM return WHERE id = ?", row["id"])
    assert approved["status"] == "OPEN"

    # Refunded with restock from the return: the quote is BigCommerce's, the refund the worker's.
    confirm = await quote_return_refund(app, line["title"], panel.screenshot)
    quoted = Decimal(re.sub(r"[^0-9.]", "", await confirm.inner_text()))
    await confirm.click()
    await expect(app.get_by_role("heading", level=1)).to_contain_text("Return")
    refunds = await asyncio.to_thread(
        wait_for_rows,
        database_url,
        "SELECT * FROM refund WHERE return_request_id = ?",
        row["id"],
        until=lambda rows: bool(rows) and rows[0]["status"] in ("succeeded", "failed"),
        timeout=60,
    )
    [ours] = [dict(r) for r in refunds]
    worker_log = stack.log("worker")[-3000:]
    assert (ours["status"], ours["restock"], ours["error"]) == ("succeeded", 1, None), worker_log
    assert Decimal(str(ours["amount"])) == quoted

    # Exactly one refund on the platform, ours by the marker in its reason, for the quoted amount.
    await asyncio.sleep(1)  # time for a second refund to show, were one sent
    [refund] = platform_refunds(stack, http, line["platform_id"])
    assert key_in_note(refund_note(refund)) == ours["idempotency_key"]
    assert str(refund["id"]) in str(ours["platform_id"])
    assert Decimal(str(refund["total_amount"])) == quoted
    assert [(i["item_type"], i["quantity"]) for i in refund["items"]] == [("PRODUCT", 1)]

    app = await reopen_until(panel.open, path, "closed")
    await expect(app.get_by_text("closed", exact=True)).to_be_visible()
    await panel.screenshot("return-closed")

    # The customer's timeline tells the story, step by step.
    app = await panel.open(f"/customers/{line['customer_id']}")
    timeline = app.locator("ol.timeline > li")
    for step in ("requested", "opened", "received", "closed"):
        await expect(timeline.filter(has_text=step).filter(has_text="eturn").first).to_be_visible()
    await expect(timeline.filter(has_text="Refunded").first).to_be_visible()
    await panel.screenshot("return-timeline")


async def shipped_orders_survey_is_answered(
    panel: ControlPanel,
    context: BrowserContext,
    stack: Stack,
    http: httpx.Client,
    database_url: str,
    shop_id: int,
) -> None:
    """BigCommerce reports shipments, never deliveries: an order shipped in the control panel gets
    its survey the transit buffer later. A week on (the worker's clock moved), one email; the
    shopper's rating and comment reach the survey dashboard in the control panel."""
    [order] = query(database_url, UNSHIPPED_ORDER, shop_id)
    shipped = await asyncio.to_thread(
        http.post, f"{control_url(stack)}/orders/{order['platform_id']}", json={"ship": True, "wait": True}
    )
    assert shipped.status_code == 200, shipped.text
    assert {d["scope"] for d in shipped.json()["deliveries"]} >= {"store/order/updated"}
    await asyncio.to_thread(
        wait_for_rows,
        database_url,
        "SELECT fulfilled_at FROM fulfillment WHERE order_id = ?",
        order["id"],
        until=lambda rows: bool(rows) and rows[0]["fulfilled_at"] is not None,
    )
    assert query(database_url, SENT_SURVEY, order["id"]) == [], "sent before the transit buffer ran out"

    restart_worker_with_clock(stack, A_WEEK_LATER)
    planned = await asyncio.to_thread(wait_for_rows, database_url, SURVEY_OF_ORDER, order["id"], until=bool)
    assert planned, stack.log("worker")[-3000:]
    # What the due-surveys cron (each minute) would queue for it, queued at once.
    await run_job(stack.env["REDIS_URL"], "send_surveys", [planned[0]["id"]])
    [mail] = await mail_to(stack, order["email"], wait_seconds=30)
    [sent] = query(database_url, SURVEY_OF_ORDER, order["id"])
    assert (sent["status"], sent["decision"]) == ("sent", "sent")
    assert f"/s/{sent['token']}?score=4" in mail["text"]

    shopper = await context.new_page()
    await shopper.goto(rating_link(mail["text"], 4))
    await expect(shopper.locator('input[name="score"][value="4"]')).to_be_checked()
    await shopper.locator("#comment").fill(COMMENT)
    await shopper.locator("form button[type=submit]").click()
    await expect(shopper.locator("#comment")).to_have_count(0)
    [answered] = query(
        database_url, "SELECT score, comment FROM survey_response WHERE survey_id = ?", sent["id"]
    )
    assert (answered["score"], answered["comment"]) == (4, COMMENT)

    dashboard = await panel.open("/surveys")
    comments = dashboard.locator("ul.comments > li")
    await expect(comments.filter(has_text=COMMENT)).to_have_count(1)
    await expect(comments.filter(has_text=COMMENT)).to_contain_text(order["number"])
    await panel.screenshot("survey-dashboard")
