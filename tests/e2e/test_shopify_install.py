"""The whole stack as a merchant meets it: the devstore's admin installs Aftercare with one click and
the embedded app renders in its frame; the devstore's signed webhooks reach the running app; an
install started outside the admin goes through the authorization-code grant.

Real processes (app, worker, devstore), a real Redis and SQLite, and headless Chromium.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Route, expect

from app.auth.session_token import verify_session_token
from app.crypto import TokenCipher
from app.settings import load_settings
from tests.e2e.app_db import query, wait_for_rows
from tests.e2e.support import empty_redis as flush_redis
from tests.e2e.test_shopify_sync import empty_redis
from tests.support.browser import chromium, chromium_path, screenshot_path
from tests.support.requirements import missing
from tests.support.servers import Stack, running_stack

DEMO = "demo.myshopify.com"
SHOP_ROW = "SELECT * FROM shop WHERE platform = 'shopify' AND domain = ?"


async def _no_cdn(route: Route) -> None:
    # Shopify's CDN (Polaris) is unreachable in CI: fail it at once, as a blocked network would.
    await route.abort()


def devstore_tokens(stack: Stack) -> list[dict[str, object]]:
    installation = httpx.get(f"{stack.devstore_url}/_devstore/shopify/{DEMO}/installation", timeout=10).json()
    assert installation["installed"] is True
    tokens: list[dict[str, object]] = installation["tokens"]
    return tokens


@pytest.mark.browser
@pytest.mark.slow
async def test_one_click_in_the_devstore_admin_installs_and_opens_the_embedded_app(
    request: pytest.FixtureRequest, tmp_path: Path, app_database: str, redis_url: str
) -> None:
    if chromium_path() is None:
        missing(request.config, "browser", "chromium is not installed")
    await flush_redis(redis_url)  # job ids repeat across tests: an earlier test's result would drop ours
    with running_stack(tmp_path / "var", app_database, redis_url) as stack:
        async with chromium() as browser:
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            try:
                await context.route("https://cdn.shopify.com/**", _no_cdn)
                page = await context.new_page()
                await page.goto(f"{stack.devstore_url}/")
                await page.get_by_role("link", name="Open admin").click()
                await expect(page.get_by_role("heading", name="Demo Store")).to_be_visible()

                await page.get_by_role("button", name="Install").click()

                app = page.frame_locator("iframe.app")
                await expect(app.get_by_role("heading", name="Home", level=1)).to_be_visible(timeout=30_000)
                await expect(app.get_by_role("heading", name="Returns awaiting review")).to_be_visible()
                # App Bridge's stand-in is what the app's page runs with (it hides the fallback nav).
                await expect(app.locator("html.app-bridge")).to_have_count(1)
                # ...and the app's own <s-app-nav> sections are drawn in the admin's sidebar instead.
                await expect(page.locator("#app-nav").get_by_role("link", name="Customers")).to_be_visible()
                await page.screenshot(path=screenshot_path("shopify-install"))

                # The App Bridge stand-in works from the app's origin: tokens over CORS, a toast.
                frame = page.frame(name="app-iframe")
                assert frame is not None
                token = await frame.evaluate("shopify.idToken()")
                settings = load_settings(stack.env)
                check = verify_session_token(
                    token, api_key=settings.shopify_api_key, secrets=[str(settings.shopify_api_secret)]
                )
                assert check.ok and check.shop == DEMO
                await frame.evaluate("shopify.toast.show('Return approved')")
                await expect(app.get_by_role("status")).to_have_text("Return approved")
                await page.screenshot(path=screenshot_path("shopify-install-toast"))

                # The app's <s-app-nav> links are drawn in the admin's sidebar, as Shopify's admin does.
                await frame.evaluate(
                    """() => {
                        const nav = document.createElement("s-app-nav");
                        nav.innerHTML = '<s-link href="/" rel="home">Home</s-link><s-link href="/returns">Returns</s-link>';
                        document.body.appendChild(nav);
                    }"""
                )
                sidebar_link = page.locator("#app-nav").get_by_role("link", name="Returns")
                await expect(sidebar_link).to_have_attribute(
                    "href", f"/shopify/{DEMO}/admin/apps/{settings.shopify_api_key}/returns"
                )
                await expect(page.locator("#app-nav a")).to_have_count(1)

                # A load without a session token bounces through App Bridge for one and comes back.
                await frame.goto(f"{stack.app_url}/?shop={DEMO}&embedded=1")
                await expect(app.get_by_role("heading", name="Returns awaiting review")).to_be_visible()
                assert "id_token=" in frame.url
            finally:
                await context.close()

        # The app exchanged the admin's session token for an expiring offline token, kept encrypted.
        [shop] = query(app_database, SHOP_ROW, DEMO)
        assert shop["is_active"] == 1 and shop["needs_reauth"] == 0
        assert shop["access_token_encrypted"] and shop["refresh_token_encrypted"]
        assert shop["access_token_expires_at"] is not None
        [issued] = devstore_tokens(stack)
        assert issued["grant_type"] == "token_exchange" and issued["access_mode"] == "offline"
        assert issued["access_token"] not in shop["access_token_encrypted"]
        cipher = TokenCipher(load_settings(stack.env).token_encryption_keys)
        assert cipher.decrypt(shop["access_token_encrypted"]) == issued["access_token"]
        assert cipher.decrypt(shop["refresh_token_encrypted"]) == issued["refresh_token"]


@pytest.mark.slow
def test_signed_webhooks_reach_the_app_once_and_uninstall_deactivates_the_shop(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    empty_redis(redis_url)  # job ids repeat across tests: an earlier test's result would drop ours
    with running_stack(tmp_path / "var", app_database, redis_url) as stack, httpx.Client(timeout=30) as http:
        settings = load_settings(stack.env)
        admin = f"{stack.devstore_url}/shopify/{DEMO}/admin"
        # Install, then the app's first load: what the admin's frame does, without the browser.
        assert http.post(f"{admin}/settings/apps/{settings.shopify_api_key}/install").status_code == 303
        token = http.get(f"{admin}/session-token", params={"client_id": settings.shopify_api_key}).json()
        home = http.get(
            f"{stack.app_url}/",
            params={"shop": DEMO, "embedded": "1", "id_token": token["id_token"]},
            headers={"Accept": "text/html", "Sec-Fetch-Dest": "iframe"},
        )
        assert home.status_code == 200 and "Returns awaiting review" in home.text

        sent = http.post(
            f"{stack.devstore_url}/_devstore/shopify/{DEMO}/webhooks",
            json={"topic": "orders/create", "duplicate": True, "wait": True},
        )
        first, second = sent.json()["deliveries"]
        assert first["status"] == second["status"] == "delivered"
        assert first["response_status"] == second["response_status"] == 200
        assert first["event_id"] == second["event_id"] and first["webhook_id"] != second["webhook_id"]
        recorded = query(app_database, "SELECT * FROM webhook_event WHERE topic = 'orders/create'")
        assert len(recorded) == 1
        assert recorded[0]["dedupe_key"] == first["event_id"]
        assert recorded[0]["webhook_id"] in {first["webhook_id"], second["webhook_id"]}

        # The admin's Uninstall button: tokens revoked, app/uninstalled sent, the worker acts on it.
        assert http.post(f"{admin}/settings/apps/{settings.shopify_api_key}/uninstall").status_code == 303
        [shop] = wait_for_rows(app_database, SHOP_ROW, DEMO, until=lambda rows: rows[0]["is_active"] == 0)
        assert shop["is_active"] == 0 and shop["access_token_encrypted"] is None
        # The handler's effect commits before the delivery is marked processed: wait for both.
        [event] = wait_for_rows(
            app_database,
            "SELECT * FROM webhook_event WHERE topic = 'app/uninstalled'",
            until=lambda rows: len(rows) == 1 and rows[0]["status"] == "processed",
        )
        assert event["status"] == "processed"


@pytest.mark.slow
def test_an_install_from_outside_the_admin_uses_the_authorization_code_grant(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    empty_redis(redis_url)  # job ids repeat across tests: an earlier test's result would drop ours
    with running_stack(tmp_path / "var", app_database, redis_url) as stack, httpx.Client(timeout=30) as http:
        settings = load_settings(stack.env)
        to_consent = http.get(f"{stack.app_url}/auth", params={"shop": DEMO})
        assert to_consent.status_code == 302
        consent = http.get(to_consent.headers["location"])
        assert "Install Aftercare on Demo Store" in consent.text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', consent.text))
        to_callback = http.post(
            urlsplit(to_consent.headers["location"])._replace(query="").geturl(),
            data={name: html.unescape(value) for name, value in fields.items()},
        )
        assert to_callback.headers["location"].startswith(f"{stack.app_url}/auth/callback?")
        # The browser carries the app's state cookie back (httpx's jar does too).
        into_app = http.get(to_callback.headers["location"])

        assert into_app.status_code == 302
        assert into_app.headers["location"] == (
            f"{stack.devstore_url}/shopify/{DEMO}/admin/apps/{settings.shopify_api_key}"
        )
        [issued] = devstore_tokens(stack)
        assert issued["grant_type"] == "authorization_code"
        [shop] = query(app_database, SHOP_ROW, DEMO)
        cipher = TokenCipher(settings.token_encryption_keys)
        assert cipher.decrypt(shop["access_token_encrypted"]) == issued["access_token"]
