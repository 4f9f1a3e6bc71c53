"""The admin session inside BigCommerce's control-panel iframe: a third-party cookie, a URL token for
browsers that block it, CSRF on every write, the store's frame-ancestors, and the same
``embedded_session`` as Shopify's (admin pages never ask which platform they are on)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from app import clock
from app.models import Shop, StaffUser
from app.settings import Settings
from tests.admin_ui.test_customers import customer
from tests.admin_ui.test_settings import VALID
from tests.app.auth.bigcommerce import (
    DOCUMENT_HEADERS,
    OTHER_STORE,
    STORE,
    entry,
    install_store,
    load,
    session_headers,
)
from tests.app.auth.test_embedded import bearer, session_token
from tests.app.auth.test_embedded import install as install_shopify_shop

EXPECTED_CSP = (
    f"frame-ancestors https://store-{STORE}.mybigcommerce.com https://*.bigcommerce.com http://platform.test;"
)


async def open_app(
    client: httpx.AsyncClient, settings: Settings, store: str = STORE, **claims: object
) -> dict[str, str]:
    """Load the app (as the control panel does) and return the session parameters of its URL."""
    response = await load(client, settings, store, url="/admin-test", **claims)
    assert response.status_code == 303
    return entry(response)[1]


def without_cookies(client: httpx.AsyncClient) -> httpx.AsyncClient:
    client.cookies.clear()
    return client


# --- the cookie, and the URL token when there is no cookie ---------------------------------------


async def test_with_a_working_cookie_the_page_drops_the_url_token_and_the_cookie_carries_the_session(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    params = await open_app(https_client, settings, user_id=24655)

    first = await https_client.get("/admin-test", params=params, headers=DOCUMENT_HEADERS)

    assert first.status_code == 303
    tidy = urlsplit(first.headers["location"])
    assert tidy.path == "/admin-test" and set(parse_qs(tidy.query)) == {"bc_csrf"}
    page = await https_client.get(first.headers["location"], headers=DOCUMENT_HEADERS)
    assert page.status_code == 200
    assert f"<h1>{STORE}</h1><p>staff 24655</p>" in page.text
    api = await https_client.get("/admin-test/api", headers=session_headers(params, token=False))
    assert api.json() == {"shop_id": shop.id, "shop": STORE, "staff": "24655"}


async def test_without_the_cookie_the_url_token_is_the_session(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    params = await open_app(https_client, settings)
    client = without_cookies(https_client)  # a browser that blocks third-party cookies

    page = await client.get("/admin-test", params=params, headers=DOCUMENT_HEADERS)
    api = await client.get("/admin-test/api", headers=session_headers(params))

    assert page.status_code == 200 and f"<h1>{STORE}</h1>" in page.text
    assert api.status_code == 200 and api.json()["shop_id"] == shop.id


async def test_the_cookie_without_the_page_marker_is_not_a_session(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    """Only bc_csrf/bc_session select BigCommerce: a cookie alone leaves Shopify's handling as it was."""
    await install_store(settings)
    await open_app(https_client, settings)

    response = await https_client.get("/admin-test/api")

    assert response.status_code == 401
    assert response.headers["x-shopify-retry-invalid-session-request"] == "1"


