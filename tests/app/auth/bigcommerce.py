"""Helpers for the BigCommerce callback and session tests: an installed store, signed payloads,
and reading what the load callback hands the browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from app.auth.bigcommerce_staff import provision_staff
from app.models import Platform, Shop
from app.services.shops import install_shop
from app.settings import Settings
from connectors.base import TokenSet
from connectors.bigcommerce.signed_payload import BigCommerceUser
from tests.conftest import PLATFORM_URL
from tests.support.bigcommerce_jwt import OWNER_EMAIL, OWNER_ID, make_signed_payload

STORE = "g5cd38"
OTHER_STORE = "h7x9q2"
TOKEN_URL = f"{PLATFORM_URL}/bigcommerce/login/oauth2/token"
DOCUMENT_HEADERS = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "iframe"}
GRANTED = "store_v2_orders store_v2_customers_read_only"


async def install_store(settings: Settings, store_hash: str = STORE) -> Shop:
    shop = await install_shop(
        store_hash,
        TokenSet(access_token=f"bc-token-{store_hash}", scope=GRANTED),
        settings=settings,
        via="authorization_code",
        platform=Platform.BIGCOMMERCE,
    )
    await provision_staff(shop, BigCommerceUser(id=str(OWNER_ID), email=OWNER_EMAIL), is_owner=True)
    return shop


def signed(settings: Settings, store_hash: str = STORE, **claims: Any) -> str:
    return make_signed_payload(
        store_hash, settings.bigcommerce_client_id, str(settings.bigcommerce_client_secret), **claims
    )


async def call(client: httpx.AsyncClient, path: str, token: str, **headers: str) -> httpx.Response:
    return await client.get(f"/bigcommerce/{path}", params={"signed_payload_jwt": token}, headers=headers)


async def load(
    client: httpx.AsyncClient, settings: Settings, store_hash: str = STORE, **claims: Any
) -> httpx.Response:
    return await call(client, "load", signed(settings, store_hash, **claims), **DOCUMENT_HEADERS)


def entry(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The admin path a load (or install) sends the browser to, and its session parameters."""
    location = urlsplit(response.headers["location"])
    return location.path, {k: v[0] for k, v in parse_qs(location.query).items()}


def session_headers(params: dict[str, str], *, token: bool = True) -> dict[str, str]:
    """What admin.js sends on a fetch: the CSRF token, and the URL token if the page has one."""
    headers = {"X-Aftercare-CSRF": params["bc_csrf"]}
    if token and "bc_session" in params:
        headers["X-Aftercare-Session"] = params["bc_session"]
    return headers
