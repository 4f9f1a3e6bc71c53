"""Embedded admin requests: session tokens in, the shop's CSP out, token exchange on first load."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis
from arq.constants import default_queue_name

from app.clock import utcnow
from app.models import AuditEvent, Shop, StaffUser, SyncKind, SyncRun
from app.services.shops import install_shop, token_cipher
from app.settings import Settings
from connectors.base import TokenSet
from tests.app.auth.platform import token_url
from tests.connectors.shopify.payloads import EXPIRING_OFFLINE, INVALID_SUBJECT_TOKEN
from tests.support.session_tokens import make_session_token

SHOP = "test-shop.myshopify.com"
OTHER_SHOP = "other-shop.myshopify.com"
RETRY_HEADER = "x-shopify-retry-invalid-session-request"
DOCUMENT_HEADERS = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "iframe"}


def session_token(settings: Settings, shop: str = SHOP, **overrides: Any) -> str:
    return make_session_token(shop, settings.shopify_api_key, str(settings.shopify_api_secret), **overrides)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def install(settings: Settings, shop: str = SHOP) -> Shop:
    now = utcnow()
    tokens = TokenSet(
        access_token=f"shpat_{shop}",
        scope="read_orders",
        expires_at=now + timedelta(hours=1),
        refresh_token="shprt_x",
        refresh_token_expires_at=now + timedelta(days=90),
    )
    return await install_shop(shop, tokens, settings=settings, via="token_exchange")


def expected_csp(shop: str) -> str:
    return f"frame-ancestors https://{shop} https://admin.shopify.com http://platform.test;"


async def nothing_written() -> bool:
    return (
        await Shop.all().count() == 0
        and await StaffUser.all().count() == 0
        and await AuditEvent.all().count() == 0
    )


# --- first load: token exchange ------------------------------------------------------------------


@respx.mock
async def test_the_first_document_load_exchanges_the_token_and_installs(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    exchange = respx.post(token_url(SHOP)).respond(json=EXPIRING_OFFLINE)
    token = session_token(settings, sub="77")

    response = await client.get(
        "/admin-test", params={"shop": SHOP, "embedded": "1", "id_token": token}, headers=DOCUMENT_HEADERS
    )

    assert response.status_code == 200
    assert f"<h1>{SHOP}</h1>" in response.text
    assert response.headers["content-security-policy"] == expected_csp(SHOP)
    assert "set-cookie" not in response.headers
    sent = json.loads(exchange.calls.last.request.content)
    assert sent["subject_token"] == token
    assert sent["requested_token_type"] == "urn:shopify:params:oauth:token-type:offline-access-token"
    shop = await Shop.get(domain=SHOP)
    assert token_cipher(settings).decrypt(shop.access_token_encrypted or "") == "shpat_first_access"
    assert await StaffUser.filter(shop_id=shop.id).values_list("platform_user_id", flat=True) == ["77"]


@respx.mock
async def test_the_install_queues_the_first_import_once(
    client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    respx.post(token_url(SHOP)).respond(json=EXPIRING_OFFLINE)

    for _ in range(2):
        response = await client.get("/admin-test/api", headers=bearer(session_token(settings)))
        assert response.status_code == 200

    shop = await Shop.get(domain=SHOP)
    assert await SyncRun.filter(shop_id=shop.id, kind=SyncKind.BACKFILL).exists()
    assert await queue.zcard(default_queue_name) == 1


@respx.mock
async def test_concurrent_first_loads_install_one_shop_with_one_exchange(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    exchange = respx.post(token_url(SHOP)).respond(json=EXPIRING_OFFLINE)

    responses = await asyncio.gather(
        *(client.get("/admin-test/api", headers=bearer(session_token(settings))) for _ in range(5))
    )

    assert [r.status_code for r in responses] == [200] * 5
    assert exchange.call_count == 1
    assert await Shop.filter(domain=SHOP).count() == 1
    shop = await Shop.get(domain=SHOP)
    assert shop.access_token_encrypted is not None
    assert {r.json()["shop_id"] for r in responses} == {shop.id}
    assert await StaffUser.filter(shop_id=shop.id).count() == 1


async def test_an_installed_shop_is_not_exchanged_again(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install(settings)
    with respx.mock:  # no route: an exchange would fail the request
        response = await client.get("/admin-test/api", headers=bearer(session_token(settings)))
    assert response.status_code == 200
    assert response.json() == {"shop_id": shop.id, "shop": SHOP, "staff": "42"}


@respx.mock
async def test_an_uninstalled_shop_is_reinstalled_by_its_next_load(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install(settings)
    await Shop.filter(id=shop.id).update(is_active=False, uninstalled_at=utcnow())
    exchange = respx.post(token_url(SHOP)).respond(json=EXPIRING_OFFLINE)

    response = await client.get("/admin-test/api", headers=bearer(session_token(settings)))

    assert response.status_code == 200
    assert exchange.call_count == 1
    stored = await Shop.get(id=shop.id)
    assert (stored.is_active, stored.uninstalled_at) == (True, None)
    assert await AuditEvent.filter(shop_id=shop.id, action="shop.reinstalled").count() == 1


@respx.mock
async def test_an_exchange_refused_by_shopify_is_an_invalid_session(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    respx.post(token_url(SHOP)).respond(400, json=INVALID_SUBJECT_TOKEN)
    token = session_token(settings)

    fetch = await client.get("/admin-test/api", headers=bearer(token))
    document = await client.get(
        "/admin-test", params={"id_token": token, "shop": SHOP}, headers=DOCUMENT_HEADERS
    )

    assert (fetch.status_code, fetch.headers[RETRY_HEADER]) == (401, "1")
    assert document.status_code == 200
    assert 'name="shopify-api-key"' in document.text
    assert await nothing_written()


@respx.mock
async def test_shopify_unreachable_during_exchange_is_a_503(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    respx.post(token_url(SHOP)).mock(side_effect=httpx.ConnectError("down"))
    response = await client.get("/admin-test/api", headers=bearer(session_token(settings)))
    assert response.status_code == 503
    assert await nothing_written()


# --- invalid sessions: 401 for fetches, the bounce page for documents ------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Accept": "application/json"},
    ],
)
async def test_a_fetch_without_a_valid_token_gets_401_and_the_retry_header(
    client: httpx.AsyncClient, settings: Settings, headers: dict[str, str]
) -> None:
    with respx.mock:
        response = await client.get("/admin-test/api", headers=headers)
    assert response.status_code == 401
    assert response.headers[RETRY_HEADER] == "1"
    assert await nothing_written()


async def test_an_expired_bearer_token_gets_401_and_the_retry_header(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await install(settings)
    expired = session_token(settings, exp=int(utcnow().timestamp()) - 60)
    response = await client.get("/admin-test/api", headers=bearer(expired))
    assert (response.status_code, response.headers[RETRY_HEADER]) == (401, "1")
    assert await StaffUser.all().count() == 0


async def test_a_document_load_without_a_token_gets_the_bounce_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get(
        "/admin-test", params={"shop": SHOP, "host": "YWRtaW4", "embedded": "1"}, headers=DOCUMENT_HEADERS
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<meta name="shopify-api-key" content="{settings.shopify_api_key}">' in response.text
    assert f'<script src="{settings.app_bridge_url}"></script>' in response.text
    assert '"/admin-test?shop=test-shop.myshopify.com\\u0026host=YWRtaW4\\u0026embedded=1"' in response.text
    assert "shopify.idToken()" in response.text
    assert response.headers["content-security-policy"] == expected_csp(SHOP)
    assert response.headers["cache-control"] == "no-store"
    assert await nothing_written()


async def test_a_document_load_with_a_bad_id_token_bounces_without_it(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    stale = session_token(settings, exp=int(utcnow().timestamp()) - 60)
    response = await client.get(
        "/admin-test", params={"shop": SHOP, "id_token": stale, "embedded": "1"}, headers=DOCUMENT_HEADERS
    )
    assert response.status_code == 200
    assert "shopify.idToken()" in response.text
    assert stale not in response.text
    assert '"/admin-test?shop=test-shop.myshopify.com\\u0026embedded=1"' in response.text
    assert await nothing_written()


async def test_the_bounce_page_for_an_unknown_shop_is_framed_only_by_shopify(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/admin-test", params={"shop": "evil.com"}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert csp == "frame-ancestors https://admin.shopify.com http://platform.test;"
    assert "evil" not in csp


async def test_navigation_is_told_apart_from_fetches(client: httpx.AsyncClient) -> None:
    # A script fetch that says it accepts HTML is still not a navigation.
    fetch = await client.get("/admin-test", headers={"Accept": "text/html", "Sec-Fetch-Dest": "empty"})
    top_level = await client.get("/admin-test", headers={"Sec-Fetch-Dest": "document"})
    assert fetch.status_code == 401
    assert top_level.status_code == 200
    assert "shopify.idToken()" in top_level.text


# --- authenticated responses -----------------------------------------------------------------------


async def test_every_authenticated_response_carries_the_shops_frame_ancestors(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await install(settings)
    token = session_token(settings)

    page = await client.get("/admin-test", params={"id_token": token}, headers=DOCUMENT_HEADERS)
    api = await client.get("/admin-test/api", headers=bearer(token))
    missing = await client.get("/admin-test/api", params={"fail": "404"}, headers=bearer(token))

    for response in (page, api, missing):
        csp = response.headers["content-security-policy"]
        assert csp == expected_csp(SHOP)
        assert "*" not in csp
        assert "'none'" not in csp
    assert missing.status_code == 404
    assert page.headers["cache-control"] == "private, no-store"
    # Routes outside the embedded admin keep the default.
    assert (await client.get("/healthz")).headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_staff_users_are_upserted_by_sub(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await install(settings)
    for sub in ("1", "2", "1"):
        response = await client.get("/admin-test/api", headers=bearer(session_token(settings, sub=sub)))
        assert response.json()["staff"] == sub
    users = (
        await StaffUser.filter(shop_id=shop.id)
        .order_by("platform_user_id")
        .values_list("platform_user_id", flat=True)
    )
    assert users == ["1", "2"]


# --- tenant isolation ------------------------------------------------------------------------------


async def test_a_session_token_for_shop_a_never_resolves_shop_b(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop_a = await install(settings, SHOP)
    shop_b = await install(settings, OTHER_SHOP)
    token_a = session_token(settings, SHOP)

    own = await client.get("/admin-test/api", headers=bearer(token_a))
    assert own.json()["shop_id"] == shop_a.id

    for params in ({"shop": OTHER_SHOP}, {"shop": "https://other-shop.myshopify.com"}, {"shop": "junk"}):
        response = await client.get("/admin-test/api", params=params, headers=bearer(token_a))
        assert response.status_code == 403
        assert RETRY_HEADER not in response.headers
    assert await StaffUser.filter(shop_id=shop_b.id).count() == 0


async def test_a_token_whose_dest_is_shop_b_but_signed_for_a_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await install(settings, SHOP)
    await install(settings, OTHER_SHOP)
    mixed = session_token(settings, SHOP, dest=f"https://{OTHER_SHOP}")
    response = await client.get("/admin-test/api", headers=bearer(mixed))
    assert response.status_code == 401
    assert await StaffUser.all().count() == 0