async def test_a_url_token_is_renewed_on_a_page_load_while_the_session_lasts(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    params = await open_app(https_client, settings)
    client = without_cookies(https_client)
    clock.advance(timedelta(minutes=40))

    renewed = await client.get("/admin-test", params=params, headers=DOCUMENT_HEADERS)

    assert renewed.status_code == 303
    fresh = {k: v[0] for k, v in parse_qs(urlsplit(renewed.headers["location"]).query).items()}
    assert fresh["bc_csrf"] == params["bc_csrf"] and fresh["bc_session"] != params["bc_session"]
    clock.advance(timedelta(minutes=30))
    assert (await client.get("/admin-test/api", headers=session_headers(params))).status_code == 401
    assert (await client.get("/admin-test/api", headers=session_headers(fresh))).status_code == 200


async def test_the_session_ends_after_twelve_hours_whatever_carries_it(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    params = await open_app(https_client, settings)
    clock.advance(timedelta(hours=12, seconds=1))

    by_cookie = await https_client.get("/admin-test/api", headers=session_headers(params, token=False))

    assert by_cookie.status_code == 401
    assert "open aftercare again" in by_cookie.json()["error"].lower()


async def test_a_second_tab_keeps_the_first_tabs_csrf_token_working(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    first_tab = await open_app(https_client, settings)
    second_tab = await open_app(https_client, settings)

    assert first_tab["bc_csrf"] == second_tab["bc_csrf"]
    response = await https_client.get("/admin-test/api", headers=session_headers(first_tab, token=False))
    assert response.status_code == 200


async def test_a_tampered_url_token_is_not_a_session(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    params = await open_app(https_client, settings)
    client = without_cookies(https_client)
    payload, mac = params["bc_session"].split(".")

    forged = {**params, "bc_session": f"{payload}x.{mac}"}

    assert (await client.get("/admin-test/api", headers=session_headers(forged))).status_code == 401


# --- CSRF --------------------------------------------------------------------------------------


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    params = await open_app(https_client, settings)
    before = (await Shop.get(id=shop.id)).settings

    attempts = [
        await https_client.post("/settings", data=VALID),  # the cookie alone: a cross-site form
        await https_client.post("/settings", params={"bc_csrf": params["bc_csrf"]}, data=VALID),
        await https_client.post("/settings", data=VALID, headers={"X-Aftercare-CSRF": "guessed"}),
        await without_cookies(https_client).post(
            "/settings", data=VALID, headers={"X-Aftercare-Session": params["bc_session"]}
        ),
    ]

    assert [r.status_code for r in attempts[1:]] == [403, 403, 403]
    assert attempts[0].status_code in {401, 403}  # no marker: not even taken for a BigCommerce request
    assert (await Shop.get(id=shop.id)).settings == before


async def test_a_post_with_the_csrf_token_goes_through(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    params = await open_app(https_client, settings)

    by_cookie = await https_client.post("/settings", data=VALID, headers=session_headers(params, token=False))
    by_token = await without_cookies(https_client).post(
        "/settings", data={**VALID, "surveys.delay_days": "9"}, headers=session_headers(params)
    )

    assert (by_cookie.status_code, by_token.status_code) == (204, 204)
    assert (await Shop.get(id=shop.id)).settings["surveys"]["delay_days"] == 9


# --- tenancy, revocation, framing, and Shopify unchanged ------------------------------------------


async def test_store_a_session_cannot_reach_store_b_data(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    shop_b = await install_store(settings, OTHER_STORE)
    theirs = await customer(shop_b, "Bea", "Other")
    params = await open_app(https_client, settings)

    response = await https_client.get(
        f"/customers/{theirs.id}", params={"shop": OTHER_STORE}, headers=session_headers(params)
    )

    assert response.status_code == 404
    assert "Bea" not in response.text


async def test_two_stores_open_in_one_browser_keep_their_own_sessions(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop_a = await install_store(settings)
    shop_b = await install_store(settings, OTHER_STORE)
    tab_a = await open_app(https_client, settings)
    tab_b = await open_app(https_client, settings, OTHER_STORE)

    seen = [
        (await https_client.get("/admin-test/api", headers=session_headers(tab, token=False))).json()[
            "shop_id"
        ]
        for tab in (tab_a, tab_b)
    ]

    assert seen == [shop_a.id, shop_b.id]


async def test_a_removed_user_or_an_uninstalled_store_ends_the_session(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    staff_tab = await open_app(https_client, settings, user_id=24655)
    owner_tab = await open_app(https_client, settings)

    await StaffUser.filter(shop_id=shop.id, platform_user_id="24655").update(removed_at=clock.utcnow())
    removed = await https_client.get("/admin-test/api", headers=session_headers(staff_tab))
    assert removed.status_code == 403 and "removed" in removed.json()["error"]
    assert (await https_client.get("/admin-test/api", headers=session_headers(owner_tab))).status_code == 200

    await Shop.filter(id=shop.id).update(is_active=False)
    gone = await https_client.get("/admin-test/api", headers=session_headers(owner_tab))
    assert gone.status_code == 403 and "not installed" in gone.json()["error"]


async def test_admin_responses_may_be_framed_only_by_the_stores_control_panel(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    params = await open_app(https_client, settings)

    ok = await https_client.get("/admin-test/api", headers=session_headers(params))
    not_found = await https_client.get(
        "/admin-test/api", params={"fail": "404"}, headers=session_headers(params)
    )

    assert ok.headers["content-security-policy"] == EXPECTED_CSP
    assert not_found.status_code == 404
    assert not_found.headers["content-security-policy"] == EXPECTED_CSP
    assert ok.headers["cache-control"] == "private, no-store"


async def test_a_shopify_session_token_wins_over_a_bigcommerce_cookie(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    """A browser with both platforms' admins open: the Shopify request stays a Shopify request."""
    await install_store(settings)
    params = await open_app(https_client, settings)
    shopify = await install_shopify_shop(settings)

    response = await https_client.get(
        "/admin-test/api", params={"bc_csrf": params["bc_csrf"]}, headers=bearer(session_token(settings))
    )

    assert response.status_code == 200
    assert response.json()["shop_id"] == shopify.id
    assert "admin.shopify.com" in response.headers["content-security-policy"]


async def test_the_admin_in_the_control_panel_stands_alone_without_shopifys_app_bridge(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    params = entry(await load(https_client, settings, STORE, url="/"))[1]
    client = without_cookies(https_client)

    home = await client.get("/", params=params, headers=DOCUMENT_HEADERS)

    assert home.status_code == 200 and "<h1>Home</h1>" in home.text
    assert settings.app_bridge_url not in home.text and 'name="shopify-api-key"' not in home.text
