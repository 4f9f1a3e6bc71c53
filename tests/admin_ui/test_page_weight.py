"""Pages are light: no framework, no build step. Every admin page's HTML plus the app's own static
assets it loads stays under 150 KB uncompressed (Shopify's CDN, App Bridge and Polaris, not counted),
with a full page of list rows on the lists."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.routing import Route

from app.clock import utcnow
from app.models import Customer, Order, Shop
from app.settings import Settings
from tests.admin_ui.test_every_page import ADMIN_ROUTES, concrete, ids_of
from tests.admin_ui.test_home import SHOP_A, as_staff_of, installed

BUDGET = 150 * 1024
DOWNLOAD = re.compile(r"\.(json|csv)$|/export|/download")
OUR_ASSETS = re.compile(r'(?:src|href)="(/admin/static/[^"]+)"')
PAGES = [
    r
    for r in ADMIN_ROUTES
    # Downloads (a data export, a CSV) are files, not pages.
    if "GET" in (r.methods or set()) and not DOWNLOAD.search(r.path)
]


async def busy_shop(shop: Shop) -> dict[str, int]:
    """More rows than one page of any list shows, on top of one of each kind."""
    ids = await ids_of(shop)
    now = utcnow()
    for n in range(60):
        customer = await Customer.create(
            shop=shop,
            platform_id=f"busy-{n}",
            email=f"customer{n}@example.com",
            first_name=f"Customer{n}",
            last_name="Lastname-that-is-fairly-long",
        )
        await Order.create(
            shop=shop,
            platform_id=f"busy-order-{n}",
            number=f"#{2000 + n}",
            customer=customer,
            placed_at=now - timedelta(hours=n),
        )
    return ids


async def weight(client: httpx.AsyncClient, settings: Settings, path: str) -> tuple[int, list[str]]:
    """Bytes of the page and of each of our assets it references (uncompressed), and the assets."""
    page = await client.get(path, headers={**as_staff_of(settings, SHOP_A), "Accept-Encoding": "identity"})
    assert page.status_code == 200, page.text[:300]
    assets = sorted(set(OUR_ASSETS.findall(page.text)))
    total = len(page.content)
    for asset in assets:
        response = await client.get(asset, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, asset
        total += len(response.content)
    return total, assets


def test_every_page_is_weighed() -> None:
    assert {r.name for r in PAGES} >= {"admin:home", "admin:customers", "admin:reply-new", "admin:settings"}


@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
async def test_a_page_with_its_own_assets_stays_under_150_kb(
    route: Route, client: httpx.AsyncClient, settings: Settings
) -> None:
    ids = await busy_shop(await installed(settings, SHOP_A))
    total, assets = await weight(client, settings, concrete(route.path, ids))
    assert "/admin/static/admin.css" in assets and "/admin/static/admin.js" in assets
    assert total < BUDGET, f"{route.path}: {total} bytes with {assets}"
