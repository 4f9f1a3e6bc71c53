"""The authorization-code grant: the consent page, its signed redirect, and the single-use code."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from app.auth.query_hmac import verify_query_hmac
from tests.devstore.shopify_support import APP_URL, CLIENT_ID, DEMO, SECRET, TOKEN_URL, decode_host, devstore

AUTHORIZE = f"/shopify/{DEMO}/admin/oauth/authorize"
REDIRECT_URI = f"{APP_URL}/auth/callback"


def authorize_query(**changes: str) -> str:
    params = {
        "client_id": CLIENT_ID,
        "scope": "read_orders,write_orders",
        "redirect_uri": REDIRECT_URI,
        "state": "nonce-123",
        **changes,
    }
    return urlencode(params)


def hidden_fields(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)


async def approve(client: httpx.AsyncClient, query: str) -> httpx.Response:
    page = await client.get(f"{AUTHORIZE}?{query}")
    assert page.status_code == 200, page.text
    return await client.post(AUTHORIZE, data=dict(hidden_fields(page.text)))


async def code_grant(client: httpx.AsyncClient, code: str, **extra: object) -> httpx.Response:
    return await client.post(
        TOKEN_URL,
        json={"client_id": CLIENT_ID, "client_secret": SECRET, "code": code, "expiring": 1, **extra},
    )


async def test_the_consent_page_names_the_app_shop_and_scopes(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        page = await client.get(f"{AUTHORIZE}?{authorize_query()}")
    assert page.status_code == 200
    assert "Install Aftercare on Demo Store" in page.text
    assert "<code>read_orders</code>" in page.text and "<code>write_orders</code>" in page.text
    assert ("state", "nonce-123") in hidden_fields(page.text)
    csp = page.headers["content-security-policy"]
    assert "form-action 'self' https://aftercare.test" in csp


async def test_approving_redirects_with_a_callback_the_app_can_verify(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        response = await approve(client, authorize_query())
        installation = (await client.get(f"/_devstore/shopify/{DEMO}/installation")).json()
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    pairs = parse_qsl(location.query)
    params = dict(pairs)
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert params["shop"] == DEMO and params["state"] == "nonce-123"
    assert decode_host(params["host"]) == "admin.shopify.com/store/demo"
    assert abs(int(params["timestamp"]) - time.time()) < 5
    # The app's own check (app/auth/query_hmac.py) accepts it, and refuses it once tampered with.
    assert verify_query_hmac(pairs, [SECRET])
    assert not verify_query_hmac([*pairs[:-1], (pairs[-1][0], pairs[-1][1] + "x")], [SECRET])
    assert installation["installed"] is True and installation["scopes"] == ["read_orders", "write_orders"]


async def test_the_code_is_exchanged_once(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        response = await approve(client, authorize_query())
        code = dict(parse_qsl(urlsplit(response.headers["location"]).query))["code"]
        wrong_secret = await client.post(
            TOKEN_URL, json={"client_id": CLIENT_ID, "client_secret": "wrong", "code": code}
        )
        first = await code_grant(client, code)
        second = await code_grant(client, code)
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    assert first.status_code == 200
    assert first.json()["scope"] == "read_orders,write_orders"
    assert first.json()["expires_in"] == 3600 and first.json()["refresh_token"].startswith("shprt_")
    assert second.status_code == 400
    assert second.json() == {
        "error": "invalid_request",
        "error_description": "The authorization code was not found or was already used.",
    }


async def test_per_user_access_gives_an_online_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        query = authorize_query() + "&grant_options%5B%5D=per-user"
        response = await approve(client, query)
        code = dict(parse_qsl(urlsplit(response.headers["location"]).query))["code"]
        token = await code_grant(client, code)
    assert token.json()["access_token"].startswith("shpua_")
    assert token.json()["associated_user"]["account_owner"] is True


async def test_an_app_holding_the_scopes_goes_straight_back(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await approve(client, authorize_query())
        again = await client.get(f"{AUTHORIZE}?{authorize_query(scope='read_orders')}")
    assert again.status_code == 302
    assert again.headers["location"].startswith(REDIRECT_URI + "?code=")


async def test_unknown_clients_and_foreign_redirects_are_refused(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        unknown = await client.get(f"{AUTHORIZE}?{authorize_query(client_id='someone-else')}")
        foreign = await client.get(f"{AUTHORIZE}?{authorize_query(redirect_uri='https://evil.test/cb')}")
        tampered_post = await client.post(
            AUTHORIZE, data={"client_id": CLIENT_ID, "redirect_uri": "https://evil.test/cb", "state": "s"}
        )
        no_shop = await client.get(
            f"/shopify/nowhere.myshopify.com/admin/oauth/authorize?{authorize_query()}"
        )
        installation = (await client.get(f"/_devstore/shopify/{DEMO}/installation")).json()
    assert unknown.status_code == 400 and "Could not find Shopify API application" in unknown.text
    assert foreign.status_code == 400 and "redirect_uri is not whitelisted" in foreign.text
    assert tampered_post.status_code == 400
    assert no_shop.status_code == 404
    assert installation["installed"] is False
