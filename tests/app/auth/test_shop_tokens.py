"""Valid access tokens for jobs and requests: refresh ahead of expiry, under a per-shop lock."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
import respx
from redis.asyncio import Redis

from app import clock
from app.clock import utcnow
from app.models import AuditEvent, Platform, Shop
from app.services import shops as shops_service
from app.services.shops import LOCK_PREFIX, ShopNotFound, ShopTokens, install_shop, token_cipher
from app.settings import Settings
from connectors.base import TokenSet
from connectors.errors import AuthError, RefreshTokenExpired, Transient
from tests.app.auth.platform import token_url
from tests.connectors.shopify.payloads import INVALID_GRANT, REFRESHED

SHOP = "test-shop.myshopify.com"


async def installed(
    settings: Settings, *, expires_in: timedelta, refresh_expires_in: timedelta | None
) -> Shop:
    now = utcnow()
    tokens = TokenSet(
        access_token="shpat_current",
        scope="read_orders",
        expires_at=now + expires_in,
        refresh_token="shprt_current",
        refresh_token_expires_at=now + refresh_expires_in if refresh_expires_in is not None else None,
    )
    return await install_shop(SHOP, tokens, settings=settings, via="token_exchange")


async def stored_tokens(settings: Settings, shop_id: int) -> tuple[str, str]:
    shop = await Shop.get(id=shop_id)
    cipher = token_cipher(settings)
    return cipher.decrypt(shop.access_token_encrypted or ""), cipher.decrypt(
        shop.refresh_token_encrypted or ""
    )


async def test_a_fresh_token_is_returned_without_calling_shopify(tokens: ShopTokens, db: Settings) -> None:
    shop = await installed(db, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=90))
    with respx.mock:  # any request would fail: none is mocked
        assert await tokens.access_token_for(shop.id) == "shpat_current"


@respx.mock
async def test_a_token_near_expiry_is_refreshed_and_stored_before_use(
    tokens: ShopTokens, db: Settings
) -> None:
    shop = await installed(db, expires_in=timedelta(minutes=4), refresh_expires_in=timedelta(days=90))
    route = respx.post(token_url(SHOP)).respond(json=REFRESHED)

    token = await tokens.access_token_for(shop.id)

    assert token == "shpat_refreshed_access"
    assert json.loads(route.calls.last.request.content)["refresh_token"] == "shprt_current"
    assert await stored_tokens(db, shop.id) == ("shpat_refreshed_access", "shprt_rotated_refresh")
    refreshed = await Shop.get(id=shop.id)
    assert refreshed.access_token_expires_at is not None
    assert refreshed.access_token_expires_at > utcnow() + timedelta(minutes=55)


@respx.mock
async def test_refresh_follows_the_app_clock(tokens: ShopTokens, db: Settings) -> None:
    shop = await installed(db, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=90))
    route = respx.post(token_url(SHOP)).respond(json=REFRESHED)
    assert await tokens.access_token_for(shop.id) == "shpat_current"
    clock.advance(timedelta(minutes=56))
    assert await tokens.access_token_for(shop.id) == "shpat_refreshed_access"
    # The new expiry is an hour from the app's "now", so the next call needs no refresh.
    assert await tokens.access_token_for(shop.id) == "shpat_refreshed_access"
    assert route.call_count == 1


@respx.mock
async def test_two_concurrent_refreshers_in_two_processes_refresh_once(
    db: Settings, http: httpx.AsyncClient, redis_url: str
) -> None:
    shop = await installed(db, expires_in=timedelta(minutes=1), refresh_expires_in=timedelta(days=90))
    route = respx.post(token_url(SHOP)).respond(json=REFRESHED)
    # Two token services with their own Redis connections, as two processes would have.
    redis_a, redis_b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        first, second = ShopTokens(db, http, redis_a), ShopTokens(db, http, redis_b)
        results = await asyncio.gather(first.access_token_for(shop.id), second.access_token_for(shop.id))
    finally:
        await redis_a.aclose()
        await redis_b.aclose()

    assert route.call_count == 1
    assert results == ["shpat_refreshed_access", "shpat_refreshed_access"]
    assert await stored_tokens(db, shop.id) == ("shpat_refreshed_access", "shprt_rotated_refresh")


async def test_the_lock_is_held_in_redis_for_every_process(
    tokens: ShopTokens, db: Settings, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await installed(db, expires_in=timedelta(minutes=1), refresh_expires_in=timedelta(days=90))
    monkeypatch.setattr(shops_service, "LOCK_WAIT_SECONDS", 0.3)
    held = redis.lock(f"{LOCK_PREFIX}:shopify:{SHOP}", timeout=10)
    assert await held.acquire()
    try:
        with respx.mock, pytest.raises(Transient):
            await tokens.access_token_for(shop.id)
    finally:
        await held.release()


async def test_an_expired_refresh_token_flags_the_shop_without_a_call(
    tokens: ShopTokens, db: Settings
) -> None:
    shop = await installed(db, expires_in=timedelta(minutes=1), refresh_expires_in=timedelta(days=1))
    clock.advance(timedelta(days=2))
    with respx.mock, pytest.raises(RefreshTokenExpired):
        await tokens.access_token_for(shop.id)
    assert (await Shop.get(id=shop.id)).needs_reauth
    with pytest.raises(AuthError):
        await tokens.access_token_for(shop.id)


@respx.mock
async def test_a_refused_refresh_token_flags_the_shop(tokens: ShopTokens, db: Settings) -> None:
    shop = await installed(db, expires_in=timedelta(minutes=1), refresh_expires_in=timedelta(days=90))
    respx.post(token_url(SHOP)).respond(400, json=INVALID_GRANT)
    with pytest.raises(RefreshTokenExpired):
        await tokens.access_token_for(shop.id)
    stored = await Shop.get(id=shop.id)
    assert stored.needs_reauth
    assert token_cipher(db).decrypt(stored.refresh_token_encrypted or "") == "shprt_current"


@respx.mock
async def test_a_failed_early_refresh_keeps_using_the_live_token(tokens: ShopTokens, db: Settings) -> None:
    shop = await installed(db, expires_in=timedelta(minutes=3), refresh_expires_in=timedelta(days=90))
    respx.post(token_url(SHOP)).respond(503)
    assert await tokens.access_token_for(shop.id) == "shpat_current"
    assert not (await Shop.get(id=shop.id)).needs_reauth

    clock.advance(timedelta(minutes=4))  # now it is expired: nothing to fall back on
    with pytest.raises(Transient):
        await tokens.access_token_for(shop.id)


@respx.mock
async def test_refresh_after_401_refreshes_even_a_fresh_looking_token(
    tokens: ShopTokens, db: Settings
) -> None:
    shop = await installed(db, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=90))
    route = respx.post(token_url(SHOP)).respond(json=REFRESHED)

    assert await tokens.refresh_after_401(shop.id, rejected_token="shpat_current") == "shpat_refreshed_access"
    # A second caller that was refused the same old token gets the new one without a refresh.
    assert await tokens.refresh_after_401(shop.id, rejected_token="shpat_current") == "shpat_refreshed_access"
    assert route.call_count == 1
    assert await stored_tokens(db, shop.id) == ("shpat_refreshed_access", "shprt_rotated_refresh")


@respx.mock
async def test_refresh_after_401_without_fallback(tokens: ShopTokens, db: Settings) -> None:
    shop = await installed(db, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=90))
    respx.post(token_url(SHOP)).respond(503)
    with pytest.raises(Transient):
        await tokens.refresh_after_401(shop.id, rejected_token="shpat_current")


async def test_a_non_expiring_token_without_refresh_token_needs_reauth_after_a_401(
    tokens: ShopTokens, db: Settings
) -> None:
    shop = await install_shop(
        SHOP, TokenSet(access_token="shpat_forever", scope="read_orders"), settings=db, via="token_exchange"
    )
    with respx.mock:
        assert await tokens.access_token_for(shop.id) == "shpat_forever"
        with pytest.raises(RefreshTokenExpired):
            await tokens.refresh_after_401(shop.id)
    assert (await Shop.get(id=shop.id)).needs_reauth


async def test_a_refused_token_of_another_platform_is_never_sent_to_shopify(
    tokens: ShopTokens, db: Settings
) -> None:
    shop = await install_shop(
        "abc123",
        TokenSet(access_token="bc_token", scope="store_v2_orders"),
        settings=db,
        via="bigcommerce_auth",
        platform=Platform.BIGCOMMERCE,
    )
    with respx.mock:
        assert await tokens.access_token_for(shop.id) == "bc_token"
        with pytest.raises(AuthError):
            await tokens.refresh_after_401(shop.id, rejected_token="bc_token")
    assert (await Shop.get(id=shop.id)).needs_reauth


async def test_unknown_uninstalled_and_flagged_shops_get_no_token(tokens: ShopTokens, db: Settings) -> None:
    with pytest.raises(ShopNotFound):
        await tokens.access_token_for(999_999)
    shop = await installed(db, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=90))
    await Shop.filter(id=shop.id).update(is_active=False, uninstalled_at=utcnow())
    with pytest.raises(AuthError):
        await tokens.access_token_for(shop.id)
    await Shop.filter(id=shop.id).update(is_active=True, uninstalled_at=None, needs_reauth=True)
    with pytest.raises(AuthError):
        await tokens.access_token_for(shop.id)


def test_jobs_build_it_from_their_context(settings: Settings) -> None:
    ctx = {"settings": settings, "http": object(), "redis": object()}
    built = ShopTokens.from_job_context(ctx)
    assert (built.settings, built.http, built.redis) == (settings, ctx["http"], ctx["redis"])


@respx.mock
async def test_concurrent_session_token_installs_exchange_once(
    tokens: ShopTokens, db: Settings, http: httpx.AsyncClient, redis_url: str
) -> None:
    route = respx.post(token_url(SHOP)).respond(json=REFRESHED)
    others = [Redis.from_url(redis_url) for _ in range(3)]
    try:
        services = [tokens, *(ShopTokens(db, http, r) for r in others)]
        shops = await asyncio.gather(*(s.install_with_session_token(SHOP, "id-token") for s in services))
    finally:
        for r in others:
            await r.aclose()
    assert route.call_count == 1
    assert {s.id for s in shops} == {shops[0].id}
    assert await Shop.filter(domain=SHOP).count() == 1
    assert await AuditEvent.filter(action="shop.installed").count() == 1
