"""Helpers for end-to-end tests of the embedded admin: the devstore's admin in Chromium, the app's
database seeded through the app's own sync upserts, the devstore's mail sink.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from playwright.async_api import BrowserContext, FrameLocator, Locator, Page, Response, Route, expect
from tortoise.exceptions import OperationalError

from app.db import close_database, open_database
from app.queue import open_queue
from app.services.sync.customers import upsert_customers
from app.services.sync.orders import upsert_order
from app.settings import load_settings
from connectors.base import (
    CustomerRecord,
    FulfillmentLineRecord,
    FulfillmentRecord,
    LineItemRecord,
    OrderRecord,
)
from tests.e2e.app_db import query
from tests.support.servers import Stack

DEMO = "demo.myshopify.com"
CDN = "https://cdn.shopify.com/"


@dataclass
class BlockedCdn:
    """Shopify's CDN as CI sees it: every request to it fails. ``attempts`` lists what was asked."""

    attempts: list[str] = field(default_factory=list)

    async def refuse(self, route: Route) -> None:
        self.attempts.append(route.request.url)
        await route.abort("internetdisconnected")


async def block_cdn(context: BrowserContext) -> BlockedCdn:
    blocked = BlockedCdn()
    await context.route(f"{CDN}**", blocked.refuse)
    return blocked


@dataclass
class FailedResponses:
    """Every response of the app's origin with a 5xx status, seen by the browser."""

    app_url: str
    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("response", self._check)

    def _check(self, response: Response) -> None:
        if response.url.startswith(self.app_url) and response.status >= 500:
            self.seen.append(f"{response.status} {response.request.method} {response.url}")


async def empty_redis(redis_url: str) -> None:
    """The session's Redis, emptied: job ids repeat across tests (every test's shop is shop 1, its
    first message is message 1), and arq keeps finished jobs' results, which would make this
    test's jobs duplicates of an earlier test's."""

    queue = open_queue(redis_url)
    try:
        await queue.flushdb()
    finally:
        await queue.aclose()


async def install_from_admin(page: Page, stack: Stack) -> FrameLocator:
    """The merchant's way in: the devstore's admin, Install, and the app's Home in its frame."""
    await page.goto(f"{stack.devstore_url}/")
    await page.get_by_role("link", name="Open admin").click()
    await page.get_by_role("button", name="Install").click()
    app = page.frame_locator("iframe.app")
    await expect(app.get_by_role("heading", name="Home", level=1)).to_be_visible(timeout=30_000)
    return app


async def open_section(page: Page, stack: Stack, path: str) -> FrameLocator:
    """An app page by its admin URL (``/shopify/{shop}/admin/apps/{app}/customers``), as a merchant
    follows a link into the app: the admin frames the app at that path."""
    await page.goto(f"{stack.devstore_url}/shopify/{DEMO}/admin/apps/{api_key(stack)}{path}")
    app = page.frame_locator("iframe.app")
    await expect(app.get_by_role("heading", level=1)).to_be_visible(timeout=15_000)
    return app


def shop_id_of(database_url: str, domain: str = DEMO) -> int:
    [shop] = query(database_url, "SELECT id FROM shop WHERE platform = 'shopify' AND domain = ?", domain)
    return int(shop["id"])


async def mail_to(stack: Stack, address: str, wait_seconds: float = 20) -> list[dict[str, Any]]:
    """The devstore sink's messages to ``address``, waiting for the worker to send at least one."""
    deadline = time.monotonic() + wait_seconds
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            received = (await http.get(f"{stack.devstore_url}/_devstore/mail")).json()
            mine = [m for m in received if address in m["to"]]
            if mine or time.monotonic() > deadline:
                return mine
            await asyncio.sleep(0.2)


Screenshot = Callable[[str], Awaitable[None]]


async def reopen_until(
    open_page: Callable[[str], Awaitable[FrameLocator]], path: str, text: str, seconds: float = 60
) -> FrameLocator:
    """The page at ``path`` again and again until it shows ``text`` (the worker acts in its own
    time); ``open_page`` opens an app path in the store admin's frame."""
    deadline = time.monotonic() + seconds
    while True:
        app = await open_page(path)
        if await app.get_by_text(text, exact=True).count() or time.monotonic() > deadline:
            return app
        await asyncio.sleep(1)


async def create_return(app: FrameLocator, title: str, screenshot: Screenshot) -> None:
    """From an order's page: Create return, one unit of ``title``, a reason; the policy may call
    it late, and staff go ahead all the same. Ends on the new return, requested."""
    await app.get_by_role("link", name="Create return").click()
    await expect(app.get_by_role("heading", level=1)).to_contain_text("Create return for order")
    await app.get_by_label(f"Units of {title} to return").fill("1")
    await app.get_by_label("Reason", exact=True).select_option("damaged/defective")
    await app.get_by_label("Note").fill("Arrived cracked")
    await screenshot("return-new")
    await app.get_by_role("button", name="Create return").click()
    outside = app.get_by_text("Not eligible under the return policy")
    await expect(app.get_by_role("heading", level=1).or_(outside).first).to_be_visible()
    if await outside.count():
        await screenshot("return-not-eligible")
        await app.get_by_label("Reason to go ahead outside the policy").fill("Goodwill")
        await app.get_by_role("button", name="Create return").click()
    await expect(app.get_by_role("heading", level=1)).to_contain_text("Return")
    await expect(app.get_by_text("requested", exact=True)).to_be_visible()
    await screenshot("return-requested")


