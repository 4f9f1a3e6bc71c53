"""Settings: defaults shown, valid changes saved and audited, bad input back with messages and no change."""

from __future__ import annotations

from decimal import Decimal

import httpx

from app.models import AuditEvent, Shop, StaffUser
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed

VALID = {
    "return_policy.window_days": "45",
    "return_policy.restocking_fee_percent": "10",
    "return_policy.final_sale_tags": "final-sale, clearance",
    "return_policy.resolutions": ["refund", "store_credit"],
    "return_policy.reasons": "damaged/defective\nother",
    "surveys.kind": "csat",
    "surveys.delay_days": "7",
    "surveys.transit_buffer_days": "5",
    "surveys.support_delay_hours": "24",
    "surveys.expiry_days": "14",
    "surveys.throttle_days": "30",
    "surveys.max_order_age_days": "30",
    "surveys.sampling_percent": "100",
    "sender.name": "Acme Support",
    "sender.email": "help@acme.example",
    "locales.enabled": ["en", "de", "fr", "es"],
    "locales.default": "en",
    "staff_refund_limit": "",
}


async def test_settings_page_shows_the_defaults(client: httpx.AsyncClient, settings: Settings) -> None:
    await installed(settings, SHOP_A)
    page = (await client.get("/settings", headers=as_staff_of(settings, SHOP_A))).text
    assert 'name="return_policy.window_days" value="30"' in page
    assert 'name="surveys.delay_days" value="7"' in page and 'name="surveys.expiry_days" value="14"' in page
    assert "final-sale" in page
    for section in ("Return policy", "Surveys", "Sender", "Staff refund limits"):
        assert section in page


async def test_saving_stores_the_settings_and_audits_each_change(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    headers = as_staff_of(settings, SHOP_A)
    await client.get("/settings", headers=headers)  # creates the staff user of the session
    member = await StaffUser.get(shop=shop, platform_user_id="42")
    form = {
        **VALID,
        "staff": [str(member.id)],
        f"staff.{member.id}.refund_limit": "250",
        f"staff.{member.id}.can_approve_refunds": "on",
    }

    response = await client.post("/settings", data=form, headers=headers)

    assert response.status_code == 204
    assert response.headers["x-aftercare-location"].startswith("/settings?saved=")
    stored = (await Shop.get(id=shop.id)).settings
    assert stored["return_policy"]["window_days"] == 45
    assert stored["return_policy"]["final_sale_tags"] == ["final-sale", "clearance"]
    assert stored["sender"]["email"] == "help@acme.example"
    member = await StaffUser.get(id=member.id)
    assert member.refund_limit == Decimal("250") and member.can_approve_refunds
    window = await AuditEvent.get(
        shop_id=shop.id, action="settings.changed", subject_id="return_policy.window_days"
    )
    assert window.data == {"old": 30, "new": 45} and window.actor.startswith("staff:")
    assert await AuditEvent.filter(shop_id=shop.id, subject_type="staff_user").count() == 2

    again = await client.post("/settings", data=form, headers=headers)
    assert again.headers["x-aftercare-location"] == "/settings?saved=0", "an unchanged form changes nothing"


async def test_bad_input_comes_back_with_messages_and_changes_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    headers = as_staff_of(settings, SHOP_A)
    bad = {
        **VALID,
        "return_policy.window_days": "400",
        "return_policy.restocking_fee_percent": "abc",
        "surveys.sampling_percent": "101",
        "sender.email": "not-an-email",
        "return_policy.resolutions": ["refund", "teleport"],
    }

    audited = await AuditEvent.all().count()  # installing audits too

    response = await client.post("/settings", data=bad, headers=headers)

    assert response.status_code == 422
    page = response.text
    assert "Enter a number from 0 to 365." in page and "Enter a number from 0 to 100." in page
    assert (
        "Enter a number." in page
        and "Enter an email address" in page
        and "Choose from the options shown." in page
    )
    assert 'value="400"' in page, "the form comes back as typed"
    assert (await Shop.get(id=shop.id)).settings == {}
    assert await AuditEvent.all().count() == audited


async def test_another_shops_staff_cannot_be_changed(client: httpx.AsyncClient, settings: Settings) -> None:
    await installed(settings, SHOP_A)
    shop_b = await installed(settings, SHOP_B)
    theirs = await StaffUser.create(shop=shop_b, platform_user_id="7")
    form = {
        **VALID,
        "staff": [str(theirs.id)],
        f"staff.{theirs.id}.refund_limit": "1",
        f"staff.{theirs.id}.can_approve_refunds": "on",
    }
    audited = await AuditEvent.all().count()

    response = await client.post("/settings", data=form, headers=as_staff_of(settings, SHOP_A))

    assert response.status_code == 422
    assert (
        "not one of this store's staff" in response.text
        or "not one of this store&#39;s staff" in response.text
    )
    theirs = await StaffUser.get(id=theirs.id)
    assert theirs.refund_limit is None and not theirs.can_approve_refunds
    assert await AuditEvent.all().count() == audited
