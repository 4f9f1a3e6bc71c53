"""The connector satisfies the platform-neutral interface, and says BigCommerce keeps no returns."""

from __future__ import annotations

import subprocess
import sys

import httpx
import respx

from connectors.base import StoreConnector
from connectors.bigcommerce.budget import RateBudget
from connectors.bigcommerce.connector import BigCommerceConnector
from tests.connectors.bigcommerce.fakes import API, FakeTime, FakeTokens, fixture, ok

MODULES = [
    "budget",
    "checkpoint",
    "connector",
    "dates",
    "errors",
    "listing",
    "records",
    "refunds",
    "rest",
    "statuses",
    "sync",
    "webhooks",
    "webhook_deliveries",
]
PROBE = f"""
import sys
for name in {MODULES!r}:
    __import__("connectors.bigcommerce." + name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {{"starlette", "tortoise", "arq", "app"}})
print(",".join(bad))
"""


def test_the_connector_is_a_store_connector_without_returns(http: httpx.AsyncClient) -> None:
    connector: StoreConnector = BigCommerceConnector(http, "abc123", FakeTokens())  # checked by mypy
    assert connector.keeps_returns is False


@respx.mock
async def test_the_connector_reads_through_the_callers_client_and_sleep(http: httpx.AsyncClient) -> None:
    time = FakeTime()
    respx.get(API + "v2/orders/100").mock(return_value=ok(fixture("orders_page.json")[0]))
    respx.get(API + "v2/orders/100/products").mock(
        side_effect=[httpx.Response(429, headers={"X-Retry-After": "2"}), ok(fixture("order_products.json"))]
    )
    respx.get(API + "v3/orders/100/payment_actions/refunds").mock(return_value=ok({"data": [], "meta": {}}))
    connector = BigCommerceConnector(
        http, "abc123", FakeTokens(), sleep=time.sleep, budget=RateBudget(clock=time.monotonic)
    )

    order = await connector.fetch_order("100")

    assert order is not None and order.line_items[0].platform_id == "65"
    assert time.sleeps == [2.0]


def test_the_package_imports_no_web_orm_queue_or_app_module() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
