"""The control panel: installing sends the browser to the app's auth callback; opening the installed
app frames its load callback with a signed_payload_jwt that PyJWT verifies with the client secret;
uninstall and remove_user reach the app server-to-server."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tests.devstore.test_bigcommerce_support import (
    API,
    APP_URL,
    CLIENT_ID,
    CONTROL,
    SCOPES,
    SECRET,
    STORE,
    TOKEN_URL,
    Receiver,
    auth,
    devstore,
    install,
    token_request,
)

MANAGE = f"/bigcommerce/{STORE}/manage"
APP_PAGE = f"{MANAGE}/app/{CLIENT_ID}"
INSTALL = f"{MANAGE}/marketplace/apps/{CLIENT_ID}/install"
UNINSTALL = f"{MANAGE}/marketplace/apps/{CLIENT_ID}/uninstall"


def iframe_src(page: str) -> str:
    found = re.search(r'<iframe id="app-iframe"[^>]* src="([^"]+)"', page)
    assert found is not None, page
    return unescape(found.group(1))


def verified(token: str) -> dict[str, Any]:
    """The claims as the app should check them (fact sheet §1.3): HS256, aud, iss, leeway for nbf."""
    claims: dict[str, Any] = jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience=CLIENT_ID,
        issuer="bc",
        leeway=10,
        options={"require": ["exp", "iat", "nbf", "aud", "sub", "jti"]},
    )
    return claims


async def users(client: Any) -> dict[str, dict[str, Any]]:
    listed = (await client.get(f"{CONTROL}/installation")).json()["users"]
    return {u["role"]: u for u in listed}


async def test_the_devstore_home_links_to_the_stores_control_panel(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        home = await client.get("/")
    assert f'href="{MANAGE}">Open control panel</a>' in home.text


async def test_install_sends_the_browser_to_the_auth_callback_in_the_frame(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        consent = await client.get(APP_PAGE)
        page = await client.post(INSTALL, data={})
        src = iframe_src(page.text)
        query = {k: v[0] for k, v in parse_qs(urlsplit(src).query).items()}
        exchanged = await client.post(TOKEN_URL, json=token_request(query["code"]))

    assert consent.status_code == 200 and INSTALL in consent.text
    assert page.status_code == 200
    assert f"frame-src {APP_URL}" in page.headers["content-security-policy"]
    assert src.startswith(f"{APP_URL}/bigcommerce/auth?")
    # Scopes are space-separated, sent as "+"; the context's slash is encoded.
    assert "context=stores%2Fabc123" in src and "scope=store_v2_orders+" in src
    assert query["context"] == f"stores/{STORE}" and query["scope"] == SCOPES and query["account_uuid"]
    assert exchanged.status_code == 200


async def test_a_plain_user_cannot_install(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        plain = (await users(client))["user"]
        page = await client.post(INSTALL, data={"user_id": str(plain["id"])})
        installed = (await client.get(f"{CONTROL}/installation")).json()["installed"]
    assert page.status_code == 403 and 'id="app-iframe"' not in page.text
    assert not installed


async def test_the_installed_app_is_loaded_with_a_signed_payload_jwt(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        page = await client.get(APP_PAGE)
    src = iframe_src(page.text)
    assert src.startswith(f"{APP_URL}/bigcommerce/load?signed_payload_jwt=")
    token = parse_qs(urlsplit(src).query)["signed_payload_jwt"][0]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = verified(token)
    now = time.time()
    assert claims["iss"] == "bc" and claims["aud"] == CLIENT_ID and claims["sub"] == f"stores/{STORE}"
    assert abs(claims["iat"] - now) < 5
    assert claims["nbf"] == claims["iat"] - 5  # as BigCommerce's examples show it
    assert claims["exp"] == claims["nbf"] + 86400
    assert claims["user"]["id"] == claims["owner"]["id"]
    assert set(claims["user"]) == {"id", "email", "locale"} and set(claims["owner"]) == {"id", "email"}
    assert claims["url"] == "/" and claims["channel_id"] is None
    assert re.fullmatch(r"[0-9a-f-]{36}", claims["jti"])


async def test_a_jwt_signed_with_another_secret_or_for_another_app_is_not_verified(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        token = (await client.post(f"{CONTROL}/load-url", json={})).json()["signed_payload_jwt"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token, "another-secret-with-enough-bytes-for-hs256", algorithms=["HS256"], audience=CLIENT_ID
        )
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience="another-app", leeway=10)


async def test_each_load_names_the_user_who_opened_the_app(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        roles = await users(client)
        plain = roles["user"]
        page = await client.get(APP_PAGE, params={"user_id": plain["id"], "url": "/orders/1003/refund"})
        first = verified(parse_qs(urlsplit(iframe_src(page.text)).query)["signed_payload_jwt"][0])
        second = verified(
            (await client.post(f"{CONTROL}/load-url", json={"user_id": plain["id"]})).json()[
                "signed_payload_jwt"
            ]
        )
    assert first["user"] == {"id": plain["id"], "email": plain["email"], "locale": "de-DE"}
    assert first["owner"]["id"] == roles["owner"]["id"] != plain["id"]
    assert first["url"] == "/orders/1003/refund"
    assert first["jti"] != second["jti"]


async def test_uninstall_revokes_the_token_calls_back_and_removes_the_hooks(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        token = await install(client)
        hook = {"scope": "store/app/uninstalled", "destination": f"{APP_URL}/webhooks/bigcommerce"}
        assert (await client.post(f"{API}/v3/hooks", json=hook, headers=auth(token))).status_code == 200
        page = await client.post(UNINSTALL, data={})
        api = await client.get(f"{API}/v2/orders", headers=auth(token))
        installation = (await client.get(f"{CONTROL}/installation")).json()
        hooks_left = (await client.get(f"{CONTROL}/hooks")).json()
        await receiver.posted(1)

    assert page.status_code == 303 and page.headers["location"].startswith(MANAGE)
    assert api.status_code == 401 and not installation["installed"] and hooks_left == []
    [callback] = receiver.gets("/bigcommerce/uninstall")
    claims = verified(callback.query["signed_payload_jwt"])
    assert claims["sub"] == f"stores/{STORE}" and claims["user"]["id"] == installation["users"][0]["id"]
    [delivery] = receiver.posts()
    assert delivery.payload["scope"] == "store/app/uninstalled"


async def test_remove_user_calls_the_app_back_for_that_user(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        await install(client)
        manager = (await users(client))["authorized"]
        page = await client.post(f"{MANAGE}/users/{manager['id']}/remove")
        answer = (await client.post(f"{CONTROL}/remove-user", json={"user_id": manager["id"]})).json()
    assert page.status_code == 303
    assert answer["callback"] == {"url": f"{APP_URL}/bigcommerce/remove-user", "status": 200, "error": None}
    calls = receiver.gets("/bigcommerce/remove-user")
    assert len(calls) == 2
    assert all(verified(c.query["signed_payload_jwt"])["user"]["id"] == manager["id"] for c in calls)


async def test_the_dashboard_shows_the_app_and_the_users(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        before = await client.get(MANAGE)
        await install(client)
        after = await client.get(MANAGE)
        unknown = await client.get("/bigcommerce/nosuchstore/manage")
    assert "Not installed" in before.text and INSTALL in before.text
    assert "Installed" in after.text and UNINSTALL in after.text
    assert after.text.count("data-user-row=") == 3
    assert unknown.status_code == 404
