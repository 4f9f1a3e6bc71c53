"""Shopify's token endpoint: token exchange, expiring-offline-token refresh, and the auth-code grant.

All three POST to ``https://{shop}/admin/oauth/access_token`` through the caller's client and
return a ``TokenSet``; every failure is raised as a ``connectors.errors`` exception. Token
exchange and refresh go through ``shopifyapp``; it has no authorization-code grant, so that one
is a plain httpx call here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from shopify_app import (
    AppConfig,
    IdTokenDetails,
    TokenExchangeAccessToken,
    TokenExchangeResult,
    refresh_access_token_async,
    token_exchange_async,
)

from connectors.base import TokenSet
from connectors.errors import (
    AuthError,
    ConnectorError,
    Permanent,
    RateLimited,
    RefreshTokenExpired,
    Transient,
)
from connectors.shopify.shop_domain import is_shop_domain, shop_name

logger = logging.getLogger(__name__)

TOKEN_PATH = "/admin/oauth/access_token"  # noqa: S105 - a URL path
DEFAULT_RETRY_AFTER = 2.0


def token_endpoint(shop: str) -> str:
    return f"https://{shop}{TOKEN_PATH}"


async def exchange_session_token(
    http: httpx.AsyncClient,
    shop: str,
    session_token: str,
    api_key: str,
    api_secret: str,
    *,
    now: datetime | None = None,
) -> TokenSet:
    """Trade a verified session token for an expiring offline access token (token exchange).

    ``shop`` must be the session token's verified ``dest`` host: the request goes there."""
    _require_shop_domain(shop)
    id_token = IdTokenDetails(exchangeable=True, token=session_token, claims={"dest": f"https://{shop}"})
    result = await token_exchange_async(
        "offline", _app_config(api_key, api_secret), id_token=id_token, expiring=True, http_client=http
    )
    if result.ok and result.access_token is not None:
        return _token_set_from(result.access_token, now)
    raise _exchange_failure(result, shop)


async def refresh_token(
    http: httpx.AsyncClient,
    shop: str,
    refresh_token: str,
    api_key: str,
    api_secret: str,
    *,
    now: datetime | None = None,
) -> TokenSet:
    """Spend ``refresh_token`` for a new access/refresh pair. Shopify rotates the refresh token on
    every use, so the caller must store the returned pair before using it."""
    _require_shop_domain(shop)
    if not refresh_token:
        raise RefreshTokenExpired("there is no refresh token for this shop")
    # expires=None makes shopifyapp refresh unconditionally: the caller decided it is time
    # (by its own clock, or because the platform answered 401).
    current = TokenExchangeAccessToken(
        shop=shop_name(shop),
        token="",
        expires=None,
        scope="",
        access_mode="offline",
        refresh_token=refresh_token,
        refresh_token_expires=None,
        user=None,
    )
    result = await refresh_access_token_async(current, _app_config(api_key, api_secret), http_client=http)
    if result.ok and result.access_token is not None:
        return _token_set_from(result.access_token, now)
    raise _refresh_failure(result, shop)


async def exchange_auth_code(
    http: httpx.AsyncClient,
    shop: str,
    code: str,
    api_key: str,
    api_secret: str,
    *,
    now: datetime | None = None,
) -> TokenSet:
    """The authorization-code grant's last step, asking for an expiring offline token."""
    _require_shop_domain(shop)
    body = {"client_id": api_key, "client_secret": api_secret, "code": code, "expiring": 1}
    try:
        response = await http.post(token_endpoint(shop), json=body, headers={"Accept": "application/json"})
    except httpx.TimeoutException as exc:
        raise Transient("the token endpoint timed out") from exc
    except httpx.TransportError as exc:
        raise Transient(f"could not reach the token endpoint ({type(exc).__name__})") from exc

    status = response.status_code
    if status == 200:
        return _token_set_from_payload(_json_object(response), now)
    error = _json_object(response).get("error", "")
    if status == 429:
        raise RateLimited(
            "the token endpoint is rate limiting us", retry_after=_retry_after(response.headers)
        )
    if status >= 500:
        raise Transient(f"the token endpoint answered {status}", status=status)
    if error in {"invalid_request", "invalid_grant"} or status in {401, 403}:
        raise AuthError(f"Shopify rejected the authorization code ({error or status})", status=status)
    raise Permanent(f"the token endpoint answered {status} ({error or 'no error code'})", status=status)


