"""Installed shops and their platform tokens.

- ``install_shop`` creates or updates a shop from a ``TokenSet``: tokens are stored encrypted,
  a reinstall after an uninstall reactivates the shop, and a concurrent first install of the same
  shop ends as one row (the unique (platform, domain) key decides; the loser re-reads).
- ``ShopTokens`` hands out valid access tokens. Expiring offline tokens are refreshed ahead of
  expiry under a per-shop Redis lock, so that across every web and worker process one refresh
  happens at a time per shop; the new pair is stored before it is used, and a waiter re-reads
  after taking the lock. A dead refresh token marks the shop ``needs_reauth``.

Usage (web: ``app.auth.embedded.shop_tokens(request)``; jobs: ``ShopTokens.from_job_context(ctx)``)::

    token = await tokens.access_token_for(shop_id)
    ...  # on a 401 from the platform, once:
    token = await tokens.refresh_after_401(shop_id, rejected_token=token)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.crypto import InvalidToken, TokenCipher
from app.models import AuditEvent, Platform, Shop
from app.settings import Settings
from connectors.base import TokenSet
from connectors.errors import AuthError, RateLimited, RefreshTokenExpired, Transient
from connectors.shopify.oauth import exchange_session_token, refresh_token

logger = logging.getLogger(__name__)

# Refresh this long before expiry, so that a token handed out is good for a job's next calls.
REFRESH_MARGIN = timedelta(minutes=5)
# Longer than a refresh can take (shopifyapp tries up to 3 times, 30 s timeout each).
LOCK_TTL_SECONDS = 120.0
LOCK_WAIT_SECONDS = 45.0
LOCK_PREFIX = "aftercare:lock:shop-token"


class ShopNotFound(LookupError):
    pass


def token_cipher(settings: Settings) -> TokenCipher:
    return TokenCipher(settings.token_encryption_keys)


def has_usable_token(shop: Shop, now: datetime) -> bool:
    """True when the shop can reach the platform without a new install/exchange (perhaps after a
    refresh): active, not flagged for re-auth, and an unexpired access or refresh token."""
    if not shop.is_active or shop.needs_reauth or not shop.access_token_encrypted:
        return False
    if shop.access_token_expires_at is None or shop.access_token_expires_at > now:
        return True
    return bool(shop.refresh_token_encrypted) and (
        shop.refresh_token_expires_at is None or shop.refresh_token_expires_at > now
    )


async def install_shop(
    domain: str,
    tokens: TokenSet,
    *,
    settings: Settings,
    via: str,
    platform: Platform = Platform.SHOPIFY,
) -> Shop:
    """Create the shop, or update its tokens (reactivating it if it had been uninstalled).

    ``via`` ("token_exchange", "authorization_code") is recorded in the audit event."""
    now = utcnow()
    fields = _token_fields(tokens, token_cipher(settings), keep_missing_refresh=False)
    shop = await Shop.get_or_none(platform=platform, domain=domain)
    if shop is None:
        try:
            async with in_transaction():
                shop = await Shop.create(
                    platform=platform, domain=domain, installed_at=now, is_active=True, **fields
                )
                await _audit(shop, "shop.installed", via=via, scopes=tokens.scope)
        except IntegrityError:
            # Another request created it between our read and our insert: update that row.
            shop = await Shop.get(platform=platform, domain=domain)
        else:
            logger.info("shop installed", extra={"shop": domain, "via": via})
            return shop
    return await _reinstall(shop.id, fields, via=via, scopes=tokens.scope, now=now)


async def _reinstall(shop_id: int, fields: dict[str, Any], *, via: str, scopes: str, now: datetime) -> Shop:
    async with in_transaction():
        shop = await Shop.select_for_update().get(id=shop_id)
        was_uninstalled = not shop.is_active or shop.uninstalled_at is not None
        was_flagged = shop.needs_reauth
        for name, value in fields.items():
            setattr(shop, name, value)
        if was_uninstalled:
            shop.installed_at = now
            shop.uninstalled_at = None
            shop.is_active = True
        await shop.save()
        if was_uninstalled:
            await _audit(shop, "shop.reinstalled", via=via, scopes=scopes)
        elif was_flagged:
            await _audit(shop, "shop.reauthorized", via=via, scopes=scopes)
    if was_uninstalled or was_flagged:
        logger.info("shop reconnected", extra={"shop": shop.domain, "via": via})
    return shop


async def _audit(shop: Shop, action: str, **data: Any) -> None:
    await AuditEvent.create(
        shop=shop, actor="platform", action=action, subject_type="shop", subject_id=str(shop.id), data=data
    )


def _token_fields(tokens: TokenSet, cipher: TokenCipher, *, keep_missing_refresh: bool) -> dict[str, Any]:
    """Column values for a token set. A refresh that returns no new refresh token leaves the old one
    in place (``keep_missing_refresh``); an install replaces everything."""
    fields: dict[str, Any] = {
        "access_token_encrypted": cipher.encrypt(tokens.access_token),
        "access_token_expires_at": tokens.expires_at,
        "needs_reauth": False,
    }
    if tokens.scope:
        fields["scopes"] = tokens.scope
    if tokens.refresh_token or not keep_missing_refresh:
        fields["refresh_token_encrypted"] = (
            cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None
        )
        fields["refresh_token_expires_at"] = tokens.refresh_token_expires_at
    return fields


class ShopTokens:
    """Valid access tokens for installed shops, from any process."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient, redis: Redis) -> None:
        self.settings = settings
        self.http = http
        self.redis = redis
        self.cipher = token_cipher(settings)

    @classmethod
    def from_job_context(cls, ctx: Mapping[str, Any]) -> ShopTokens:
        """For arq jobs: ``ctx`` carries ``settings``, ``http`` and arq's ``redis`` pool."""
        return cls(ctx["settings"], ctx["http"], ctx["redis"])

    async def install_with_session_token(self, domain: str, session_token: str) -> Shop:
        """Token exchange for a shop whose stored token is missing or dead (managed install,
        reinstall, re-auth), once per shop even when many first loads arrive together."""
        async with self._locked(Platform.SHOPIFY, domain):
            shop = await Shop.get_or_none(platform=Platform.SHOPIFY, domain=domain)
            if shop is not None and has_usable_token(shop, utcnow()):
                return shop
            tokens = await exchange_session_token(
                self.http,
                domain,
                session_token,
                self.settings.shopify_api_key,
                str(self.settings.shopify_api_secret),
                now=utcnow(),
            )
            return await install_shop(domain, tokens, settings=self.settings, via="token_exchange")

    async def install(
        self, domain: str, tokens: TokenSet, *, via: str, platform: Platform = Platform.SHOPIFY
    ) -> Shop:
        """``install_shop`` under the shop's token lock (so it cannot interleave with a refresh)."""
        async with self._locked(platform, domain):
            return await install_shop(domain, tokens, settings=self.settings, via=via, platform=platform)

    async def access_token_for(self, shop_id: int) -> str:
        """A token that is valid for at least ``REFRESH_MARGIN`` (refreshing it if not).

        Raises ``AuthError`` (the shop needs re-auth or is uninstalled), ``RefreshTokenExpired``,
        ``Transient``/``RateLimited`` (try later), ``ShopNotFound``."""
        shop = await self._connected_shop(shop_id)
        if self._is_fresh(shop):
            return self._access_token(shop)
        async with self._locked(shop.platform, shop.domain):
            # Whoever held the lock before us may have refreshed already.
            shop = await self._connected_shop(shop_id)
            if self._is_fresh(shop):
                return self._access_token(shop)
            return await self._refresh(shop, keep_current_on_failure=True)

    async def refresh_after_401(self, shop_id: int, rejected_token: str | None = None) -> str:
        """Call once when the platform answered 401 to ``rejected_token``; returns the token to
        retry with. If another caller already replaced the rejected token, that one is returned."""
        shop = await self._connected_shop(shop_id)
        async with self._locked(shop.platform, shop.domain):
            shop = await self._connected_shop(shop_id)
            current = self._access_token(shop)
            if rejected_token is not None and current != rejected_token and self._is_fresh(shop):
                return current
            return await self._refresh(shop, keep_current_on_failure=False)

    def _is_fresh(self, shop: Shop) -> bool:
        expires_at = shop.access_token_expires_at
        return expires_at is None or expires_at - utcnow() > REFRESH_MARGIN

    async def _connected_shop(self, shop_id: int) -> Shop:
        shop = await Shop.get_or_none(id=shop_id)
        if shop is None:
            raise ShopNotFound(f"no shop with id {shop_id}")
        if not shop.is_active:
            raise AuthError("the app is uninstalled from this shop")
        if shop.needs_reauth or not shop.access_token_encrypted:
            raise AuthError("this shop must be re-authorized (open the app from the store's admin)")
        return shop

    def _access_token(self, shop: Shop) -> str:
        return self._decrypt(shop, shop.access_token_encrypted)

    def _decrypt(self, shop: Shop, ciphertext: str | None) -> str:
        try:
            return self.cipher.decrypt(ciphertext or "")
        except InvalidToken as exc:
            logger.error(
                "a stored token cannot be decrypted with TOKEN_ENCRYPTION_KEYS", extra={"shop": shop.domain}
            )
            raise AuthError("the stored token cannot be decrypted with the configured keys") from exc

    async def _refresh(self, shop: Shop, *, keep_current_on_failure: bool) -> str:
        now = utcnow()
        if shop.platform != Platform.SHOPIFY:
            # Only Shopify issues expiring tokens; any other platform's token is simply dead.
            await self._flag_needs_reauth(shop, "token refused")
            raise AuthError("the platform refused the shop's token")
        if not shop.refresh_token_encrypted:
            await self._flag_needs_reauth(shop, "no refresh token")
            raise RefreshTokenExpired("the token expired and there is no refresh token")
        if shop.refresh_token_expires_at is not None and shop.refresh_token_expires_at <= now:
            await self._flag_needs_reauth(shop, "refresh token expired")
            raise RefreshTokenExpired("the refresh token has expired")
        try:
            tokens = await refresh_token(
                self.http,
                shop.domain,
                self._decrypt(shop, shop.refresh_token_encrypted),
                self.settings.shopify_api_key,
                str(self.settings.shopify_api_secret),
                now=now,
            )
        except AuthError:
            await self._flag_needs_reauth(shop, "refresh refused")
            raise
        except (Transient, RateLimited):
            expires_at = shop.access_token_expires_at
            if keep_current_on_failure and expires_at is not None and expires_at > utcnow():
                # Refreshing early failed; the current token still works for now.
                logger.warning(
                    "early token refresh failed; using the current token", extra={"shop": shop.domain}
                )
                return self._access_token(shop)
            raise
        # Stored before anyone uses it: Shopify has already rotated the refresh token.
        await Shop.filter(id=shop.id).update(**_token_fields(tokens, self.cipher, keep_missing_refresh=True))
        logger.info("access token refreshed", extra={"shop": shop.domain})
        return tokens.access_token

    async def _flag_needs_reauth(self, shop: Shop, reason: str) -> None:
        await Shop.filter(id=shop.id).update(needs_reauth=True)
        logger.warning("shop needs re-authorization", extra={"shop": shop.domain, "reason": reason})

    @asynccontextmanager
    async def _locked(self, platform: Platform, domain: str) -> AsyncIterator[None]:
        """The shop's token lock, shared by every process through Redis."""
        lock = self.redis.lock(
            f"{LOCK_PREFIX}:{platform}:{domain}",
            timeout=LOCK_TTL_SECONDS,
            blocking_timeout=LOCK_WAIT_SECONDS,
        )
        try:
            acquired = await lock.acquire()
        except RedisError as exc:
            raise Transient("the shop token lock is unavailable (Redis)") from exc
        if not acquired:
            raise Transient("another process is still refreshing this shop's token")
        try:
            yield
        finally:
            try:
                await lock.release()
            except (LockError, RedisError):
                # It expired (or Redis went away) first; the holder's work is already stored.
                logger.warning("shop token lock was lost before release", extra={"shop": domain})
