"""The app was uninstalled from a shop: stop acting for it at once; its data waits for shop/redact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Shop, Survey, SurveyStatus
from app.services import audit


@dataclass(frozen=True)
class Uninstall:
    applied: bool
    reason: str
    surveys_canceled: int = 0


async def uninstall_shop(shop_id: int, *, triggered_at: datetime | None = None) -> Uninstall:
    """Tokens deleted, shop inactive, scheduled surveys canceled, one audit event.

    ``triggered_at`` is when the platform saw the uninstall: a late retry of an uninstall from
    before the latest install must not uninstall the shop again.
    """
    async with in_transaction():
        shop = await Shop.get_or_none(id=shop_id)
        if shop is None:
            return Uninstall(False, "shop not found")
        if not shop.is_active:
            return Uninstall(False, "already uninstalled")
        if triggered_at is not None and shop.installed_at is not None and triggered_at < shop.installed_at:
            return Uninstall(False, "stale: the shop was installed again after this uninstall")
        await Shop.filter(id=shop_id).update(
            access_token_encrypted=None,
            access_token_expires_at=None,
            refresh_token_encrypted=None,
            refresh_token_expires_at=None,
            is_active=False,
            uninstalled_at=utcnow(),
        )
        pending = [SurveyStatus.SCHEDULED, SurveyStatus.SENDING]
        canceled = await Survey.filter(shop_id=shop_id, status__in=pending).update(
            status=SurveyStatus.CANCELED, decision="canceled: the app was uninstalled"
        )
        await audit.record(
            "shop.uninstalled",
            shop_id=shop_id,
            actor=audit.PLATFORM,
            subject_type="shop",
            subject_id=str(shop_id),
            data={"surveys_canceled": canceled},
        )
    return Uninstall(True, "uninstalled", canceled)
