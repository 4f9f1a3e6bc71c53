"""The admin pages as store staff use them: inside the devstore's admin frame, in headless Chromium,
against the app served by uvicorn (with its worker and the devstore's mail sink), with Shopify's
CDN unreachable as it always is in CI.

The shop's customers and orders are written into the app's database by the app's own sync upserts
(what a backfill would write), right after the install.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import FrameLocator, Page, expect

from app.services.surveys.scheduling import MARK_KEY as SURVEY_SCAN_MARK
from tests.e2e.app_db import query, wait_for_rows
from tests.e2e.support import (
    CDN,
    BlockedCdn,
    FailedResponses,
    SeededOrder,
    block_cdn,
    empty_redis,
    install_from_admin,
    mail_to,
    open_section,
    seed_customers_and_orders,
    shop_id_of,
)
from tests.support.browser import chromium, chromium_path, screenshot_path
from tests.support.requirements import missing
from tests.support.servers import Stack, running_stack

CUSTOMERS = {
    "gid://shopify/Customer/7001": ("Ada", "Lovelace", "ada@example.com"),
    "gid://shopify/Customer/7002": ("Grace", "Hopper", "grace@example.com"),
    "gid://shopify/Customer/7003": ("", "Babbage", "babbage@example.com"),
}
ORDERS = [
    SeededOrder(
        "gid://shopify/Order/9001",
        "#9001",
        "gid://shopify/Customer/7001",
        (
            ("Analytical Engine", "AE-1", 1, Decimal("120.00")),
            ("Punched cards", "PC-100", 3, Decimal("4.50")),
        ),
        tracking_number="1Z999AA10123456784",
        tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
    ),
    SeededOrder(
        "gid://shopify/Order/9002",
        "#9002",
        "gid://shopify/Customer/7001",
        (("Difference Engine", "DE-2", 1, Decimal("80.00")),),
    ),
    SeededOrder(
        "gid://shopify/Order/9003",
        "#9003",
        "gid://shopify/Customer/7002",
        (("Compiler manual", "CM-0", 2, Decimal("15.00")),),
    ),
]
REPLY_BODY = 'Hi {{ customer.first_name | default("there") }},\nyour order {{ order.number }} is on its way.'
ESCAPES = {
    "class-mro": ("{{ ''.__class__.__mro__ }}", "__class__"),
    "attr-filter": ('{{ customer | attr("__class__") }}', "__class__"),
    "huge-range": ("{% for i in range(100000000) %}x{% endfor %}", "range() may produce at most"),
}


@dataclass
class Admin:
    """The devstore's admin in Chromium with Aftercare installed and the shop's data seeded."""

    stack: Stack
    database_url: str
    page: Page
    cdn: BlockedCdn
    failures: FailedResponses

    @property
    def app(self) -> FrameLocator:
        return self.page.frame_locator("iframe.app")

    async def open(self, path: str) -> FrameLocator:
        return await open_section(self.page, self.stack, path)

    async def screenshot(self, name: str) -> None:
        await self.page.screenshot(path=screenshot_path(f"admin-{name}"))


@asynccontextmanager
async def admin_with_data(tmp_path: Path, database_url: str, redis_url: str) -> AsyncIterator[Admin]:
    await empty_redis(redis_url)
    with running_stack(tmp_path / "var", database_url, redis_url) as stack:
        async with chromium() as browser:
            context = await browser.new_context(viewport={"width": 1280, "height": 1000})
            try:
                cdn = await block_cdn(context)
                page = await context.new_page()
                failures = FailedResponses(stack.app_url)
                failures.watch(page)
                await install_from_admin(page, stack)
                await seed_customers_and_orders(database_url, shop_id_of(database_url), CUSTOMERS, ORDERS)
                admin = Admin(stack, database_url, page, cdn, failures)
                yield admin
                # The pages tried Shopify's CDN (Polaris), failed to load it, and worked all the same.
                assert any(url.startswith(CDN) for url in cdn.attempts)
                assert failures.seen == []
            finally:
                await context.close()


@pytest.fixture
def browser_available(request: pytest.FixtureRequest) -> None:
    if chromium_path() is None:
        missing(request.config, "browser", "chromium is not installed")


async def search_customers(admin: Admin, text: str) -> None:
    await admin.app.get_by_label("Search by name, email, phone or order number").fill(text)
    await admin.app.get_by_role("button", name="Search").click()
    await expect(admin.app.get_by_label("Search by name, email, phone or order number")).to_have_value(text)


async def preview_text(admin: Admin, body: str) -> None:
    await admin.app.locator("#body").fill(body)
    await admin.app.get_by_role("button", name="Preview", exact=True).click()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.usefixtures("browser_available")
async def test_staff_find_a_customer_by_name_or_order_number_and_read_the_timeline_and_an_order(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    async with admin_with_data(tmp_path, app_database, redis_url) as admin:
        app = await admin.open("/customers")
        # The Polaris script keeps its real CDN address; it simply never loads here.
        polaris = app.locator(f'script[src^="{CDN}"]')
        await expect(polaris).to_have_count(1)

        await search_customers(admin, "ada love")
        results = app.locator("table tbody tr")
        await expect(results).to_have_count(1)
        await expect(results.first).to_contain_text("Ada Lovelace")
        await expect(results.first).to_contain_text("ada@example.com")
        await admin.screenshot("customers-by-name")

        await search_customers(admin, "#9003")
        await expect(results).to_have_count(1)
        await expect(results.first).to_contain_text("Grace Hopper")
        await expect(results.first).to_contain_text("#9003")
        await admin.screenshot("customers-by-order-number")

        await search_customers(admin, "nobody-by-this-name")
        await expect(app.get_by_text("No customer matches “nobody-by-this-name”.")).to_be_visible()

        await search_customers(admin, "Ada")
        await app.get_by_role("link", name="Ada Lovelace").click()
        await expect(app.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
        timeline = app.locator("ol.timeline > li")
        await expect(timeline.filter(has_text="Order #9001").first).to_be_visible()
        await expect(timeline.filter(has_text="Order #9002").first).to_be_visible()
        await expect(app.get_by_text("2 orders")).to_be_visible()
        await admin.screenshot("customer-timeline")

        await app.get_by_role("link", name="Order #9001").first.click()
        await expect(app.get_by_role("heading", name="Order #9001", level=1)).to_be_visible()
        items = app.locator("table tbody tr")
        await expect(items).to_have_count(2)
        await expect(items.filter(has_text="Analytical Engine")).to_contain_text("AE-1")
        await expect(items.filter(has_text="Punched cards")).to_contain_text("3")
        tracking = app.get_by_role("link", name="1Z999AA10123456784")
        await expect(tracking).to_have_attribute(
            "href", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
        )
        await expect(tracking).to_have_attribute("target", "_blank")
        await expect(app.get_by_role("link", name="Ada Lovelace")).to_be_visible()
        await admin.screenshot("order")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.usefixtures("browser_available")
async def test_staff_write_a_canned_reply_preview_it_and_send_it_to_a_customer(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    async with admin_with_data(tmp_path, app_database, redis_url) as admin:
        app = await admin.open("/replies")
        await app.get_by_role("link", name="New reply").first.click()
        await expect(app.get_by_role("heading", name="New canned reply", level=1)).to_be_visible()
        await app.get_by_label("Short code").fill("shipped")
        await app.get_by_label("Title").fill("Your order shipped")
        await app.get_by_label("Email subject").fill("Order {{ order.number }} is on its way")
        await preview_text(admin, REPLY_BODY)

        # The sample customer, then a real one, then one without a first name (the fallback).
        preview = app.locator("#preview-output")
        await expect(preview.locator("[data-preview-body]")).to_contain_text("is on its way.")
        await app.get_by_label("Customer", exact=True).select_option(label="Ada Lovelace — ada@example.com")
        await expect(preview.locator("[data-preview-body]")).to_have_text(
            "Hi Ada,\nyour order #9002 is on its way."
        )
        await expect(preview.locator("[data-preview-subject]")).to_have_text("Order #9002 is on its way")
        await admin.screenshot("reply-preview")
        await app.get_by_label("Customer", exact=True).select_option(label="Babbage — babbage@example.com")
        await app.get_by_role("button", name="Preview", exact=True).click()
        await expect(preview.locator("[data-preview-body]")).to_contain_text("Hi there,")

        # Escapes from the sandbox are refused with the line they are on, never a 500.
        for name, (escape, message) in ESCAPES.items():
            await preview_text(admin, f"Hello\n{escape}")
            alert = preview.get_by_role("alert")
            await expect(alert).to_contain_text("Line 2:")
            await expect(alert).to_contain_text(message)
            await admin.screenshot(f"reply-sandbox-{name}")

        await app.locator("#body").fill(REPLY_BODY)
        await app.get_by_role("button", name="Save").click()
        await expect(app.get_by_text("Saved.")).to_be_visible()
        await expect(app.get_by_role("heading", name="Reply “Your order shipped”", level=1)).to_be_visible()
        [saved] = query(app_database, "SELECT * FROM canned_reply")
        assert saved["short_code"] == "shipped"

        # A second reply with the same short code: the form comes back with a message; nothing changes.
        await admin.open("/replies")
        await app.get_by_role("link", name="New reply").first.click()
        # The link navigates once App Bridge has a fresh token: wait for the form, not the old page.
        await expect(app.get_by_role("heading", name="New canned reply", level=1)).to_be_visible()
        await app.get_by_label("Short code").fill("shipped")
        await app.get_by_label("Title").fill("Another")
        await app.locator("#body").fill("Something else")
        await app.get_by_role("button", name="Save").click()
        await expect(app.get_by_text("Nothing was saved")).to_be_visible()
        await expect(app.locator("#short_code-error")).to_be_visible()
        await expect(app.get_by_label("Title")).to_have_value("Another")
        await admin.screenshot("reply-duplicate-short-code")
        assert [dict(r) for r in query(app_database, "SELECT * FROM canned_reply")] == [dict(saved)]

        # Reply to Ada with it: the compose form, filled in for her; then Send.
        await admin.open("/replies")
        await app.get_by_role("link", name="Your order shipped").click()
        await app.get_by_label("Customer", exact=True).select_option(label="Ada Lovelace — ada@example.com")
        await app.get_by_role("button", name="Reply to this customer").click()
        await expect(app.get_by_role("heading", name="Reply to Ada Lovelace", level=1)).to_be_visible()
        await expect(app.get_by_label("Subject")).to_have_value("Order #9002 is on its way")
        await expect(app.get_by_label("Message")).to_have_value("Hi Ada,\nyour order #9002 is on its way.")
        await admin.screenshot("reply-compose")
        await app.get_by_role("button", name="Send").click()
        await expect(app.get_by_text("The reply is on its way")).to_be_visible()

        [mail] = await mail_to(admin.stack, "ada@example.com")
        assert mail["subject"] == "Order #9002 is on its way"
        assert "Hi Ada," in mail["text"]
        wait_for_rows(
            app_database,
            "SELECT status FROM outbound_message",
            until=lambda rows: [r["status"] for r in rows] == ["sent"],
        )
        app = await admin.open("/customers")
        await search_customers(admin, "ada@example.com")
        await app.get_by_role("link", name="Ada Lovelace").click()
        reply_entry = app.locator("ol.timeline > li").filter(has_text="Order #9002 is on its way")
        await expect(reply_entry).to_be_visible()
        await admin.screenshot("customer-timeline-after-reply")


def merchant_settings(database_url: str) -> dict[str, object]:
    """The shop's settings as the merchant sees them: the worker keeps its survey scan mark in the
    same document and may move it at any moment."""
    [row] = query(database_url, "SELECT settings FROM shop")
    document: dict[str, object] = json.loads(row["settings"])
    document.pop(SURVEY_SCAN_MARK, None)
    return document


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.usefixtures("browser_available")
async def test_bad_settings_give_the_form_back_and_a_good_save_shows_in_the_audit_log(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    async with admin_with_data(tmp_path, app_database, redis_url) as admin:
        app = await admin.open("/settings")
        before = merchant_settings(app_database)
        window = app.get_by_label("Return window (days from delivery)")
        await window.fill("999")
        await app.get_by_label("Reply-to email").fill("not an email")
        await app.get_by_role("button", name="Save").click()
        await expect(app.get_by_text("Nothing was saved: 2 fields need a fix.")).to_be_visible()
        await expect(app.locator('[id="return_policy.window_days-error"]')).to_have_text(
            "Enter a number from 0 to 365."
        )
        await expect(window).to_have_value("999")
        await admin.screenshot("settings-errors")
        assert merchant_settings(app_database) == before
        assert query(app_database, "SELECT * FROM audit_event WHERE action LIKE 'settings%'") == []

        await window.fill("45")
        await app.get_by_label("Reply-to email").fill("help@example.com")
        await app.get_by_role("button", name="Save").click()
        await expect(app.get_by_text("Settings saved.")).to_be_visible()
        await expect(window).to_have_value("45")
        await admin.screenshot("settings-saved")

        app = await admin.open("/audit")
        window_row = app.locator("table tbody tr").filter(has_text="return_policy.window_days")
        await expect(window_row).to_contain_text("→ 45")
        await admin.screenshot("audit-log")
