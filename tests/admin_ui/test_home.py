"""The admin home: what needs attention, for the authenticated shop only, inside Shopify's frame."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.clock import utcnow
from app.models import Order, Refund, RefundStatus, Return, ReturnStatus, Shop, SyncRun
from app.services.shops import install_shop
from app.settings import Settings
from connectors.base import TokenSet
from tests.support.session_tokens import make_session_token

SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"


async def installed(settings: Settings, domain: str) -> Shop:
    now = utcnow()
    tokens = TokenSet(
        f"shpat_{domain}", "read_orders", now + timedelta(hours=1), "shprt", now + timedelta(days=90)
    )
    return await install_shop(domain, tokens, settings=settings, via="token_exchange")


def as_staff_of(settings: Settings, domain: str) -> dict[str, str]:
    token = make_session_token(domain, settings.shopify_api_key, str(settings.shopify_api_secret))
    return {"Authorization": f"Bearer {token}", "Accept": "text/html"}


async def order(shop: Shop, number: str) -> Order:
    return await Order.create(shop=shop, platform_id=number, number=number, placed_at=utcnow())


async def test_home_lists_what_needs_attention(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await installed(settings, SHOP_A)
    first = await order(shop, "#1001")
    await Return.create(shop=shop, order=first, reason="damaged", requested_at=utcnow() - timedelta(days=2))
    await Refund.create(shop=shop, order=first, status=RefundStatus.FAILED, error="Card expired", amount=10)
    await SyncRun.create(shop=shop, kind="backfill", resource="orders", status="running", done=50, total=200)

    response = await client.get("/", headers=as_staff_of(settings, SHOP_A))

    assert response.status_code == 200
    page = response.text
    assert "Returns awaiting review" in page and "Order #1001" in page and "damaged" in page
    assert "Card expired" in page
    assert 'aria-valuenow="25"' in page, "orders sync at 50 of 200"
    assert response.headers["content-security-policy"].startswith(f"frame-ancestors https://{SHOP_A} ")


async def test_home_shows_only_the_authenticated_shops_rows(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop_a, shop_b = await installed(settings, SHOP_A), await installed(settings, SHOP_B)
    await Return.create(shop=shop_b, order=await order(shop_b, "#B-7"), requested_at=utcnow())
    await Return.create(
        shop=shop_a, order=await order(shop_a, "#A-1"), requested_at=utcnow(), status=ReturnStatus.CLOSED
    )

    page = (await client.get("/", headers=as_staff_of(settings, SHOP_A))).text

    assert "#B-7" not in page
    assert "No returns are waiting for review." in page


async def test_home_loads_app_bridge_first_and_works_without_the_cdn(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await installed(settings, SHOP_A)
    page = (await client.get("/", headers=as_staff_of(settings, SHOP_A))).text
    head = page[: page.index("</head>")]
    scripts = [line.strip() for line in head.splitlines() if "<script" in line]
    assert scripts[0] == f'<script src="{settings.app_bridge_url}"></script>'
    assert f'<meta name="shopify-api-key" content="{settings.shopify_api_key}">' in head
    # Our own stylesheet and script render and drive the page when Polaris cannot load.
    assert (await client.get("/admin/static/admin.css")).status_code == 200
    assert (await client.get("/admin/static/admin.js")).status_code == 200
    assert '<nav class="app-nav"' in page


async def test_home_without_a_session_token_bounces_for_a_fresh_one(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/?shop={SHOP_A}", headers={"Accept": "text/html", "Sec-Fetch-Dest": "iframe"}
    )
    assert response.status_code == 200
    assert "idToken" in response.text
    assert "Returns awaiting review" not in response.text
