"""Every admin route, walked from the route table: the shop's CSP on every page, and shop B's ids
under shop A's session are 404 — for routes that exist today and any added later."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Route

from admin_ui.routes import routes
from app.clock import utcnow
from app.models import CannedReply, Customer, DataRequest, Order, Refund, Return, Shop
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed

ADMIN_ROUTES = [r for r in routes if isinstance(r, Route) and r.name and r.name.startswith("admin:")]
PARAM = re.compile(r"{(\w+)}")


async def ids_of(shop: Shop) -> dict[str, int]:
    customer = await Customer.create(shop=shop, platform_id="c1", email="b@example.com", first_name="Bee")
    order = await Order.create(
        shop=shop, platform_id="o1", number="#B1", customer=customer, placed_at=utcnow()
    )
    reply = await CannedReply.create(shop=shop, short_code="b", title="B", body="Hi")
    request = await DataRequest.create(shop=shop, platform_request_id="r1", status="ready", export={})
    refund = await Refund.create(
        shop=shop, order=order, status="awaiting_approval", idempotency_key=f"rf_{shop.id}"
    )
    return_request = await Return.create(shop=shop, order=order, customer=customer, requested_at=utcnow())
    return {
        "return_id": return_request.id,
        "customer_id": customer.id,
        "order_id": order.id,
        "reply_id": reply.id,
        "request_id": request.id,
        "refund_id": refund.id,
    }


def concrete(path: str, ids: dict[str, int]) -> str:
    return PARAM.sub(lambda m: str(ids[m.group(1)]), path)


def test_the_walk_covers_the_admin() -> None:
    assert len(ADMIN_ROUTES) >= 10, "admin routes are found in the route table"


@pytest.mark.parametrize(
    "route", [r for r in ADMIN_ROUTES if "GET" in (r.methods or set())], ids=lambda r: r.name
)
async def test_every_page_carries_the_shops_frame_ancestors(
    route: Route, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    response = await client.get(
        concrete(route.path, await ids_of(shop)), headers=as_staff_of(settings, SHOP_A)
    )
    assert response.status_code in {200, 409}, response.text[:300]
    csp = response.headers["content-security-policy"]
    assert csp.startswith(f"frame-ancestors https://{SHOP_A} https://admin.shopify.com")
    assert "*" not in csp


@pytest.mark.parametrize("route", [r for r in ADMIN_ROUTES if PARAM.search(r.path)], ids=lambda r: r.name)
async def test_shop_b_ids_under_shop_a_are_not_found(
    route: Route, client: httpx.AsyncClient, settings: Settings
) -> None:
    await installed(settings, SHOP_A)
    foreign = await ids_of(await installed(settings, SHOP_B))
    path = concrete(route.path, foreign)
    for method in sorted((route.methods or set()) - {"HEAD"}):
        response = await client.request(method, path, headers=as_staff_of(settings, SHOP_A), data={"x": "1"})
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
