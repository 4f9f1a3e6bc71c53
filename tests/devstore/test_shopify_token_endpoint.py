"""The token endpoint: token exchange (offline/online, JSON/form) and its refusals, as Shopify shapes them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.devstore.shopify_support import (
    CLIENT_ID,
    DEMO,
    OTHER,
    SECRET,
    TOKEN_URL,
    admin_api,
    devstore,
    exchange_body,
    install,
    session_token,
)


async def test_token_exchange_issues_an_expiring_offline_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        response = await client.post(TOKEN_URL, json=exchange_body(session_token()))
        answer = response.json()
        installation = (await client.get(f"/_devstore/shopify/{DEMO}/installation")).json()

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert set(answer) == {"access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"}
    assert answer["access_token"].startswith("shpat_") and answer["refresh_token"].startswith("shprt_")
    assert answer["expires_in"] == 3600
    assert answer["refresh_token_expires_in"] == 90 * 86400
    assert (
        answer["scope"]
        == "read_orders,write_orders,read_customers,read_returns,write_returns,read_fulfillments"
    )
    [token] = installation["tokens"]
    assert token["access_token"] == answer["access_token"] and token["grant_type"] == "token_exchange"


async def test_token_exchange_accepts_a_form_body(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        body = {key: str(value) for key, value in exchange_body(session_token()).items()}
        response = await client.post(TOKEN_URL, data=body)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600


async def test_a_non_expiring_offline_token_is_the_same_each_time(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        first = await client.post(TOKEN_URL, json=exchange_body(session_token(), expiring=0))
        second = await client.post(TOKEN_URL, json=exchange_body(session_token(), expiring="0"))
    assert set(first.json()) == {"access_token", "scope"}
    assert first.json()["access_token"] == second.json()["access_token"]


async def test_token_exchange_for_an_online_token_names_the_staff_user(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        response = await client.post(TOKEN_URL, json=exchange_body(session_token(), online=True))
    answer = response.json()
    assert response.status_code == 200
    assert answer["access_token"].startswith("shpua_")
    assert answer["expires_in"] == 86399
    assert "refresh_token" not in answer
    assert answer["associated_user_scope"] == answer["scope"]
    user = answer["associated_user"]
    assert set(user) == {
        "id",
        "first_name",
        "last_name",
        "email",
        "email_verified",
        "account_owner",
        "locale",
        "collaborator",
    }
    assert user["account_owner"] is True and isinstance(user["id"], int)


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (lambda: session_token(secret="another-apps-secret-that-is-long-enough!!"), "not signed"),
        (lambda: session_token(aud="another-client"), "another app"),
        (lambda: session_token(exp=int(time.time()) - 30), "expired"),
        (lambda: session_token(nbf=int(time.time()) + 60), "not valid yet"),
        (lambda: session_token(OTHER), "another shop"),
        (lambda: session_token(dest=f"https://{OTHER}"), "another shop"),
        (lambda: session_token(sid=None), "no sid"),
        (lambda: "not-a-jwt", "malformed"),
    ],
)
async def test_an_invalid_session_token_is_refused_as_invalid_subject_token(
    tmp_path: Path, token: object, why: str
) -> None:
    assert callable(token)
    async with devstore(tmp_path) as client:
        await install(client)
        response = await client.post(TOKEN_URL, json=exchange_body(token()))
        installation = (await client.get(f"/_devstore/shopify/{DEMO}/installation")).json()
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_subject_token"
    assert why in response.json()["error_description"]
    assert installation["tokens"] == []


async def test_a_session_token_with_a_little_clock_skew_is_accepted(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        response = await client.post(TOKEN_URL, json=exchange_body(session_token(nbf=int(time.time()) + 5)))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ({"subject_token": None}, "subject_token"),
        ({"subject_token_type": "urn:ietf:params:oauth:token-type:jwt"}, "subject_token_type"),
        ({"requested_token_type": "urn:shopify:params:oauth:token-type:admin"}, "requested_token_type"),
    ],
)
async def test_a_malformed_exchange_is_an_invalid_request(
    tmp_path: Path, change: dict[str, object], description: str
) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        body = {**exchange_body(session_token()), **change}
        response = await client.post(TOKEN_URL, json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert description in response.json()["error_description"]


@pytest.mark.parametrize(
    "credentials",
    [{"client_secret": "wrong"}, {"client_id": "someone-else"}, {"client_secret": None}],
)
async def test_wrong_client_credentials_are_refused_as_invalid_client(
    tmp_path: Path, credentials: dict[str, object]
) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        body = {**exchange_body(session_token()), **credentials}
        response = await client.post(TOKEN_URL, json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_an_app_that_is_not_installed_gets_no_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        response = await client.post(TOKEN_URL, json=exchange_body(session_token()))
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "The app is not installed on this shop.",
    }


async def test_unknown_shops_grant_types_and_bodies(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        await install(client)
        unknown_shop = await client.post(
            "/shopify/nowhere.myshopify.com/admin/oauth/access_token", json=exchange_body(session_token())
        )
        unsupported = await client.post(
            TOKEN_URL, json={"client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "password"}
        )
        not_json = await client.post(
            TOKEN_URL, content=b"[1, 2]", headers={"Content-Type": "application/json"}
        )
        other_type = await client.post(TOKEN_URL, content=b"x", headers={"Content-Type": "text/plain"})
        get = await client.get(TOKEN_URL)
    assert unknown_shop.status_code == 404
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_request"
    assert other_type.status_code == 400 and other_type.json()["error"] == "invalid_request"
    assert get.status_code == 405


async def test_the_issued_token_opens_the_admin_api_and_a_made_up_one_does_not(tmp_path: Path) -> None:
    async with devstore(tmp_path, None, DEMO, OTHER) as client:
        await install(client)
        token = (await client.post(TOKEN_URL, json=exchange_body(session_token()))).json()["access_token"]
        ok = await admin_api(client, token)
        made_up = await admin_api(client, "shpat_" + "0" * 32)
        missing = await client.get(f"/shopify/{DEMO}/admin/api/2026-10/shop.json")
        other_shop = await admin_api(client, token, OTHER)
    assert ok.status_code == 200
    shop = ok.json()["shop"]
    assert (
        shop["myshopify_domain"] == DEMO
        and shop["admin_graphql_api_id"] == f"gid://shopify/Shop/{shop['id']}"
    )
    for refused in (made_up, missing, other_shop):
        assert refused.status_code == 401
        assert refused.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }
