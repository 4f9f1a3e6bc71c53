"""BigCommerce's auth callback: the code for the store's token, one shop per store however often it
is re-authorized, the owner as staff, the first import queued, and a page that leads into the app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis
from arq.constants import default_queue_name

from app.models import AuditEvent, Platform, Shop, StaffUser, SyncKind, SyncRun
from app.services.shops import token_cipher
from app.settings import Settings
from tests.app.auth.bigcommerce import STORE, TOKEN_URL

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bigcommerce"
TOKEN_RESPONSE: dict[str, Any] = json.loads((FIXTURES / "oauth2_token_response.json").read_text())
SCOPE = TOKEN_RESPONSE["scope"]
EXPECTED_CSP = (
    f"frame-ancestors https://store-{STORE}.mybigcommerce.com https://*.bigcommerce.com http://platform.test;"
)


def auth_params(**overrides: str) -> dict[str, str]:
    params = {
        "account_uuid": "12345678-90ab-cdef-1234-567890abcdef",
        "code": "qr6h3thvbvag2ffq",
        "context": f"stores/{STORE}",
        "scope": SCOPE,
        **overrides,
    }
    return {k: v for k, v in params.items() if v}


async def auth(client: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    headers = {"Accept": "text/html", "Referer": "https://login.bigcommerce.com/"}
    return await client.get("/bigcommerce/auth", params=auth_params(**overrides), headers=headers)


async def nothing_written() -> bool:
    return (
        await Shop.all().count() == 0
        and await StaffUser.all().count() == 0
        and await AuditEvent.all().count() == 0
    )


@respx.mock
async def test_install_stores_the_token_encrypted_and_leads_into_the_app(
    https_client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    exchange = respx.post(TOKEN_URL).respond(json=TOKEN_RESPONSE)

    response = await auth(https_client)

    assert response.status_code == 200
    sent = json.loads(exchange.calls.last.request.content)
    assert sent["redirect_uri"] == "https://aftercare.test/bigcommerce/auth"
    assert (sent["code"], sent["context"], sent["scope"]) == ("qr6h3thvbvag2ffq", f"stores/{STORE}", SCOPE)
    shop = await Shop.get(platform=Platform.BIGCOMMERCE, domain=STORE)
    assert shop.is_active and shop.email == "owner@example.com" and shop.scopes == SCOPE
    assert shop.access_token_encrypted != "bc-access-token-first"
    assert token_cipher(settings).decrypt(shop.access_token_encrypted or "") == "bc-access-token-first"
    assert shop.access_token_expires_at is None and shop.refresh_token_encrypted is None
    # The page leads into the app with a session for the installing user.
    assert "Open Aftercare" in response.text and "bc_session=" in response.text
    assert response.headers["set-cookie"].startswith(f"aftercare_bc_{shop.id}=")
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    # The first import is queued, as Shopify's install does, and so is the store's webhook setup.
    assert await SyncRun.filter(shop_id=shop.id, kind=SyncKind.BACKFILL).exists()
    queued = {job_id.decode().split(":")[0] for job_id in await queue.zrange(default_queue_name, 0, -1)}
    assert queued == {"backfill_shop", "ensure_store_hooks"}


@respx.mock
async def test_install_provisions_the_owner_and_the_installing_user(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    respx.post(TOKEN_URL).respond(json=TOKEN_RESPONSE)

    await auth(https_client)

    shop = await Shop.get(domain=STORE)
    staff = (
        await StaffUser.filter(shop_id=shop.id)
        .order_by("platform_user_id")
        .values_list("platform_user_id", "email", "is_owner")
    )
    assert staff == [("24655", "staff@example.com", False), ("7", "owner@example.com", True)]


@respx.mock
async def test_a_reauth_after_a_scope_change_replaces_the_token_of_the_one_shop(
    https_client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    respx.post(TOKEN_URL).mock(
        side_effect=[
            httpx.Response(200, json=TOKEN_RESPONSE),
            httpx.Response(
                200,
                json={
                    **TOKEN_RESPONSE,
                    "access_token": "bc-access-token-second",
                    "scope": f"{SCOPE} store_v2_content",
                },
            ),
        ]
    )
    assert (await auth(https_client)).status_code == 200
    backfills = await SyncRun.filter(kind=SyncKind.BACKFILL).count()

    response = await auth(https_client, code="second-code", scope=f"{SCOPE} store_v2_content")

    assert response.status_code == 200
    shops = await Shop.filter(platform=Platform.BIGCOMMERCE, domain=STORE)
    assert len(shops) == 1
    assert token_cipher(settings).decrypt(shops[0].access_token_encrypted or "") == "bc-access-token-second"
    assert shops[0].scopes.endswith("store_v2_content")
    assert await StaffUser.filter(shop_id=shops[0].id).count() == 2
    # A re-authorization does not import the whole store again.
    assert await SyncRun.filter(shop_id=shops[0].id, kind=SyncKind.BACKFILL).count() == backfills


@respx.mock
async def test_a_reinstall_after_an_uninstall_reactivates_the_store(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    respx.post(TOKEN_URL).respond(json=TOKEN_RESPONSE)
    await auth(https_client)
    await Shop.filter(domain=STORE).update(is_active=False, access_token_encrypted=None)

    assert (await auth(https_client, code="again")).status_code == 200

    shop = await Shop.get(domain=STORE)
    assert shop.is_active and shop.access_token_encrypted is not None
    assert await AuditEvent.filter(shop_id=shop.id, action="shop.reinstalled").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": ""}, "missing"),
        ({"context": ""}, "missing"),
        ({"scope": ""}, "missing"),
        ({"context": "g5cd38"}, "stores/{store hash}"),
        ({"context": "stores/../../x"}, "stores/{store hash}"),
    ],
)
@respx.mock
async def test_a_malformed_callback_is_400_and_asks_nothing_of_bigcommerce(
    https_client: httpx.AsyncClient, settings: Settings, overrides: dict[str, str], message: str
) -> None:
    exchange = respx.post(TOKEN_URL).respond(json=TOKEN_RESPONSE)

    response = await auth(https_client, **overrides)

    assert response.status_code == 400 and message in response.text
    assert exchange.call_count == 0
    assert await nothing_written()


@pytest.mark.parametrize(
    ("token_answer", "status", "message"),
    [
        (httpx.Response(400, json={"error": "Invalid verification code."}), 401, "did not accept"),
        (httpx.Response(503), 503, "could not be reached"),
        (httpx.Response(429, headers={"X-Retry-After": "3"}), 503, "busy"),
        (httpx.Response(200, json={**TOKEN_RESPONSE, "context": "stores/h7x9q2"}), 403, "different store"),
    ],
)
@respx.mock
async def test_a_refused_or_foreign_grant_installs_nothing(
    https_client: httpx.AsyncClient,
    settings: Settings,
    token_answer: httpx.Response,
    status: int,
    message: str,
) -> None:
    respx.post(TOKEN_URL).mock(return_value=token_answer)

    response = await auth(https_client)

    assert response.status_code == status and message in response.text
    assert "set-cookie" not in response.headers
    assert await nothing_written()


@respx.mock
async def test_too_few_scopes_is_a_clear_page_and_installs_nothing(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    granted = "store_v2_orders_read_only store_v2_customers_read_only"
    respx.post(TOKEN_URL).respond(json={**TOKEN_RESPONSE, "scope": granted})

    response = await auth(https_client, scope=granted)

    assert response.status_code == 403
    assert "create refunds (store_v2_orders or store_v2_transactions)" in response.text
    assert "Developer Portal" in response.text
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert await nothing_written()


@respx.mock
async def test_an_external_install_reports_success_to_bigcommerce(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    respx.post(TOKEN_URL).respond(json=TOKEN_RESPONSE)

    response = await auth(https_client, external_install="1")

    assert response.status_code == 302
    assert response.headers["location"] == (
        f"http://platform.test/bigcommerce/login/app/{settings.bigcommerce_client_id}/install/succeeded"
    )
    assert await Shop.filter(domain=STORE).exists()