async def quote_return_refund(app: FrameLocator, title: str, screenshot: Screenshot) -> Locator:
    """From a received return: its refund form (restock on, its one unit), calculated; the
    confirm button that shows the platform's amount."""
    await app.get_by_role("link", name="Refund this return").click()
    await expect(app.get_by_label("Restock the items")).to_be_checked()
    await expect(app.get_by_label(f"Units of {title} to refund")).to_have_value("1")
    await screenshot("return-refund-form")
    await app.get_by_role("button", name="Calculate").click()
    confirm = app.get_by_role("button", name="Refund ")
    await expect(confirm).to_be_visible()
    await screenshot("return-refund-quote")
    return confirm


def api_key(stack: Stack) -> str:
    return load_settings(stack.env).shopify_api_key


# --- Seeding the app's database through its sync upserts (what a backfill would write) ----------

# Orders placed a few days ago (their timeline reads as recent activity).
SEED_ATTEMPTS = 6
SEEDED_AT = (datetime.now(UTC) - timedelta(days=5)).replace(microsecond=0)


@dataclass(frozen=True)
class SeededOrder:
    platform_id: str
    number: str
    customer_platform_id: str
    items: tuple[tuple[str, str, int, Decimal], ...]  # title, sku, quantity, price
    tracking_number: str | None = None
    tracking_url: str | None = None


@asynccontextmanager
async def app_orm(database_url: str) -> AsyncIterator[None]:
    """The app's ORM, open on the app's database in this process (one Tortoise context at a time:
    closed again before the test goes on)."""
    await open_database(database_url)
    try:
        yield
    finally:
        await close_database()


def customer_record(platform_id: str, first: str, last: str, email: str) -> CustomerRecord:
    return CustomerRecord(
        platform_id=platform_id,
        email=email,
        first_name=first,
        last_name=last,
        phone=None,
        locale="en",
        tags=("vip",) if first == "Ada" else (),
        orders_count=0,
        total_spent=Decimal("0"),
        currency="USD",
        accepts_marketing=False,
        state="enabled",
        created_at=SEEDED_AT - timedelta(days=30),
        updated_at=SEEDED_AT - timedelta(days=30),
    )


def order_record(order: SeededOrder, email: str, placed_at: datetime) -> OrderRecord:
    lines = tuple(
        LineItemRecord(
            platform_id=f"{order.platform_id}-L{n}",
            title=title,
            variant_title="",
            sku=sku,
            product_id=None,
            variant_id=None,
            product_tags=None,
            quantity=quantity,
            current_quantity=quantity,
            refundable_quantity=quantity,
            unfulfilled_quantity=0 if order.tracking_number else quantity,
            fulfilled_quantity=quantity if order.tracking_number else 0,
            price=price,
            total_discount=Decimal("0"),
        )
        for n, (title, sku, quantity, price) in enumerate(order.items, start=1)
    )
    total = sum((price * quantity for _, _, quantity, price in order.items), Decimal("0"))
    fulfillments: tuple[FulfillmentRecord, ...] = ()
    if order.tracking_number:
        shipped = placed_at + timedelta(days=1)
        fulfillments = (
            FulfillmentRecord(
                platform_id=f"{order.platform_id}-F1",
                status="success",
                shipment_status="in_transit",
                tracking_company="UPS",
                tracking_number=order.tracking_number,
                tracking_url=order.tracking_url,
                created_at=shipped,
                updated_at=shipped,
                in_transit_at=shipped,
                delivered_at=None,
                estimated_delivery_at=None,
                lines=tuple(FulfillmentLineRecord(line.platform_id, line.quantity) for line in lines),
            ),
        )
    return OrderRecord(
        platform_id=order.platform_id,
        number=order.number,
        email=email,
        customer_id=order.customer_platform_id,
        locale="en",
        created_at=placed_at,
        processed_at=placed_at,
        updated_at=placed_at + timedelta(days=1),
        cancelled_at=None,
        cancel_reason=None,
        closed_at=None,
        financial_status="paid",
        fulfillment_status="fulfilled" if fulfillments else None,
        test=False,
        currency="USD",
        subtotal=total,
        total_tax=Decimal("0"),
        total_shipping=Decimal("0"),
        total_discounts=Decimal("0"),
        total_price=total,
        total_refunded=Decimal("0"),
        tags=(),
        line_items=lines,
        fulfillments=fulfillments,
        refunds=(),
        returns=(),
    )


async def seed_customers_and_orders(
    database_url: str,
    shop_id: int,
    customers: dict[str, tuple[str, str, str]],
    orders: list[SeededOrder],
) -> None:
    """Write customers (platform id → first, last, email) and their orders, with fulfillments and
    timeline entries, as the sync writes what it reads from the platform.

    The worker starts on the new shop at the same time (SQLite refuses a second writer that
    upgrades a read transaction: "database is locked"), so a refused attempt is made again;
    the upserts are idempotent."""
    async with app_orm(database_url):
        for attempt in range(1, SEED_ATTEMPTS + 1):
            try:
                await upsert_customers(
                    shop_id, [customer_record(pid, *fields) for pid, fields in customers.items()]
                )
                for n, order in enumerate(orders):
                    email = customers[order.customer_platform_id][2]
                    await upsert_order(shop_id, order_record(order, email, SEEDED_AT + timedelta(hours=n)))
                return
            except OperationalError:
                if attempt == SEED_ATTEMPTS:
                    raise
                await asyncio.sleep(0.5 * attempt)
