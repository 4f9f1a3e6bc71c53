"""The URLs the admin sends the merchant's browser to: the app in its frame, the OAuth callback.

Both carry parameters signed with the client secret (``signing.signed_query``); an admin load also
carries a fresh session token, as Shopify's admin does (fact sheet §2.2).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from devstore.models import Shop
from devstore.shopify.registration import AppRegistration
from devstore.shopify.session_tokens import issue_session_token
from devstore.shopify.signing import signed_query
from devstore.shopify.staff import StaffUser

# What Shopify sets on an admin load; a query string the admin URL had is passed on besides.
LAUNCH_PARAMS = frozenset({"embedded", "hmac", "host", "id_token", "locale", "session", "shop", "timestamp"})


def host_param(shop: Shop) -> str:
    """``host``: base64url (unpadded) of the shop's admin, ``admin.shopify.com/store/{name}``."""
    name = shop.domain.removesuffix(".myshopify.com")
    return base64.urlsafe_b64encode(f"admin.shopify.com/store/{name}".encode()).decode().rstrip("=")


def with_query(url: str, pairs: Sequence[tuple[str, str]]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(pairs)}" if pairs else url


def app_launch_url(
    app: AppRegistration,
    shop: Shop,
    user: StaffUser,
    sub_path: str,
    passed_on: Sequence[tuple[str, str]],
    now: datetime,
    locale: str = "en",
) -> str:
    """The iframe's ``src``: the app URL (+ ``sub_path``) with the admin's signed parameters."""
    pairs = [(key, value) for key, value in passed_on if key not in LAUNCH_PARAMS]
    pairs += [
        ("embedded", "1"),
        ("host", host_param(shop)),
        ("id_token", issue_session_token(shop.domain, app, user, now)),
        ("locale", locale),
        ("session", user.session_id),
        ("shop", shop.domain),
        ("timestamp", str(int(now.timestamp()))),
    ]
    return with_query(app.app_url_for(sub_path), signed_query(pairs, app.client_secret))


def oauth_callback_url(
    app: AppRegistration, shop: Shop, redirect_uri: str, code: str, state: str | None, now: datetime
) -> str:
    """Where the authorize page sends the merchant: ``redirect_uri`` with code, hmac, host, shop,
    state and timestamp (what the app's ``/auth/callback`` verifies)."""
    pairs = [
        ("code", code),
        ("host", host_param(shop)),
        ("shop", shop.domain),
        ("timestamp", str(int(now.timestamp()))),
    ]
    if state is not None:
        pairs.append(("state", state))
    return with_query(redirect_uri, signed_query(pairs, app.client_secret))
