"""The platform URL mapping (a contract) and the shared client that applies it."""

from __future__ import annotations

import httpx
import pytest
import respx

from app.platform_http import build_http_client, route_platform_url

BASE = httpx.URL("http://127.0.0.1:8100")


@pytest.mark.parametrize(
    ("real", "routed"),
    [
        (
            "https://demo.myshopify.com/admin/api/2026-10/graphql.json",
            "http://127.0.0.1:8100/shopify/demo.myshopify.com/admin/api/2026-10/graphql.json",
        ),
        (
            "https://demo.myshopify.com/admin/oauth/access_token?x=1&y=%2F",
            "http://127.0.0.1:8100/shopify/demo.myshopify.com/admin/oauth/access_token?x=1&y=%2F",
        ),
        (
            "https://api.bigcommerce.com/stores/abc123/v3/orders/1/payment_actions/refunds",
            "http://127.0.0.1:8100/bigcommerce/api/stores/abc123/v3/orders/1/payment_actions/refunds",
        ),
        (
            "https://login.bigcommerce.com/oauth2/token",
            "http://127.0.0.1:8100/bigcommerce/login/oauth2/token",
        ),
    ],
)
def test_each_platform_url_form_maps_exactly(real: str, routed: str) -> None:
    assert str(route_platform_url(httpx.URL(real), BASE)) == routed


def test_a_base_with_a_path_keeps_it() -> None:
    routed = route_platform_url(httpx.URL("https://a.myshopify.com/x"), httpx.URL("http://h:9/stand-in/"))
    assert str(routed) == "http://h:9/stand-in/shopify/a.myshopify.com/x"


@pytest.mark.parametrize(
    "url",
    [
        "https://merchant.example.com/hook",
        "https://myshopify.com.evil.example/x",
        "https://bigcommerce.com/x",
    ],
)
def test_other_hosts_are_left_alone(url: str) -> None:
    assert str(route_platform_url(httpx.URL(url), BASE)) == url


@respx.mock
async def test_the_shared_client_sends_platform_calls_to_the_stand_in() -> None:
    routed = respx.post("http://127.0.0.1:8100/shopify/demo.myshopify.com/admin/oauth/access_token").respond(
        json={"access_token": "t"}
    )
    async with build_http_client("http://127.0.0.1:8100") as client:
        response = await client.post("https://demo.myshopify.com/admin/oauth/access_token", data={"a": "b"})
    assert response.json() == {"access_token": "t"}
    assert routed.calls.last.request.headers["host"] == "127.0.0.1:8100"


@respx.mock
async def test_without_a_platform_url_the_real_urls_are_used() -> None:
    real = respx.get("https://api.bigcommerce.com/stores/abc/v2/orders").respond(204)
    async with build_http_client(None) as client:
        response = await client.get("https://api.bigcommerce.com/stores/abc/v2/orders")
    assert response.status_code == 204
    assert real.called


async def test_the_shared_client_waits_as_long_as_it_is_told() -> None:
    async with build_http_client(None) as default, build_http_client(None, timeout=2.5) as told:
        assert default.timeout.read == 30.0
        assert (told.timeout.read, told.timeout.connect) == (2.5, 5.0)
