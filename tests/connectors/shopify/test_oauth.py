"""The token endpoint: token exchange, refresh and the auth-code grant, and how failures map."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
import respx

from connectors.errors import AuthError, Permanent, RateLimited, RefreshTokenExpired, Transient
from connectors.shopify.oauth import exchange_auth_code, exchange_session_token, refresh_token
from tests.connectors.shopify.payloads import (
    API_KEY,
    API_SECRET,
    EXPIRING_OFFLINE,
    INVALID_CLIENT,
    INVALID_CODE,
    INVALID_GRANT,
    INVALID_SUBJECT_TOKEN,
    REFRESHED,
    SHOP,
    TOKEN_URL,
)

SESSION_TOKEN = "header.payload.signature"
# The module, not the function of the same name that shopify_app.exchange re-exports.
SHOPIFYAPP_TOKEN_EXCHANGE = importlib.import_module("shopify_app.exchange.token_exchange")
# A clock far from the real one: expiry times must follow the caller's clock, not the machine's.
NOW = datetime(2031, 5, 17, 12, 0, tzinfo=UTC)


def _sent_json(route: respx.Route) -> dict[str, object]:
    return dict(json.loads(route.calls.last.request.content))


def _close_to(actual: datetime | None, expected: datetime) -> bool:
    return actual is not None and abs(actual - expected) < timedelta(seconds=5)


# --- token exchange ---------------------------------------------------------------------------


@respx.mock
async def test_token_exchange_asks_for_an_expiring_offline_token(http: httpx.AsyncClient) -> None:
    route = respx.post(TOKEN_URL).respond(json=EXPIRING_OFFLINE)

    tokens = await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET, now=NOW)

    assert _sent_json(route) == {
        "client_id": API_KEY,
        "client_secret": API_SECRET,
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": SESSION_TOKEN,
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
        "expiring": 1,
    }
    assert tokens.access_token == "shpat_first_access"
    assert tokens.refresh_token == "shprt_first_refresh"
    assert tokens.scope == "read_orders,write_orders"
    assert _close_to(tokens.expires_at, NOW + timedelta(seconds=3600))
    assert _close_to(tokens.refresh_token_expires_at, NOW + timedelta(seconds=7776000))


@respx.mock
async def test_a_non_expiring_grant_has_no_expiry_and_no_refresh_token(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(json={"access_token": "shpat_forever", "scope": "read_orders"})
    tokens = await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET, now=NOW)
    assert tokens.expires_at is None
    assert tokens.refresh_token is None
    assert tokens.refresh_token_expires_at is None


@respx.mock
async def test_an_invalid_subject_token_is_an_auth_error(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(400, json=INVALID_SUBJECT_TOKEN)
    with pytest.raises(AuthError) as caught:
        await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET)
    assert not isinstance(caught.value, RefreshTokenExpired)


@respx.mock
async def test_exchange_server_errors_and_timeouts_are_transient(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(502, text="Bad Gateway")
    with pytest.raises(Transient):
        await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET)

    respx.post(TOKEN_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Transient):
        await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET)


@respx.mock
async def test_exchange_with_bad_client_credentials_is_permanent(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(400, json=INVALID_CLIENT)
    with pytest.raises(Permanent):
        await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET)


@respx.mock
async def test_exchange_rate_limited_after_retries(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    # shopifyapp sleeps between its own 429 retries; the test does not need to wait.
    monkeypatch.setattr(SHOPIFYAPP_TOKEN_EXCHANGE, "asyncio", SimpleNamespace(sleep=no_sleep))
    route = respx.post(TOKEN_URL).respond(429, headers={"Retry-After": "3"}, json={"errors": "Throttled"})
    with pytest.raises(RateLimited) as caught:
        await exchange_session_token(http, SHOP, SESSION_TOKEN, API_KEY, API_SECRET)
    assert caught.value.retry_after == 3.0
    assert route.call_count == 3


async def test_a_malformed_shop_is_never_sent_a_request(http: httpx.AsyncClient) -> None:
    with respx.mock(assert_all_called=False) as mock:
        anything = mock.route()
        for call in (exchange_session_token, refresh_token, exchange_auth_code):
            with pytest.raises(ValueError):
                await call(http, "evil.com", "x", API_KEY, API_SECRET)
        assert not anything.called


# --- refresh -------------------------------------------------------------------------------------


@respx.mock
async def test_refresh_spends_the_refresh_token_for_a_new_pair(http: httpx.AsyncClient) -> None:
    route = respx.post(TOKEN_URL).respond(json=REFRESHED)

    tokens = await refresh_token(http, SHOP, "shprt_first_refresh", API_KEY, API_SECRET, now=NOW)

    assert _sent_json(route) == {
        "client_id": API_KEY,
        "client_secret": API_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": "shprt_first_refresh",
    }
    assert tokens.access_token == "shpat_refreshed_access"
    assert tokens.refresh_token == "shprt_rotated_refresh"
    assert _close_to(tokens.expires_at, NOW + timedelta(hours=1))
    assert _close_to(tokens.refresh_token_expires_at, NOW + timedelta(days=90))


@respx.mock
async def test_a_refresh_answer_without_refresh_expiry_leaves_it_unknown(http: httpx.AsyncClient) -> None:
    payload = {k: v for k, v in REFRESHED.items() if k != "refresh_token_expires_in"}
    respx.post(TOKEN_URL).respond(json=payload)
    tokens = await refresh_token(http, SHOP, "shprt_first_refresh", API_KEY, API_SECRET, now=NOW)
    assert tokens.refresh_token_expires_at is None


@pytest.mark.parametrize(
    ("status", "body"),
    [(400, INVALID_GRANT), (401, {}), (401, {"errors": "[API] Invalid API key or access token"})],
)
@respx.mock
async def test_a_dead_refresh_token_is_refresh_token_expired(
    http: httpx.AsyncClient, status: int, body: dict[str, str]
) -> None:
    respx.post(TOKEN_URL).respond(status, json=body)
    with pytest.raises(RefreshTokenExpired):
        await refresh_token(http, SHOP, "shprt_used", API_KEY, API_SECRET)


async def test_no_refresh_token_is_refresh_token_expired_without_a_call(http: httpx.AsyncClient) -> None:
    with respx.mock(assert_all_called=False) as mock:
        anything = mock.route()
        with pytest.raises(RefreshTokenExpired):
            await refresh_token(http, SHOP, "", API_KEY, API_SECRET)
        assert not anything.called


@respx.mock
async def test_refresh_refused_for_the_app_is_an_auth_error(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(400, json=INVALID_CLIENT)
    with pytest.raises(AuthError) as caught:
        await refresh_token(http, SHOP, "shprt_x", API_KEY, API_SECRET)
    assert not isinstance(caught.value, RefreshTokenExpired)


@respx.mock
async def test_refresh_server_errors_are_transient_after_retries(http: httpx.AsyncClient) -> None:
    route = respx.post(TOKEN_URL).respond(503)
    with pytest.raises(Transient):
        await refresh_token(http, SHOP, "shprt_x", API_KEY, API_SECRET)
    assert route.call_count == 3

    respx.post(TOKEN_URL).mock(side_effect=httpx.ConnectTimeout("down"))
    with pytest.raises(Transient):
        await refresh_token(http, SHOP, "shprt_x", API_KEY, API_SECRET)


@respx.mock
async def test_refresh_rate_limited_carries_retry_after(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        await refresh_token(http, SHOP, "shprt_x", API_KEY, API_SECRET)
    assert caught.value.retry_after == 7.0


@respx.mock
async def test_other_refresh_client_errors_are_permanent(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).respond(422, json={"error": "unprocessable"})
    with pytest.raises(Permanent):
        await refresh_token(http, SHOP, "shprt_x", API_KEY, API_SECRET)


# --- authorization code ----------------------------------------------------------------------------


@respx.mock
async def test_auth_code_grant_asks_for_an_expiring_token(http: httpx.AsyncClient) -> None:
    route = respx.post(TOKEN_URL).respond(json=EXPIRING_OFFLINE)

    tokens = await exchange_auth_code(http, SHOP, "code-123", API_KEY, API_SECRET, now=NOW)

    assert _sent_json(route) == {
        "client_id": API_KEY,
        "client_secret": API_SECRET,
        "code": "code-123",
        "expiring": 1,
    }
    assert tokens.access_token == "shpat_first_access"
    assert tokens.refresh_token == "shprt_first_refresh"
    assert _close_to(tokens.expires_at, NOW + timedelta(seconds=3600))
    assert _close_to(tokens.refresh_token_expires_at, NOW + timedelta(seconds=7776000))


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(400, json=INVALID_CODE), AuthError),
        (httpx.Response(401, json={}), AuthError),
        (httpx.Response(500, text="oops"), Transient),
        (httpx.Response(404, text="Not Found"), Permanent),
        (httpx.Response(200, json={"scope": "read_orders"}), Permanent),
        (httpx.Response(200, text="<html>not json</html>"), Permanent),
    ],
)
@respx.mock
async def test_auth_code_failures_map_onto_the_error_tree(
    http: httpx.AsyncClient, response: httpx.Response, error: type[Exception]
) -> None:
    respx.post(TOKEN_URL).mock(return_value=response)
    with pytest.raises(error):
        await exchange_auth_code(http, SHOP, "code-123", API_KEY, API_SECRET)


@respx.mock
async def test_auth_code_timeouts_are_transient_and_429_rate_limited(http: httpx.AsyncClient) -> None:
    respx.post(TOKEN_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Transient):
        await exchange_auth_code(http, SHOP, "code-123", API_KEY, API_SECRET)

    respx.post(TOKEN_URL).respond(429, headers={"Retry-After": "11"})
    with pytest.raises(RateLimited) as caught:
        await exchange_auth_code(http, SHOP, "code-123", API_KEY, API_SECRET)
    assert caught.value.retry_after == 11.0
