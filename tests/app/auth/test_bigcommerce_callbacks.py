"""BigCommerce's load, uninstall and remove_user callbacks: each check failing in turn changes
nothing; a valid payload is used once; load provisions the user and starts an admin session."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app import clock
from app.clock import utcnow
from app.models import AuditEvent, Shop, StaffUser
from app.settings import Settings
from connectors.bigcommerce.signed_payload import LEEWAY_SECONDS
from tests.app.auth.bigcommerce import (
    DOCUMENT_HEADERS,
    OTHER_STORE,
    STORE,
    call,
    entry,
    install_store,
    load,
    signed,
)
from tests.support.bigcommerce_jwt import make_signed_payload

STAFF_ID = 24655
CALLBACKS = ["load", "uninstall", "remove-user"]
EXPECTED_CSP = (
    f"frame-ancestors https://store-{STORE}.mybigcommerce.com https://*.bigcommerce.com http://platform.test;"
)


def now_ts() -> int:
    return int(utcnow().timestamp())


async def snapshot() -> tuple[Any, ...]:
    shops = await Shop.all().order_by("id").values_list("id", "is_active", "access_token_encrypted")
    staff = await StaffUser.all().order_by("id").values_list("platform_user_id", "removed_at", "email")
    return tuple(shops), tuple(staff), await AuditEvent.all().count()


async def store_with_staff(settings: Settings) -> Shop:
    """An installed store whose user STAFF_ID has loaded the app before (remove-user has a target)."""
    shop = await install_store(settings)
    await StaffUser.create(shop=shop, platform_user_id=str(STAFF_ID), email="staff@example.com")
    return shop


# --- every check, failing in turn -------------------------------------------------------------


def other_secret(settings: Settings) -> str:
    return make_signed_payload(STORE, settings.bigcommerce_client_id, "not-our-secret", user_id=STAFF_ID)


REFUSALS: dict[str, tuple[Any, int, str]] = {
    # name: (payload for the test, status, what the message says)
    "bad signature": (other_secret, 401, "signature"),
    "wrong aud": (lambda s: signed(s, aud="someone-elses-app", user_id=STAFF_ID), 401, "another app"),
    "wrong iss": (lambda s: signed(s, iss="evil", user_id=STAFF_ID), 401, "not issued by BigCommerce"),
    "expired": (
        lambda s: signed(
            s, iat=now_ts() - 90000, nbf=now_ts() - 90005, exp=now_ts() - LEEWAY_SECONDS - 5, user_id=STAFF_ID
        ),
        401,
        "expired",
    ),
    "nbf beyond the leeway": (
        lambda s: signed(s, nbf=now_ts() + LEEWAY_SECONDS + 30, user_id=STAFF_ID),
        401,
        "not valid yet",
    ),
    "no store in sub": (lambda s: signed(s, sub="g5cd38", user_id=STAFF_ID), 401, "does not name a store"),
    "unknown store": (lambda s: signed(s, OTHER_STORE, user_id=STAFF_ID), 403, "not installed"),
    "no payload": (lambda s: "", 400, "missing"),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
@pytest.mark.parametrize("callback", CALLBACKS)
async def test_each_failed_check_is_refused_and_changes_nothing(
    https_client: httpx.AsyncClient, settings: Settings, callback: str, refusal: str
) -> None:
    await store_with_staff(settings)
    make, status, message = REFUSALS[refusal]
    before = await snapshot()

    response = await call(https_client, callback, make(settings))

    assert response.status_code == status
    assert message in response.json()["error"]
    assert "set-cookie" not in response.headers
    assert await snapshot() == before


async def test_a_refusal_in_the_iframe_is_a_page_the_control_panel_may_show(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await install_store(settings)
    response = await call(https_client, "load", signed(settings, aud="other"), **DOCUMENT_HEADERS)
    assert response.status_code == 401
    assert "another app" in response.text
    # No verified store: any store's control panel, never frame-ancestors 'none'.
    assert response.headers["content-security-policy"] == (
        "frame-ancestors https://*.mybigcommerce.com https://*.bigcommerce.com http://platform.test;"
    )


async def test_nbf_within_the_leeway_is_accepted(https_client: httpx.AsyncClient, settings: Settings) -> None:
    await install_store(settings)
    response = await load(https_client, settings, iat=now_ts() + 3, nbf=now_ts() + LEEWAY_SECONDS - 2)
    assert response.status_code == 303


@pytest.mark.parametrize("callback", CALLBACKS)
async def test_a_payload_is_used_once(
    https_client: httpx.AsyncClient, settings: Settings, callback: str
) -> None:
    await store_with_staff(settings)
    token = signed(settings, user_id=STAFF_ID)

    first = await call(https_client, callback, token)
    after_first = await snapshot()
    replay = await call(https_client, callback, token)

    assert first.status_code in {200, 303}
    assert replay.status_code == 401
    assert "used already" in replay.json()["error"]
    assert await snapshot() == after_first


async def test_a_refused_payload_does_not_use_up_its_jti(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    """The jti is claimed only once every other check passed: an unknown store's payload, once the
    store is installed, still works (BigCommerce's retry of the same payload is not a replay)."""
    token = signed(settings)
    assert (await call(https_client, "load", token)).status_code == 403
    await install_store(settings)
    assert (await call(https_client, "load", token)).status_code == 303


# --- load ---------------------------------------------------------------------------------------


async def test_load_by_a_new_user_provisions_them_and_enters_the_admin(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)

    response = await load(https_client, settings, user_id=STAFF_ID)

    assert response.status_code == 303
    staff = await StaffUser.get(shop_id=shop.id, platform_user_id=str(STAFF_ID))
    assert (staff.email, staff.locale, staff.is_owner, staff.removed_at) == (
        f"user{STAFF_ID}@example.com",
        "en-US",
        False,
        None,
    )
    path, params = entry(response)
    assert path == "/"
    assert set(params) == {"bc_csrf", "bc_session"}
    assert response.headers["content-security-policy"] == EXPECTED_CSP


async def test_the_session_cookie_has_exactly_the_third_party_iframe_attributes(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)

    response = await load(https_client, settings)

    cookie = response.headers["set-cookie"]
    assert re.fullmatch(
        rf"aftercare_bc_{shop.id}=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=43200; Path=/; "
        r"Secure; HttpOnly; SameSite=None; Partitioned",
        cookie,
    ), cookie


async def test_load_of_the_owner_marks_them_owner_and_a_second_load_adds_no_user(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    for _ in range(2):
        assert (await load(https_client, settings)).status_code == 303
    owners = await StaffUser.filter(shop_id=shop.id).values_list("platform_user_id", "is_owner")
    assert owners == [("7", True)]


@pytest.mark.parametrize(
    ("url", "path"),
    [("/orders/106", "/orders/106"), ("//evil.test/x", "/"), ("https://evil.test/", "/"), ("/", "/")],
)
async def test_load_goes_to_the_deep_link_only_on_this_app(
    https_client: httpx.AsyncClient, settings: Settings, url: str, path: str
) -> None:
    await install_store(settings)
    assert entry(await load(https_client, settings, url=url))[0] == path


async def test_load_for_an_uninstalled_store_is_refused(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    await Shop.filter(id=shop.id).update(is_active=False)
    before = await snapshot()

    response = await load(https_client, settings, user_id=STAFF_ID)

    assert response.status_code == 403
    assert "uninstalled" in response.text
    assert await snapshot() == before


async def test_a_removed_user_authorized_again_is_active_again(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await store_with_staff(settings)
    await StaffUser.filter(shop_id=shop.id, platform_user_id=str(STAFF_ID)).update(removed_at=utcnow())

    assert (await load(https_client, settings, user_id=STAFF_ID)).status_code == 303

    staff = await StaffUser.get(shop_id=shop.id, platform_user_id=str(STAFF_ID))
    assert staff.removed_at is None


# --- uninstall and remove_user ------------------------------------------------------------------


async def test_uninstall_stops_the_store_as_shopifys_uninstall_does(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    clock.advance(timedelta(minutes=5))  # iat is whole seconds; the merchant leaves a while later

    response = await call(https_client, "uninstall", signed(settings))

    assert response.status_code == 200
    assert response.json() == {"uninstalled": True, "reason": "uninstalled"}
    stored = await Shop.get(id=shop.id)
    assert not stored.is_active and stored.uninstalled_at is not None
    assert stored.access_token_encrypted is None
    assert await AuditEvent.filter(shop_id=shop.id, action="shop.uninstalled").count() == 1


async def test_an_uninstall_from_before_a_reinstall_is_stale(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await install_store(settings)
    assert shop.installed_at is not None
    issued = int(shop.installed_at.timestamp()) - 60

    response = await call(https_client, "uninstall", signed(settings, iat=issued, nbf=issued - 5))

    assert response.json()["uninstalled"] is False
    assert (await Shop.get(id=shop.id)).is_active


async def test_remove_user_marks_that_user_removed_and_no_other(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await store_with_staff(settings)

    response = await call(https_client, "remove-user", signed(settings, user_id=STAFF_ID))

    assert response.status_code == 200 and response.json() == {"removed": True}
    removed = dict(await StaffUser.filter(shop_id=shop.id).values_list("platform_user_id", "removed_at"))
    assert removed["7"] is None
    assert removed[str(STAFF_ID)] is not None
    assert removed[str(STAFF_ID)] > utcnow() - timedelta(minutes=1)
    assert await AuditEvent.filter(shop_id=shop.id, action="staff.removed", subject_id=str(STAFF_ID)).exists()


async def test_removing_a_user_we_never_saw_changes_nothing(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    await store_with_staff(settings)
    before = await snapshot()

    response = await call(https_client, "remove-user", signed(settings, user_id=99999))

    assert response.status_code == 200 and response.json() == {"removed": False}
    assert await snapshot() == before
