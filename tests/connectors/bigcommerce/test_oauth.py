"""The token endpoint: the auth callback's code for the store's permanent token, and its failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from connectors.bigcommerce.oauth import (
    TOKEN_URL,
    StoreGrant,
    exchange_auth_code,
    missing_scopes,
    store_hash_from_context,
)
from connectors.bigcommerce.signed_payload import BigCommerceUser
from connectors.errors import AuthError, Permanent, RateLimited, Transient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bigcommerce"
TOKEN_RESPONSE: dict[str, Any] = json.loads((FIXTURES / "oauth2_token_response.json").read_text())
REDIRECT_URI = "https://aftercare.test/bigcommerce/auth"
SCOPE = "store_v2_orders store_v2_customers_read_only"


async def exchange(http: httpx.AsyncClient) -> StoreGrant:
    return await exchange_auth_code(
        http, "client-id", "client-secret", "qr6h3thvbvag2ffq", SCOPE, "stores/g5cd38", REDIRECT_URI
    )


@respx.mock
async def test_the_code_is_traded_for_the_store_token_with_every_documented_field() -> None:
    route = respx.post(TOKEN_URL).respond(json=TOKEN_RESPONSE)

    async with httpx.AsyncClient() as http:
        grant = await exchange(http)

    assert json.loads(route.calls.last.request.content) == {
        "client_id": "client-id",
        "client_secret": "client-secret",
        "code": "qr6h3thvbvag2ffq",
        "scope": SCOPE,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT_URI,
        "context": "stores/g5cd38",
    }
    assert grant.store_hash == "g5cd38"
    assert grant.token.access_token == "bc-access-token-first"
    assert grant.token.scope == TOKEN_RESPONSE["scope"]
    # BigCommerce tokens never expire and have nothing to refresh with.
    assert grant.token.expires_at is None and grant.token.refresh_token is None
    assert grant.user == BigCommerceUser(id="24655", email="staff@example.com", username="staff@example.com")
    assert grant.owner == BigCommerceUser(id="7", email="owner@example.com", username="Store Owner")
    assert grant.account_uuid == "12345678-90ab-cdef-1234-567890abcdef"


@respx.mock
async def test_an_answer_without_user_means_the_owner_installed() -> None:
    respx.post(TOKEN_URL).respond(json={k: v for k, v in TOKEN_RESPONSE.items() if k != "user"})
    async with httpx.AsyncClient() as http:
        grant = await exchange(http)
    assert grant.user == grant.owner


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"error": "Invalid verification code."}, AuthError),
        (401, {"error": "Invalid client"}, AuthError),
        (500, {}, Transient),
        (503, {}, Transient),
        (404, {}, Permanent),
    ],
)
@respx.mock
async def test_refusals_map_onto_the_connector_errors(
    status: int, body: dict[str, Any], error: type[Exception]
) -> None:
    respx.post(TOKEN_URL).respond(status, json=body)
    async with httpx.AsyncClient() as http:
        with pytest.raises(error):
            await exchange(http)


@respx.mock
async def test_429_says_how_long_to_wait() -> None:
    respx.post(TOKEN_URL).respond(429, headers={"X-Retry-After": "7"})
    async with httpx.AsyncClient() as http:
        with pytest.raises(RateLimited) as raised:
            await exchange(http)
    assert raised.value.retry_after == 7.0


@respx.mock
async def test_a_timeout_is_transient() -> None:
    respx.post(TOKEN_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    async with httpx.AsyncClient() as http:
        with pytest.raises(Transient):
            await exchange(http)


@pytest.mark.parametrize(
    "change",
    [
        {"access_token": ""},
        {"context": "g5cd38"},
        {"owner": None},
    ],
)
@respx.mock
async def test_an_answer_missing_what_we_store_is_permanent(change: dict[str, Any]) -> None:
    respx.post(TOKEN_URL).respond(json={**TOKEN_RESPONSE, **change})
    async with httpx.AsyncClient() as http:
        with pytest.raises(Permanent):
            await exchange(http)


def test_the_store_hash_comes_only_from_a_stores_context() -> None:
    assert store_hash_from_context("stores/g5cd38") == "g5cd38"
    assert store_hash_from_context("g5cd38") is None
    assert store_hash_from_context("stores/g5cd38/x") is None
    assert store_hash_from_context(None) is None


def test_missing_scopes_names_each_unmet_need() -> None:
    assert missing_scopes("store_v2_orders store_v2_customers_read_only") == []
    assert missing_scopes("store_v2_orders_read_only store_v2_transactions store_v2_customers") == []
    assert missing_scopes("store_v2_orders_read_only store_v2_customers_read_only") == ["create refunds"]
    assert missing_scopes("") == ["read orders", "create refunds", "read customers"]


def test_the_bigcommerce_auth_modules_import_no_starlette_tortoise_arq_or_app() -> None:
    probe = (
        "import sys, connectors.bigcommerce.oauth, connectors.bigcommerce.signed_payload\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'starlette', 'tortoise', 'arq', 'app'})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
