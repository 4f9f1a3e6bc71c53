"""app/uninstalled stops everything for a shop at once; shop/redact erases it 48 h later."""

from __future__ import annotations

from datetime import timedelta

from tortoise import Tortoise

from app.clock import utcnow
from app.models import (
    AuditEvent,
    CannedReply,
    CannedReplyTranslation,
    DataRequest,
    Shop,
    StaffUser,
    Survey,
    SurveyStatus,
    SyncKind,
    SyncRun,
    WebhookEvent,
    WebhookStatus,
)
from app.settings import Settings
from jobs.webhooks import process_webhook
from tests.app.webhooks.conftest import make_shop
from tests.app.webhooks.deliveries import SHOP_DOMAIN, shop_payload, shop_redact_payload
from tests.jobs.customer_data import seed_customer
from tests.jobs.events import recorded

CTX = {"job_try": 1}


async def shop_rows(shop_id: int) -> dict[str, int]:
    """Rows that belong to the shop, per table (every table with a shop foreign key)."""
    counts = {}
    for model in Tortoise.apps["models"].values():
        if "shop" in model._meta.fk_fields:
            counts[model._meta.db_table] = await model.filter(shop_id=shop_id).count()
    counts["shop"] = await Shop.filter(id=shop_id).count()
    return counts


# --- app/uninstalled --------------------------------------------------------------------------


async def test_uninstall_deletes_tokens_deactivates_and_cancels_scheduled_surveys(db: Settings) -> None:
    shop = await make_shop()
    jon = await seed_customer(shop)
    other = await make_shop("other.myshopify.com")
    elsewhere = await seed_customer(other)

    event_id = await recorded(shop, "app/uninstalled", shop_payload())
    assert await process_webhook(CTX, event_id) == "processed"

    shop = await Shop.get(id=shop.id)
    assert shop.access_token_encrypted is None and shop.refresh_token_encrypted is None
    assert shop.access_token_expires_at is None and shop.refresh_token_expires_at is None
    assert not shop.is_active and shop.uninstalled_at is not None
    assert (await Survey.get(id=jon.scheduled_survey.id)).status == SurveyStatus.CANCELED
    assert (await Survey.get(id=jon.survey.id)).status == SurveyStatus.ANSWERED, "only scheduled ones stop"
    assert (await Survey.get(id=elsewhere.scheduled_survey.id)).status == SurveyStatus.SCHEDULED
    assert (await Shop.get(id=other.id)).access_token_encrypted is not None
    audit = await AuditEvent.get(action="shop.uninstalled")
    assert audit.shop_id == shop.id and audit.data == {"surveys_canceled": 1}


async def test_a_reinstall_after_an_uninstall_works_and_a_late_retry_does_not_undo_it(db: Settings) -> None:
    shop = await make_shop()
    uninstall_at = utcnow()
    await process_webhook(
        CTX, await recorded(shop, "app/uninstalled", shop_payload(), triggered_at=uninstall_at)
    )
    # What the auth service does on a reinstall.
    await Shop.filter(id=shop.id).update(
        is_active=True, installed_at=utcnow() + timedelta(seconds=1), access_token_encrypted="gAAAA-new"
    )
    late_retry = await recorded(shop, "app/uninstalled", shop_payload(), triggered_at=uninstall_at)

    assert await process_webhook(CTX, late_retry) == "ignored"

    shop = await Shop.get(id=shop.id)
    assert shop.is_active and shop.access_token_encrypted == "gAAAA-new"
    assert "stale" in ((await WebhookEvent.get(id=late_retry)).error or "")


# --- shop/redact ------------------------------------------------------------------------------


async def test_shop_redact_erases_every_row_of_the_shop_and_keeps_an_audit_line(db: Settings) -> None:
    shop = await make_shop(active=False)
    await seed_customer(shop)
    await StaffUser.create(shop=shop, platform_user_id="42", email="owner@example.com")
    await DataRequest.create(shop=shop, platform_request_id="1", export={"x": 1})
    reply = await CannedReply.create(shop=shop, short_code="thanks", title="Thanks", body="Thanks {{ name }}")
    await CannedReplyTranslation.create(shop=shop, reply=reply, locale="fr", body="Merci")
    await SyncRun.create(shop=shop, kind=SyncKind.BACKFILL, resource="orders")
    await AuditEvent.create(shop=shop, actor="system", action="settings.changed")
    other = await make_shop("other.myshopify.com")
    await seed_customer(other)
    before_other = await shop_rows(other.id)
    event_id = await recorded(shop, "shop/redact", shop_redact_payload())
    assert all(count > 0 for count in (await shop_rows(shop.id)).values()), "every table holds some of it"

    assert await process_webhook(CTX, event_id) == "processed"

    assert set((await shop_rows(shop.id)).values()) == {0}
    assert await WebhookEvent.filter(id=event_id).count() == 0, "the request itself went with the shop"
    assert await shop_rows(other.id) == before_other
    audit = await AuditEvent.get(action="privacy.shop_erased")
    assert audit.shop_id is None  # type: ignore[attr-defined]
    assert audit.data == {"platform": "shopify", "domain": SHOP_DOMAIN}
    assert await process_webhook(CTX, event_id) == "gone", "running it again is a no-op"


async def test_shop_redact_keeps_a_shop_installed_again_since_the_uninstall(db: Settings) -> None:
    shop = await make_shop()
    await Shop.filter(id=shop.id).update(uninstalled_at=utcnow() - timedelta(hours=20), installed_at=utcnow())
    event_id = await recorded(shop, "shop/redact", shop_redact_payload())
    assert await process_webhook(CTX, event_id) == "ignored"
    assert await Shop.filter(id=shop.id).exists()
    event = await WebhookEvent.get(id=event_id)
    assert event.status == WebhookStatus.IGNORED and "installed again" in (event.error or "")


async def test_shop_redact_keeps_a_shop_reinstalled_through_the_install_path(db: Settings) -> None:
    """A real reinstall clears uninstalled_at: the shop is active and was installed within 48 h."""
    shop = await make_shop()
    await Shop.filter(id=shop.id).update(uninstalled_at=None, installed_at=utcnow() - timedelta(hours=3))
    event_id = await recorded(shop, "shop/redact", shop_redact_payload())
    assert await process_webhook(CTX, event_id) == "ignored"
    assert await Shop.filter(id=shop.id).exists()


async def test_shop_redact_erases_an_active_shop_whose_uninstall_delivery_was_lost(db: Settings) -> None:
    shop = await make_shop()
    await Shop.filter(id=shop.id).update(uninstalled_at=None, installed_at=utcnow() - timedelta(days=90))
    event_id = await recorded(shop, "shop/redact", shop_redact_payload())
    assert await process_webhook(CTX, event_id) == "processed"
    assert not await Shop.filter(id=shop.id).exists()
