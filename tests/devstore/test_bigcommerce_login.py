"""The token endpoint: a code from the install is exchanged once, for the store's one token, by the
app's own client credentials; JSON and form bodies alike."""

from __future__ import annotations

from pathlib import Path

from tests.devstore.test_bigcommerce_support import (
    API,
    CONTROL,
    SCOPES,
    STORE,
    TOKEN_URL,
    auth,
    devstore,
    issue_code,
    token_request,
)


async def test_a_code_is_exchanged_for_the_stores_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        issued = await issue_code(client)
        response = await client.post(TOKEN_URL, json=token_request(issued["code"]))
        installation = (await client.get(f"{CONTROL}/installation")).json()
        orders = await client.get(f"{API}/v2/orders", headers=auth(response.json()["access_token"]))

    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"access_token", "scope", "user", "owner", "context", "account_uuid"}
    assert answer["scope"] == SCOPES
    assert answer["context"] == f"stores/{STORE}"
    owner = installation["users"][0]
    assert (
        answer["user"]
        == answer["owner"]
        == {"id": owner["id"], "username": owner["email"], "email": owner["email"]}
    )
    assert installation["installed"] and installation["access_token"] == answer["access_token"]
    assert orders.status_code == 200


async def test_the_installing_user_is_the_user_and_the_owner_stays_the_owner(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        users = (await client.get(f"{CONTROL}/installation")).json()["users"]
        manager = next(u for u in users if u["role"] == "authorized")
        issued = await issue_code(client, user_id=manager["id"])
        answer = (await client.post(TOKEN_URL, json=token_request(issued["code"]))).json()
    assert answer["user"]["id"] == manager["id"] and answer["owner"]["id"] == users[0]["id"]


async def test_a_form_encoded_request_works_too(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        issued = await issue_code(client)
        response = await client.post(TOKEN_URL, data=token_request(issued["code"]))
    assert response.status_code == 200 and response.json()["access_token"]


async def test_a_code_is_good_once(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        code = (await issue_code(client))["code"]
        first = await client.post(TOKEN_URL, json=token_request(code))
        again = await client.post(TOKEN_URL, json=token_request(code))
    assert first.status_code == 200
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_the_wrong_client_secret_is_refused_and_spends_no_code(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        code = (await issue_code(client))["code"]
        wrong = await client.post(TOKEN_URL, json=token_request(code, client_secret="not-the-secret"))
        other_app = await client.post(TOKEN_URL, json=token_request(code, client_id="another-app"))
        right = await client.post(TOKEN_URL, json=token_request(code))
    assert wrong.status_code == other_app.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert right.status_code == 200


async def test_the_request_must_match_the_code_and_the_registration(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        code = (await issue_code(client))["code"]
        refusals = [
            await client.post(
                TOKEN_URL, json=token_request(code, redirect_uri="https://evil.test/bigcommerce/auth")
            ),
            await client.post(TOKEN_URL, json=token_request(code, context="stores/xyz789")),
            await client.post(TOKEN_URL, json=token_request(code, scope="store_v2_orders")),
            await client.post(TOKEN_URL, json=token_request(code, grant_type="client_credentials")),
            await client.post(
                TOKEN_URL, json={k: v for k, v in token_request(code).items() if k != "context"}
            ),
            await client.post(TOKEN_URL, content=b"code=x", headers={"Content-Type": "text/plain"}),
        ]
    assert [r.status_code for r in refusals] == [400] * 6


async def test_re_authorizing_replaces_the_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        first_code = (await issue_code(client))["code"]
        first = (await client.post(TOKEN_URL, json=token_request(first_code))).json()["access_token"]
        # The app's scopes changed: the merchant accepts again and a new auth callback arrives.
        scopes = [*SCOPES.split(), "store_app_extensions_manage"]
        second_code = (await issue_code(client, scopes=scopes))["code"]
        second = await client.post(TOKEN_URL, json=token_request(second_code, scope=" ".join(scopes)))
        old_token = await client.get(f"{API}/v2/orders", headers=auth(first))
        new_token = await client.get(f"{API}/v2/orders", headers=auth(second.json()["access_token"]))
    assert second.json()["scope"].split() == scopes
    assert old_token.status_code == 401 and new_token.status_code == 200