def _app_config(api_key: str, api_secret: str) -> AppConfig:
    return {"client_id": api_key, "client_secret": api_secret, "old_client_secret": None}


def _require_shop_domain(shop: str) -> None:
    # The shop becomes the host of a request that carries our client secret.
    if not is_shop_domain(shop):
        raise ValueError("not a {name}.myshopify.com shop domain")


def _last_status(result: TokenExchangeResult) -> int | None:
    return result.http_logs[-1].res.status if result.http_logs else None


def _last_headers(result: TokenExchangeResult) -> dict[str, str]:
    return dict(result.http_logs[-1].res.headers) if result.http_logs else {}


def _exchange_failure(result: TokenExchangeResult, shop: str) -> ConnectorError:
    code, status = result.log.code, _last_status(result)
    logger.warning("token exchange failed", extra={"shop": shop, "code": code, "status": status})
    if code == "invalid_subject_token":
        return AuthError("Shopify rejected the session token", status=status)
    if code == "rate_limit_exceeded":
        return RateLimited("token exchange is rate limited", retry_after=_retry_after(_last_headers(result)))
    if code == "network_error":
        return Transient("could not reach the token endpoint")
    if status is not None and status >= 500:
        return Transient(f"the token endpoint answered {status}", status=status)
    if status == 401:
        return AuthError("the token endpoint answered 401", status=status)
    return Permanent(f"token exchange failed ({code})", status=status)


def _refresh_failure(result: TokenExchangeResult, shop: str) -> ConnectorError:
    code, status = result.log.code, _last_status(result)
    logger.warning("token refresh failed", extra={"shop": shop, "code": code, "status": status})
    if code in {"invalid_grant", "refresh_token_expired"}:
        return RefreshTokenExpired("the refresh token is expired, revoked or already used", status=status)
    if code == "invalid_client":
        # Shopify's word for "bad client credentials or the app was uninstalled".
        return AuthError("Shopify rejected the app's credentials for this shop", status=status)
    if code in {"server_error", "network_error"}:
        return Transient(f"token refresh failed ({code})", status=status)
    if status == 429:
        return RateLimited("token refresh is rate limited", retry_after=_retry_after(_last_headers(result)))
    if status == 401:
        return RefreshTokenExpired("the token endpoint refused the refresh token", status=status)
    if status is not None and status >= 500:
        return Transient(f"the token endpoint answered {status}", status=status)
    return Permanent(f"token refresh failed ({code})", status=status)


def _token_set_from(token: TokenExchangeAccessToken, now: datetime | None) -> TokenSet:
    """shopifyapp stamps expiry times with the real clock; re-base them onto the caller's clock."""
    real_now = datetime.now(UTC)
    now = now or real_now
    expires_at = _rebased(token.expires, now - real_now)
    refresh_expires_at = _rebased(token.refresh_token_expires, now - real_now)
    return TokenSet(
        access_token=token.token,
        scope=token.scope or "",
        expires_at=_future_or_none(expires_at, now),
        refresh_token=token.refresh_token or None,
        refresh_token_expires_at=_future_or_none(refresh_expires_at, now),
    )


def _token_set_from_payload(payload: dict[str, Any], now: datetime | None) -> TokenSet:
    now = now or datetime.now(UTC)
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise Permanent("the token endpoint's answer has no access_token")
    refresh = payload.get("refresh_token")
    return TokenSet(
        access_token=access_token,
        scope=str(payload.get("scope") or ""),
        expires_at=_in_seconds(payload.get("expires_in"), now),
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        refresh_token_expires_at=_in_seconds(payload.get("refresh_token_expires_in"), now),
    )


def _rebased(stamp: str | None, offset: timedelta) -> datetime | None:
    if not stamp:
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed + offset


def _future_or_none(moment: datetime | None, now: datetime) -> datetime | None:
    # shopifyapp turns a missing *_expires_in into "expires now"; an expiry that is already past
    # on arrival means "not given", and is better unknown than poisoning the stored token.
    if moment is None or moment <= now + timedelta(seconds=1):
        return None
    return moment


def _in_seconds(value: object, now: datetime) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return now + timedelta(seconds=value)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _retry_after(headers: dict[str, str] | httpx.Headers) -> float:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
