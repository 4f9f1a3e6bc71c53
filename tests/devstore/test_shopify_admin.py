"""The shop's admin: home with the app's buttons, the app framed as Shopify frames it (checked with the
app's own verifiers), install and uninstall, the session-token endpoint and the App Bridge stand-in."""

from __future__ import annotations

import asyncio
import html
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt

from app.auth.query_hmac import verify_query_hmac
from app.auth.session_token import verify_session_token
from app.webhooks.verify import check_shopify_delivery
from tests.devstore.shopify_support import (
    APP_URL,
    CLIENT_ID,
    DEMO,
    SECRET,
    Receiver,
    admin_api,
    decode_host,
    devstore,
    exchange,
    install,
)

ADMIN = f"/shopify/{DEMO}/admin"
APP = f"{ADMIN}/apps/{CLIENT_ID}"


def iframe_src(page: str) -> str:
    found = re.search(r'<iframe class="app"[^>]* src="([^"]+)"', page)
    assert found is not None, page
    return html.unescape(found.group(1))


async def test_the_home_page_links_each_shopify_shops_admin(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        home = await client.get("/")
    assert f'href="/shopify/{DEMO}/admin">Open admin</a>' in home.text


async def test_admin_home_offers_install_then_open_and_uninstall(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        before = await client.get(ADMIN)
        installed = await client.post(f"{ADMIN}/settings/apps/{CLIENT_ID}/install")
        after = await client.get(ADMIN)
    assert before.status_code == 200
    assert "Demo Store" in before.text and "Not installed" in before.text
    assert f'action="{ADMIN}/settings/apps/{CLIENT_ID}/install"' in before.text
    assert '<a href="/mail">Outbox</a>' in before.text
    assert installed.status_code == 303 and installed.headers["location"] == APP
    assert f'<a class="button primary" href="{APP}">Open</a>' in after.text
    assert f'action="{ADMIN}/settings/apps/{CLIENT_ID}/uninstall"' in after.text
    assert "read_orders" in after.text


async def test_the_app_is_framed_with_shopifys_signed_launch_parameters(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        page = await client.get(APP)
    assert page.status_code == 200
    src = urlsplit(iframe_src(page.text))
    assert f"{src.scheme}://{src.netloc}{src.path}" == f"{APP_URL}/"
    pairs = parse_qsl(src.query)
    params = dict(pairs)
    assert set(params) == {"embedded", "hmac", "host", "id_token", "locale", "session", "shop", "timestamp"}
    assert params["shop"] == DEMO and params["embedded"] == "1" and params["locale"] == "en"
    assert decode_host(params["host"]) == "admin.shopify.com/store/demo"
    assert abs(int(params["timestamp"]) - time.time()) < 5
    assert verify_query_hmac(pairs, [SECRET])
    # The app's own session-token check accepts the id_token, for this shop.
    check = verify_session_token(params["id_token"], api_key=CLIENT_ID, secrets=[SECRET])
    assert check.ok and check.shop == DEMO and check.session_id == params["session"]
    csp = page.headers["content-security-policy"]
    assert "frame-src https://aftercare.test" in csp and "script-src 'self'" in csp


async def test_the_id_token_has_shopifys_claims(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        params = dict(parse_qsl(urlsplit(iframe_src((await client.get(APP)).text)).query))
    claims = jwt.decode(params["id_token"], SECRET, algorithms=["HS256"], audience=CLIENT_ID)
    assert jwt.get_unverified_header(params["id_token"])["alg"] == "HS256"
    assert set(claims) == {"iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid"}
    assert claims["iss"] == f"https://{DEMO}/admin" and claims["dest"] == f"https://{DEMO}"
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"].isdigit()
    assert claims["exp"] - claims["iat"] == 60 and claims["nbf"] == claims["iat"]
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 5
    assert len(claims["jti"]) == 36 and claims["sid"]


async def test_a_sub_path_and_the_admin_query_are_passed_to_the_app(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        page = await client.get(f"/shopify/{DEMO}/admin/apps/aftercare/returns/42?tab=open&shop=evil")
    src = urlsplit(iframe_src(page.text))
    pairs = parse_qsl(src.query)
    assert src.path == "/returns/42"
    assert ("tab", "open") in pairs and dict(pairs)["shop"] == DEMO
    assert verify_query_hmac(pairs, [SECRET])


async def test_an_app_that_is_not_installed_shows_the_install_consent(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        page = await client.get(APP)
        unknown = await client.get(f"{ADMIN}/apps/someone-else")
    assert page.status_code == 200
    assert "<iframe" not in page.text
    assert "Install Aftercare on Demo Store" in page.text
    assert f'action="{ADMIN}/settings/apps/{CLIENT_ID}/install"' in page.text
    assert unknown.status_code == 404


async def test_uninstall_revokes_tokens_and_sends_a_signed_app_uninstalled(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        pair = await exchange(client)
        response = await client.post(f"{ADMIN}/settings/apps/{CLIENT_ID}/uninstall")
        assert response.status_code == 303 and response.headers["location"] == ADMIN
        for _ in range(200):  # the delivery runs in the background, on this loop
            if receiver.received:
                break
            await asyncio.sleep(0.01)
        home = await client.get(ADMIN)
        api = await admin_api(client, pair["access_token"])
    assert api.status_code == 401
    assert "Not installed" in home.text and "app/uninstalled" in home.text
    [delivery] = receiver.received
    assert delivery.path == "/webhooks/shopify"
    assert delivery.headers["x-shopify-topic"] == "app/uninstalled"
    checked = check_shopify_delivery(
        "POST",
        httpx.Headers(delivery.headers),
        delivery.body,
        {"client_id": CLIENT_ID, "client_secret": SECRET, "old_client_secret": None},
    )
    assert not hasattr(checked, "status"), checked
    shop = delivery.payload
    assert shop["myshopify_domain"] == DEMO and shop["domain"] == DEMO and isinstance(shop["id"], int)
    assert {"name", "email", "plan_name", "currency", "shop_owner", "created_at"} <= set(shop)


async def test_the_session_token_endpoint_answers_the_apps_origin_only(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        url = f"{ADMIN}/session-token?client_id={CLIENT_ID}"
        not_installed = await client.get(url, headers={"Origin": APP_URL})
        await install(client)
        from_app = await client.get(url, headers={"Origin": APP_URL})
        from_elsewhere = await client.get(url, headers={"Origin": "https://evil.test"})
        wrong_client = await client.get(f"{ADMIN}/session-token?client_id=nope")
    assert not_installed.status_code == 403 and not_installed.json() == {"error": "app_not_installed"}
    assert from_app.status_code == 200
    assert from_app.headers["access-control-allow-origin"] == APP_URL
    assert from_app.headers["cache-control"] == "no-store"
    token = from_app.json()["id_token"]
    assert verify_session_token(token, api_key=CLIENT_ID, secrets=[SECRET]).shop == DEMO
    assert "access-control-allow-origin" not in from_elsewhere.headers
    assert wrong_client.status_code == 404


async def test_app_bridge_and_the_frame_script_are_served_as_javascript(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        bridge = await client.get("/shopify/app-bridge.js")
        frame = await client.get("/shopify/admin-frame.js")
    assert bridge.status_code == 200 and bridge.headers["content-type"].startswith("text/javascript")
    for name in ("idToken", "toast", "loading", "/admin/session-token", "shopify-api-key"):
        assert name in bridge.text
    assert frame.status_code == 200 and "postMessage" not in frame.text and "app-nav" in frame.text
