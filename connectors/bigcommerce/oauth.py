"""BigCommerce's token endpoint (the auth callback's code for a store token), and the scopes we need.

``POST https://login.bigcommerce.com/oauth2/token`` through the caller's client (in development
the platform URL mapping sends it to the devstore). The token never expires and comes with no
refresh token; a re-auth (scope change, owner email change) sends a new code and the new token
replaces the old one. Every failure is raised as a ``connectors.errors`` exception.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.base import TokenSet
from connectors.bigcommerce.signed_payload import BigCommerceUser
from connectors.errors import AuthError, Permanent, RateLimited, Transient

logger = logging.getLogger(__name__)

TOKEN_URL = "https://login.bigcommerce.com/oauth2/token"  # noqa: S105 - a URL
DEFAULT_RETRY_AFTER = 2.0
_CONTEXT = re.compile(r"stores/([a-z0-9]{1,32})")

# What the connector's calls need, each satisfied by any one scope of its set (a write scope
# includes reading). Refund quotes and refunds accept either the orders or the transactions scope.
REQUIRED_SCOPES: dict[str, frozenset[str]] = {
    "read orders": frozenset({"store_v2_orders", "store_v2_orders_read_only"}),
    "create refunds": frozenset({"store_v2_orders", "store_v2_transactions"}),
    "read customers": frozenset({"store_v2_customers", "store_v2_customers_read_only"}),
}


@dataclass(frozen=True)
class StoreGrant:
    """What the token endpoint granted for one store: its token, who installed, who owns it."""

    token: TokenSet
    store_hash: str
    user: BigCommerceUser
    owner: BigCommerceUser
    account_uuid: str = ""


def store_hash_from_context(context: str | None) -> str | None:
    """``stores/{hash}`` -> ``hash``; None for anything else."""
    match = _CONTEXT.fullmatch(context or "")
    return match.group(1) if match else None


def missing_scopes(granted: str) -> list[str]:
    """The needs (keys of ``REQUIRED_SCOPES``) that ``granted`` (space-separated) does not meet."""
    have = set(granted.replace(",", " ").split())
    return [need for need, any_of in REQUIRED_SCOPES.items() if not have & any_of]


async def exchange_auth_code(
    http: httpx.AsyncClient,
    client_id: str,
    client_secret: str,
    code: str,
    scope: str,
    context: str,
    redirect_uri: str,
) -> StoreGrant:
    """Trade the auth callback's ``code`` for the store's token. ``redirect_uri`` must be the auth
    callback URL exactly as registered in the Developer Portal."""
    body = {
        "client_id": client_id,
        "client_secret": client_secret,
        "code": code,
        "scope": scope,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
        "context": context,
    }
    try:
        response = await http.post(TOKEN_URL, json=body, headers={"Accept": "application/json"})
    except httpx.TimeoutException as exc:
        raise Transient("the token endpoint timed out") from exc
    except httpx.TransportError as exc:
        raise Transient(f"could not reach the token endpoint ({type(exc).__name__})") from exc

    status = response.status_code
    if status == 200:
        return _grant_from(_json_object(response))
    logger.warning("token request refused", extra={"status": status})
    if status == 429:
        raise RateLimited("the token endpoint is rate limiting us", retry_after=_retry_after(response))
    if status >= 500:
        raise Transient(f"the token endpoint answered {status}", status=status)
    if status in {400, 401, 403, 422}:
        # A used, expired or foreign code, or client credentials BigCommerce does not know.
        raise AuthError(f"BigCommerce refused the authorization code ({status})", status=status)
    raise Permanent(f"the token endpoint answered {status}", status=status)


def _grant_from(payload: dict[str, Any]) -> StoreGrant:
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise Permanent("the token endpoint's answer has no access_token")
    store_hash = store_hash_from_context(payload.get("context"))
    if store_hash is None:
        raise Permanent("the token endpoint's answer has no stores/{hash} context")
    owner = _user(payload.get("owner"))
    if owner is None:
        raise Permanent("the token endpoint's answer names no store owner")
    return StoreGrant(
        token=TokenSet(access_token=access_token, scope=str(payload.get("scope") or "")),
        store_hash=store_hash,
        # An answer without "user" was installed by the owner (the owner is required above).
        user=_user(payload.get("user")) or owner,
        owner=owner,
        account_uuid=str(payload.get("account_uuid") or ""),
    )


def _user(value: object) -> BigCommerceUser | None:
    if not isinstance(value, dict):
        return None
    user_id = value.get("id")
    if isinstance(user_id, bool) or not isinstance(user_id, int | str) or str(user_id) in {"", "0"}:
        return None
    return BigCommerceUser(
        id=str(user_id), email=str(value.get("email") or ""), username=str(value.get("username") or "")
    )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after") or response.headers.get("x-retry-after")
    try:
        return max(0.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
