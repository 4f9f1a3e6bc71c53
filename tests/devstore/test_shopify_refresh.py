"""Rotating refresh tokens: every refresh returns a new pair; the spent refresh token stays usable
until its replacement is used (Shopify, Aug 2026), then never again; expiry and uninstall end it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from devstore.shopify.emulation import ShopifyEmulation
from devstore.shopify.grants import REFRESH_RECOVERY_WINDOW, Granted, OAuthError
from devstore.shopify.registration import load_registration
from devstore.store import DevStore
from tests.devstore.shopify_support import (
    APP_URL,
    CLIENT_ID,
    DEMO,
    SECRET,
    TOKEN_URL,
    admin_api,
    devstore,
    exchange,
    exchange_body,
    refresh,
    seeded,
    session_token,
)


async def test_a_refresh_returns_a_new_pair(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        first = await exchange(client)
        response = await refresh(client, first["refresh_token"])
    second = response.json()
    assert response.status_code == 200
    assert set(second) == {"access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"}
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["expires_in"] == 3600


async def test_the_spent_refresh_token_works_again_until_the_new_access_token_is_used(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        first = await exchange(client)
        lost = (await refresh(client, first["refresh_token"])).json()  # the answer never arrived
        retried = await refresh(client, first["refresh_token"])
        kept = retried.json()
        assert retried.status_code == 200 and kept["access_token"] != lost["access_token"]

        assert (await admin_api(client, kept["access_token"])).status_code == 200
        again = await refresh(client, first["refresh_token"])

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert "replacement is in use" in again.json()["error_description"]


async def test_spending_the_new_refresh_token_retires_the_one_before(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        first = await exchange(client)
        second = (await refresh(client, first["refresh_token"])).json()
        third = await refresh(client, second["refresh_token"])
        back = await refresh(client, first["refresh_token"])
    assert third.status_code == 200
    assert back.status_code == 400 and back.json()["error"] == "invalid_grant"


async def test_older_access_tokens_keep_working_until_they_expire(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        first = await exchange(client)
        second = (await refresh(client, first["refresh_token"])).json()
        assert (await admin_api(client, second["access_token"])).status_code == 200
        assert (await admin_api(client, first["access_token"])).status_code == 200


async def test_the_control_switch_expires_access_then_refresh_tokens(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        pair = await exchange(client)
        expired = await client.post(f"/_devstore/shopify/{DEMO}/tokens/expire", json={"token": "access"})
        assert expired.json() == {"expired": 1}
        assert (await admin_api(client, pair["access_token"])).status_code == 401
        renewed = await refresh(client, pair["refresh_token"])  # an expired access token is refreshed
        assert renewed.status_code == 200

        await client.post(f"/_devstore/shopify/{DEMO}/tokens/expire", json={"token": "refresh"})
        dead = await refresh(client, renewed.json()["refresh_token"])
        bad = await client.post(f"/_devstore/shopify/{DEMO}/tokens/expire", json={"token": "all"})
    assert dead.status_code == 400
    assert dead.json() == {"error": "invalid_grant", "error_description": "The refresh token has expired."}
    assert bad.status_code == 422


async def test_uninstalling_revokes_every_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        pair = await exchange(client)
        await client.post(f"/_devstore/shopify/{DEMO}/uninstall", json={"wait": True})
        api = await admin_api(client, pair["access_token"])
        renewed = await refresh(client, pair["refresh_token"])
        installation = (await client.get(f"/_devstore/shopify/{DEMO}/installation")).json()
    assert api.status_code == 401
    assert renewed.status_code == 401 and renewed.json()["error"] == "invalid_client"
    assert installation["installed"] is False
    assert all(token["revoked_at"] for token in installation["tokens"])


async def test_a_refresh_with_nothing_or_garbage_is_refused(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await exchange(client)
        garbage = await refresh(client, "shprt_" + "f" * 32)
        missing = await client.post(
            TOKEN_URL, json={"client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "refresh_token"}
        )
    assert garbage.status_code == 400 and garbage.json()["error"] == "invalid_grant"
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_a_spent_refresh_token_is_retried_within_30_days_only(tmp_path: Path) -> None:
    registration = load_registration(client_id=CLIENT_ID, client_secret=SECRET, app_url=APP_URL)
    grants = ShopifyEmulation(DevStore(seeded(tmp_path)), registration).grants
    shop = DevStore(tmp_path / "devstore.sqlite3").get_shop(DEMO)
    assert shop is not None
    now = datetime.now(UTC)
    grants.install(shop, now)
    body = {key: str(value) for key, value in exchange_body(session_token()).items()}
    granted = grants.token_exchange(shop, body, now)
    assert isinstance(granted, Granted) and granted.token.refresh_token is not None
    spend = {"refresh_token": granted.token.refresh_token}
    spent_at = now + timedelta(days=1)

    assert isinstance(grants.refresh(shop, spend, spent_at), Granted)
    just_within = spent_at + REFRESH_RECOVERY_WINDOW - timedelta(minutes=1)
    assert isinstance(grants.refresh(shop, spend, just_within), Granted)
    too_late = grants.refresh(shop, spend, spent_at + REFRESH_RECOVERY_WINDOW + timedelta(minutes=1))
    assert isinstance(too_late, OAuthError) and too_late.error == "invalid_grant"
