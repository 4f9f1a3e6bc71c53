"""The authorization-code grant: /auth and /auth/callback, each check failing in turn."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from starlette.datastructures import Secret

from app.auth.oauth import CallbackFailure, check_callback, embedded_app_url
from app.auth.oauth_state import COOKIE_NAME, OAuthState, sign_state
from app.auth.query_hmac import query_hmac
from app.clock import utcnow
from app.models import AuditEvent, Shop, StaffUser
from app.services.shops import token_cipher
from app.settings import Settings, load_settings
from tests.app.auth.platform import token_url
from tests.connectors.shopify.payloads import EXPIRING_OFFLINE, INVALID_CODE

SHOP = "test-shop.myshopify.com"
STATE = "state-nonce-123"


def signed_params(settings: Settings, secret: str | None = None, **overrides: str) -> dict[str, str]:
    params = {
        "code": "auth-code-1",
        "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdC1zaG9w",
        "shop": SHOP,
        "state": STATE,
        "timestamp": str(int(utcnow().timestamp())),
        **overrides,
    }
    params["hmac"] = query_hmac(params.items(), secret or str(settings.shopify_api_secret))
    return params


def state_cookie(settings: Settings, state: str = STATE, shop: str = SHOP) -> str:
    return sign_state(OAuthState(state=state, shop=shop), key=str(settings.secret_key), now=utcnow())


async def callback(client: httpx.AsyncClient, params: dict[str, str], cookie: str | None) -> httpx.Response:
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    return await client.get("/auth/callback", params=params, headers=headers)


async def nothing_written() -> bool:
    return (
        await Shop.all().count() == 0
        and await AuditEvent.all().count() == 0
        and await StaffUser.all().count() == 0
    )


# --- /auth -----------------------------------------------------------------------------------------


async def test_auth_redirects_to_the_consent_screen_with_a_state_cookie(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/auth", params={"shop": "Test-Shop.myshopify.com"})

    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    # In development the browser goes to the devstore's stand-in for https://{shop}/admin/oauth/authorize.
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"http://platform.test/shopify/{SHOP}/admin/oauth/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == settings.shopify_api_key
    assert query["scope"] == settings.scopes
    assert query["redirect_uri"] == "https://aftercare.test/auth/callback"
    cookie = SimpleCookie(response.headers["set-cookie"])[COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/auth"
    # The cookie carries the same state, for this shop.
    assert check_callback(
        list(signed_params(settings, state=query["state"]).items()),
        cookie.value,
        settings=settings,
        now=utcnow(),
    ).ok


@pytest.mark.parametrize("shop", ["", "evil.com", "x.myshopify.com.evil.com", "a b.myshopify.com"])
async def test_auth_refuses_a_malformed_shop(client: httpx.AsyncClient, shop: str) -> None:
    response = await client.get("/auth", params={"shop": shop})
    assert response.status_code == 400
    assert "set-cookie" not in response.headers


async def test_auth_checks_the_hmac_when_shopify_signed_the_link(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    signed = {"shop": SHOP, "timestamp": str(int(utcnow().timestamp()))}
    signed["hmac"] = query_hmac(signed.items(), str(settings.shopify_api_secret))
    assert (await client.get("/auth", params=signed)).status_code == 302
    assert (await client.get("/auth", params={**signed, "hmac": "0" * 64})).status_code == 401


# --- /auth/callback --------------------------------------------------------------------------------


@respx.mock
async def test_a_valid_callback_installs_the_shop_and_enters_the_app(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    exchange = respx.post(token_url(SHOP)).respond(json=EXPIRING_OFFLINE)

    response = await callback(client, signed_params(settings), state_cookie(settings))

    assert response.status_code == 302
    assert response.headers["location"] == (
        f"http://platform.test/shopify/{SHOP}/admin/apps/{settings.shopify_api_key}"
    )
    sent = json.loads(exchange.calls.last.request.content)
    assert (sent["code"], sent["expiring"], sent["client_id"]) == ("auth-code-1", 1, settings.shopify_api_key)
    shop = await Shop.get(domain=SHOP)
    assert token_cipher(settings).decrypt(shop.access_token_encrypted or "") == "shpat_first_access"
    assert await AuditEvent.filter(shop_id=shop.id, action="shop.installed").count() == 1
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("tampered_param", 401),
        ("bad_hmac", 401),
        ("wrong_state", 403),
        ("no_cookie", 403),
        ("cookie_for_another_shop", 403),
        ("evil_shop", 400),
        ("lookalike_shop", 400),
        ("stale_timestamp", 401),
        ("future_timestamp", 401),
        ("missing_code", 400),
    ],
)
async def test_each_failing_check_answers_4xx_and_writes_nothing(
    client: httpx.AsyncClient, settings: Settings, case: str, status: int
) -> None:
    params, cookie = signed_params(settings), state_cookie(settings)
    now = int(utcnow().timestamp())
    if case == "tampered_param":
        params["code"] = "another-code"
    elif case == "bad_hmac":
        params = signed_params(settings, secret="not-our-secret")
    elif case == "wrong_state":
        cookie = state_cookie(settings, state="someone-elses-state")
    elif case == "no_cookie":
        cookie = ""
    elif case == "cookie_for_another_shop":
        cookie = state_cookie(settings, shop="other-shop.myshopify.com")
    elif case in {"evil_shop", "lookalike_shop"}:
        # Validly signed and with a matching state: only the shop check can stop it.
        shop = "evil.com" if case == "evil_shop" else "x.myshopify.com.evil.com"
        params, cookie = signed_params(settings, shop=shop), state_cookie(settings, shop=shop)
    elif case == "stale_timestamp":
        params = signed_params(settings, timestamp=str(now - 24 * 3600 - 60))
    elif case == "future_timestamp":
        params = signed_params(settings, timestamp=str(now + 3600))
    elif case == "missing_code":
        params.pop("code")

    with respx.mock(assert_all_called=False) as mock:
        token_endpoint = mock.route()
        response = await callback(client, params, cookie)

    assert response.status_code == status
    assert response.json()["error"]
    assert not token_endpoint.called
    assert await nothing_written()


@respx.mock
async def test_a_code_shopify_refuses_writes_nothing(client: httpx.AsyncClient, settings: Settings) -> None:
    respx.post(token_url(SHOP)).respond(400, json=INVALID_CODE)
    response = await callback(client, signed_params(settings), state_cookie(settings))
    assert response.status_code == 401
    assert await nothing_written()


@respx.mock
async def test_shopify_down_during_the_callback_is_a_503(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    respx.post(token_url(SHOP)).respond(503)
    response = await callback(client, signed_params(settings), state_cookie(settings))
    assert response.status_code == 503
    assert await nothing_written()


def test_the_old_secret_still_signs_callbacks(settings: Settings) -> None:
    rotating = dataclasses.replace(settings, shopify_api_secret_old=Secret("the-old-secret"))
    params = signed_params(settings, secret="the-old-secret")
    cookie = state_cookie(settings)
    assert check_callback(list(params.items()), cookie, settings=rotating, now=utcnow()).ok
    refused = check_callback(list(params.items()), cookie, settings=settings, now=utcnow())
    assert refused.failure == CallbackFailure.BAD_HMAC


def test_the_timestamp_window_is_a_day(settings: Settings) -> None:
    params = signed_params(settings, timestamp=str(int(utcnow().timestamp())))
    cookie = state_cookie(settings)
    later = utcnow() + timedelta(hours=23)
    # The state cookie itself lives 10 minutes: check the timestamp rule with a fresh one.
    fresh_cookie = sign_state(OAuthState(state=STATE, shop=SHOP), key=str(settings.secret_key), now=later)
    assert check_callback(list(params.items()), fresh_cookie, settings=settings, now=later).ok
    much_later = utcnow() + timedelta(hours=25)
    fresh_cookie = sign_state(
        OAuthState(state=STATE, shop=SHOP), key=str(settings.secret_key), now=much_later
    )
    result = check_callback(list(params.items()), fresh_cookie, settings=settings, now=much_later)
    assert result.failure == CallbackFailure.STALE_TIMESTAMP
    assert check_callback(list(params.items()), cookie, settings=settings, now=utcnow()).ok


def test_in_production_the_merchant_lands_in_the_shopify_admin(tmp_path: Path) -> None:
    production = load_settings({"AFTERCARE_VAR_DIR": str(tmp_path), "SHOPIFY_API_KEY": "live-key"})
    assert embedded_app_url(production, SHOP) == "https://admin.shopify.com/store/test-shop/apps/live-key"


# --- /auth/session-token (Shopify's patch-id-token page) ------------------------------------------------


async def test_the_session_token_page_reloads_a_path_on_this_app(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get(
        "/auth/session-token", params={"shop": SHOP, "shopify-reload": "/admin-test?embedded=1"}
    )
    assert response.status_code == 200
    assert '"/admin-test?embedded=1"' in response.text
    assert response.headers["content-security-policy"].startswith(f"frame-ancestors https://{SHOP} ")


@pytest.mark.parametrize(
    ("shop", "reload"),
    [
        (SHOP, "//evil.test/x"),
        (SHOP, "https://evil.test/x"),
        (SHOP, "/\t/evil.test"),
        (SHOP, "/\\evil.test"),
        (SHOP, ""),
        ("evil.com", "/admin-test"),
    ],
)
async def test_the_session_token_page_refuses_other_destinations(
    client: httpx.AsyncClient, shop: str, reload: str
) -> None:
    response = await client.get("/auth/session-token", params={"shop": shop, "shopify-reload": reload})
    assert response.status_code == 400
