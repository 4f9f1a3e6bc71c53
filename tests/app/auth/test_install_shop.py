"""Installing a shop from a token set: encrypted storage, concurrency, reinstall, audit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from tortoise import Tortoise

from app.clock import utcnow
from app.crypto import InvalidToken, TokenCipher
from app.db import connection_name
from app.models import AuditEvent, Platform, Shop
from app.services.shops import has_usable_token, install_shop, token_cipher
from app.settings import Settings
from connectors.base import TokenSet

SHOP = "test-shop.myshopify.com"


def token_set(n: int = 1, *, expires_in: timedelta = timedelta(hours=1)) -> TokenSet:
    now = utcnow()
    return TokenSet(
        access_token=f"shpat_access_{n}",
        scope="read_orders,write_orders",
        expires_at=now + expires_in,
        refresh_token=f"shprt_refresh_{n}",
        refresh_token_expires_at=now + timedelta(days=90),
    )


async def test_a_first_install_creates_the_shop_with_encrypted_tokens_and_an_audit_event(
    db: Settings,
) -> None:
    shop = await install_shop(SHOP, token_set(), settings=db, via="token_exchange")

    stored = await Shop.get(id=shop.id)
    assert (stored.platform, stored.domain, stored.is_active, stored.needs_reauth) == (
        Platform.SHOPIFY,
        SHOP,
        True,
        False,
    )
    assert stored.installed_at is not None
    assert stored.scopes == "read_orders,write_orders"
    cipher = token_cipher(db)
    assert cipher.decrypt(stored.access_token_encrypted or "") == "shpat_access_1"
    assert cipher.decrypt(stored.refresh_token_encrypted or "") == "shprt_refresh_1"
    events = await AuditEvent.filter(shop_id=shop.id).values_list("action", "actor", "data")
    assert events == [
        ("shop.installed", "platform", {"via": "token_exchange", "scopes": "read_orders,write_orders"})
    ]


async def test_tokens_are_unreadable_in_the_database_without_the_key(db: Settings) -> None:
    await install_shop(SHOP, token_set(), settings=db, via="token_exchange")

    connection = Tortoise.get_connection(connection_name(db.database_url))
    rows = await connection.execute_query_dict("SELECT * FROM shop")
    raw = " ".join(str(value) for value in rows[0].values())
    assert "shpat_access_1" not in raw
    assert "shprt_refresh_1" not in raw

    other_cipher = TokenCipher((Fernet.generate_key().decode(),))
    with pytest.raises(InvalidToken):
        other_cipher.decrypt(rows[0]["access_token_encrypted"])
    with pytest.raises(InvalidToken):
        other_cipher.decrypt(rows[0]["refresh_token_encrypted"])


async def test_concurrent_first_installs_make_one_shop_and_keep_a_token(db: Settings) -> None:
    sets = [token_set(n) for n in range(6)]

    shops = await asyncio.gather(*(install_shop(SHOP, s, settings=db, via="token_exchange") for s in sets))

    assert await Shop.filter(domain=SHOP).count() == 1
    assert {shop.id for shop in shops} == {shops[0].id}
    stored = await Shop.get(domain=SHOP)
    assert token_cipher(db).decrypt(stored.access_token_encrypted or "") in {s.access_token for s in sets}
    assert await AuditEvent.filter(action="shop.installed").count() == 1


async def test_a_reinstall_after_uninstall_reactivates_the_shop(db: Settings) -> None:
    shop = await install_shop(SHOP, token_set(1), settings=db, via="token_exchange")
    await Shop.filter(id=shop.id).update(
        is_active=False, uninstalled_at=utcnow(), needs_reauth=True, access_token_encrypted=None
    )

    again = await install_shop(SHOP, token_set(2), settings=db, via="authorization_code")

    assert again.id == shop.id
    stored = await Shop.get(id=shop.id)
    assert (stored.is_active, stored.uninstalled_at, stored.needs_reauth) == (True, None, False)
    assert token_cipher(db).decrypt(stored.access_token_encrypted or "") == "shpat_access_2"
    actions = await AuditEvent.filter(shop_id=shop.id).order_by("id").values_list("action", flat=True)
    assert actions == ["shop.installed", "shop.reinstalled"]


async def test_a_new_grant_for_a_flagged_shop_clears_the_flag(db: Settings) -> None:
    shop = await install_shop(SHOP, token_set(1), settings=db, via="token_exchange")
    await Shop.filter(id=shop.id).update(needs_reauth=True)

    await install_shop(SHOP, token_set(2), settings=db, via="token_exchange")

    assert not (await Shop.get(id=shop.id)).needs_reauth
    actions = await AuditEvent.filter(shop_id=shop.id).order_by("id").values_list("action", flat=True)
    assert actions == ["shop.installed", "shop.reauthorized"]


async def test_usable_token_rules(db: Settings) -> None:
    shop = await install_shop(SHOP, token_set(expires_in=timedelta(hours=1)), settings=db, via="x")
    now = utcnow()
    assert has_usable_token(shop, now)
    # Expired access token, live refresh token: still usable (a refresh will do).
    assert has_usable_token(shop, now + timedelta(hours=2))
    assert not has_usable_token(shop, now + timedelta(days=91))
    shop.needs_reauth = True
    assert not has_usable_token(shop, now)
    shop.needs_reauth, shop.is_active = False, False
    assert not has_usable_token(shop, now)
